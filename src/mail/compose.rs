//! Composing the nightly mail: which vacancies a candidate gets, and the Dutch message itself.
//!
//! A [`Candidate`], the matcher's shortlist (with its vacancy snapshots) and what was mailed
//! before come in; a multipart (plain text + HTML) lettre message goes out, queued in the outbox
//! or written as `.eml` for a dry run. Only vacancy facts (title, employer, place, travel time,
//! hours) and reasons built from direction, skills and freshness reach the text: never an FML
//! item, a restriction, a physician's note or the matcher's restriction reasons.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};

use super::outbox::{self, MailItem, NewMail};
use super::{CandidateOutcome, MailConfig, MailJob, RunReport, run_date};
use crate::index::VacancyIndex;
use crate::matcher;
use crate::model::{Candidate, ShortlistEntry, Vacancy, Verdict};
use crate::store::Store;

/// How many ranked vacancies the matcher is asked for before old ones are filtered out.
const POOL: usize = 500;

/// One vacancy as it goes into a mail.
#[derive(Debug, Clone)]
pub struct Pick {
    pub entry: ShortlistEntry,
    pub vacancy: Vacancy,
}

/// The candidate files in a folder (`*.toml`), sorted by name.
pub fn candidate_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let rd = std::fs::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("cannot read candidate folder {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

/// What to mail: the matcher's allowed vacancies, new to this candidate (by id and by
/// near-duplicate cluster), `signal` ones only when allowed, best first, at most `top`.
pub fn select(
    list: &crate::model::Shortlist,
    snapshots: &[Vacancy],
    already: &HashSet<String>,
    allow_signals: bool,
    top: usize,
) -> Vec<Pick> {
    let mut out = vec![];
    let mut clusters = HashSet::new();
    for e in &list.results {
        let ok = match e.verdict {
            Verdict::Pass => true,
            Verdict::Signal => allow_signals,
            Verdict::Exclude => false,
        };
        if !ok || already.contains(&e.vacancy.id) {
            continue;
        }
        let Some(v) = snapshots.iter().find(|v| v.posting.id == e.vacancy.id) else {
            continue;
        };
        if already.contains(&v.cluster) || !clusters.insert(v.cluster.clone()) {
            continue;
        }
        out.push(Pick {
            entry: e.clone(),
            vacancy: v.clone(),
        });
        if out.len() >= top {
            break;
        }
    }
    out
}

fn num(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.1}").replace('.', ",")
    }
}

/// "24–32 uur per week", or "uren niet vermeld".
pub fn hours_text(p: &Pick) -> String {
    match p.entry.hours_per_week {
        Some(h) if (h.max - h.min).abs() < 0.05 => format!("{} uur per week", num(h.max)),
        Some(h) => format!("{}–{} uur per week", num(h.min), num(h.max)),
        None => "uren niet vermeld".into(),
    }
}

/// "ongeveer 25 minuten reizen", "thuiswerken mogelijk" or "reistijd onbekend".
pub fn travel_text(p: &Pick) -> String {
    if p.vacancy
        .analysis
        .place
        .as_ref()
        .is_some_and(|pl| pl.remote)
    {
        return "thuiswerken mogelijk".into();
    }
    match p.entry.travel_minutes {
        Some(m) => format!("ongeveer {m} minuten reizen"),
        None => "reistijd onbekend".into(),
    }
}

/// Why this vacancy, in plain words, from direction, skills and freshness only.
pub fn reason_text(cand: &Candidate, p: &Pick, now: DateTime<Utc>) -> String {
    let v = &p.vacancy;
    let mut parts = vec![];
    if let (_, Some((label, _, how))) = matcher::direction_fit(cand, v) {
        if how == "zelfde beroepsgroep" {
            parts.push(format!("past bij je beroepsrichting {label}"));
        } else {
            parts.push(format!("lijkt op je beroepsrichting {label}"));
        }
    }
    let text = v.analysis.text.to_lowercase();
    let skills: Vec<&str> = cand
        .skills
        .iter()
        .filter(|s| s.chars().count() >= 3 && text.contains(&s.to_lowercase()))
        .map(String::as_str)
        .take(4)
        .collect();
    if !skills.is_empty() {
        parts.push(format!("vraagt wat jij kunt: {}", skills.join(", ")));
    }
    if let Some(d) = v.posting.date_posted {
        let days = (now.date_naive() - d).num_days();
        match days {
            ..=0 => parts.push("vandaag geplaatst".into()),
            1 => parts.push("gisteren geplaatst".into()),
            2..=7 => parts.push(format!("{days} dagen geleden geplaatst")),
            _ => {}
        }
    }
    if parts.is_empty() {
        parts.push("nieuw in het aanbod en binnen je mogelijkheden".into());
    }
    capitalised(&parts.join("; ")) + "."
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

pub fn subject(n: usize) -> String {
    if n == 1 {
        "Passend werk: 1 nieuwe vacature voor je".into()
    } else {
        format!("Passend werk: {n} nieuwe vacatures voor je")
    }
}

fn greeting(cand: &Candidate) -> String {
    match cand
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(n) => format!("Beste {n},"),
        None => "Hallo,".into(),
    }
}

