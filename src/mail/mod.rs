//! Nightly shortlist e-mails: every opted-in candidate gets the passend werk that is new since
//! their last mail, delivered through a transactional outbox so a mail is never lost and, short
//! of a crash inside one SMTP exchange, never sent twice.
//!
//! Data enters as candidate profiles (a folder of candidate TOML files), the vacancy index (via
//! [`crate::matcher::shortlist`], so every verdict is the matcher's) and the `[mail]` section of
//! `config/passend.toml`. It leaves as SMTP messages (lettre), `.eml` files for a dry run, rows
//! in the store (outbox, mailed vacancies, proposal activities) and a [`RunReport`]. This is the
//! *deliver* end of the chain: nothing here judges restrictions or reads vacancy HTML.
//!
//! # Consent
//! The candidate file format is fixed by the spec, so consent lives in the database: a candidate
//! whose profile has an `email` is opted in until they unsubscribe with the token link in any
//! mail ([`outbox::unsubscribe`], `passend unsubscribe TOKEN`, later the web app). An
//! unsubscribed candidate gets nothing, not even mail already queued for them.
//!
//! # What a mail contains
//! Vacancies with verdict `pass` (and `signal` only when the coach allows it: `allow_signals` or
//! the candidate id in `signals_for`), new since the last mail (vacancy id and near-duplicate
//! cluster), top N. Per vacancy: title, employer, place, travel time, hours and a plain reason
//! built from direction, skills and freshness only. **No FML item, restriction, physician's note
//! or other health information ever appears in a mail**: the matcher's restriction reasons are
//! not copied, and a `signal` vacancy only says "bespreek deze eerst met je coach".
//!
//! Known limit: the matcher caps a shortlist at three vacancies per employer, and the mail filters
//! the matcher's list, so a fourth new vacancy of an employer whose three earlier ones are still
//! open waits until one of those closes.
//!
//! # Delivery guarantee
//! 1. *Compose* (one SQLite transaction per candidate): the raw message bytes, a random but
//!    stored Message-ID, and the vacancies it proposes are inserted into `mail_outbox` /
//!    `mail_items` under the idempotency key `candidate/run-date` (Amsterdam date). A second run
//!    on the same day (a re-run, the doubled 02:30 on the autumn DST night) finds the key and
//!    composes nothing.
//! 2. *Send*: a row is marked `sending` (attempt + 1) and committed **before** the SMTP exchange;
//!    after the server's `250` it is marked `sent` and every vacancy in it is logged as a
//!    `voorgesteld` activity, in one transaction.
//! 3. A failure puts the row back to `pending` with exponential backoff (5 min doubling, at most
//!    6 h); an unreachable server therefore only delays mail. After `max_attempts` the row is
//!    `failed` and its vacancies are released, so the next night proposes them again.
//!    A server that gives no SMTP reply at all (down, or silent past 3 × `timeout_secs`) ends
//!    the run's sending: the rest stays queued untouched.
//! 4. A crash leaves a row `pending` (never sent: it is sent on restart) or `sending` (the crash
//!    hit the SMTP exchange or the few milliseconds between the server's `250` and our commit).
//!    A `sending` row is re-sent on restart **byte for byte, with the same Message-ID**; so is a
//!    mail whose exchange timed out after the data was transmitted. That
//!    is at-least-once delivery with an idempotent message: a receiver that de-duplicates on
//!    Message-ID (Gmail does; Sieve `duplicate`, and the test server here) shows it once. Plain
//!    SMTP offers no way to ask a server whether it already took a message, so this is the
//!    strongest guarantee available; the alternative (never re-send a `sending` row) would turn
//!    that window into lost mail instead. Outside that window nothing is ever sent twice.
//!
//! One sender at a time is assumed (the nightly job or one CLI run); the database is the lock
//! between runs, not between concurrent senders.

pub mod compose;
pub mod outbox;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Amsterdam;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use serde::{Deserialize, Serialize};

use crate::index::VacancyIndex;
use crate::resources::Resources;
use crate::store::Store;

