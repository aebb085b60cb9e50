//! The way in: postings (from `ingest` files or crawlers) → analysis → de-duplication → index
//! and store, in that order, with a report.
//!
//! This is the one path every vacancy takes into passend, so `ingest` and `crawl` behave the
//! same. An unchanged posting (same content hash) costs no analysis. A posting whose
//! `validThrough` has passed is stored closed: it leaves shortlists but stays in the record.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::analysis;
use crate::index::VacancyIndex;
use crate::model::{Posting, Status, Vacancy};
use crate::resources::Resources;
use crate::store::Store;

#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct IngestReport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub closed: usize,
    pub rejected: usize,
    pub duplicates: usize,
    pub warnings: usize,
}

/// A stable content hash of what analysis reads (FNV-1a 64, hex).
pub fn content_hash(p: &Posting) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    let mut feed = |s: &str| {
        for b in s.as_bytes() {
            h ^= *b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x100000001b3);
    };
    let json = serde_json::to_string(&Posting {
        source: String::new(),
        ..p.clone()
    })
    .unwrap_or_default();
    feed(&json);
    feed(crate::resources::EMBEDDED_RULES);
    format!("{h:016x}")
}

/// Word 3-shingles of a text, hashed.
fn shingles(text: &str) -> HashSet<u64> {
    let words: Vec<String> = crate::geo::fold(text)
        .split(' ')
        .map(str::to_string)
        .collect();
    let mut out = HashSet::new();
    for w in words.windows(3) {
        let mut h: u64 = 1469598103934665603;
        for b in w.join(" ").bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(1099511628211);
        }
        out.insert(h);
    }
    out
}

/// Are these two postings the same job? Same employer with a near-identical title and text
/// (3-shingle Jaccard ≥ 0.6), or — when one employer is unknown ("onbekend", a recruiter that
/// hides its client) — the same title and practically the same text (≥ 0.9). The same title at
/// two known, different employers is never a duplicate.
pub fn same_job(a: &Vacancy, b: &Vacancy) -> bool {
    let (ea, eb) = (a.posting.employer.as_deref(), b.posting.employer.as_deref());
    let unknown = crate::index::unknown_employer(ea) || crate::index::unknown_employer(eb);
    if !unknown && ea.map(crate::index::employer_key) != eb.map(crate::index::employer_key) {
        return false;
    }
    let ta = crate::analysis::occupation::normalise_title(&a.posting.title);
    let tb = crate::analysis::occupation::normalise_title(&b.posting.title);
    if strsim::jaro_winkler(&ta, &tb) < 0.9 {
        return false;
    }
    let (sa, sb) = (shingles(&a.analysis.text), shingles(&b.analysis.text));
    let inter = sa.intersection(&sb).count() as f64;
    let union = (sa.len() + sb.len()) as f64 - inter;
    let j = if union <= 0.0 { 1.0 } else { inter / union };
    j >= if unknown { 0.9 } else { 0.6 }
}

pub struct Pipeline<'a> {
    pub res: &'a Resources,
    pub index: &'a mut VacancyIndex,
    pub store: &'a Store,
    pub now: DateTime<Utc>,
}

impl Pipeline<'_> {
    /// Take in one posting. Returns what happened to it.
    pub fn take(
        &mut self,
        mut p: Posting,
        source: &str,
        report: &mut IngestReport,
    ) -> anyhow::Result<Vacancy> {
        if p.source.is_empty() {
            p.source = source.to_string();
        }
        let hash = content_hash(&p);
        let known = self.store.known(&p.id)?;
        let expired = p.valid_through.is_some_and(|d| d < self.now.date_naive());
        if let Some(k) = &known
            && k.hash == hash
            && (k.status == "open") != expired
            && let Some(v) = self.index.get(&p.id)?
        {
            self.store.seen(&v, &hash, self.now)?;
            report.unchanged += 1;
            return Ok(v);
        }
        let analysis = analysis::analyze_safely(self.res, &p);
        if !analysis.warnings.is_empty() {
            report.warnings += 1;
            for w in &analysis.warnings {
                tracing::warn!(vacancy = %p.id, "{w}");
            }
        }
        let mut v = Vacancy {
            cluster: p.id.clone(),
            status: if expired {
                Status::Closed
            } else {
                Status::Open
            },
            first_seen: known.as_ref().map(|k| k.first_seen).unwrap_or(self.now),
            last_seen: self.now,
            posting: p,
            analysis,
        };
        let mut others = self
            .index
            .dedup_candidates(v.posting.employer.as_deref(), &v.posting.title)?;
        others.sort_by(|a, b| {
            a.first_seen
                .cmp(&b.first_seen)
                .then(a.posting.id.cmp(&b.posting.id))
        });
        if let Some(o) = others
            .iter()
            .find(|o| o.posting.id != v.posting.id && same_job(o, &v))
        {
            v.cluster = o.cluster.clone();
            report.duplicates += 1;
        }
        self.index.upsert(&v, &self.res.catalogue)?;
        self.store.seen(&v, &hash, self.now)?;
        if expired {
            self.store
                .close(&v.posting.id, "validThrough verstreken", self.now)?;
            report.closed += 1;
        }
        match known {
            None => report.added += 1,
            Some(_) => report.updated += 1,
        }
        Ok(v)
    }

    /// Close a vacancy (404/410, absent from its source, expired); it stays stored.
    pub fn close(&mut self, id: &str, reason: &str) -> anyhow::Result<bool> {
        if let Some(mut v) = self.index.get(id)?
            && v.status == Status::Open
        {
            v.status = Status::Closed;
            self.index.upsert(&v, &self.res.catalogue)?;
            self.store.close(id, reason, self.now)?;
            return Ok(true);
        }
        Ok(false)
    }

    pub fn commit(&mut self) -> anyhow::Result<()> {
        self.index.commit()
    }
}

/// Parse a JSON-lines file of JobPostings. Bad lines come back as (line number, reason).
pub fn read_jsonl(text: &str) -> (Vec<Posting>, Vec<(usize, String)>) {
    let mut ok = vec![];
    let mut bad = vec![];
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<serde_json::Value>(line) {
            Err(e) => bad.push((n, format!("not valid JSON: {e}"))),
            Ok(v) => match crate::posting::from_json(&v, None) {
                Ok(p) => ok.push(p),
                Err(e) => bad.push((n, e)),
            },
        }
    }
    (ok, bad)
}
