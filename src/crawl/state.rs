//! Crawl state in the store: what each URL looked like last time, which crawl run is under
//! way, and which vacancies a source stopped listing.
//!
//! The crawler reads validators and previous vacancy ids per URL before fetching, and writes
//! page rows only after the index has committed the vacancies they point to (so a killed crawl
//! never remembers a page whose vacancies were lost). A run row per source crawl lets a killed
//! crawl resume: pages already written in that run are not fetched again. Tables: `pages`
//! (migration 1, plus `run_id` from migration 2) and `crawl_runs` (migration 2).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use crate::store::Store;

/// What the store remembers about one URL.
#[derive(Debug, Clone, Default)]
pub struct PageState {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub hash: Option<String>,
    pub vacancy_ids: Vec<String>,
    pub run_id: Option<i64>,
    pub http_status: Option<i64>,
}

/// A page row to write once the index has committed.
#[derive(Debug, Clone)]
pub struct PageWrite {
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub hash: Option<String>,
    pub http_status: u16,
    pub vacancy_ids: Vec<String>,
}

pub fn page(store: &Store, url: &str) -> anyhow::Result<Option<PageState>> {
    Ok(store
        .connection()
        .query_row(
            "SELECT etag, last_modified, hash, vacancy_ids, run_id, http_status FROM pages WHERE url = ?1",
            [url],
            |r| {
                let ids: String = r.get(3)?;
                Ok(PageState {
                    etag: r.get(0)?,
                    last_modified: r.get(1)?,
                    hash: r.get(2)?,
                    vacancy_ids: split_ids(&ids),
                    run_id: r.get(4)?,
                    http_status: r.get(5)?,
                })
            },
        )
        .optional()?)
}

