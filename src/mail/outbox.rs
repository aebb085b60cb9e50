//! The transactional outbox of the nightly mail, and the consent (unsubscribe) record.
//!
//! Composed mails enter as raw message bytes with the vacancies they propose ([`enqueue`]);
//! they leave through [`send_due`] over SMTP, and every sent mail leaves one `voorgesteld`
//! activity per vacancy in `activities` (evidence for the re-integratieverslag). Tables (store
//! migration 2): `mail_subscriptions`, `mail_outbox`, `mail_items`, `activities`. The delivery
//! guarantee is described in [`crate::mail`].

use std::collections::HashSet;
use std::sync::Mutex;

use chrono::{DateTime, SecondsFormat, Utc};
use lettre::address::Envelope;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use rusqlite::{OptionalExtension, params};

use super::{MailConfig, RunReport};
use crate::store::Store;

/// Timestamps are stored in one fixed format so they compare as text.
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Hex of `n` random bytes from the operating system.
pub fn random_hex(n: usize) -> anyhow::Result<String> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// The candidate's unsubscribe token, if one was ever issued.
pub fn token_of(store: &Store, candidate: &str) -> anyhow::Result<Option<String>> {
    Ok(store
        .connection()
        .query_row(
            "SELECT token FROM mail_subscriptions WHERE candidate = ?1",
            [candidate],
            |r| r.get(0),
        )
        .optional()?)
}

/// The candidate's unsubscribe token, issued (256 random bits) on first use.
pub fn ensure_token(store: &Store, candidate: &str, now: DateTime<Utc>) -> anyhow::Result<String> {
    if let Some(t) = token_of(store, candidate)? {
        return Ok(t);
    }
    let token = random_hex(32)?;
    store.connection().execute(
        "INSERT OR IGNORE INTO mail_subscriptions (candidate, token, created_at) VALUES (?1, ?2, ?3)",
        params![candidate, token, ts(now)],
    )?;
    token_of(store, candidate)?.ok_or_else(|| anyhow::anyhow!("token not stored"))
}

pub fn is_unsubscribed(store: &Store, candidate: &str) -> anyhow::Result<bool> {
    Ok(store
        .connection()
        .query_row(
            "SELECT unsubscribed_at IS NOT NULL FROM mail_subscriptions WHERE candidate = ?1",
            [candidate],
            |r| r.get::<_, bool>(0),
        )
        .optional()?
        .unwrap_or(false))
}

