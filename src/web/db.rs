//! The web app's queries on the SQLite store (tables `web_*`, migration 4 in `store.rs`).
//!
//! Rows enter from validated requests (sessions, candidates as TOML text plus the parsed
//! candidate as JSON, vacancy actions, audit entries) and leave as plain structs for the pages,
//! the API and the evidence export. Every change is one transaction.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::{Fail, User, auth};
use crate::model::Candidate;

pub fn create_session(
    conn: &Connection,
    token: &str,
    coach: i64,
    csrf: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM web_sessions WHERE expires_at < ?1",
        [now.to_rfc3339()],
    )?;
    conn.execute(
        "INSERT INTO web_sessions (token, coach_id, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            token,
            coach,
            csrf,
            now.to_rfc3339(),
            (now + Duration::hours(auth::SESSION_HOURS)).to_rfc3339()
        ],
    )?;
    Ok(())
}

pub fn session_user(
    conn: &Connection,
    token: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<Option<User>> {
    conn.query_row(
        "SELECT c.id, c.name, c.role, s.csrf FROM web_sessions s JOIN web_coaches c ON c.id = s.coach_id
         WHERE s.token = ?1 AND s.expires_at > ?2",
        params![token, now.to_rfc3339()],
        |r| {
            Ok(User {
                id: r.get(0)?,
                name: r.get(1)?,
                role: r.get(2)?,
                csrf: r.get(3)?,
            })
        },
    )
    .optional()
}

pub fn delete_session(conn: &Connection, token: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM web_sessions WHERE token = ?1", [token])?;
    Ok(())
}

pub fn coach_id(conn: &Connection, name: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row("SELECT id FROM web_coaches WHERE name = ?1", [name], |r| {
        r.get(0)
    })
    .optional()
}

/// A stored candidate: the TOML text as written and the candidate parsed from it.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateRow {
    pub id: String,
    pub coach_id: i64,
    pub coach_name: String,
    pub toml: String,
    pub candidate: Candidate,
    pub updated_at: String,
}

fn row_to_candidate(r: &rusqlite::Row) -> rusqlite::Result<(CandidateRow, String)> {
    let json: String = r.get(4)?;
    Ok((
        CandidateRow {
            id: r.get(0)?,
            coach_id: r.get(1)?,
            coach_name: r.get(2)?,
            toml: r.get(3)?,
            candidate: serde_json::from_str(&json).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, e.into())
            })?,
            updated_at: r.get(5)?,
        },
        json,
    ))
}

const CANDIDATE_SELECT: &str = "SELECT w.id, w.coach_id, c.name, w.toml, w.json, w.updated_at
     FROM web_candidates w JOIN web_coaches c ON c.id = w.coach_id";

pub fn get_candidate(conn: &Connection, id: &str) -> rusqlite::Result<Option<CandidateRow>> {
    conn.query_row(&format!("{CANDIDATE_SELECT} WHERE w.id = ?1"), [id], |r| {
        row_to_candidate(r).map(|(c, _)| c)
    })
    .optional()
}

/// The candidates a coach may see (all of them for an admin), by name.
pub fn list_candidates(conn: &Connection, user: &User) -> rusqlite::Result<Vec<CandidateRow>> {
    let mut stmt = conn.prepare(&format!(
        "{CANDIDATE_SELECT} WHERE ?1 OR w.coach_id = ?2 ORDER BY COALESCE(w.name, w.id), w.id"
    ))?;
    let rows = stmt.query_map(params![user.is_admin(), user.id], |r| {
        row_to_candidate(r).map(|(c, _)| c)
    })?;
    rows.collect()
}

/// Load a candidate the user may see: 404 when absent, 403 when another coach's.
pub fn authorized(conn: &Connection, user: &User, id: &str) -> Result<CandidateRow, Fail> {
    let row = get_candidate(conn, id)?.ok_or(Fail::NotFound)?;
    if !user.is_admin() && row.coach_id != user.id {
        return Err(Fail::Forbidden);
    }
    Ok(row)
}

/// Write an audit entry (who viewed or changed restrictions).
pub fn audit(
    conn: &Connection,
    user: &User,
    candidate: &str,
    action: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO web_audit (at, coach_id, candidate, action, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![now.to_rfc3339(), user.id, candidate, action, detail],
    )?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub at: String,
    pub coach: String,
    pub action: String,
    pub detail: String,
}