pub fn split_ids(ids: &str) -> Vec<String> {
    ids.split('\n')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Write page rows in one transaction, tagged with the run.
pub fn write_pages(
    store: &Store,
    source: &str,
    run_id: i64,
    now: DateTime<Utc>,
    pages: &[PageWrite],
) -> anyhow::Result<()> {
    if pages.is_empty() {
        return Ok(());
    }
    let conn = store.connection();
    // inside the crawl's batch transaction the caller commits; alone, this is its own
    let own = conn.is_autocommit();
    if own {
        conn.execute_batch("BEGIN")?;
    }
    let result = (|| -> anyhow::Result<()> {
        let mut stmt = conn.prepare_cached(
            "INSERT INTO pages (url, source, etag, last_modified, hash, http_status, fetched_at, vacancy_ids, run_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT(url) DO UPDATE SET source = excluded.source, etag = excluded.etag,
                last_modified = excluded.last_modified, hash = excluded.hash,
                http_status = excluded.http_status, fetched_at = excluded.fetched_at,
                vacancy_ids = excluded.vacancy_ids, run_id = excluded.run_id",
        )?;
        let at = now.to_rfc3339();
        for p in pages {
            stmt.execute(params![
                p.url,
                source,
                p.etag,
                p.last_modified,
                p.hash,
                p.http_status,
                at,
                p.vacancy_ids.join("\n"),
                run_id
            ])?;
        }
        Ok(())
    })();
    match result {
        Ok(()) if own => {
            conn.execute_batch("COMMIT")?;
            Ok(())
        }
        Err(e) if own => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
        other => other,
    }
}

/// Start a crawl run for a source, or resume its unfinished one (started less than
/// `resume_hours` before `now`). Returns (run id, resumed).
pub fn begin_run(
    store: &Store,
    source: &str,
    now: DateTime<Utc>,
    resume_hours: f64,
) -> anyhow::Result<(i64, bool)> {
    let conn = store.connection();
    let open: Option<(i64, String)> = conn
        .query_row(
            "SELECT id, started_at FROM crawl_runs WHERE source = ?1 AND finished_at IS NULL ORDER BY id DESC LIMIT 1",
            [source],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if let Some((id, started)) = open {
        let fresh = DateTime::parse_from_rfc3339(&started)
            .map(|t| {
                let age = now - t.with_timezone(&Utc);
                age.num_seconds() >= 0 && (age.num_seconds() as f64) < resume_hours * 3600.0
            })
            .unwrap_or(false);
        if fresh {
            return Ok((id, true));
        }
        conn.execute(
            "UPDATE crawl_runs SET finished_at = ?2, complete = 0 WHERE id = ?1",
            params![id, now.to_rfc3339()],
        )?;
    }
    conn.execute(
        "INSERT INTO crawl_runs (source, started_at) VALUES (?1, ?2)",
        params![source, now.to_rfc3339()],
    )?;
    Ok((conn.last_insert_rowid(), false))
}

pub fn finish_run(
    store: &Store,
    run_id: i64,
    now: DateTime<Utc>,
    complete: bool,
    report_json: &str,
) -> anyhow::Result<()> {
    store.connection().execute(
        "UPDATE crawl_runs SET finished_at = ?2, complete = ?3, report = ?4 WHERE id = ?1",
        params![run_id, now.to_rfc3339(), complete as i64, report_json],
    )?;
    Ok(())
}

/// Count a missed crawl for every open vacancy of `source` not in `seen`; return the ids that
/// have now been missed `close_after` times or more (the caller closes them).
pub fn record_absences(
    store: &Store,
    source: &str,
    seen: &HashSet<String>,
    close_after: u32,
) -> anyhow::Result<Vec<String>> {
    let conn = store.connection();
    let open: Vec<(String, i64)> = {
        let mut stmt = conn.prepare(
            "SELECT id, missed_crawls FROM vacancies WHERE source = ?1 AND status = 'open'",
        )?;
        stmt.query_map([source], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?
    };
    let mut to_close = vec![];
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Deferred)?;
    for (id, missed) in open {
        if seen.contains(&id) {
            continue;
        }
        tx.execute(
            "UPDATE vacancies SET missed_crawls = missed_crawls + 1 WHERE id = ?1",
            [&id],
        )?;
        if missed + 1 >= close_after.max(1) as i64 {
            to_close.push(id);
        }
    }
    tx.commit()?;
    Ok(to_close)
}

/// The store writes of a crawl between two checkpoints form one transaction: faster, and a
/// killed crawl loses vacancy rows and page rows together with the uncommitted index batch.
/// Dropping the guard rolls back what was not committed.
pub struct Batch<'a> {
    store: &'a Store,
}

impl<'a> Batch<'a> {
    pub fn begin(store: &'a Store) -> anyhow::Result<Batch<'a>> {
        if store.connection().is_autocommit() {
            store.connection().execute_batch("BEGIN")?;
        }
        Ok(Batch { store })
    }

    /// Commit what is open and (when `again`) start the next batch.
    pub fn commit(&self, again: bool) -> anyhow::Result<()> {
        let conn = self.store.connection();
        if !conn.is_autocommit() {
            conn.execute_batch("COMMIT")?;
        }
        if again {
            conn.execute_batch("BEGIN")?;
        }
        Ok(())
    }
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        let conn = self.store.connection();
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
    }
}

/// Mark a vacancy seen without re-analysis (its page answered 304 or did not change).
pub fn touch_vacancy(store: &Store, id: &str, now: DateTime<Utc>) -> anyhow::Result<bool> {
    let n = store.connection().execute(
        "UPDATE vacancies SET last_seen = ?2, missed_crawls = 0 WHERE id = ?1",
        params![id, now.to_rfc3339()],
    )?;
    Ok(n > 0)
}

/// (status, missed crawls, closed reason) of a vacancy — for reports and tests.
pub fn vacancy_status(
    store: &Store,
    id: &str,
) -> anyhow::Result<Option<(String, i64, Option<String>)>> {
    Ok(store
        .connection()
        .query_row(
            "SELECT status, missed_crawls, closed_reason FROM vacancies WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?)
}
