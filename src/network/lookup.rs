//! The two questions a coach asks of the network.
//!
//! For a candidate: which network employers have open vacancies that fit (the matcher's own
//! shortlist, so every verdict and reason is the matcher's), and which network employers in the
//! candidate's directions and within travel range have no open vacancy (open-application
//! targets, nearest first). For an employer: which candidates fit its open vacancies (reverse
//! match with [`matcher::judge`]). Reads the index and the store; writes nothing.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Employer;
use crate::geo::{haversine_km, travel_minutes};
use crate::index::VacancyIndex;
use crate::matcher::{self, DEFAULT_MAX_TRAVEL};
use crate::model::{
    Candidate, Place, Reason, ShortlistEntry, Status, Vacancy, VacancyRef, Verdict,
};
use crate::resources::Resources;
use crate::store::Store;

/// An employer as shown in a lookup.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmployerRef {
    pub id: i64,
    pub name: String,
    pub kvk: Option<String>,
    pub website: Option<String>,
    pub sectors: Vec<String>,
    pub placements: u32,
}

impl From<&Employer> for EmployerRef {
    fn from(e: &Employer) -> Self {
        EmployerRef {
            id: e.id,
            name: e.name.clone(),
            kvk: e.kvk.clone(),
            website: e.website.clone(),
            sectors: e.sectors.clone(),
            placements: e.placements,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmployerWithVacancies {
    pub employer: EmployerRef,
    /// The matcher's entries (pass or signal), best first.
    pub vacancies: Vec<ShortlistEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpenApplicationTarget {
    pub employer: EmployerRef,
    /// The candidate's direction labels the employer's sectors share a minor group with.
    pub directions: Vec<String>,
    /// The nearest of the employer's locations.
    pub place: Option<String>,
    /// `None` when the candidate's home or the employer's locations are unknown (navragen).
    pub travel_minutes: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateLookup {
    pub candidate: String,
    pub with_vacancies: Vec<EmployerWithVacancies>,
    pub open_application: Vec<OpenApplicationTarget>,
}

fn is_open(v: &Vacancy, now: DateTime<Utc>) -> bool {
    v.status == Status::Open
        && v.posting
            .valid_through
            .is_none_or(|d| d >= now.date_naive())
}

/// Where an employer's location is (postcode first, else place name).
fn locate(loc: &str, res: &Resources) -> Option<Place> {
    if let Some(pc) = crate::candidate::normalise_postcode(loc)
        && let Some(p) = res.gazetteer.postcode(&pc, Some("NL"))
    {
        return Some(p);
    }
    res.gazetteer.place(loc, None)
}

/// Employers with at least one open linked vacancy.
fn employers_with_open(
    store: &Store,
    index: &VacancyIndex,
    now: DateTime<Utc>,
) -> anyhow::Result<(HashMap<String, i64>, HashSet<i64>)> {
    let links = super::link::links(store)?;
    let mut open = HashSet::new();
    for (vid, eid) in &links {
        if !open.contains(eid)
            && let Some(v) = index.get(vid)?
            && is_open(&v, now)
        {
            open.insert(*eid);
        }
    }
    Ok((links, open))
}

/// Network employers for one candidate.
pub fn for_candidate(
    cand: &Candidate,
    index: &VacancyIndex,
    store: &Store,
    res: &Resources,
    now: DateTime<Utc>,
) -> anyhow::Result<CandidateLookup> {
    let emps = super::employers(store)?;
    let (links, open) = employers_with_open(store, index, now)?;
    let opts = matcher::Options {
        top: 10_000,
        include_excluded: false,
        now,
    };
    let (list, _) = matcher::shortlist(cand, index, res, &opts)?;
    let mut by_emp: HashMap<i64, Vec<ShortlistEntry>> = HashMap::new();
    for e in list.results {
        if e.verdict == Verdict::Exclude {
            continue;
        }
        if let Some(eid) = links.get(&e.vacancy.id) {
            by_emp.entry(*eid).or_default().push(e);
        }
    }
    let mut with_vacancies: Vec<EmployerWithVacancies> = emps
        .iter()
        .filter_map(|emp| {
            by_emp
                .remove(&emp.id)
                .map(|vacancies| EmployerWithVacancies {
                    employer: emp.into(),
                    vacancies,
                })
        })
        .collect();
    // best verdict first, then best score
    let key = |x: &EmployerWithVacancies| {
        let v = x.vacancies.iter().map(|e| e.verdict).min();
        let s = x.vacancies.iter().map(|e| e.score).fold(f64::MIN, f64::max);
        (v, s)
    };
    with_vacancies.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0)
            .then(kb.1.total_cmp(&ka.1))
            .then(a.employer.id.cmp(&b.employer.id))
    });

    let home = matcher::home_place(cand, res);
    let range = cand.home.max_travel_minutes.unwrap_or(DEFAULT_MAX_TRAVEL);
    let mut open_application = vec![];
    for emp in &emps {
        if open.contains(&emp.id) {
            continue;
        }
        let mut directions: Vec<String> = cand
            .directions
            .iter()
            .filter(|d| {
                emp.sectors
                    .iter()
                    .any(|s| s.get(..3).is_some() && s.get(..3) == d.isco.get(..3))
            })
            .map(|d| d.label.clone())
            .collect();
        directions.dedup();
        if directions.is_empty() {
            continue;
        }
        let nearest = home.as_ref().and_then(|h| {
            emp.locations
                .iter()
                .filter_map(|l| locate(l, res))
                .map(|p| {
                    let m = travel_minutes(haversine_km(h.lat, h.lon, p.lat, p.lon));
                    (m, p.name)
                })
                .min()
        });
        match nearest {
            Some((m, _)) if m > range => continue,
            _ => {}
        }
        open_application.push(OpenApplicationTarget {
            employer: emp.into(),
            directions,
            place: nearest.as_ref().map(|(_, n)| n.clone()),
            travel_minutes: nearest.map(|(m, _)| m),
        });
    }
    // nearest first; unknown travel last
    open_application.sort_by_key(|t| (t.travel_minutes.is_none(), t.travel_minutes, t.employer.id));
    Ok(CandidateLookup {
        candidate: cand.id.clone(),
        with_vacancies,
        open_application,
    })
}

/// One candidate who fits one open vacancy of the employer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateFit {
    pub candidate: String,
    pub name: Option<String>,
    pub vacancy: VacancyRef,
    pub verdict: Verdict,
    pub score: f64,
    pub reasons: Vec<Reason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub travel_minutes: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmployerLookup {
    pub employer: EmployerRef,
    pub open_vacancies: Vec<VacancyRef>,
    /// Pass first, then signal; best score first.
    pub fits: Vec<CandidateFit>,
    /// (candidate, vacancy) pairs in the candidate's directions that a restriction excludes.
    pub excluded: usize,
    /// Candidate files that could not be read (file: reason).
    pub skipped: Vec<String>,
}

fn vacancy_ref(v: &Vacancy) -> VacancyRef {
    VacancyRef {
        id: v.posting.id.clone(),
        url: v.posting.url.clone(),
        title: v.posting.title.clone(),
        employer: v.posting.employer.clone(),
        place: v.place_name(),
    }
}

/// The candidate TOML files in a folder, parsed; unreadable ones come back as "file: reason".
pub fn load_candidates(
    dir: &Path,
    res: &Resources,
) -> anyhow::Result<(Vec<Candidate>, Vec<String>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("kan map {} niet lezen: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = vec![];
    let mut skipped = vec![];
    for f in files {
        match crate::candidate::load(&f, &res.catalogue) {
            Ok(c) => out.push(c),
            Err(e) => skipped.push(format!("{e:#}")),
        }
    }
    Ok((out, skipped))
}

/// Candidates who fit the employer's open vacancies.
pub fn for_employer(
    emp: &Employer,
    cands: &[Candidate],
    index: &VacancyIndex,
    store: &Store,
    res: &Resources,
    now: DateTime<Utc>,
) -> anyhow::Result<EmployerLookup> {
    let mut vids: Vec<String> = super::link::links(store)?
        .into_iter()
        .filter(|(_, e)| *e == emp.id)
        .map(|(v, _)| v)
        .collect();
    vids.sort();
    let mut vacancies = vec![];
    for id in vids {
        if let Some(v) = index.get(&id)?
            && is_open(&v, now)
        {
            vacancies.push(v);
        }
    }
    let mut fits = vec![];
    let mut excluded = 0;
    for cand in cands {
        let home = matcher::home_place(cand, res);
        for v in &vacancies {
            let in_direction = v.analysis.occupations.iter().take(3).any(|o| {
                cand.directions
                    .iter()
                    .any(|d| o.isco.get(..3).is_some() && o.isco.get(..3) == d.isco.get(..3))
            });
            if !in_direction {
                continue;
            }
            let j = matcher::judge(cand, v, res, home.as_ref(), now);
            if j.verdict == Verdict::Exclude {
                excluded += 1;
                continue;
            }
            fits.push(CandidateFit {
                candidate: cand.id.clone(),
                name: cand.name.clone(),
                vacancy: vacancy_ref(v),
                verdict: j.verdict,
                score: j.score,
                reasons: j.reasons,
                travel_minutes: j.travel_minutes,
            });
        }
    }
    fits.sort_by(|a, b| {
        a.verdict
            .cmp(&b.verdict)
            .then(b.score.total_cmp(&a.score))
            .then(a.candidate.cmp(&b.candidate))
    });
    Ok(EmployerLookup {
        employer: emp.into(),
        open_vacancies: vacancies.iter().map(vacancy_ref).collect(),
        fits,
        excluded,
        skipped: vec![],
    })
}