pub fn audit_entries(conn: &Connection, candidate: &str) -> rusqlite::Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare(
        "SELECT a.at, c.name, a.action, COALESCE(a.detail, '') FROM web_audit a
         JOIN web_coaches c ON c.id = a.coach_id WHERE a.candidate = ?1 ORDER BY a.id DESC LIMIT 500",
    )?;
    let rows = stmt.query_map([candidate], |r| {
        Ok(AuditEntry {
            at: r.get(0)?,
            coach: r.get(1)?,
            action: r.get(2)?,
            detail: r.get(3)?,
        })
    })?;
    rows.collect()
}

/// Which FML items differ between two candidates (keys only: the audit holds no health data).
pub fn changed_items(before: Option<&Candidate>, after: &Candidate) -> Vec<String> {
    let mut keys: Vec<String> = after
        .restrictions
        .iter()
        .map(|r| r.item.clone())
        .chain(
            before
                .into_iter()
                .flat_map(|b| b.restrictions.iter().map(|r| r.item.clone())),
        )
        .collect();
    keys.sort();
    keys.dedup();
    keys.retain(|k| {
        let a = after.restriction(k);
        let b = before.and_then(|b| b.restriction(k));
        a != b
    });
    keys
}

/// Insert or replace a candidate in one transaction, with an audit entry for the restrictions.
/// `expect_new`: refuse to overwrite an existing id (create and import).
pub fn save_candidate(
    conn: &Connection,
    user: &User,
    owner: i64,
    toml_text: &str,
    cand: &Candidate,
    expect_new: bool,
    now: DateTime<Utc>,
) -> Result<(), Fail> {
    let tx = conn.unchecked_transaction()?;
    let before = get_candidate(&tx, &cand.id)?;
    if expect_new && before.is_some() {
        return Err(Fail::Invalid(vec![super::field_error(
            "id",
            format!("Er bestaat al een kandidaat met id «{}».", cand.id),
        )]));
    }
    let json = serde_json::to_string(cand).map_err(|e| Fail::Internal(e.to_string()))?;
    tx.execute(
        "INSERT INTO web_candidates (id, coach_id, name, first_sick_day, toml, json, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, first_sick_day = excluded.first_sick_day,
            toml = excluded.toml, json = excluded.json, updated_at = excluded.updated_at",
        params![
            cand.id,
            owner,
            cand.name,
            cand.first_sick_day.map(|d| d.to_string()),
            toml_text,
            json,
            now.to_rfc3339()
        ],
    )?;
    let changed = changed_items(before.as_ref().map(|b| &b.candidate), cand);
    if before.is_none() {
        audit(
            &tx,
            user,
            &cand.id,
            "aangemaakt",
            &format!("{} FML-items", cand.restrictions.len()),
            now,
        )?;
    } else if !changed.is_empty() {
        audit(
            &tx,
            user,
            &cand.id,
            "beperkingen gewijzigd",
            &changed.join(", "),
            now,
        )?;
    } else {
        audit(&tx, user, &cand.id, "profiel gewijzigd", "", now)?;
    }
    tx.commit()?;
    Ok(())
}

/// One recorded step on a vacancy: the evidence of second-track activity.
#[derive(Debug, Clone, Serialize)]
pub struct Action {
    pub id: i64,
    pub candidate: String,
    pub vacancy_id: String,
    pub kind: String,
    pub date: String,
    pub channel: Option<String>,
    pub contact: Option<String>,
    pub reason: Option<String>,
    pub motivation: Option<String>,
    pub verdict: String,
    pub title: String,
    pub employer: Option<String>,
    pub url: Option<String>,
    pub coach: String,
    pub created_at: String,
}

