//! The embedded database (SQLite): crawl state, vacancy lifecycle and the evidence trail.
//!
//! What must survive a crash and be shown to UWV lives here: per-URL crawl state (ETag,
//! Last-Modified, content hash), when each vacancy was first and last seen and why it closed,
//! and every generated shortlist with the vacancy snapshots and FML version it used. The index
//! is for finding; this is the record. Migrations are numbered and tracked in `user_version`.

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::model::{Shortlist, Vacancy};

const MIGRATIONS: &[&str] = &[
    // 1: crawl state, vacancy lifecycle, shortlists
    "CREATE TABLE pages (
        url TEXT PRIMARY KEY, source TEXT NOT NULL, etag TEXT, last_modified TEXT, hash TEXT,
        http_status INTEGER, fetched_at TEXT NOT NULL, vacancy_ids TEXT NOT NULL DEFAULT '');
     CREATE TABLE vacancies (
        id TEXT PRIMARY KEY, source TEXT NOT NULL, url TEXT, hash TEXT NOT NULL,
        status TEXT NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
        closed_at TEXT, closed_reason TEXT, missed_crawls INTEGER NOT NULL DEFAULT 0);
     CREATE TABLE shortlists (
        id INTEGER PRIMARY KEY AUTOINCREMENT, candidate TEXT NOT NULL, generated_at TEXT NOT NULL,
        mode TEXT NOT NULL, fml_version TEXT NOT NULL, fml_date TEXT, json TEXT NOT NULL);
     CREATE TABLE shortlist_items (
        shortlist_id INTEGER NOT NULL REFERENCES shortlists(id), rank INTEGER NOT NULL,
        vacancy_id TEXT NOT NULL, verdict TEXT NOT NULL, score REAL NOT NULL, snapshot TEXT NOT NULL,
        PRIMARY KEY (shortlist_id, rank));
     CREATE INDEX shortlists_by_candidate ON shortlists(candidate, generated_at);",
    // 2: crawl runs (resume a killed crawl), pages tagged with their run, vacancies by source
    "CREATE TABLE crawl_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, source TEXT NOT NULL, started_at TEXT NOT NULL,
        finished_at TEXT, complete INTEGER, report TEXT);
     CREATE INDEX crawl_runs_by_source ON crawl_runs(source, id);
     ALTER TABLE pages ADD COLUMN run_id INTEGER;
     CREATE INDEX vacancies_by_source ON vacancies(source, status);",
    // 3: nightly mail: consent tokens, transactional outbox, mailed vacancies, activities
    "CREATE TABLE mail_subscriptions (
        candidate TEXT PRIMARY KEY, token TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL,
        unsubscribed_at TEXT);
     CREATE TABLE mail_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT, idempotency_key TEXT NOT NULL UNIQUE,
        candidate TEXT NOT NULL, run_date TEXT NOT NULL, message_id TEXT NOT NULL UNIQUE,
        env_from TEXT NOT NULL, env_to TEXT NOT NULL, raw BLOB NOT NULL, fml_version TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL, last_error TEXT,
        created_at TEXT NOT NULL, sent_at TEXT);
     CREATE INDEX mail_outbox_due ON mail_outbox(state, next_attempt_at);
     CREATE TABLE mail_items (
        outbox_id INTEGER NOT NULL REFERENCES mail_outbox(id), rank INTEGER NOT NULL,
        candidate TEXT NOT NULL, vacancy_id TEXT NOT NULL, cluster TEXT NOT NULL,
        verdict TEXT NOT NULL, snapshot TEXT NOT NULL, PRIMARY KEY (outbox_id, rank));
     CREATE INDEX mail_items_by_candidate ON mail_items(candidate, vacancy_id);
     CREATE TABLE activities (
        id INTEGER PRIMARY KEY AUTOINCREMENT, candidate TEXT NOT NULL, vacancy_id TEXT NOT NULL,
        kind TEXT NOT NULL, channel TEXT NOT NULL, at TEXT NOT NULL, ref TEXT,
        UNIQUE (candidate, vacancy_id, kind, channel, ref));
     CREATE INDEX activities_by_candidate ON activities(candidate, at);",
    // 4: web app (src/web): coaches, sessions, login failures, candidates, actions, audit log
    "CREATE TABLE web_coaches (
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('coach', 'admin')), password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL);
     CREATE TABLE web_sessions (
        token TEXT PRIMARY KEY, coach_id INTEGER NOT NULL REFERENCES web_coaches(id),
        csrf TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
     CREATE TABLE web_login_failures (account TEXT NOT NULL, ip TEXT NOT NULL, at TEXT NOT NULL);
     CREATE INDEX web_login_failures_by_key ON web_login_failures(account, ip, at);
     CREATE TABLE web_candidates (
        id TEXT PRIMARY KEY, coach_id INTEGER NOT NULL REFERENCES web_coaches(id),
        name TEXT, first_sick_day TEXT, toml TEXT NOT NULL, json TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
     CREATE TABLE web_actions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        candidate TEXT NOT NULL REFERENCES web_candidates(id), vacancy_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('voorgesteld', 'gesolliciteerd', 'gesprek',
            'afgewezen', 'geplaatst', 'detachering')),
        on_date TEXT NOT NULL, channel TEXT, contact TEXT, reason TEXT, motivation TEXT,
        verdict TEXT NOT NULL, title TEXT NOT NULL, employer TEXT, url TEXT, snapshot TEXT NOT NULL,
        coach_id INTEGER NOT NULL REFERENCES web_coaches(id), created_at TEXT NOT NULL);
     CREATE INDEX web_actions_by_candidate ON web_actions(candidate, on_date);
     CREATE TABLE web_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, coach_id INTEGER NOT NULL,
        candidate TEXT NOT NULL, action TEXT NOT NULL, detail TEXT);
     CREATE INDEX web_audit_by_candidate ON web_audit(candidate, at);",
    // 5: employer network (src/network): employers, vacancy links, contact history
    "CREATE TABLE network_employers (
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, name_key TEXT NOT NULL,
        kvk TEXT UNIQUE, website TEXT, career_url TEXT, sectors TEXT NOT NULL DEFAULT '[]',
        locations TEXT NOT NULL DEFAULT '[]', contacts TEXT NOT NULL DEFAULT '[]', notes TEXT,
        placements INTEGER NOT NULL DEFAULT 0, placements_note TEXT,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
     CREATE INDEX network_employers_by_key ON network_employers(name_key);
     CREATE TABLE network_links (
        vacancy_id TEXT PRIMARY KEY, employer_id INTEGER REFERENCES network_employers(id),
        status TEXT NOT NULL CHECK (status IN ('linked', 'pending')), method TEXT NOT NULL,
        score REAL NOT NULL, options TEXT NOT NULL DEFAULT '[]', confirmed_by TEXT,
        linked_at TEXT NOT NULL);
     CREATE INDEX network_links_by_employer ON network_links(employer_id, status);
     CREATE TABLE network_contacts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        employer_id INTEGER NOT NULL REFERENCES network_employers(id), candidate TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('contact', 'open-application')), note TEXT,
        at TEXT NOT NULL);
     CREATE INDEX network_contacts_by_employer ON network_contacts(employer_id, at);",
];

