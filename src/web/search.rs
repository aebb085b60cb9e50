//! "Zoek passend werk": a candidate's shortlist, or a free-text search with filters, each hit
//! judged by the matcher. A candidate and search parameters come in; hits with verdicts and
//! reasons go out. Vacancies the matcher excludes are never returned: the index leaves out
//! those excluded at the candidate's restriction levels, and every hit is judged again.

use serde::{Deserialize, Serialize};

use crate::index::SearchQuery;
use crate::matcher;
use crate::model::{Candidate, HoursRange, Reason, RestrictionValue, Vacancy, Verdict};

use super::AppState;

/// Search parameters (query string of the page and the API).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Params {
    /// Free text ("administratief", "planner Utrecht").
    #[serde(default)]
    pub q: Option<String>,
    /// Maximum one-way travel time in minutes.
    #[serde(default)]
    pub radius: Option<String>,
    /// Maximum hours per week the vacancy may ask at least.
    #[serde(default)]
    pub hours: Option<String>,
    /// An ISCO unit group (one of the candidate's directions, or any known code).
    #[serde(default)]
    pub direction: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub employer: Option<String>,
    pub place: Option<String>,
    pub url: Option<String>,
    pub verdict: Verdict,
    pub verdict_label: &'static str,
    pub score: f64,
    pub travel_minutes: Option<u32>,
    pub hours_per_week: Option<HoursRange>,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// "shortlist" (no text, no filters) or "zoeken".
    pub mode: &'static str,
    pub hits: Vec<Hit>,
    /// Dutch explanations when the list is short or empty.
    pub explanation: Vec<String>,
}

/// Checked filters: Dutch messages per field for bad values.
pub struct Filters {
    pub q: Option<String>,
    pub radius: Option<u32>,
    pub hours: Option<f64>,
    pub direction: Option<String>,
}

pub fn validate(p: &Params) -> Result<Filters, Vec<super::FieldError>> {
    let mut errs = vec![];
    let clean = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let q = clean(&p.q);
    if q.as_deref().is_some_and(|q| q.chars().count() > 200) {
        errs.push(super::field_error(
            "q",
            "De zoektekst is te lang (hoogstens 200 tekens).",
        ));
    }
    let radius = match clean(&p.radius) {
        None => None,
        Some(s) => match s.parse::<u32>() {
            Ok(n) if (5..=240).contains(&n) => Some(n),
            _ => {
                errs.push(super::field_error(
                    "radius",
                    "Reistijd: geef een heel aantal minuten tussen 5 en 240.",
                ));
                None
            }
        },
    };
    let hours = match clean(&p.hours) {
        None => None,
        Some(s) => match s.replace(',', ".").parse::<f64>() {
            Ok(h) if (1.0..=60.0).contains(&h) => Some(h),
            _ => {
                errs.push(super::field_error(
                    "hours",
                    "Uren: geef een aantal uren per week tussen 1 en 60.",
                ));
                None
            }
        },
    };
    let direction = clean(&p.direction);
    if let Some(d) = &direction
        && !crate::candidate::valid_isco(d)
    {
        errs.push(super::field_error(
            "direction",
            "Beroepsrichting: kies een ISCO-code van 4 cijfers.",
        ));
    }
    if errs.is_empty() {
        Ok(Filters {
            q,
            radius,
            hours,
            direction,
        })
    } else {
        Err(errs)
    }
}

fn hit(v: &Vacancy, j: matcher::Judgement) -> Hit {
    Hit {
        id: v.posting.id.clone(),
        title: v.posting.title.clone(),
        employer: v.posting.employer.clone(),
        place: v.place_name(),
        url: v.posting.url.clone(),
        verdict: j.verdict,
        verdict_label: j.verdict.dutch(),
        score: j.score,
        travel_minutes: j.travel_minutes,
        hours_per_week: v.analysis.hours_per_week,
        reasons: j.reasons,
    }
}

/// The (item, code) levels at which the index should leave vacancies out for this candidate.
pub fn exclusion_levels(cand: &Candidate) -> Vec<(String, u8)> {
    let mut out = vec![];
    for r in &cand.restrictions {
        match &r.value {
            RestrictionValue::Code(c) if *c > 0 => out.push((r.item.clone(), *c)),
            RestrictionValue::Flags(fs) => {
                out.extend(fs.iter().filter(|f| **f > 0).map(|f| (r.item.clone(), *f)))
            }
            _ => {}
        }
    }
    out
}

pub const SHOWN: usize = 25;