/// What a new action carries (validated by `form::validate_action`).
#[derive(Debug, Clone)]
pub struct NewAction {
    pub vacancy_id: String,
    pub kind: String,
    pub date: NaiveDate,
    pub channel: Option<String>,
    pub contact: Option<String>,
    pub reason: Option<String>,
    pub motivation: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub fn insert_action(
    conn: &Connection,
    user: &User,
    candidate: &str,
    a: &NewAction,
    verdict: &str,
    vacancy: &crate::model::Vacancy,
    now: DateTime<Utc>,
) -> Result<i64, Fail> {
    let tx = conn.unchecked_transaction()?;
    let snapshot = serde_json::to_string(vacancy).map_err(|e| Fail::Internal(e.to_string()))?;
    tx.execute(
        "INSERT INTO web_actions (candidate, vacancy_id, kind, on_date, channel, contact, reason, motivation,
            verdict, title, employer, url, snapshot, coach_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        params![
            candidate,
            a.vacancy_id,
            a.kind,
            a.date.to_string(),
            a.channel,
            a.contact,
            a.reason,
            a.motivation,
            verdict,
            vacancy.posting.title,
            vacancy.posting.employer,
            vacancy.posting.url,
            snapshot,
            user.id,
            now.to_rfc3339()
        ],
    )?;
    let id = tx.last_insert_rowid();
    tx.commit()?;
    Ok(id)
}

/// Actions of a candidate, oldest first, optionally within [from, to] (dates inclusive).
pub fn actions(
    conn: &Connection,
    candidate: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> rusqlite::Result<Vec<Action>> {
    let mut stmt = conn.prepare(
        "SELECT a.id, a.candidate, a.vacancy_id, a.kind, a.on_date, a.channel, a.contact, a.reason,
                a.motivation, a.verdict, a.title, a.employer, a.url, c.name, a.created_at
         FROM web_actions a JOIN web_coaches c ON c.id = a.coach_id
         WHERE a.candidate = ?1 AND (?2 IS NULL OR a.on_date >= ?2) AND (?3 IS NULL OR a.on_date <= ?3)
         ORDER BY a.on_date, a.id",
    )?;
    let rows = stmt.query_map(
        params![
            candidate,
            from.map(|d| d.to_string()),
            to.map(|d| d.to_string())
        ],
        |r| {
            Ok(Action {
                id: r.get(0)?,
                candidate: r.get(1)?,
                vacancy_id: r.get(2)?,
                kind: r.get(3)?,
                date: r.get(4)?,
                channel: r.get(5)?,
                contact: r.get(6)?,
                reason: r.get(7)?,
                motivation: r.get(8)?,
                verdict: r.get(9)?,
                title: r.get(10)?,
                employer: r.get(11)?,
                url: r.get(12)?,
                coach: r.get(13)?,
                created_at: r.get(14)?,
            })
        },
    )?;
    rows.collect()
}

/// A shortlist the engine generated for the candidate (`shortlists`, mode "restrictions" or
/// "baseline") or mailed to them (`mail_outbox` rows in state sent, mode "e-mail").
#[derive(Debug, Clone, Serialize)]
pub struct SentShortlist {
    pub generated_at: String,
    pub mode: String,
    pub fml_version: String,
    pub results: usize,
}

pub fn shortlists(
    conn: &Connection,
    candidate: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> rusqlite::Result<Vec<SentShortlist>> {
    let mut stmt = conn.prepare(
        "SELECT s.generated_at AS at, s.mode, s.fml_version,
                (SELECT COUNT(*) FROM shortlist_items i WHERE i.shortlist_id = s.id)
         FROM shortlists s WHERE s.candidate = ?1
           AND (?2 IS NULL OR substr(s.generated_at, 1, 10) >= ?2)
           AND (?3 IS NULL OR substr(s.generated_at, 1, 10) <= ?3)
         UNION ALL
         SELECT o.sent_at AS at, 'e-mail', o.fml_version,
                (SELECT COUNT(*) FROM mail_items m WHERE m.outbox_id = o.id)
         FROM mail_outbox o WHERE o.candidate = ?1 AND o.state = 'sent' AND o.sent_at IS NOT NULL
           AND (?2 IS NULL OR substr(o.sent_at, 1, 10) >= ?2)
           AND (?3 IS NULL OR substr(o.sent_at, 1, 10) <= ?3)
         ORDER BY at",
    )?;
    let rows = stmt.query_map(
        params![
            candidate,
            from.map(|d| d.to_string()),
            to.map(|d| d.to_string())
        ],
        |r| {
            Ok(SentShortlist {
                generated_at: r.get(0)?,
                mode: r.get(1)?,
                fml_version: r.get(2)?,
                results: r.get::<_, i64>(3)? as usize,
            })
        },
    )?;
    rows.collect()
}