pub struct Store {
    conn: Connection,
}

/// What the store knew about a vacancy before this ingest.
#[derive(Debug, Clone, PartialEq)]
pub struct Known {
    pub hash: String,
    pub status: String,
    pub first_seen: DateTime<Utc>,
}

impl Store {
    pub fn open(path: &Path) -> anyhow::Result<Store> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let mut conn = Connection::open(path)
            .with_context(|| format!("cannot open database {}", path.display()))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version as usize > MIGRATIONS.len() {
            anyhow::bail!(
                "database {} was written by a newer passend (schema {version})",
                path.display()
            );
        }
        for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(m)
                .with_context(|| format!("migration {} failed", i + 1))?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(Store { conn })
    }

    pub fn known(&self, id: &str) -> anyhow::Result<Option<Known>> {
        Ok(self
            .conn
            .query_row(
                "SELECT hash, status, first_seen FROM vacancies WHERE id = ?1",
                [id],
                |r| {
                    let fs: String = r.get(2)?;
                    Ok(Known {
                        hash: r.get(0)?,
                        status: r.get(1)?,
                        first_seen: fs.parse().unwrap_or_else(|_| Utc::now()),
                    })
                },
            )
            .optional()?)
    }

    /// Record that a vacancy was seen now with this content hash (insert or update).
    pub fn seen(&self, v: &Vacancy, hash: &str, now: DateTime<Utc>) -> anyhow::Result<()> {
        let status = match v.status {
            crate::model::Status::Open => "open",
            crate::model::Status::Closed => "closed",
        };
        self.conn.execute(
            "INSERT INTO vacancies (id, source, url, hash, status, first_seen, last_seen, missed_crawls)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, 0)
             ON CONFLICT(id) DO UPDATE SET source = excluded.source, url = excluded.url, hash = excluded.hash,
                status = excluded.status, last_seen = excluded.last_seen, missed_crawls = 0,
                closed_at = CASE WHEN excluded.status = 'open' THEN NULL ELSE vacancies.closed_at END,
                closed_reason = CASE WHEN excluded.status = 'open' THEN NULL ELSE vacancies.closed_reason END",
            params![v.posting.id, v.posting.source, v.posting.url, hash, status, now.to_rfc3339()],
        )?;
        Ok(())
    }

    pub fn close(&self, id: &str, reason: &str, now: DateTime<Utc>) -> anyhow::Result<bool> {
        let n = self.conn.execute(
            "UPDATE vacancies SET status = 'closed', closed_at = ?2, closed_reason = ?3 WHERE id = ?1 AND status = 'open'",
            params![id, now.to_rfc3339(), reason],
        )?;
        Ok(n > 0)
    }

    pub fn closed_reason(&self, id: &str) -> anyhow::Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT closed_reason FROM vacancies WHERE id = ?1",
                [id],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }

    /// Store a generated shortlist with full vacancy snapshots; returns its id.
    pub fn save_shortlist(
        &mut self,
        s: &Shortlist,
        fml_date: Option<chrono::NaiveDate>,
        snapshots: &[(String, String)],
    ) -> anyhow::Result<i64> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO shortlists (candidate, generated_at, mode, fml_version, fml_date, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![s.candidate, s.generated_at.to_rfc3339(), s.mode, s.fml_version, fml_date.map(|d| d.to_string()), serde_json::to_string(s)?],
        )?;
        let id = tx.last_insert_rowid();
        for (rank, e) in s.results.iter().enumerate() {
            let snap = snapshots
                .iter()
                .find(|(vid, _)| *vid == e.vacancy.id)
                .map(|(_, j)| j.as_str())
                .unwrap_or("{}");
            tx.execute(
                "INSERT INTO shortlist_items (shortlist_id, rank, vacancy_id, verdict, score, snapshot) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, rank as i64 + 1, e.vacancy.id, serde_json::to_value(e.verdict)?.as_str().unwrap_or(""), e.score, snap],
            )?;
        }
        tx.commit()?;
        Ok(id)
    }

    pub fn shortlist_count(&self, candidate: &str) -> anyhow::Result<i64> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM shortlists WHERE candidate = ?1",
            [candidate],
            |r| r.get(0),
        )?)
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}
