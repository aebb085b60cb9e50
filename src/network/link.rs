//! Linking vacancies (from the index) to network employers.
//!
//! The evidence, strongest first: a KvK number in the posting text; the domain of the
//! employer's URL (hiringOrganization.sameAs/url) or of the posting URL against the employer's
//! website; the normalised name ([`super::normalise_name`]); a fuzzy name match (Jaro-Winkler,
//! only when every word has a close counterpart). A link is stored only when one employer wins
//! clearly; two close employers, or a fuzzy-only match below [`AUTO_FUZZY`], are stored as
//! `pending` with their options for a person to confirm ([`confirm`]). Links a person confirmed
//! are never overwritten by a new run.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Employer, domain_of, normalise_kvk, normalise_name};
use crate::index::VacancyIndex;
use crate::model::Vacancy;
use crate::store::Store;

/// A fuzzy-only name match at or above this links without a person (a typo, not a new name).
pub const AUTO_FUZZY: f64 = 0.985;
/// Name similarity from which an employer is a possible match (reported, not linked).
pub const REVIEW_FUZZY: f64 = 0.90;
/// Two words count as the same word from this Jaro-Winkler similarity.
const WORD_SIMILAR: f64 = 0.90;

/// One employer a vacancy may belong to, with how it was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkOption {
    pub employer_id: i64,
    pub employer: String,
    /// "kvk", "domain", "name" or "fuzzy".
    pub method: String,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Linked(LinkOption),
    /// A person must choose (possibly none of them).
    Ambiguous(Vec<LinkOption>),
    None,
}

/// An employer prepared for comparison.
struct Prepared {
    id: i64,
    name: String,
    key: String,
    kvk: Option<String>,
    domain: Option<String>,
}

fn prepare(emps: &[Employer]) -> Vec<Prepared> {
    emps.iter()
        .map(|e| Prepared {
            id: e.id,
            name: e.name.clone(),
            key: normalise_name(&e.name),
            kvk: e.kvk.clone(),
            domain: e.website.as_deref().and_then(domain_of),
        })
        .collect()
}

static KVK_RE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"(?i)(?:kvk|k\.v\.k\.|kamer van koophandel)[^0-9]{0,30}?(\d(?:[ .]?\d){7})")
        .expect("kvk regex")
});

/// KvK numbers mentioned in a text ("KvK-nummer: 12345678", "KvK 1234 5678").
pub fn kvk_numbers(text: &str) -> Vec<String> {
    let mut out: Vec<String> = KVK_RE
        .captures_iter(text)
        .filter_map(|c| normalise_kvk(&c[1]))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Similarity of two normalised names: 1.0 when equal; Jaro-Winkler when every word of the
/// shorter name has a close word in the longer; else 0 ("van dijk transport" vs "van dijk
/// logistiek": "transport" has no counterpart).
pub fn name_similarity(a: &str, b: &str) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    let (wa, wb): (Vec<&str>, Vec<&str>) = (a.split(' ').collect(), b.split(' ').collect());
    let covered = |x: &[&str], y: &[&str]| {
        x.iter()
            .all(|w| y.iter().any(|v| strsim::jaro_winkler(w, v) >= WORD_SIMILAR))
    };
    // every word of the shorter name must have a close word in the longer one
    let (short, long) = if wa.len() <= wb.len() {
        (&wa, &wb)
    } else {
        (&wb, &wa)
    };
    if !covered(short, long) {
        return 0.0;
    }
    strsim::jaro_winkler(a, b)
}

fn option(p: &Prepared, method: &str, score: f64) -> LinkOption {
    LinkOption {
        employer_id: p.id,
        employer: p.name.clone(),
        method: method.into(),
        score,
    }
}

fn decide(mut opts: Vec<LinkOption>) -> Option<Outcome> {
    match opts.len() {
        0 => None,
        1 => Some(Outcome::Linked(opts.remove(0))),
        _ => Some(Outcome::Ambiguous(opts)),
    }
}

fn link_prepared(v: &Vacancy, emps: &[Prepared]) -> Outcome {
    // 1. KvK number in the text
    let mut text = v.posting.description.clone();
    text.push('\n');
    text.push_str(&v.analysis.text);
    let numbers = kvk_numbers(&text);
    let by_kvk: Vec<LinkOption> = emps
        .iter()
        .filter(|e| e.kvk.as_ref().is_some_and(|k| numbers.contains(k)))
        .map(|e| option(e, "kvk", 1.0))
        .collect();
    if let Some(o) = decide(by_kvk) {
        return o;
    }
    // 2. website domain
    let hosts: Vec<String> = [&v.posting.employer_url, &v.posting.url]
        .into_iter()
        .flatten()
        .filter_map(|u| domain_of(u))
        .collect();
    let by_domain: Vec<LinkOption> = emps
        .iter()
        .filter(|e| {
            e.domain.as_ref().is_some_and(|d| {
                hosts
                    .iter()
                    .any(|h| h == d || h.ends_with(&format!(".{d}")))
            })
        })
        .map(|e| option(e, "domain", 1.0))
        .collect();
    if let Some(o) = decide(by_domain) {
        return o;
    }
    // 3. names, exact after normalisation, then fuzzy
    let Some(key) = v.posting.employer.as_deref().map(normalise_name) else {
        return Outcome::None;
    };
    let mut close: Vec<LinkOption> = emps
        .iter()
        .filter_map(|e| {
            let s = name_similarity(&key, &e.key);
            (s >= REVIEW_FUZZY).then(|| option(e, if s >= 1.0 { "name" } else { "fuzzy" }, s))
        })
        .collect();
    close.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.employer_id.cmp(&b.employer_id))
    });
    match close.len() {
        0 => Outcome::None,
        1 if close[0].score >= AUTO_FUZZY => Outcome::Linked(close.remove(0)),
        _ => Outcome::Ambiguous(close),
    }
}

