//! The evidence export per candidate and period: the recorded actions (proposals, applications,
//! interviews, outcomes with their motivations) and the shortlists the engine generated, as CSV
//! and as the data for a printable spoor-2 progress report. Rows from the store come in; text
//! goes out. Restrictions are not part of the export (the report is about activity).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::db::{Action, SentShortlist};
use super::{FieldError, field_error};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Period {
    #[serde(default)]
    pub van: Option<String>,
    #[serde(default)]
    pub tot: Option<String>,
}

pub fn validate_period(
    p: &Period,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>), Vec<FieldError>> {
    let mut errs = vec![];
    let mut parse = |key: &str, v: &Option<String>| match v.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errs.push(field_error(key, "Geef een datum als JJJJ-MM-DD."));
                None
            }
        },
    };
    let from = parse("van", &p.van);
    let to = parse("tot", &p.tot);
    if let (Some(a), Some(b)) = (from, to)
        && a > b
    {
        errs.push(field_error("tot", "De einddatum ligt voor de begindatum."));
    }
    if errs.is_empty() {
        Ok((from, to))
    } else {
        Err(errs)
    }
}

/// The CSV: one row per action, then one per generated shortlist.
pub fn csv(candidate: &str, actions: &[Action], lists: &[SentShortlist]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record([
        "kandidaat",
        "datum",
        "soort",
        "werkgever",
        "functie",
        "link",
        "kanaal",
        "contactpersoon",
        "resultaat_of_reden",
        "motivatie",
        "oordeel_passend",
        "vacature_id",
        "coach",
    ])?;
    for a in actions {
        w.write_record([
            candidate,
            &a.date,
            super::form::action_label(&a.kind),
            a.employer.as_deref().unwrap_or(""),
            &a.title,
            a.url.as_deref().unwrap_or(""),
            a.channel.as_deref().unwrap_or(""),
            a.contact.as_deref().unwrap_or(""),
            a.reason.as_deref().unwrap_or(""),
            a.motivation.as_deref().unwrap_or(""),
            verdict_dutch(&a.verdict),
            &a.vacancy_id,
            &a.coach,
        ])?;
    }
    for s in lists {
        w.write_record([
            candidate,
            s.generated_at.get(..10).unwrap_or(&s.generated_at),
            "Shortlist gemaakt",
            "",
            &format!("{} vacatures ({})", s.results, s.mode),
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            &format!("FML-catalogus {}", s.fml_version),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

pub fn verdict_dutch(v: &str) -> &'static str {
    match v {
        "pass" => "past",
        "signal" => "navragen",
        "exclude" => "past niet",
        _ => "",
    }
}

/// Counts for the report's summary.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub voorgesteld: usize,
    pub gesolliciteerd: usize,
    pub gesprek: usize,
    pub afgewezen: usize,
    pub geplaatst: usize,
    pub shortlists: usize,
}

pub fn summary(actions: &[Action], lists: &[SentShortlist]) -> Summary {
    let n = |k: &str| actions.iter().filter(|a| a.kind == k).count();
    Summary {
        voorgesteld: n("voorgesteld"),
        gesolliciteerd: n("gesolliciteerd"),
        gesprek: n("gesprek"),
        afgewezen: n("afgewezen"),
        geplaatst: n("geplaatst") + n("detachering"),
        shortlists: lists.len(),
    }
}