/// Environment variables that override the SMTP credentials in the config file.
pub const ENV_SMTP_USER: &str = "PASSEND_SMTP_USER";
pub const ENV_SMTP_PASSWORD: &str = "PASSEND_SMTP_PASSWORD";
/// Test hook: exit the process after this many SMTP sends, before recording them (0: right
/// after composing). Used by the crash tests; never set it in production.
pub const ENV_CRASH_AFTER: &str = "PASSEND_MAIL_CRASH_AFTER";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain SMTP (a local relay only).
    None,
    /// STARTTLS required (port 587).
    #[default]
    Starttls,
    /// Implicit TLS (port 465).
    Tls,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    /// Overridden by PASSEND_SMTP_USER.
    pub user: Option<String>,
    /// Overridden by PASSEND_SMTP_PASSWORD. Prefer the environment over the file.
    pub password: Option<String>,
    pub timeout_secs: u64,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: "localhost".into(),
            port: 587,
            tls: TlsMode::Starttls,
            user: None,
            password: None,
            timeout_secs: 30,
        }
    }
}

/// The `[mail]` section of `config/passend.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct MailConfig {
    /// Let `passend run` send the mail on `schedule` (`passend mail` works either way).
    pub enabled: bool,
    /// When `passend run` sends the nightly mail (cron, Europe/Amsterdam). Keep it out of
    /// 02:00–03:00, which DST skips or doubles.
    pub schedule: String,
    /// Folder of candidate TOML files (one per candidate).
    pub candidates: PathBuf,
    /// Sender, e.g. `passend <noreply@bureau.nl>`.
    pub from: String,
    /// Base URL of the web app; unsubscribe links are `{base_url}/afmelden/{token}`.
    pub base_url: String,
    /// At most this many vacancies per mail.
    pub top: usize,
    /// Also mail `signal` vacancies (to be discussed with the coach) to every candidate.
    pub allow_signals: bool,
    /// Candidate ids whose coach allows `signal` vacancies in their mail.
    pub signals_for: Vec<String>,
    /// After this many failed attempts a mail is given up and its vacancies released.
    pub max_attempts: u32,
    pub smtp: SmtpConfig,
    /// Coach id (the candidate's `coach`) → e-mail address, used as Reply-To.
    pub coaches: BTreeMap<String, String>,
}

impl Default for MailConfig {
    fn default() -> Self {
        MailConfig {
            enabled: false,
            schedule: "0 0 6 * * *".into(),
            candidates: PathBuf::from("config/candidates"),
            from: "passend <noreply@passend.example.nl>".into(),
            base_url: "https://passend.example.nl".into(),
            top: 5,
            allow_signals: false,
            signals_for: vec![],
            max_attempts: 30,
            smtp: SmtpConfig::default(),
            coaches: BTreeMap::new(),
        }
    }
}

impl MailConfig {
    /// Every mistake in the section, as one message naming the key.
    pub fn check(&self) -> anyhow::Result<()> {
        crate::schedule::parse(&self.schedule)
            .map_err(|e| anyhow::anyhow!("`mail.schedule`: {e}"))?;
        self.from_mailbox()?;
        url::Url::parse(&self.base_url).map_err(|e| {
            anyhow::anyhow!("`mail.base_url` `{}` is not a URL: {e}", self.base_url)
        })?;
        for (coach, addr) in &self.coaches {
            addr.parse::<Mailbox>().map_err(|e| {
                anyhow::anyhow!("`mail.coaches.{coach}` `{addr}` is not an e-mail address: {e}")
            })?;
        }
        if self.top == 0 {
            anyhow::bail!("`mail.top` must be at least 1");
        }
        if self.max_attempts == 0 {
            anyhow::bail!("`mail.max_attempts` must be at least 1");
        }
        Ok(())
    }

    pub fn from_mailbox(&self) -> anyhow::Result<Mailbox> {
        self.from.parse::<Mailbox>().map_err(|e| {
            anyhow::anyhow!("`mail.from` `{}` is not an e-mail address: {e}", self.from)
        })
    }

    /// The next scheduled run after `after`.
    pub fn next_run(&self, after: DateTime<Utc>) -> anyhow::Result<Option<DateTime<Utc>>> {
        let s = crate::schedule::parse(&self.schedule)?;
        Ok(crate::schedule::next_after(&s, after))
    }

    pub fn signals_allowed(&self, candidate: &str) -> bool {
        self.allow_signals || self.signals_for.iter().any(|c| c == candidate)
    }
}