/// Unsubscribe the owner of `token`; returns their candidate id, `None` for an unknown token.
/// Idempotent: a second click keeps the first date.
pub fn unsubscribe(
    store: &Store,
    token: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<String>> {
    let token = token.trim();
    if token.is_empty() {
        return Ok(None);
    }
    let cand: Option<String> = store
        .connection()
        .query_row(
            "SELECT candidate FROM mail_subscriptions WHERE token = ?1",
            [token],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(c) = &cand {
        store.connection().execute(
            "UPDATE mail_subscriptions SET unsubscribed_at = COALESCE(unsubscribed_at, ?2) WHERE candidate = ?1",
            params![c, ts(now)],
        )?;
    }
    Ok(cand)
}

/// Undo an unsubscribe (the candidate asked their coach to receive mail again).
pub fn resubscribe(store: &Store, candidate: &str) -> anyhow::Result<bool> {
    let n = store.connection().execute(
        "UPDATE mail_subscriptions SET unsubscribed_at = NULL WHERE candidate = ?1",
        [candidate],
    )?;
    Ok(n > 0)
}

/// Vacancy ids and near-duplicate clusters already proposed (or queued) to the candidate by
/// mail. Given-up and cancelled mails do not count: their vacancies are proposed again.
pub fn already_mailed(store: &Store, candidate: &str) -> anyhow::Result<HashSet<String>> {
    let mut st = store.connection().prepare(
        "SELECT i.vacancy_id, i.cluster FROM mail_items i JOIN mail_outbox o ON o.id = i.outbox_id
         WHERE i.candidate = ?1 AND o.state IN ('pending', 'sending', 'sent')",
    )?;
    let rows = st.query_map([candidate], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut out = HashSet::new();
    for row in rows {
        let (id, cluster) = row?;
        out.insert(id);
        out.insert(cluster);
    }
    Ok(out)
}

pub fn key_exists(store: &Store, key: &str) -> anyhow::Result<bool> {
    Ok(store
        .connection()
        .query_row(
            "SELECT 1 FROM mail_outbox WHERE idempotency_key = ?1",
            [key],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// One vacancy in a composed mail.
#[derive(Debug, Clone)]
pub struct MailItem {
    pub vacancy_id: String,
    pub cluster: String,
    pub verdict: String,
    /// The vacancy as mailed (JSON), evidence of what was proposed.
    pub snapshot: String,
}

/// A composed mail, ready for the outbox.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub idempotency_key: String,
    pub candidate: String,
    pub run_date: String,
    pub message_id: String,
    pub env_from: String,
    pub env_to: String,
    pub raw: Vec<u8>,
    pub fml_version: String,
    pub items: Vec<MailItem>,
}

/// Insert a composed mail and its vacancies in one transaction. `None` when a mail with the
/// same idempotency key exists (nothing is written then).
pub fn enqueue(store: &Store, m: &NewMail, now: DateTime<Utc>) -> anyhow::Result<Option<i64>> {
    let tx = rusqlite::Transaction::new_unchecked(
        store.connection(),
        rusqlite::TransactionBehavior::Immediate,
    )?;
    let n = tx.execute(
        "INSERT OR IGNORE INTO mail_outbox (idempotency_key, candidate, run_date, message_id, env_from,
            env_to, raw, fml_version, state, attempts, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', 0, ?9, ?9)",
        params![
            m.idempotency_key,
            m.candidate,
            m.run_date,
            m.message_id,
            m.env_from,
            m.env_to,
            m.raw,
            m.fml_version,
            ts(now)
        ],
    )?;
    if n == 0 {
        return Ok(None);
    }
    let id = tx.last_insert_rowid();
    for (rank, it) in m.items.iter().enumerate() {
        tx.execute(
            "INSERT INTO mail_items (outbox_id, rank, candidate, vacancy_id, cluster, verdict, snapshot)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![id, rank as i64 + 1, m.candidate, it.vacancy_id, it.cluster, it.verdict, it.snapshot],
        )?;
    }
    tx.commit()?;
    Ok(Some(id))
}

/// Mails waiting to be sent (pending or interrupted while sending).
pub fn pending_count(store: &Store) -> anyhow::Result<usize> {
    Ok(store.connection().query_row(
        "SELECT COUNT(*) FROM mail_outbox WHERE state IN ('pending', 'sending')",
        [],
        |r| r.get::<_, i64>(0),
    )? as usize)
}

/// One outbox row as the web app or a report shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OutboxRow {
    pub id: i64,
    pub candidate: String,
    pub run_date: String,
    pub message_id: String,
    pub state: String,
    pub attempts: u32,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub sent_at: Option<String>,
}

pub fn outbox_rows(store: &Store) -> anyhow::Result<Vec<OutboxRow>> {
    let mut st = store.connection().prepare(
        "SELECT id, candidate, run_date, message_id, state, attempts, next_attempt_at, last_error, sent_at
         FROM mail_outbox ORDER BY id",
    )?;
    let rows = st.query_map([], |r| {
        Ok(OutboxRow {
            id: r.get(0)?,
            candidate: r.get(1)?,
            run_date: r.get(2)?,
            message_id: r.get(3)?,
            state: r.get(4)?,
            attempts: r.get(5)?,
            next_attempt_at: r.get(6)?,
            last_error: r.get(7)?,
            sent_at: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One logged activity (a vacancy proposed to a candidate).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Activity {
    pub candidate: String,
    pub vacancy_id: String,
    pub kind: String,
    pub channel: String,
    pub at: String,
    /// The Message-ID of the mail.
    pub reference: Option<String>,
}

pub fn activities(store: &Store, candidate: &str) -> anyhow::Result<Vec<Activity>> {
    let mut st = store.connection().prepare(
        "SELECT candidate, vacancy_id, kind, channel, at, ref FROM activities
         WHERE candidate = ?1 ORDER BY id",
    )?;
    let rows = st.query_map([candidate], |r| {
        Ok(Activity {
            candidate: r.get(0)?,
            vacancy_id: r.get(1)?,
            kind: r.get(2)?,
            channel: r.get(3)?,
            at: r.get(4)?,
            reference: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Wait before attempt `attempts + 1`: 5 minutes, doubling, at most 6 hours.
pub fn backoff(attempts: u32) -> chrono::Duration {
    let minutes = 5i64 << attempts.saturating_sub(1).min(7);
    chrono::Duration::minutes(minutes.min(6 * 60))
}

struct Due {
    id: i64,
    candidate: String,
    message_id: String,
    env_from: String,
    env_to: String,
    raw: Vec<u8>,
}

fn due_rows(store: &Store, now: DateTime<Utc>) -> anyhow::Result<Vec<Due>> {
    let mut st = store.connection().prepare(
        "SELECT id, candidate, message_id, env_from, env_to, raw FROM mail_outbox
         WHERE state = 'sending' OR (state = 'pending' AND next_attempt_at <= ?1) ORDER BY id",
    )?;
    let rows = st.query_map([ts(now)], |r| {
        Ok(Due {
            id: r.get(0)?,
            candidate: r.get(1)?,
            message_id: r.get(2)?,
            env_from: r.get(3)?,
            env_to: r.get(4)?,
            raw: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|e| e.into_inner())
}

/// Mark sent and log one `voorgesteld` activity per vacancy, in one transaction.
fn mark_sent(store: &Store, d: &Due, now: DateTime<Utc>) -> anyhow::Result<()> {
    let tx = rusqlite::Transaction::new_unchecked(
        store.connection(),
        rusqlite::TransactionBehavior::Immediate,
    )?;
    tx.execute(
        "UPDATE mail_outbox SET state = 'sent', sent_at = ?2, last_error = NULL WHERE id = ?1",
        params![d.id, ts(now)],
    )?;
    tx.execute(
        "INSERT OR IGNORE INTO activities (candidate, vacancy_id, kind, channel, at, ref)
         SELECT candidate, vacancy_id, 'voorgesteld', 'mail', ?2, ?3 FROM mail_items
         WHERE outbox_id = ?1 ORDER BY rank",
        params![d.id, ts(now), d.message_id],
    )?;
    tx.commit()?;
    Ok(())
}

/// Send every due mail once: pending rows whose next attempt has come, and rows left in
/// `sending` by an interrupted run (re-sent with the same bytes and Message-ID).
pub async fn send_due(
    store: &Mutex<Store>,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    cfg: &MailConfig,
    now: DateTime<Utc>,
    crash_after: Option<usize>,
    report: &mut RunReport,
) -> anyhow::Result<()> {
    let due = due_rows(&lock(store), now)?;
    let mut transmitted = 0usize;
    for d in due {
        if is_unsubscribed(&lock(store), &d.candidate)? {
            lock(store).connection().execute(
                "UPDATE mail_outbox SET state = 'cancelled' WHERE id = ?1",
                [d.id],
            )?;
            report.cancelled += 1;
            continue;
        }
        let attempts: u32 = {
            let s = lock(store);
            s.connection().execute(
                "UPDATE mail_outbox SET state = 'sending', attempts = attempts + 1 WHERE id = ?1",
                [d.id],
            )?;
            s.connection().query_row(
                "SELECT attempts FROM mail_outbox WHERE id = ?1",
                [d.id],
                |r| r.get(0),
            )?
        };
        let envelope = Envelope::new(
            Some(d.env_from.parse::<Address>()?),
            vec![d.env_to.parse::<Address>()?],
        )?;
        // lettre's own timeout covers single reads; a server that stops answering mid-exchange
        // must not hang the nightly run, so the whole exchange is bounded too
        let limit = std::time::Duration::from_secs(cfg.smtp.timeout_secs.max(1) * 3);
        let result = match tokio::time::timeout(limit, transport.send_raw(&envelope, &d.raw)).await
        {
            Ok(Ok(_)) => Ok(()),
            // no SMTP reply code at all: the server is unreachable, so the rest waits too
            Ok(Err(e)) => Err((e.to_string(), !(e.is_transient() || e.is_permanent()))),
            Err(_) => Err((
                format!(
                    "no answer from the SMTP server within {} s",
                    limit.as_secs()
                ),
                true,
            )),
        };
        match result {
            Ok(()) => {
                transmitted += 1;
                if crash_after == Some(transmitted) {
                    // test hook: die between the server's 250 and our record of it
                    std::process::exit(86);
                }
                mark_sent(&lock(store), &d, now)?;
                report.sent += 1;
            }
            Err((err, unreachable)) => {
                report.failed += 1;
                tracing::warn!(candidate = %d.candidate, attempt = attempts, "mail not sent: {err}");
                report
                    .errors
                    .push(format!("{}: poging {attempts}: {err}", d.candidate));
                let s = lock(store);
                if attempts >= cfg.max_attempts {
                    s.connection().execute(
                        "UPDATE mail_outbox SET state = 'failed', last_error = ?2 WHERE id = ?1",
                        params![d.id, err],
                    )?;
                    report.given_up += 1;
                } else {
                    s.connection().execute(
                        "UPDATE mail_outbox SET state = 'pending', last_error = ?2, next_attempt_at = ?3 WHERE id = ?1",
                        params![d.id, err, ts(now + backoff(attempts))],
                    )?;
                }
                if unreachable {
                    break;
                }
            }
        }
    }
    Ok(())
}