const SIGNAL_NOTE: &str = "Bespreek deze vacature eerst met je coach voordat je reageert.";
const REPLY_NOTE: &str = "Wil je reageren of heb je een vraag? Beantwoord deze e-mail, dan komt je bericht bij je coach.";

pub fn unsubscribe_url(cfg: &MailConfig, token: &str) -> String {
    format!("{}/afmelden/{token}", cfg.base_url.trim_end_matches('/'))
}

/// The plain-text part.
pub fn text_body(
    cand: &Candidate,
    picks: &[Pick],
    unsubscribe: &str,
    now: DateTime<Utc>,
) -> String {
    let mut s = String::new();
    s.push_str(&greeting(cand));
    s.push_str("\n\n");
    if picks.len() == 1 {
        s.push_str("Er is 1 nieuwe vacature die bij je past.\n");
    } else {
        s.push_str(&format!(
            "Er zijn {} nieuwe vacatures die bij je passen.\n",
            picks.len()
        ));
    }
    for (i, p) in picks.iter().enumerate() {
        let v = &p.vacancy;
        s.push_str(&format!("\n{}. {}\n", i + 1, v.posting.title.trim()));
        s.push_str(&format!(
            "   {} · {}\n",
            v.posting
                .employer
                .as_deref()
                .unwrap_or("werkgever niet vermeld"),
            v.place_name().unwrap_or_else(|| "plaats onbekend".into())
        ));
        s.push_str(&format!(
            "   {} · {}\n",
            capitalised(&travel_text(p)),
            hours_text(p)
        ));
        s.push_str(&format!("   Waarom: {}\n", reason_text(cand, p, now)));
        if p.entry.verdict == Verdict::Signal {
            s.push_str(&format!("   {SIGNAL_NOTE}\n"));
        }
        if let Some(u) = &v.posting.url {
            s.push_str(&format!("   Bekijk de vacature: {u}\n"));
        }
    }
    s.push_str(&format!("\n{REPLY_NOTE}\n\n"));
    s.push_str(&format!(
        "Geen e-mails met passend werk meer ontvangen? Meld je af: {unsubscribe}\n"
    ));
    s
}

fn esc(s: &str) -> String {
    html_escape::encode_text(s).into_owned()
}

fn esc_attr(s: &str) -> String {
    html_escape::encode_double_quoted_attribute(s).into_owned()
}