/// Decide which network employer (if any) a vacancy belongs to.
pub fn link_vacancy(v: &Vacancy, emps: &[Employer]) -> Outcome {
    link_prepared(v, &prepare(emps))
}

/// A vacancy waiting for a person to choose its employer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub vacancy_id: String,
    pub title: String,
    pub posted_employer: Option<String>,
    pub options: Vec<LinkOption>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LinkReport {
    pub vacancies: usize,
    pub linked: usize,
    /// Links a person confirmed (or rejected) earlier, kept as they are.
    pub confirmed: usize,
    pub pending: Vec<Pending>,
    pub unlinked: usize,
    /// method → count of automatic links.
    pub by_method: std::collections::BTreeMap<String, usize>,
}

/// Link every vacancy in the index to the network; returns what happened. Idempotent.
pub fn link_all(
    store: &Store,
    index: &VacancyIndex,
    now: DateTime<Utc>,
) -> anyhow::Result<LinkReport> {
    let emps = prepare(&super::employers(store)?);
    let conn = store.connection();
    let manual: HashMap<String, Option<i64>> = {
        let mut st = conn.prepare(
            "SELECT vacancy_id, employer_id FROM network_links WHERE confirmed_by = 'coach'",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut report = LinkReport::default();
    let tx = conn.unchecked_transaction()?;
    // every stored vacancy (`VacancyIndex::all` asks tantivy for usize::MAX/2 hits, which
    // overflows its top-k buffer in 0.27; ask for exactly as many as there are)
    let every = crate::index::SearchQuery {
        limit: index.count()?.max(1),
        ..Default::default()
    };
    for (_, v) in index.search(&every)? {
        report.vacancies += 1;
        let id = v.posting.id.clone();
        if manual.contains_key(&id) {
            report.confirmed += 1;
            continue;
        }
        match link_prepared(&v, &emps) {
            Outcome::Linked(o) => {
                conn.execute(
                    "INSERT OR REPLACE INTO network_links
                        (vacancy_id, employer_id, status, method, score, options, confirmed_by, linked_at)
                     VALUES (?1, ?2, 'linked', ?3, ?4, '[]', 'auto', ?5)",
                    params![id, o.employer_id, o.method, o.score, now.to_rfc3339()],
                )?;
                report.linked += 1;
                *report.by_method.entry(o.method).or_default() += 1;
            }
            Outcome::Ambiguous(options) => {
                conn.execute(
                    "INSERT OR REPLACE INTO network_links
                        (vacancy_id, employer_id, status, method, score, options, confirmed_by, linked_at)
                     VALUES (?1, NULL, 'pending', ?2, ?3, ?4, NULL, ?5)",
                    params![
                        id,
                        options[0].method,
                        options[0].score,
                        serde_json::to_string(&options)?,
                        now.to_rfc3339()
                    ],
                )?;
                report.pending.push(Pending {
                    vacancy_id: id,
                    title: v.posting.title.clone(),
                    posted_employer: v.posting.employer.clone(),
                    options,
                });
            }
            Outcome::None => {
                conn.execute("DELETE FROM network_links WHERE vacancy_id = ?1", [&id])?;
                report.unlinked += 1;
            }
        }
    }
    tx.commit()?;
    Ok(report)
}

/// A person confirms that a vacancy belongs to this employer.
pub fn confirm(
    store: &Store,
    vacancy_id: &str,
    employer: &Employer,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    store.connection().execute(
        "INSERT OR REPLACE INTO network_links
            (vacancy_id, employer_id, status, method, score, options, confirmed_by, linked_at)
         VALUES (?1, ?2, 'linked', 'confirmed', 1.0, '[]', 'coach', ?3)",
        params![vacancy_id, employer.id, now.to_rfc3339()],
    )?;
    Ok(())
}

/// A person decides that a vacancy belongs to none of the network employers.
pub fn reject(store: &Store, vacancy_id: &str, now: DateTime<Utc>) -> anyhow::Result<()> {
    store.connection().execute(
        "INSERT OR REPLACE INTO network_links
            (vacancy_id, employer_id, status, method, score, options, confirmed_by, linked_at)
         VALUES (?1, NULL, 'linked', 'rejected', 0.0, '[]', 'coach', ?2)",
        params![vacancy_id, now.to_rfc3339()],
    )?;
    Ok(())
}

/// The employer a vacancy is linked to (confirmed or automatic; not pending).
pub fn employer_of(store: &Store, vacancy_id: &str) -> anyhow::Result<Option<i64>> {
    Ok(store
        .connection()
        .query_row(
            "SELECT employer_id FROM network_links WHERE vacancy_id = ?1 AND status = 'linked'",
            [vacancy_id],
            |r| r.get::<_, Option<i64>>(0),
        )
        .optional()?
        .flatten())
}

/// Every linked vacancy id → employer id.
pub fn links(store: &Store) -> anyhow::Result<HashMap<String, i64>> {
    let mut st = store.connection().prepare(
        "SELECT vacancy_id, employer_id FROM network_links
         WHERE status = 'linked' AND employer_id IS NOT NULL",
    )?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The vacancies waiting for a person, with their options.
pub fn pending(store: &Store) -> anyhow::Result<Vec<(String, Vec<LinkOption>)>> {
    let mut st = store.connection().prepare(
        "SELECT vacancy_id, options FROM network_links WHERE status = 'pending' ORDER BY vacancy_id",
    )?;
    let rows = st.query_map([], |r| {
        let o: String = r.get(1)?;
        Ok((r.get(0)?, serde_json::from_str(&o).unwrap_or_default()))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