/// The SMTP transport described by the config; credentials from the environment win.
pub fn transport(smtp: &SmtpConfig) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.as_str())
        .port(smtp.port)
        .timeout(Some(std::time::Duration::from_secs(
            smtp.timeout_secs.max(1),
        )));
    b = match smtp.tls {
        TlsMode::None => b.tls(Tls::None),
        TlsMode::Starttls => b.tls(Tls::Required(TlsParameters::new(smtp.host.clone())?)),
        TlsMode::Tls => b.tls(Tls::Wrapper(TlsParameters::new(smtp.host.clone())?)),
    };
    let user = std::env::var(ENV_SMTP_USER).ok().or(smtp.user.clone());
    let password = std::env::var(ENV_SMTP_PASSWORD)
        .ok()
        .or(smtp.password.clone());
    match (user, password) {
        (Some(u), Some(p)) if !u.is_empty() => b = b.credentials(Credentials::new(u, p)),
        (Some(u), None) if !u.is_empty() => {
            anyhow::bail!("SMTP user `{u}` given without a password (set {ENV_SMTP_PASSWORD})")
        }
        _ => {}
    }
    Ok(b.build())
}

/// The run date (Amsterdam calendar day) of a moment: half of the idempotency key.
pub fn run_date(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&Amsterdam).date_naive()
}

/// What happened to one candidate in a run.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateOutcome {
    pub candidate: String,
    /// "queued", "written" (dry run), or "skipped".
    pub outcome: String,
    /// Why skipped: "geen e-mailadres", "afgemeld", "niets nieuws", "vandaag al gemaild",
    /// "profiel ongeldig".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub vacancies: usize,
}

/// The report of one `passend mail` run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunReport {
    pub run_date: String,
    pub dry_run: bool,
    pub candidates: usize,
    /// Mails composed into the outbox in this run.
    pub queued: usize,
    pub sent: usize,
    /// Sends that failed in this run (they stay queued unless given up).
    pub failed: usize,
    /// Mails given up after max_attempts (their vacancies are released).
    pub given_up: usize,
    /// Mails cancelled because the candidate unsubscribed after composing.
    pub cancelled: usize,
    pub skipped: usize,
    /// Mails still waiting in the outbox after this run.
    pub pending: usize,
    pub skipped_by_reason: BTreeMap<String, usize>,
    pub details: Vec<CandidateOutcome>,
    /// Dry run: the .eml files written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub written: Vec<PathBuf>,
    /// Send errors of this run (candidate id and SMTP error; no content).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

impl RunReport {
    pub fn dutch(&self) -> String {
        let mut s = format!(
            "mail {}{}: {} kandidaten, {} in de wachtrij gezet, {} verstuurd, {} mislukt, {} opgegeven, {} geannuleerd, {} overgeslagen, {} nog in de wachtrij",
            self.run_date,
            if self.dry_run { " (proef)" } else { "" },
            self.candidates,
            self.queued,
            self.sent,
            self.failed,
            self.given_up,
            self.cancelled,
            self.skipped,
            self.pending
        );
        for (why, n) in &self.skipped_by_reason {
            s.push_str(&format!("\n  overgeslagen, {why}: {n}"));
        }
        for p in &self.written {
            s.push_str(&format!("\n  geschreven: {}", p.display()));
        }
        for e in &self.errors {
            s.push_str(&format!("\n  fout: {e}"));
        }
        s
    }
}

/// One mail run: compose for every candidate, then send what is due.
pub struct MailJob<'a> {
    pub cfg: &'a MailConfig,
    pub res: &'a Resources,
    /// Data folder: `index/` and `passend.db`.
    pub data: &'a Path,
    /// Folder of candidate TOML files.
    pub candidates: &'a Path,
    pub now: DateTime<Utc>,
    /// Write .eml files here instead of queueing and sending.
    pub dry_run: Option<&'a Path>,
    /// Test hook, see [`ENV_CRASH_AFTER`].
    pub crash_after: Option<usize>,
}

/// Compose, queue and send the nightly mail. Safe to call again at any time: the idempotency
/// key makes a second call on the same day only send what is still queued.
pub async fn run_mail(job: &MailJob<'_>) -> anyhow::Result<RunReport> {
    job.cfg.check()?;
    let mut report = RunReport {
        run_date: run_date(job.now).to_string(),
        dry_run: job.dry_run.is_some(),
        ..Default::default()
    };
    let store = Store::open(&job.data.join("passend.db"))?;
    {
        let index = VacancyIndex::open_existing(&job.data.join("index"))?;
        compose::compose_all(job, &store, &index, &mut report)?;
    }
    if job.dry_run.is_some() {
        return Ok(report);
    }
    if job.crash_after == Some(0) {
        std::process::exit(86);
    }
    let transport = transport(&job.cfg.smtp)?;
    let store = Mutex::new(store);
    outbox::send_due(
        &store,
        &transport,
        job.cfg,
        job.now,
        job.crash_after,
        &mut report,
    )
    .await?;
    report.pending = outbox::pending_count(&lock_store(&store))?;
    Ok(report)
}