pub fn run(state: &AppState, cand: &Candidate, f: &Filters) -> anyhow::Result<Outcome> {
    let Some(index) = state.index() else {
        return Ok(Outcome {
            mode: "zoeken",
            hits: vec![],
            explanation: vec![
                "Er is nog geen vacature-index; voer eerst `passend ingest` of `passend crawl` uit."
                    .into(),
            ],
        });
    };
    let now = state.now();
    if f.q.is_none() && f.radius.is_none() && f.hours.is_none() && f.direction.is_none() {
        let (list, _) = matcher::shortlist(
            cand,
            &index,
            &state.res,
            &matcher::Options {
                top: SHOWN,
                include_excluded: false,
                now,
            },
        )?;
        let hits = list
            .results
            .into_iter()
            .filter(|e| e.verdict != Verdict::Exclude)
            .map(|e| Hit {
                id: e.vacancy.id,
                title: e.vacancy.title,
                employer: e.vacancy.employer,
                place: e.vacancy.place,
                url: e.vacancy.url,
                verdict: e.verdict,
                verdict_label: e.verdict.dutch(),
                score: e.score,
                travel_minutes: e.travel_minutes,
                hours_per_week: e.hours_per_week,
                reasons: e.reasons,
            })
            .collect();
        return Ok(Outcome {
            mode: "shortlist",
            hits,
            explanation: list.explanation,
        });
    }
    let found = index.search(&SearchQuery {
        text: f.q.clone(),
        isco_any: f.direction.iter().cloned().collect(),
        open_only: true,
        exclude: exclusion_levels(cand),
        limit: 200,
        ..Default::default()
    })?;
    let home = matcher::home_place(cand, &state.res);
    let mut hits = vec![];
    for (_, v) in found {
        if v.posting
            .valid_through
            .is_some_and(|d| d < now.date_naive())
        {
            continue;
        }
        let j = matcher::judge(cand, &v, &state.res, home.as_ref(), now);
        if j.verdict == Verdict::Exclude {
            continue;
        }
        if let (Some(r), Some(t)) = (f.radius, j.travel_minutes)
            && t > r
        {
            continue;
        }
        if let (Some(h), Some(vh)) = (f.hours, v.analysis.hours_per_week)
            && vh.min > h
        {
            continue;
        }
        hits.push(hit(&v, j));
        if hits.len() >= SHOWN {
            break;
        }
    }
    let mut explanation = vec![];
    if hits.is_empty() {
        explanation.push(
            "Geen passende vacatures gevonden met deze zoekopdracht; vacatures die niet passen bij de beperkingen worden nooit getoond."
                .into(),
        );
    }
    Ok(Outcome {
        mode: "zoeken",
        hits,
        explanation,
    })
}

/// The vacancy text as HTML with each evidence span in `<mark>`; everything else escaped.
pub fn highlight(text: &str, evidence: &[&str]) -> String {
    let mut ranges: Vec<(usize, usize)> = vec![];
    for e in evidence {
        let e = e.trim();
        if e.is_empty() {
            continue;
        }
        let mut from = 0;
        let mut n = 0;
        while let Some(pos) = text[from..].find(e) {
            let start = from + pos;
            ranges.push((start, start + e.len()));
            from = start + e.len();
            n += 1;
            if n >= 20 || from >= text.len() {
                break;
            }
        }
    }
    ranges.sort();
    let mut merged: Vec<(usize, usize)> = vec![];
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let mut out = String::with_capacity(text.len() + merged.len() * 13);
    let mut at = 0;
    for (s, e) in merged {
        out.push_str(&html_escape::encode_text(&text[at..s]));
        out.push_str("<mark>");
        out.push_str(&html_escape::encode_text(&text[s..e]));
        out.push_str("</mark>");
        at = e;
    }
    out.push_str(&html_escape::encode_text(&text[at..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_marks_and_escapes() {
        let h = highlight(
            "Je tilt <zware> dozen tot 25 kg & meer.",
            &["tot 25 kg", "dozen"],
        );
        assert_eq!(
            h,
            "Je tilt &lt;zware&gt; <mark>dozen</mark> <mark>tot 25 kg</mark> &amp; meer."
        );
        // overlapping spans merge
        let h = highlight(
            "nachtdiensten draaien",
            &["nachtdiensten", "diensten draaien"],
        );
        assert_eq!(h, "<mark>nachtdiensten draaien</mark>");
    }

    #[test]
    fn filters_are_checked_in_dutch() {
        let e = validate(&Params {
            radius: Some("veel".into()),
            hours: Some("99".into()),
            direction: Some("41".into()),
            ..Default::default()
        })
        .err()
        .unwrap();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["radius", "hours", "direction"]);
        let f = validate(&Params {
            hours: Some("24,5".into()),
            ..Default::default()
        })
        .ok()
        .unwrap();
        assert_eq!(f.hours, Some(24.5));
    }
}