/// The HTML part: one column, large type, inline styles, readable on a phone.
pub fn html_body(
    cand: &Candidate,
    picks: &[Pick],
    unsubscribe: &str,
    now: DateTime<Utc>,
) -> String {
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">");
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
    s.push_str(&format!(
        "<title>{}</title></head>\n",
        esc(&subject(picks.len()))
    ));
    s.push_str("<body style=\"margin:0;padding:0;background:#f4f4f4;\">\n");
    s.push_str("<div style=\"max-width:600px;margin:0 auto;padding:16px;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a;background:#ffffff;\">\n");
    s.push_str(&format!("<p>{}</p>\n", esc(&greeting(cand))));
    let intro = if picks.len() == 1 {
        "Er is 1 nieuwe vacature die bij je past.".to_string()
    } else {
        format!(
            "Er zijn {} nieuwe vacatures die bij je passen.",
            picks.len()
        )
    };
    s.push_str(&format!("<p>{}</p>\n", esc(&intro)));
    for p in picks {
        let v = &p.vacancy;
        s.push_str("<div style=\"border:1px solid #d0d0d0;border-radius:8px;padding:12px 14px;margin:14px 0;\">\n");
        s.push_str(&format!(
            "<h2 style=\"font-size:19px;margin:0 0 6px 0;\">{}</h2>\n",
            esc(v.posting.title.trim())
        ));
        s.push_str(&format!(
            "<p style=\"margin:0 0 4px 0;\"><strong>{}</strong> · {}</p>\n",
            esc(v
                .posting
                .employer
                .as_deref()
                .unwrap_or("werkgever niet vermeld")),
            esc(&v.place_name().unwrap_or_else(|| "plaats onbekend".into()))
        ));
        s.push_str(&format!(
            "<p style=\"margin:0 0 4px 0;\">{} · {}</p>\n",
            esc(&capitalised(&travel_text(p))),
            esc(&hours_text(p))
        ));
        s.push_str(&format!(
            "<p style=\"margin:0 0 8px 0;color:#444;\">{}</p>\n",
            esc(&reason_text(cand, p, now))
        ));
        if p.entry.verdict == Verdict::Signal {
            s.push_str(&format!(
                "<p style=\"margin:0 0 8px 0;color:#8a5a00;\">{}</p>\n",
                esc(SIGNAL_NOTE)
            ));
        }
        if let Some(u) = &v.posting.url {
            s.push_str(&format!(
                "<p style=\"margin:0;\"><a href=\"{}\" style=\"display:inline-block;padding:10px 16px;background:#0b5cad;color:#ffffff;text-decoration:none;border-radius:6px;\">Bekijk de vacature</a></p>\n",
                esc_attr(u)
            ));
        }
        s.push_str("</div>\n");
    }
    s.push_str(&format!("<p>{}</p>\n", esc(REPLY_NOTE)));
    s.push_str(&format!(
        "<p style=\"font-size:13px;color:#666;\">Geen e-mails met passend werk meer ontvangen? <a href=\"{}\" style=\"color:#666;\">Meld je af</a>.</p>\n",
        esc_attr(unsubscribe)
    ));
    s.push_str("</div>\n</body></html>\n");
    s
}

/// The domain of the sender, for Message-IDs.
fn domain(from: &Mailbox) -> String {
    from.email.domain().to_string()
}

/// A fresh Message-ID; stored with the mail so every re-send carries the same one.
pub fn new_message_id(cfg: &MailConfig, now: DateTime<Utc>) -> anyhow::Result<String> {
    Ok(format!(
        "<{}.{}@{}>",
        run_date(now).format("%Y%m%d"),
        outbox::random_hex(12)?,
        domain(&cfg.from_mailbox()?)
    ))
}

/// The complete message for one candidate.
pub fn message(
    cfg: &MailConfig,
    cand: &Candidate,
    to: &Mailbox,
    picks: &[Pick],
    token: &str,
    message_id: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Message> {
    let from = cfg.from_mailbox()?;
    let reply_to = match cand.coach.as_deref().and_then(|c| cfg.coaches.get(c)) {
        Some(addr) => addr.parse::<Mailbox>()?,
        None => from.clone(),
    };
    let unsub = unsubscribe_url(cfg, token);
    let m = Message::builder()
        .from(from)
        .reply_to(reply_to)
        .to(to.clone())
        .subject(subject(picks.len()))
        .date(SystemTime::from(now))
        .message_id(Some(message_id.to_string()))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{unsub}>"),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".into(),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".into(),
        ))
        .multipart(MultiPart::alternative_plain_html(
            text_body(cand, picks, &unsub, now),
            html_body(cand, picks, &unsub, now),
        ))?;
    Ok(m)
}

fn skip(report: &mut RunReport, candidate: &str, why: &str) {
    report.skipped += 1;
    *report.skipped_by_reason.entry(why.to_string()).or_insert(0) += 1;
    report.details.push(CandidateOutcome {
        candidate: candidate.to_string(),
        outcome: "skipped".into(),
        reason: Some(why.into()),
        vacancies: 0,
    });
}

