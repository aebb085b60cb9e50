//! Imports of open data sets into the data folder: occupation labels (ESCO, CompetentNL) and
//! postcode centroids (GeoNames postal file).
//!
//! A downloaded file comes in; a small TSV in `<data>/imports/` goes out, which
//! [`crate::resources`] adds on top of the embedded defaults at the next start. Imports never
//! change `config/`; removing `<data>/imports/` returns to the defaults. Every rejected row is
//! counted with a reason, never silently dropped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::analysis::occupation::{Vocabulary, normalise_title};

#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub rows: usize,
    pub written: usize,
    pub skipped: BTreeMap<String, usize>,
}

impl ImportReport {
    fn skip(&mut self, why: &str) {
        *self.skipped.entry(why.to_string()).or_insert(0) += 1;
    }
}

/// ESCO occupations CSV (columns `iscoGroup`, `preferredLabel`, `altLabels` with one label per
/// line) → `isco<TAB>label` lines.
pub fn esco(path: &Path) -> anyhow::Result<(Vec<(String, String)>, ImportReport)> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("cannot read ESCO file {}", path.display()))?;
    let headers = rdr.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(isco_c), Some(pref_c)) = (col("iscoGroup"), col("preferredLabel")) else {
        anyhow::bail!(
            "{}: not an ESCO occupations CSV (needs columns iscoGroup and preferredLabel)",
            path.display()
        );
    };
    let alt_c = col("altLabels");
    let mut out = vec![];
    let mut rep = ImportReport {
        file: path.display().to_string(),
        ..Default::default()
    };
    for rec in rdr.records() {
        rep.rows += 1;
        let Ok(rec) = rec else {
            rep.skip("unreadable CSV row");
            continue;
        };
        let isco = rec.get(isco_c).unwrap_or("").trim();
        let isco = if isco.len() < 4 && !isco.is_empty() {
            format!("{isco:0>4}")
        } else {
            isco.to_string()
        };
        if !crate::candidate::valid_isco(&isco) {
            rep.skip("no 4-digit ISCO group");
            continue;
        }
        let mut labels = vec![rec.get(pref_c).unwrap_or("").to_string()];
        if let Some(a) = alt_c.and_then(|c| rec.get(c)) {
            labels.extend(a.lines().map(str::to_string));
        }
        for l in labels {
            let l = l.trim();
            if l.is_empty() || normalise_title(l).is_empty() {
                continue;
            }
            out.push((isco.clone(), l.to_string()));
        }
    }
    rep.written = out.len();
    Ok((out, rep))
}

/// CompetentNL occupation labels (`occupation_uri`, `label`). They carry no ISCO code, so an
/// occupation's labels are adopted only when one of them is already known, unambiguously, to
/// the vocabulary; the others are reported as unmapped.
pub fn competentnl(
    path: &Path,
    vocab: &Vocabulary,
) -> anyhow::Result<(Vec<(String, String)>, ImportReport)> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .with_context(|| format!("cannot read CompetentNL file {}", path.display()))?;
    let headers = rdr.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(uri_c), Some(label_c)) = (col("occupation_uri"), col("label")) else {
        anyhow::bail!(
            "{}: not a CompetentNL occupation label file (needs occupation_uri and label)",
            path.display()
        );
    };
    let mut rep = ImportReport {
        file: path.display().to_string(),
        ..Default::default()
    };
    let mut by_uri: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for rec in rdr.records() {
        rep.rows += 1;
        let Ok(rec) = rec else {
            rep.skip("unreadable CSV row");
            continue;
        };
        let (uri, label) = (
            rec.get(uri_c).unwrap_or("").trim(),
            rec.get(label_c).unwrap_or("").trim(),
        );
        if uri.is_empty() || label.is_empty() {
            rep.skip("empty uri or label");
            continue;
        }
        by_uri
            .entry(uri.to_string())
            .or_default()
            .insert(label.to_string());
    }
    let mut out = vec![];
    for labels in by_uri.values() {
        let codes: BTreeSet<String> = labels.iter().flat_map(|l| vocab.exact_codes(l)).collect();
        if codes.len() != 1 {
            rep.skip(if codes.is_empty() {
                "occupation not linked to ISCO"
            } else {
                "ambiguous ISCO link"
            });
            continue;
        }
        let code = codes.into_iter().next().expect("one code");
        for l in labels {
            out.push((code.clone(), l.clone()));
        }
    }
    rep.written = out.len();
    Ok((out, rep))
}

/// GeoNames postal file (`NL.txt`: country, postcode, place, …, lat at column 10, lon at 11)
/// → `pc4<TAB>place<TAB>lat<TAB>lon`.
pub fn geonames_postal(path: &Path) -> anyhow::Result<(Vec<String>, ImportReport)> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut rep = ImportReport {
        file: path.display().to_string(),
        ..Default::default()
    };
    let mut seen = BTreeSet::new();
    let mut out = vec![];
    for line in text.lines() {
        rep.rows += 1;
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() < 11 {
            rep.skip("fewer than 11 columns");
            continue;
        }
        let pc: String = c[1]
            .chars()
            .filter(|x| x.is_ascii_digit())
            .take(4)
            .collect();
        let (Ok(lat), Ok(lon)) = (c[9].trim().parse::<f64>(), c[10].trim().parse::<f64>()) else {
            rep.skip("bad coordinates");
            continue;
        };
        if pc.len() != 4 || !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            rep.skip("bad postcode or coordinates");
            continue;
        }
        if !seen.insert(pc.clone()) {
            rep.skip("duplicate postcode (first kept)");
            continue;
        }
        out.push(format!("{pc}\t{}\t{lat}\t{lon}", c[2].trim()));
    }
    rep.written = out.len();
    Ok((out, rep))
}

/// Write lines to a file in `<data>/imports/` atomically (temp file + rename).
pub fn write_lines(path: &Path, lines: &[String]) -> anyhow::Result<()> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, lines.join("\n") + "\n")?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}
