//! Import network employers from CSV or TOML.
//!
//! Every row is checked on its own: a bad row (no name, malformed KvK number, bad URL, unknown
//! ISCO code, a second row for the same employer) is reported with its line number and reason;
//! the others go in. Rows are upserted by KvK number, else by normalised name, so importing the
//! same file twice changes nothing.
//!
//! CSV: a header row with `name`, and any of `kvk`, `website`, `career_url`, `sectors`,
//! `locations`, `contacts`, `notes`, `placements`, `placements_note`; lists are separated by `;`
//! (files with `;` between columns, as Dutch spreadsheets export them, separate lists by `,`).
//! TOML: `[[employer]]` tables with the same keys (lists as arrays).

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Employer, domain_of, normalise_kvk, normalise_name};
use crate::resources::Resources;
use crate::store::Store;

/// A row that did not go in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejected {
    pub line: usize,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: Vec<Rejected>,
}

const KEYS: &[&str] = &[
    "name",
    "kvk",
    "website",
    "career_url",
    "sectors",
    "locations",
    "contacts",
    "notes",
    "placements",
    "placements_note",
];

/// One raw row: key → values (lists already split), with its line number.
type Raw = (usize, HashMap<String, Vec<String>>);

fn split_list(s: &str, seps: &[char]) -> Vec<String> {
    s.split(seps)
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

fn read_csv(text: &str) -> Result<Vec<Raw>, String> {
    // Dutch spreadsheet exports use `;` between columns; lists then use `,` or `|`.
    let header = text.lines().next().unwrap_or("");
    let semicolons = header.matches(';').count() > header.matches(',').count();
    let (delimiter, seps): (u8, &[char]) = if semicolons {
        (b';', &[',', '|'])
    } else {
        (b',', &[';', '|'])
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("regel 1: kopregel onleesbaar: {e}"))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if let Some(h) = headers.iter().find(|h| !KEYS.contains(&h.as_str())) {
        return Err(format!(
            "regel 1: onbekende kolom `{h}`; toegestaan: {}",
            KEYS.join(", ")
        ));
    }
    if !headers.iter().any(|h| h == "name") {
        return Err("regel 1: kolom `name` ontbreekt".into());
    }
    let mut out = vec![];
    for rec in rdr.records() {
        let rec = rec.map_err(|e| format!("CSV onleesbaar: {e}"))?;
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        if rec.iter().all(|f| f.is_empty()) {
            continue;
        }
        let mut row = HashMap::new();
        for (h, f) in headers.iter().zip(rec.iter()) {
            let vals = if matches!(h.as_str(), "sectors" | "locations" | "contacts") {
                split_list(f, seps)
            } else if f.is_empty() {
                vec![]
            } else {
                vec![f.to_string()]
            };
            row.insert(h.clone(), vals);
        }
        out.push((line, row));
    }
    Ok(out)
}

fn read_toml(text: &str) -> Result<Vec<Raw>, String> {
    let root: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| format!("geen geldige TOML: {}", e.message()))?;
    if let Some(k) = root.keys().find(|k| *k != "employer") {
        return Err(format!("onbekende sleutel `{k}`; verwacht [[employer]]"));
    }
    // Line numbers: the n-th `[[employer]]` header belongs to the n-th table.
    let header_lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim().starts_with("[[employer]]"))
        .map(|(i, _)| i + 1)
        .collect();
    let tables = match root.get("employer") {
        None => return Ok(vec![]),
        Some(toml::Value::Array(a)) => a,
        Some(_) => return Err("`employer` moet een lijst van tabellen zijn ([[employer]])".into()),
    };
    let mut out = vec![];
    for (n, t) in tables.iter().enumerate() {
        let line = header_lines.get(n).copied().unwrap_or(0);
        let mut row = HashMap::new();
        let Some(t) = t.as_table() else {
            row.insert(
                "_error".into(),
                vec!["employer is geen tabel ([[employer]])".into()],
            );
            out.push((line, row));
            continue;
        };
        for (k, v) in t {
            if !KEYS.contains(&k.as_str()) {
                row.insert(
                    "_error".into(),
                    vec![format!(
                        "onbekende sleutel `{k}`; toegestaan: {}",
                        KEYS.join(", ")
                    )],
                );
                continue;
            }
            let vals = match v {
                toml::Value::String(s) => {
                    if matches!(k.as_str(), "sectors" | "locations" | "contacts") {
                        split_list(s, &[';', '|'])
                    } else {
                        vec![s.clone()]
                    }
                }
                toml::Value::Integer(i) => vec![i.to_string()],
                toml::Value::Array(a) => {
                    let mut vals = vec![];
                    for x in a {
                        match x {
                            toml::Value::String(s) => vals.push(s.trim().to_string()),
                            toml::Value::Integer(i) => vals.push(i.to_string()),
                            _ => {
                                row.insert(
                                    "_error".into(),
                                    vec![format!("`{k}` moet een lijst van teksten zijn")],
                                );
                            }
                        }
                    }
                    vals
                }
                _ => {
                    row.insert(
                        "_error".into(),
                        vec![format!("`{k}` heeft een onverwacht type")],
                    );
                    continue;
                }
            };
            row.insert(k.clone(), vals);
        }
        out.push((line, row));
    }
    Ok(out)
}

