//! Analysis: a [`Posting`] in, an [`Analysis`] out — occupation, FML demands with evidence,
//! hours, pay, place, education and contract.
//!
//! Analysis never does I/O and never panics on text: everything it needs (rules, vocabulary,
//! gazetteer) is handed to it as [`Resources`], and [`analyze_safely`] turns an unexpected
//! panic into a warning so one bad posting never blocks its batch.

pub mod demands;
pub mod facts;
pub mod occupation;
pub mod text;

use crate::model::{Analysis, Place, Posting};
use crate::resources::Resources;

/// Occupation-implied demands are only added when the best occupation is at least this sure.
pub const IMPLIED_MIN_SCORE: f64 = 0.6;

pub fn analyze(res: &Resources, p: &Posting) -> Analysis {
    let mut warnings = vec![];
    let description = text::html_to_text(&p.description);
    let title = text::html_to_text(&p.title);
    if description.trim().is_empty() {
        warnings.push("vacature zonder omschrijving: alleen de titel is gelezen".to_string());
    }
    // the title is part of the text evidence can point into
    let full = if description.is_empty() {
        title.clone()
    } else {
        format!("{title}\n{description}")
    };
    let sentences = text::sentences(&full);
    let lower = text::lower_same_len(&full);
    if looks_foreign(&lower) {
        warnings
            .push("de tekst lijkt niet Nederlandstalig: eisen zijn mogelijk niet herkend".into());
    }

    let occupations = res.vocabulary.classify(&title, &description);
    let (mut demands, suppressed) = res.rules.explicit(&full, &sentences, &mut warnings);
    if let Some(best) = occupations.first()
        && best.score >= IMPLIED_MIN_SCORE
    {
        let mut settled: Vec<String> = demands.iter().map(|d| d.item.clone()).collect();
        settled.extend(suppressed.iter().cloned());
        demands.extend(res.rules.implied(&best.isco, &title, &settled));
    }
    demands.sort_by(|a, b| a.item.cmp(&b.item));

    let hours_per_week = facts::hours(&lower, p.work_hours.as_deref(), &mut warnings);
    let pay = facts::pay(&full, &lower).or_else(|| {
        p.salary.as_ref().and_then(|s| {
            let per = match s.unit.as_deref() {
                Some("HOUR") => "hour",
                Some("MONTH") => "month",
                Some("YEAR") => "year",
                _ => return None,
            };
            Some(crate::model::Pay {
                min: s.min,
                max: s.max,
                per: per.into(),
                evidence: "baseSalary".into(),
            })
        })
    });
    let place = locate(res, p, &description);
    Analysis {
        occupations,
        demands,
        hours_per_week,
        place,
        pay,
        education: facts::education(&lower, p.education_requirements.as_deref()),
        contract: facts::contract(&lower, &p.employment_type),
        text: full,
        warnings,
    }
}

/// [`analyze`], with a panic turned into an empty analysis and a warning.
pub fn analyze_safely(res: &Resources, p: &Posting) -> Analysis {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| analyze(res, p))) {
        Ok(a) => a,
        Err(_) => Analysis {
            text: text::html_to_text(&p.description),
            warnings: vec![
                "analyse mislukt voor deze vacature; alleen de ruwe gegevens zijn bewaard".into(),
            ],
            ..Default::default()
        },
    }
}

/// Where is the job? Coordinates from the source, then postcode, then place name, then a
/// "standplaats"/"locatie" line in the text.
fn locate(res: &Resources, p: &Posting, description: &str) -> Option<Place> {
    let country = p.country.as_deref();
    let geo = &res.gazetteer;
    let name_hit = p.locality.as_deref().and_then(|l| geo.place(l, country));
    if let (Some(lat), Some(lon)) = (p.lat, p.lon)
        && (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lon)
        && (lat != 0.0 || lon != 0.0)
    {
        let name = name_hit
            .as_ref()
            .map(|n| n.name.clone())
            .or_else(|| p.locality.clone())
            .unwrap_or_else(|| format!("{lat:.2}, {lon:.2}"));
        return Some(Place {
            name,
            lat,
            lon,
            precision: "posting".into(),
            remote: false,
        });
    }
    let is_be = country.map(crate::geo::normalise_country).as_deref() == Some("BE");
    if let Some(pc) = p.postal_code.as_deref()
        && let Some(mut by_pc) = geo.postcode(pc, country)
        && (by_pc.precision == "postcode" || name_hit.is_none())
    {
        if let Some(n) = &name_hit {
            by_pc.name = n.name.clone();
        }
        return Some(by_pc);
    }
    if name_hit.is_some() {
        return name_hit;
    }
    // a place written in the text
    for line in description.lines().take(80) {
        let l = line.to_lowercase();
        for key in [
            "standplaats",
            "werklocatie",
            "locatie",
            "plaats",
            "werkplek",
            "adres",
            "regio",
        ] {
            if let Some(i) = l.find(key) {
                let rest = line[i + key.len()..].trim_start_matches([':', ' ', '-']);
                let candidate: String = rest
                    .split([',', '.', ';', '('])
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string();
                if !candidate.is_empty()
                    && candidate.len() < 40
                    && let Some(pl) =
                        geo.place(&candidate, if is_be { Some("BE") } else { country })
                {
                    return Some(pl);
                }
            }
        }
    }
    None
}

/// A crude language check: Dutch function words are missing.
fn looks_foreign(lower: &str) -> bool {
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .take(300)
        .collect();
    if words.len() < 30 {
        return false;
    }
    let dutch = [
        "de", "het", "een", "en", "van", "je", "wij", "we", "met", "voor", "is", "in", "op",
        "bent", "jij",
    ];
    let hits = words.iter().filter(|w| dutch.contains(w)).count();
    (hits as f64) / (words.len() as f64) < 0.06
}
