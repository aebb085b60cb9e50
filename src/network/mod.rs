//! The bureau's employer network (issue 9): employers it knows, linked to the vacancies passend
//! collected, and looked up both ways (employers for a candidate, candidates for an employer).
//!
//! Data enters through `passend network import FILE` (CSV or TOML, see [`import`]) into the
//! store tables of migration 5 (`network_employers`, `network_links`, `network_contacts`).
//! [`link`] reads analysed vacancies from the index (never re-analyses or fetches) and stores
//! links it is sure of; ambiguous ones wait for a person to confirm. [`lookup`] combines the
//! links with the matcher's verdicts. Contact moments are logged per employer and as evidence
//! activities. Data leaves as CLI text/JSON and as [`network_employer_keys`] for a matcher bonus.

pub mod cli;
pub mod import;
pub mod link;
pub mod lookup;

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::store::Store;

/// One employer of the bureau's network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Employer {
    /// Database id (0 before it is stored).
    #[serde(default)]
    pub id: i64,
    pub name: String,
    /// KvK number, 8 digits.
    pub kvk: Option<String>,
    pub website: Option<String>,
    /// Career page or ATS feed.
    pub career_url: Option<String>,
    /// ISCO-08 unit groups (4 digits) the employer hires in.
    pub sectors: Vec<String>,
    /// Place names or postcodes of its sites.
    pub locations: Vec<String>,
    pub contacts: Vec<String>,
    pub notes: Option<String>,
    /// Past placements and detacheringen: how many, and what.
    pub placements: u32,
    pub placements_note: Option<String>,
}

/// Legal forms and filler words that do not tell employers apart.
const LEGAL_FORMS: &[&str] = &[
    "b", "v", "bv", "n", "nv", "vof", "cv", "holding", "bvba", "sa", "srl", "groep", "group", "ua",
];

/// An employer name folded for comparison: lower case, no accents or punctuation, no legal
/// forms, "Gemeente X" taken as "X" and a trailing "Nederland"/"NL" dropped ("Van Dijk Logistiek
/// Nederland B.V." → "van dijk logistiek").
pub fn normalise_name(name: &str) -> String {
    let f = crate::geo::fold(name);
    let mut words: Vec<&str> = f
        .split(' ')
        .filter(|w| !w.is_empty() && !LEGAL_FORMS.contains(w))
        .collect();
    if words.len() > 1 && words[0] == "gemeente" {
        words.remove(0);
    }
    // the Dutch branch of a company is the company: "Sonion Nederland B.V." ↔ "Sonion"
    if words.len() > 1 && matches!(words[words.len() - 1], "nederland" | "netherlands" | "nl") {
        words.pop();
    }
    words.join(" ")
}