fn one(row: &HashMap<String, Vec<String>>, key: &str) -> Option<String> {
    row.get(key)
        .and_then(|v| v.first())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn url_field(row: &HashMap<String, Vec<String>>, key: &str) -> Result<Option<String>, String> {
    match one(row, key) {
        None => Ok(None),
        Some(u) => match domain_of(&u) {
            Some(_) => Ok(Some(u)),
            None => Err(format!(
                "{key} `{u}` is geen geldige http(s)-URL met een domeinnaam"
            )),
        },
    }
}

/// Check one raw row and turn it into an employer.
fn employer_of(row: &HashMap<String, Vec<String>>, res: &Resources) -> Result<Employer, String> {
    if let Some(e) = one(row, "_error") {
        return Err(e);
    }
    let name = one(row, "name").ok_or("naam ontbreekt")?;
    if normalise_name(&name).is_empty() {
        return Err(format!("naam `{name}` bevat geen letters of cijfers"));
    }
    let kvk = match one(row, "kvk") {
        None => None,
        Some(k) => {
            Some(normalise_kvk(&k).ok_or_else(|| format!("KvK-nummer `{k}` is geen 8 cijfers"))?)
        }
    };
    let website = url_field(row, "website")?;
    let career_url = url_field(row, "career_url")?;
    let mut sectors = vec![];
    for s in row.get("sectors").into_iter().flatten() {
        if !crate::candidate::valid_isco(s) || !res.vocabulary.known_group(s) {
            return Err(format!(
                "sector `{s}` is geen bekende ISCO-beroepsgroep (4 cijfers, bijv. 4110)"
            ));
        }
        if !sectors.contains(s) {
            sectors.push(s.clone());
        }
    }
    let placements = match one(row, "placements") {
        None => 0,
        Some(p) => p
            .parse::<u32>()
            .map_err(|_| format!("placements `{p}` is geen aantal"))?,
    };
    Ok(Employer {
        id: 0,
        name,
        kvk,
        website,
        career_url,
        sectors,
        locations: row.get("locations").cloned().unwrap_or_default(),
        contacts: row.get("contacts").cloned().unwrap_or_default(),
        notes: one(row, "notes"),
        placements,
        placements_note: one(row, "placements_note"),
    })
}

/// Import a CSV (`.csv`) or TOML (`.toml`) file of employers into the store.
pub fn import_file(
    store: &Store,
    res: &Resources,
    path: &Path,
    now: DateTime<Utc>,
) -> anyhow::Result<ImportReport> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("kan {} niet lezen: {e}", path.display()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let rows = match ext.as_str() {
        "csv" => read_csv(text),
        "toml" => read_toml(text),
        _ => anyhow::bail!(
            "{}: onbekend bestandstype; gebruik .csv of .toml",
            path.display()
        ),
    }
    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    import_rows(store, res, &path.display().to_string(), rows, now)
}

fn import_rows(
    store: &Store,
    res: &Resources,
    file: &str,
    rows: Vec<Raw>,
    now: DateTime<Utc>,
) -> anyhow::Result<ImportReport> {
    let mut report = ImportReport {
        file: file.to_string(),
        ..Default::default()
    };
    let mut existing = super::employers(store)?;
    // identities already used in this file: KvK number → line, name key → (line, had a KvK)
    let mut seen_kvk: HashMap<String, usize> = HashMap::new();
    let mut seen_name: HashMap<String, (usize, bool)> = HashMap::new();
    let tx = store.connection().unchecked_transaction()?;
    for (line, row) in rows {
        let mut e = match employer_of(&row, res) {
            Ok(e) => e,
            Err(reason) => {
                report.rejected.push(Rejected { line, reason });
                continue;
            }
        };
        let key = normalise_name(&e.name);
        // Two rows for one employer would overwrite each other on every import. Two rows with
        // the same name but different KvK numbers are different employers.
        let earlier = match &e.kvk {
            Some(k) => seen_kvk.get(k).copied().or_else(|| {
                seen_name
                    .get(&key)
                    .filter(|(_, had_kvk)| !had_kvk)
                    .map(|(l, _)| *l)
            }),
            None => seen_name.get(&key).map(|(l, _)| *l),
        };
        if let Some(first) = earlier {
            report.rejected.push(Rejected {
                line,
                reason: format!("dezelfde werkgever staat al op regel {first}"),
            });
            continue;
        }
        if let Some(k) = &e.kvk {
            seen_kvk.insert(k.clone(), line);
        }
        seen_name
            .entry(key.clone())
            .or_insert((line, e.kvk.is_some()));
        // Upsert: by KvK number; else by normalised name (not over another KvK number).
        let found = match &e.kvk {
            Some(k) => existing
                .iter()
                .position(|x| x.kvk.as_deref() == Some(k.as_str()))
                .or_else(|| {
                    existing
                        .iter()
                        .position(|x| x.kvk.is_none() && normalise_name(&x.name) == key)
                }),
            None => {
                let hits: Vec<usize> = existing
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| normalise_name(&x.name) == key)
                    .map(|(i, _)| i)
                    .collect();
                if hits.len() > 1 {
                    report.rejected.push(Rejected {
                        line,
                        reason: format!(
                            "naam `{}` past bij {} werkgevers; geef het KvK-nummer",
                            e.name,
                            hits.len()
                        ),
                    });
                    continue;
                }
                hits.first().copied()
            }
        };
        match found {
            None => {
                e.id = super::insert_employer(store, &e, now)?;
                existing.push(e);
                report.added += 1;
            }
            Some(i) => {
                let old = &existing[i];
                e.id = old.id;
                if e.kvk.is_none() {
                    e.kvk = old.kvk.clone();
                }
                if e == *old {
                    report.unchanged += 1;
                } else {
                    super::update_employer(store, &e, now)?;
                    existing[i] = e;
                    report.updated += 1;
                }
            }
        }
    }
    tx.commit()?;
    Ok(report)
}