/// Compose the mail of every candidate in the job's folder: queue it (one transaction per
/// candidate) or, for a dry run, write it as `.eml` without touching the outbox.
pub fn compose_all(
    job: &MailJob<'_>,
    store: &Store,
    index: &VacancyIndex,
    report: &mut RunReport,
) -> anyhow::Result<()> {
    let cfg = job.cfg;
    let day = run_date(job.now);
    if let Some(dir) = job.dry_run {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    }
    for file in candidate_files(job.candidates)? {
        report.candidates += 1;
        let cand = match crate::candidate::load(&file, &job.res.catalogue) {
            Ok(c) => c,
            Err(e) => {
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                report.errors.push(format!("{e}"));
                skip(report, &name, "profiel ongeldig");
                continue;
            }
        };
        let Some(email) = cand
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
        else {
            skip(report, &cand.id, "geen e-mailadres");
            continue;
        };
        let to = match (cand.name.as_deref(), email.parse::<lettre::Address>()) {
            (_, Err(_)) => {
                skip(report, &cand.id, "ongeldig e-mailadres");
                continue;
            }
            (name, Ok(addr)) => Mailbox::new(name.map(str::to_string), addr),
        };
        if outbox::is_unsubscribed(store, &cand.id)? {
            skip(report, &cand.id, "afgemeld");
            continue;
        }
        let key = format!("{}/{day}", cand.id);
        if outbox::key_exists(store, &key)? {
            skip(report, &cand.id, "vandaag al gemaild");
            continue;
        }
        let opts = matcher::Options {
            top: POOL,
            include_excluded: false,
            now: job.now,
        };
        let (list, snapshots) = matcher::shortlist(&cand, index, job.res, &opts)?;
        let already = outbox::already_mailed(store, &cand.id)?;
        let picks = select(
            &list,
            &snapshots,
            &already,
            cfg.signals_allowed(&cand.id),
            cfg.top,
        );
        if picks.is_empty() {
            skip(report, &cand.id, "niets nieuws");
            continue;
        }
        let message_id = new_message_id(cfg, job.now)?;
        if let Some(dir) = job.dry_run {
            let token =
                outbox::token_of(store, &cand.id)?.unwrap_or_else(|| "VOORBEELD".to_string());
            let m = message(cfg, &cand, &to, &picks, &token, &message_id, job.now)?;
            let safe: String = cand
                .id
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            let path = dir.join(format!("{safe}-{day}.eml"));
            std::fs::write(&path, m.formatted())
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            report.written.push(path);
            report.details.push(CandidateOutcome {
                candidate: cand.id.clone(),
                outcome: "written".into(),
                reason: None,
                vacancies: picks.len(),
            });
            continue;
        }
        let token = outbox::ensure_token(store, &cand.id, job.now)?;
        let m = message(cfg, &cand, &to, &picks, &token, &message_id, job.now)?;
        let items = picks
            .iter()
            .map(|p| MailItem {
                vacancy_id: p.vacancy.posting.id.clone(),
                cluster: p.vacancy.cluster.clone(),
                verdict: match p.entry.verdict {
                    Verdict::Pass => "pass",
                    Verdict::Signal => "signal",
                    Verdict::Exclude => "exclude",
                }
                .into(),
                snapshot: serde_json::to_string(&p.vacancy).unwrap_or_default(),
            })
            .collect();
        let new = NewMail {
            idempotency_key: key,
            candidate: cand.id.clone(),
            run_date: day.to_string(),
            message_id,
            env_from: cfg.from_mailbox()?.email.to_string(),
            env_to: to.email.to_string(),
            raw: m.formatted(),
            fml_version: list.fml_version.clone(),
            items,
        };
        match outbox::enqueue(store, &new, job.now)? {
            Some(_) => {
                report.queued += 1;
                report.details.push(CandidateOutcome {
                    candidate: cand.id.clone(),
                    outcome: "queued".into(),
                    reason: None,
                    vacancies: picks.len(),
                });
            }
            None => skip(report, &cand.id, "vandaag al gemaild"),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        use super::outbox::backoff;
        assert_eq!(backoff(1).num_minutes(), 5);
        assert_eq!(backoff(2).num_minutes(), 10);
        assert_eq!(backoff(4).num_minutes(), 40);
        assert_eq!(backoff(30).num_minutes(), 360);
    }

    #[test]
    fn numbers_read_dutch() {
        assert_eq!(num(24.0), "24");
        assert_eq!(num(7.5), "7,5");
    }
}