/// Send what is due in the outbox without composing anything (the retry between nights).
pub async fn send_queued(
    cfg: &MailConfig,
    data: &Path,
    now: DateTime<Utc>,
) -> anyhow::Result<RunReport> {
    let mut report = RunReport {
        run_date: run_date(now).to_string(),
        ..Default::default()
    };
    let store = Mutex::new(Store::open(&data.join("passend.db"))?);
    if outbox::pending_count(&lock_store(&store))? == 0 {
        return Ok(report);
    }
    let transport = transport(&cfg.smtp)?;
    outbox::send_due(&store, &transport, cfg, now, None, &mut report).await?;
    report.pending = outbox::pending_count(&lock_store(&store))?;
    Ok(report)
}

fn lock_store(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|e| e.into_inner())
}

/// How often `passend run` retries queued mail between the nightly runs.
pub const RETRY_SCHEDULE: &str = "0 */5 * * * *";

/// Register the nightly mail (on `mail.schedule`) and the outbox retry (every 5 minutes) with
/// the `passend run` daemon, when `mail.enabled` is set. Returns whether they were added.
pub fn add_jobs(
    daemon: &mut crate::crawl::daemon::Daemon,
    cfg: &MailConfig,
    res: std::sync::Arc<Resources>,
    data: PathBuf,
) -> anyhow::Result<bool> {
    if !cfg.enabled {
        return Ok(false);
    }
    cfg.check()?;
    let (c, d) = (cfg.clone(), data.clone());
    daemon.add_job("mail", &cfg.schedule, move |now| {
        let (cfg, res, data) = (c.clone(), res.clone(), d.clone());
        async move {
            let job = MailJob {
                cfg: &cfg,
                res: &res,
                data: &data,
                candidates: &cfg.candidates,
                now,
                dry_run: None,
                crash_after: None,
            };
            Ok(run_mail(&job).await?.dutch())
        }
    })?;
    let c = cfg.clone();
    daemon.add_job("mail retry", RETRY_SCHEDULE, move |now| {
        let (cfg, data) = (c.clone(), data.clone());
        async move { Ok(send_queued(&cfg, &data, now).await?.dutch()) }
    })?;
    Ok(true)
}

/// The options of `passend mail`.
#[derive(Debug, Clone, Default)]
pub struct MailArgs {
    /// Candidate folder; default `mail.candidates` from the config.
    pub candidates: Option<PathBuf>,
    pub dry_run: bool,
    /// Dry run: where the .eml files go (default `mail-preview`).
    pub out: Option<PathBuf>,
    pub json: bool,
}

/// The `passend mail` command: one run, report printed (JSON with `json`).
pub fn cli_mail(
    cfg: &MailConfig,
    res: &Resources,
    data: &Path,
    args: &MailArgs,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let dry = match (args.dry_run, &args.out) {
        (true, Some(o)) => Some(o.clone()),
        (true, None) => Some(PathBuf::from("mail-preview")),
        (false, Some(_)) => anyhow::bail!("--out only goes with --dry-run"),
        (false, None) => None,
    };
    let crash_after = std::env::var(ENV_CRASH_AFTER)
        .ok()
        .and_then(|v| v.trim().parse().ok());
    let job = MailJob {
        cfg,
        res,
        data,
        candidates: args.candidates.as_deref().unwrap_or(&cfg.candidates),
        now,
        dry_run: dry.as_deref(),
        crash_after,
    };
    let rt = tokio::runtime::Runtime::new()?;
    let report = rt.block_on(run_mail(&job))?;
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!("{}", report.dutch());
    }
    Ok(())
}

/// The `passend unsubscribe TOKEN` command.
pub fn cli_unsubscribe(data: &Path, token: &str, now: DateTime<Utc>) -> anyhow::Result<()> {
    let store = Store::open(&data.join("passend.db"))?;
    match outbox::unsubscribe(&store, token, now)? {
        Some(_) => {
            println!("afgemeld: er komen geen e-mails met passend werk meer naar dit adres");
            Ok(())
        }
        None => anyhow::bail!("onbekende afmeldcode"),
    }
}