/// A KvK number as 8 digits ("12.34.56.78" and "1234 5678" are accepted).
pub fn normalise_kvk(raw: &str) -> Option<String> {
    let s: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    (s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
}

/// The host of a URL without "www." (lower case); `None` when it is not an http(s) URL.
pub fn domain_of(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let with_scheme = if raw.contains("://") {
        raw.to_string()
    } else {
        format!("https://{raw}")
    };
    let u = url::Url::parse(&with_scheme).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    let host = u.host_str()?.to_ascii_lowercase();
    if !host.contains('.') {
        return None;
    }
    Some(host.trim_start_matches("www.").to_string())
}

fn list_json(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn list_of(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

const COLUMNS: &str = "id, name, kvk, website, career_url, sectors, locations, contacts, notes, \
                       placements, placements_note";

fn row_employer(r: &rusqlite::Row) -> rusqlite::Result<Employer> {
    Ok(Employer {
        id: r.get(0)?,
        name: r.get(1)?,
        kvk: r.get(2)?,
        website: r.get(3)?,
        career_url: r.get(4)?,
        sectors: list_of(&r.get::<_, String>(5)?),
        locations: list_of(&r.get::<_, String>(6)?),
        contacts: list_of(&r.get::<_, String>(7)?),
        notes: r.get(8)?,
        placements: r.get::<_, i64>(9)?.max(0) as u32,
        placements_note: r.get(10)?,
    })
}

/// Every network employer, by name.
pub fn employers(store: &Store) -> anyhow::Result<Vec<Employer>> {
    let mut st = store.connection().prepare(&format!(
        "SELECT {COLUMNS} FROM network_employers ORDER BY name_key, id"
    ))?;
    let rows = st.query_map([], row_employer)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn employer(store: &Store, id: i64) -> anyhow::Result<Option<Employer>> {
    Ok(store
        .connection()
        .query_row(
            &format!("SELECT {COLUMNS} FROM network_employers WHERE id = ?1"),
            [id],
            row_employer,
        )
        .optional()?)
}

/// Find an employer by KvK number or (normalised) name; an error names the choices when the
/// name is unknown or fits several employers.
pub fn find_employer(store: &Store, name_or_kvk: &str) -> anyhow::Result<Employer> {
    let all = employers(store)?;
    if let Some(k) = normalise_kvk(name_or_kvk)
        && let Some(e) = all.iter().find(|e| e.kvk.as_deref() == Some(k.as_str()))
    {
        return Ok(e.clone());
    }
    let key = normalise_name(name_or_kvk);
    let hits: Vec<&Employer> = all
        .iter()
        .filter(|e| normalise_name(&e.name) == key)
        .collect();
    match hits.as_slice() {
        [one] => Ok((*one).clone()),
        [] => anyhow::bail!("geen netwerkwerkgever `{name_or_kvk}` (gebruik naam of KvK-nummer)"),
        many => anyhow::bail!(
            "`{name_or_kvk}` past bij meerdere werkgevers: {}; geef het KvK-nummer",
            many.iter()
                .map(|e| format!("{} (KvK {})", e.name, e.kvk.as_deref().unwrap_or("-")))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Insert a new employer; returns its id.
pub fn insert_employer(store: &Store, e: &Employer, now: DateTime<Utc>) -> anyhow::Result<i64> {
    store.connection().execute(
        "INSERT INTO network_employers (name, name_key, kvk, website, career_url, sectors,
            locations, contacts, notes, placements, placements_note, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
        params![
            e.name,
            normalise_name(&e.name),
            e.kvk,
            e.website,
            e.career_url,
            list_json(&e.sectors),
            list_json(&e.locations),
            list_json(&e.contacts),
            e.notes,
            e.placements as i64,
            e.placements_note,
            now.to_rfc3339()
        ],
    )?;
    Ok(store.connection().last_insert_rowid())
}

/// Overwrite the employer with `e.id`.
pub fn update_employer(store: &Store, e: &Employer, now: DateTime<Utc>) -> anyhow::Result<()> {
    store.connection().execute(
        "UPDATE network_employers SET name = ?2, name_key = ?3, kvk = ?4, website = ?5,
            career_url = ?6, sectors = ?7, locations = ?8, contacts = ?9, notes = ?10,
            placements = ?11, placements_note = ?12, updated_at = ?13 WHERE id = ?1",
        params![
            e.id,
            e.name,
            normalise_name(&e.name),
            e.kvk,
            e.website,
            e.career_url,
            list_json(&e.sectors),
            list_json(&e.locations),
            list_json(&e.contacts),
            e.notes,
            e.placements as i64,
            e.placements_note,
            now.to_rfc3339()
        ],
    )?;
    Ok(())
}

/// The normalised names ([`normalise_name`]) of all network employers, for a matcher bonus:
/// `keys.contains(&normalise_name(posting_employer))`.
pub fn network_employer_keys(store: &Store) -> anyhow::Result<HashSet<String>> {
    // computed from the names, so a stored key never goes stale when normalisation improves
    Ok(employers(store)?
        .iter()
        .map(|e| normalise_name(&e.name))
        .collect())
}

/// The kinds of contact a coach logs with a network employer.
pub const CONTACT_KINDS: &[&str] = &["contact", "open-application"];

/// One logged contact moment with a network employer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: i64,
    pub employer_id: i64,
    pub employer: String,
    pub candidate: String,
    pub kind: String,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// Log a contact or open application for a candidate with an employer; it is also recorded as
/// an evidence activity (`activities`, channel `netwerk`) for the re-integratieverslag.
pub fn log_contact(
    store: &Store,
    employer: &Employer,
    candidate: &str,
    kind: &str,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<Contact> {
    if !CONTACT_KINDS.contains(&kind) {
        anyhow::bail!(
            "soort contact `{kind}` onbekend; kies uit {}",
            CONTACT_KINDS.join(", ")
        );
    }
    if candidate.trim().is_empty() {
        anyhow::bail!("geef de kandidaat (--candidate ID)");
    }
    let conn = store.connection();
    conn.execute(
        "INSERT INTO network_contacts (employer_id, candidate, kind, note, at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![employer.id, candidate, kind, note, now.to_rfc3339()],
    )?;
    let id = conn.last_insert_rowid();
    conn.execute(
        "INSERT OR IGNORE INTO activities (candidate, vacancy_id, kind, channel, at, ref)
         VALUES (?1, '', ?2, 'netwerk', ?3, ?4)",
        params![
            candidate,
            kind,
            now.to_rfc3339(),
            format!("netwerk:{}:{id}", employer.id)
        ],
    )?;
    Ok(Contact {
        id,
        employer_id: employer.id,
        employer: employer.name.clone(),
        candidate: candidate.to_string(),
        kind: kind.to_string(),
        note: note.map(str::to_string),
        at: now,
    })
}

/// The contact history of one employer, oldest first.
pub fn contacts(store: &Store, employer: &Employer) -> anyhow::Result<Vec<Contact>> {
    let mut st = store.connection().prepare(
        "SELECT id, candidate, kind, note, at FROM network_contacts WHERE employer_id = ?1
         ORDER BY at, id",
    )?;
    let rows = st.query_map([employer.id], |r| {
        let at: String = r.get(4)?;
        Ok(Contact {
            id: r.get(0)?,
            employer_id: employer.id,
            employer: employer.name.clone(),
            candidate: r.get(1)?,
            kind: r.get(2)?,
            note: r.get(3)?,
            at: at.parse().unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
