//! The matcher: restriction-safe, explained verdicts and ranked shortlists of passend werk.
//!
//! A [`Candidate`] and analysed [`Vacancy`]s come in (from the index); a [`Shortlist`] goes out.
//! Per FML item the pattern of UWV's CBBS: a demand the candidate's restriction rules out is
//! `exclude`, one right at the limit (or on an item the FML does not mention) is `signal` with
//! the physician's free text beside it, anything else passes. Hours and travel are judged the
//! same way. The score only ranks what is allowed; it never overrides a verdict. The matcher
//! never reads HTML and never does I/O except through [`VacancyIndex`].

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::fml::{Catalogue, ItemKind};
use crate::geo::{haversine_km, travel_minutes};
use crate::index::{SearchQuery, VacancyIndex};
use crate::model::*;
use crate::resources::Resources;

/// Default one-way travel limit when a profile gives none (research notes: ~1.5 h a way is the
/// outer bound of what is reasonable in practice; 60 min is the usual search radius).
pub const DEFAULT_MAX_TRAVEL: u32 = 60;
/// At most this many vacancies of one employer in a shortlist.
pub const MAX_PER_EMPLOYER: usize = 3;

#[derive(Debug, Clone)]
pub struct Options {
    pub top: usize,
    pub include_excluded: bool,
    pub now: DateTime<Utc>,
}

/// The judgement of one vacancy for one candidate.
#[derive(Debug, Clone)]
pub struct Judgement {
    pub verdict: Verdict,
    pub reasons: Vec<Reason>,
    pub score: f64,
    pub travel_minutes: Option<u32>,
    /// Causes of exclusion ("lifting", "hours", "travel").
    pub causes: Vec<String>,
    pub direction_fit: f64,
}

fn reason(kind: &str, item: Option<&str>, effect: Effect, text: String) -> Reason {
    Reason {
        kind: kind.into(),
        item: item.map(str::to_string),
        effect,
        text,
        evidence: None,
        note: None,
    }
}

/// Compare one demand with the candidate's restriction on its item.
pub fn judge_demand(d: &Demand, cand: &Candidate, cat: &Catalogue) -> (Verdict, String) {
    let Some(item) = cat.get(&d.item) else {
        return (Verdict::Signal, format!("onbekend FML-item {}", d.item));
    };
    let label = item.label.to_lowercase();
    let Some(r) = cand.restriction(&d.item) else {
        return (
            Verdict::Signal,
            format!(
                "{}: gevraagd in de vacature, niet beoordeeld in de FML — onbekend, navragen",
                item.label
            ),
        );
    };
    match (&d.threshold, &r.value, item.kind) {
        (
            Threshold::From { exclude_from },
            RestrictionValue::Code(c),
            ItemKind::Ordinal | ItemKind::Enum,
        ) => {
            let c = *c;
            let code_label = item.code_label(c);
            if c > 0 && c >= *exclude_from {
                (
                    Verdict::Exclude,
                    format!("{label}: de vacature vraagt meer dan de FML toestaat ({code_label})"),
                )
            } else if item.kind == ItemKind::Ordinal && c + 1 == *exclude_from {
                let limit = item
                    .code_reference(c)
                    .map(|r| format!(", {r}"))
                    .unwrap_or_default();
                if c == 0 {
                    (
                        Verdict::Signal,
                        format!(
                            "{label}: de vacature vraagt op of boven de referentiewaarde{limit}; navragen"
                        ),
                    )
                } else {
                    (
                        Verdict::Signal,
                        format!(
                            "{label}: de vacature vraagt precies wat de FML nog toestaat ({code_label}{limit}); motiveren"
                        ),
                    )
                }
            } else {
                (
                    Verdict::Pass,
                    format!("{label}: binnen de mogelijkheden ({code_label})"),
                )
            }
        }
        (Threshold::Flags { exclude_flags }, RestrictionValue::Flags(flags), ItemKind::Flags) => {
            let hit: Vec<u8> = flags
                .iter()
                .copied()
                .filter(|f| exclude_flags.contains(f))
                .collect();
            if hit.is_empty() {
                (Verdict::Pass, format!("{label}: geen conflict met de FML"))
            } else {
                let names: Vec<&str> = hit.iter().map(|f| item.code_label(*f)).collect();
                (
                    Verdict::Exclude,
                    format!("{label}: conflict met de FML ({})", names.join("; ")),
                )
            }
        }
        _ => (
            Verdict::Signal,
            format!(
                "{}: FML en vacature zijn niet te vergelijken; navragen",
                item.label
            ),
        ),
    }
}

/// The candidate's home as a place, if it can be found.
pub fn home_place(cand: &Candidate, res: &Resources) -> Option<Place> {
    if let Some(pc) = &cand.home.postcode
        && let Some(p) = res.gazetteer.postcode(pc, Some("NL"))
    {
        return Some(p);
    }
    cand.home
        .place
        .as_deref()
        .and_then(|p| res.gazetteer.place(p, None))
}

/// Hours a candidate can work at most, from the profile and from FML item hours_per_week.
pub fn max_hours(cand: &Candidate) -> Option<f64> {
    let fml = cand
        .restriction("hours_per_week")
        .and_then(|r| match r.value {
            RestrictionValue::Code(c) => match c {
                0 => None,
                1 => Some(40.0),
                2 => Some(30.0),
                3 => Some(20.0),
                _ => Some(10.0),
            },
            _ => None,
        });
    match (cand.hours.map(|h| h.max), fml) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn education_rank(level: &str) -> u8 {
    match level {
        "vmbo" => 0,
        "mbo-1" => 1,
        "mbo-2" => 2,
        "mbo-3" | "havo" => 3,
        "mbo-4" | "vwo" => 4,
        "hbo" => 5,
        "wo" => 6,
        _ => 3,
    }
}

/// How well the vacancy's occupations fit the candidate's directions: 1.0 same unit group,
/// 0.7 same minor group, 0.3 same sub-major group; weighted by the occupation's confidence.
pub fn direction_fit(
    cand: &Candidate,
    v: &Vacancy,
) -> (f64, Option<(String, String, &'static str)>) {
    let mut best = (0.0, None);
    for (rank, o) in v.analysis.occupations.iter().take(3).enumerate() {
        let conf = (o.score.clamp(0.3, 1.0)) * if rank == 0 { 1.0 } else { 0.8 };
        for d in &cand.directions {
            let (fit, how) = if o.isco == d.isco {
                (1.0, "zelfde beroepsgroep")
            } else if o.isco.get(..3) == d.isco.get(..3) {
                (0.7, "verwante beroepsgroep")
            } else if o.isco.get(..2) == d.isco.get(..2) {
                (0.3, "zelfde beroepsklasse")
            } else {
                continue;
            };
            let s = fit * conf;
            if s > best.0 {
                best = (s, Some((d.label.clone(), d.isco.clone(), how)));
            }
        }
    }
    best
}

/// Judge one vacancy for one candidate: verdict, reasons, ranking score.
pub fn judge(
    cand: &Candidate,
    v: &Vacancy,
    res: &Resources,
    home: Option<&Place>,
    now: DateTime<Utc>,
) -> Judgement {
    judge_weighted(cand, v, res, home, now, &HashMap::new())
}

/// Inverse document frequency of each candidate skill over a pool of vacancy texts: a skill
/// every vacancy mentions ("communicatief") says less than a rare one ("reachtruck").
pub fn skill_weights(cand: &Candidate, pool: &[Vacancy]) -> HashMap<String, f64> {
    let n = pool.len() as f64;
    let texts: Vec<String> = pool
        .iter()
        .map(|v| v.analysis.text.to_lowercase())
        .collect();
    cand.skills
        .iter()
        .map(|s| {
            let s_l = s.to_lowercase();
            let df = texts.iter().filter(|t| t.contains(&s_l)).count() as f64;
            (s_l, ((n + 1.0) / (df + 1.0)).ln() + 1.0)
        })
        .collect()
}

/// [`judge`] with IDF weights for the candidate's skills (lower-cased skill → weight).
pub fn judge_weighted(
    cand: &Candidate,
    v: &Vacancy,
    res: &Resources,
    home: Option<&Place>,
    now: DateTime<Utc>,
    weights: &HashMap<String, f64>,
) -> Judgement {
    let cat = &res.catalogue;
    let mut reasons = vec![];
    let mut verdict = Verdict::Pass;
    let mut causes = vec![];
    let mut signal_weight: f64 = 0.0;

    // direction
    let (fit, dir) = direction_fit(cand, v);
    match &dir {
        Some((label, isco, how)) => reasons.push(reason(
            "direction",
            None,
            Effect::Plus,
            format!("past bij beroepsrichting {label} ({isco}, {how})"),
        )),
        None => reasons.push(reason(
            "direction",
            None,
            Effect::Minus,
            "buiten de gekozen beroepsrichtingen".into(),
        )),
    }

    // FML demands
    for d in &v.analysis.demands {
        let (vd, text) = judge_demand(d, cand, cat);
        let effect = match vd {
            Verdict::Pass => Effect::Pass,
            Verdict::Signal => Effect::Signal,
            Verdict::Exclude => Effect::Exclude,
        };
        if vd == Verdict::Exclude {
            causes.push(d.item.clone());
        }
        if vd == Verdict::Signal {
            signal_weight += if cand.restriction(&d.item).is_some() {
                0.08
            } else {
                0.02
            };
        }
        verdict = verdict.max(vd);
        let mut r = reason("restriction", Some(&d.item), effect, text);
        r.evidence = Some(d.evidence.clone());
        if vd != Verdict::Pass {
            r.note = cand.restriction(&d.item).and_then(|x| x.note.clone());
        }
        reasons.push(r);
    }

    // hours
    let cmax = max_hours(cand);
    let cmin = cand.hours.map(|h| h.min);
    match (v.analysis.hours_per_week, cmax) {
        (Some(h), Some(max)) if h.min > max + 0.5 => {
            verdict = Verdict::Exclude;
            causes.push("hours".into());
            reasons.push(reason(
                "hours",
                None,
                Effect::Exclude,
                format!(
                    "vraagt minstens {} uur per week; de kandidaat kan hoogstens {} uur",
                    h.min, max
                ),
            ));
        }
        (Some(h), Some(max)) if h.max > max + 0.5 => {
            verdict = verdict.max(Verdict::Signal);
            signal_weight += 0.05;
            reasons.push(reason("hours", None, Effect::Signal, format!("{}–{} uur per week; de kandidaat kan hoogstens {} uur: afspraken over uren navragen", h.min, h.max, max)));
        }
        (Some(h), _) if cmin.is_some_and(|m| h.max + 0.5 < m) => {
            reasons.push(reason(
                "hours",
                None,
                Effect::Minus,
                format!(
                    "{}–{} uur per week, minder dan de gewenste {} uur",
                    h.min,
                    h.max,
                    cmin.unwrap_or(0.0)
                ),
            ));
        }
        (Some(h), _) => reasons.push(reason(
            "hours",
            None,
            Effect::Pass,
            format!("{}–{} uur per week past", h.min, h.max),
        )),
        (None, Some(max)) if max < 32.0 => {
            verdict = verdict.max(Verdict::Signal);
            signal_weight += 0.03;
            reasons.push(reason(
                "hours",
                None,
                Effect::Signal,
                format!("uren niet vermeld; de kandidaat kan hoogstens {max} uur: navragen"),
            ));
        }
        (None, _) => {}
    }

    // travel
    let limit = cand.home.max_travel_minutes.unwrap_or(DEFAULT_MAX_TRAVEL);
    let mut minutes = None;
    match (home, &v.analysis.place) {
        (_, Some(p)) if p.remote => reasons.push(reason(
            "travel",
            None,
            Effect::Pass,
            format!("thuiswerken mogelijk ({})", p.name),
        )),
        (Some(h), Some(p)) => {
            let m = travel_minutes(haversine_km(h.lat, h.lon, p.lat, p.lon));
            minutes = Some(m);
            if m > limit {
                verdict = Verdict::Exclude;
                causes.push("travel".into());
                reasons.push(reason("travel", None, Effect::Exclude, format!("reistijd naar {} ongeveer {m} min, meer dan de {limit} min die de kandidaat kan reizen", p.name)));
            } else {
                reasons.push(reason(
                    "travel",
                    None,
                    Effect::Pass,
                    format!(
                        "reistijd naar {} ongeveer {m} min (grens {limit} min)",
                        p.name
                    ),
                ));
            }
        }
        (None, Some(p)) => {
            verdict = verdict.max(Verdict::Signal);
            signal_weight += 0.03;
            reasons.push(reason(
                "travel",
                None,
                Effect::Signal,
                format!(
                    "woonplaats van de kandidaat onbekend; werkplek {}: reistijd navragen",
                    p.name
                ),
            ));
        }
        (_, None) => {
            verdict = verdict.max(Verdict::Signal);
            signal_weight += 0.05;
            let raw = v
                .posting
                .locality
                .clone()
                .unwrap_or_else(|| "niet vermeld".into());
            reasons.push(reason(
                "travel",
                None,
                Effect::Signal,
                format!("werkplek onbekend ({raw}): reistijd navragen"),
            ));
        }
    }

    // skills, IDF-weighted over the pool the shortlist is drawn from
    let text = v.analysis.text.to_lowercase();
    let mut matched = vec![];
    let (mut got, mut total) = (0.0, 0.0);
    for s in &cand.skills {
        let s_l = s.to_lowercase();
        let w = weights.get(&s_l).copied().unwrap_or(1.0);
        total += w;
        if s_l.chars().count() >= 3 && text.contains(&s_l) {
            matched.push(s.clone());
            got += w;
        }
    }
    let skills = if total > 0.0 { got / total } else { 0.0 };
    if !matched.is_empty() {
        reasons.push(reason(
            "skills",
            None,
            Effect::Plus,
            format!(
                "vraagt vaardigheden die de kandidaat heeft: {}",
                matched.join(", ")
            ),
        ));
    }

    // education
    let mut edu = 0.5;
    if let (Some(need), Some(has)) = (&v.analysis.education, &cand.education) {
        let (n, h) = (education_rank(need), education_rank(has));
        if h >= n {
            edu = 1.0;
            reasons.push(reason(
                "education",
                None,
                Effect::Plus,
                format!("opleidingsniveau past ({need} gevraagd)"),
            ));
        } else {
            edu = if n - h == 1 { 0.4 } else { 0.0 };
            reasons.push(reason(
                "education",
                None,
                Effect::Minus,
                format!("vraagt {need}; de kandidaat heeft {has}"),
            ));
        }
    }

    // freshness
    let age_days = v
        .posting
        .date_posted
        .map(|d| (now.date_naive() - d).num_days().max(0))
        .unwrap_or(30);
    let fresh = (1.0 - age_days as f64 / 90.0).clamp(0.0, 1.0);
    if age_days <= 7 {
        reasons.push(reason(
            "freshness",
            None,
            Effect::Plus,
            format!("nieuw: {age_days} dagen geleden geplaatst"),
        ));
    } else if age_days > 60 {
        reasons.push(reason(
            "freshness",
            None,
            Effect::Minus,
            format!("al {age_days} dagen online"),
        ));
    }

    let travel_score = minutes
        .map(|m| 1.0 - (m as f64 / limit.max(1) as f64).min(1.0))
        .unwrap_or(0.3);
    let score = 0.55 * fit + 0.15 * skills + 0.05 * edu + 0.15 * travel_score + 0.10 * fresh
        - signal_weight.min(0.3);
    Judgement {
        verdict,
        reasons,
        score: (score.max(0.0) * 1000.0).round() / 1000.0,
        travel_minutes: minutes,
        causes,
        direction_fit: fit,
    }
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

/// Rank the open vacancies in the index for one candidate.
pub fn shortlist(
    cand: &Candidate,
    index: &VacancyIndex,
    res: &Resources,
    opts: &Options,
) -> anyhow::Result<(Shortlist, Vec<Vacancy>)> {
    shortlist_with_network(cand, index, res, opts, &|_| false)
}

/// Every (item, code) at which this candidate is restricted: the `excl` terms of the index that
/// rule a vacancy out for them.
pub fn exclusion_levels(cand: &Candidate) -> Vec<(String, u8)> {
    let mut out = vec![];
    for r in &cand.restrictions {
        match &r.value {
            RestrictionValue::Code(c) if *c > 0 => out.push((r.item.clone(), *c)),
            RestrictionValue::Flags(f) => out.extend(f.iter().map(|x| (r.item.clone(), *x))),
            _ => {}
        }
    }
    out.sort();
    out
}

/// Score bonus for a vacancy at one of the bureau's own network employers.
pub const NETWORK_BONUS: f64 = 0.05;

/// [`shortlist`], with a bonus (shown as a `network` reason) for vacancies whose employer
/// `is_network` recognises. The employer network lives in the store; the caller looks it up,
/// so the matcher stays free of I/O.
pub fn shortlist_with_network(
    cand: &Candidate,
    index: &VacancyIndex,
    res: &Resources,
    opts: &Options,
    is_network: &dyn Fn(&str) -> bool,
) -> anyhow::Result<(Shortlist, Vec<Vacancy>)> {
    let home = home_place(cand, res);
    let mut explanation = vec![];
    let mut ex = Exclusions::default();
    if cand.directions.is_empty() {
        explanation.push("Er zijn geen beroepsrichtingen vastgelegd; zonder richting kan passend geen passend werk zoeken. Leg in de loopbaanoriëntatie minstens één richting vast.".into());
    }
    if home.is_none() {
        explanation.push("De woonplaats of postcode van de kandidaat is onbekend; reistijden kunnen niet worden berekend en worden als 'navragen' getoond.".into());
    }
    let mut prefixes: Vec<String> = cand
        .directions
        .iter()
        .filter_map(|d| d.isco.get(..3).map(str::to_string))
        .collect();
    prefixes.sort();
    prefixes.dedup();
    let mut pool = vec![];
    if !prefixes.is_empty() {
        ex.considered = index.search_count(&SearchQuery {
            open_only: true,
            ..Default::default()
        })?;
        ex.closed = index
            .search_count(&SearchQuery::default())?
            .saturating_sub(ex.considered);
        // The candidate's FML exclusions filter inside the index, so only vacancies that can
        // still be shown are read and judged (unless the excluded ones are asked for too).
        let levels = exclusion_levels(cand);
        let in_directions = index.search_count(&SearchQuery {
            isco_any: prefixes.clone(),
            open_only: true,
            ..Default::default()
        })?;
        ex.outside_directions = ex.considered.saturating_sub(in_directions);
        let mut items: Vec<&str> = levels.iter().map(|(i, _)| i.as_str()).collect();
        items.dedup();
        for item in items {
            let n = index.search_count(&SearchQuery {
                isco_any: prefixes.clone(),
                open_only: true,
                require_any: levels.iter().filter(|(i, _)| i == item).cloned().collect(),
                ..Default::default()
            })?;
            if n > 0 {
                ex.by_cause.insert(item.to_string(), n);
            }
        }
        let hits = index.search(&SearchQuery {
            isco_any: prefixes,
            open_only: true,
            exclude: if opts.include_excluded {
                vec![]
            } else {
                levels
            },
            limit: 50_000,
            ..Default::default()
        })?;
        pool = hits.into_iter().map(|(_, v)| v).collect();
    }
    let weights = skill_weights(cand, &pool);
    let mut judged: Vec<(Judgement, Vacancy)> = vec![];
    for v in pool {
        if v.status != Status::Open
            || v.posting
                .valid_through
                .is_some_and(|d| d < opts.now.date_naive())
        {
            continue;
        }
        let mut j = judge_weighted(cand, &v, res, home.as_ref(), opts.now, &weights);
        if let Some(e) = v.posting.employer.as_deref().filter(|e| is_network(e)) {
            j.score = ((j.score + NETWORK_BONUS) * 1000.0).round() / 1000.0;
            j.reasons.push(reason(
                "network",
                None,
                Effect::Plus,
                format!("{e} hoort bij het werkgeversnetwerk van het bureau"),
            ));
        }
        if j.direction_fit < 0.5 {
            ex.outside_directions += 1;
            continue;
        }
        if j.verdict == Verdict::Exclude {
            // FML causes were counted in the index above; hours and travel are counted here
            for c in j.causes.iter().filter(|c| *c == "hours" || *c == "travel") {
                *ex.by_cause.entry(c.clone()).or_insert(0) += 1;
            }
        }
        judged.push((j, v));
    }
    judged.sort_by(|a, b| {
        (a.0.verdict == Verdict::Exclude)
            .cmp(&(b.0.verdict == Verdict::Exclude))
            .then(b.0.score.total_cmp(&a.0.score))
            .then(a.1.posting.id.cmp(&b.1.posting.id))
    });
    // one vacancy per duplicate cluster: the canonical (first published) one when it is allowed,
    // else the best of the others
    let canonical_ok: HashSet<String> = judged
        .iter()
        .filter(|(j, v)| j.verdict != Verdict::Exclude && v.cluster == v.posting.id)
        .map(|(_, v)| v.cluster.clone())
        .collect();
    let mut seen_clusters: HashSet<String> = HashSet::new();
    let mut per_employer: HashMap<String, usize> = HashMap::new();
    let mut allowed: Vec<(Judgement, Vacancy)> = vec![];
    let mut overflow: Vec<(Judgement, Vacancy)> = vec![];
    let mut excluded: Vec<(Judgement, Vacancy)> = vec![];
    for (j, v) in judged {
        if j.verdict == Verdict::Exclude {
            if opts.include_excluded && excluded.len() < opts.top * 3 {
                excluded.push((j, v));
            }
            continue;
        }
        if v.cluster != v.posting.id && canonical_ok.contains(&v.cluster) {
            continue;
        }
        if !seen_clusters.insert(v.cluster.clone()) {
            continue;
        }
        // at most a few per employer while others are available; the rest fill up the end
        let emp = v
            .posting
            .employer
            .as_deref()
            .map(crate::index::employer_key)
            .unwrap_or_default();
        if !emp.is_empty() {
            let n = per_employer.entry(emp).or_insert(0);
            *n += 1;
            if *n > MAX_PER_EMPLOYER {
                overflow.push((j, v));
                continue;
            }
        }
        allowed.push((j, v));
    }
    allowed.extend(overflow);
    allowed.truncate(opts.top);
    let shown = allowed.len();
    let mut results = vec![];
    let mut snapshots = vec![];
    for (j, v) in allowed.into_iter().chain(excluded) {
        results.push(ShortlistEntry {
            vacancy: vacancy_ref(&v),
            score: j.score,
            verdict: j.verdict,
            reasons: j.reasons,
            travel_minutes: j.travel_minutes,
            hours_per_week: v.analysis.hours_per_week,
        });
        snapshots.push(v);
    }
    if shown == 0 && !cand.directions.is_empty() {
        let in_dir: usize = ex.considered.saturating_sub(ex.outside_directions);
        explanation.push(format!(
            "Geen passende vacatures gevonden: {} open vacatures bekeken, {} binnen de beroepsrichtingen.",
            ex.considered, in_dir
        ));
        for (cause, n) in &ex.by_cause {
            let what = match cause.as_str() {
                "hours" => "de uren".to_string(),
                "travel" => "de reistijd".to_string(),
                item => res
                    .catalogue
                    .get(item)
                    .map(|i| format!("FML {} ({})", i.label.to_lowercase(), i.id))
                    .unwrap_or_else(|| item.to_string()),
            };
            explanation.push(format!("{n} vacature(s) vielen af op {what}."));
        }
    }
    let list = Shortlist {
        candidate: cand.id.clone(),
        generated_at: opts.now,
        fml_version: res.catalogue.version.clone(),
        results,
        explanation,
        exclusions: ex,
        mode: "restrictions".into(),
    };
    Ok((list, snapshots))
}

/// The baseline: plain keyword search of the directions and skills, no restriction logic.
pub fn baseline(
    cand: &Candidate,
    index: &VacancyIndex,
    res: &Resources,
    opts: &Options,
) -> anyhow::Result<(Shortlist, Vec<Vacancy>)> {
    let mut words: Vec<String> = cand.directions.iter().map(|d| d.label.clone()).collect();
    words.extend(cand.skills.iter().cloned());
    let text: String = words
        .join(" ")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let hits = index.search(&SearchQuery {
        text: Some(text),
        open_only: true,
        limit: opts.top,
        ..Default::default()
    })?;
    let max = hits.first().map(|h| h.0).unwrap_or(1.0).max(1e-6);
    let mut results = vec![];
    let mut snaps = vec![];
    for (s, v) in hits {
        results.push(ShortlistEntry {
            vacancy: vacancy_ref(&v),
            score: ((s / max) as f64 * 1000.0).round() / 1000.0,
            verdict: Verdict::Pass,
            reasons: vec![reason(
                "keyword",
                None,
                Effect::Plus,
                "zoekwoorden uit richtingen en vaardigheden komen voor in de tekst".into(),
            )],
            travel_minutes: None,
            hours_per_week: v.analysis.hours_per_week,
        });
        snaps.push(v);
    }
    let _ = res;
    Ok((
        Shortlist {
            candidate: cand.id.clone(),
            generated_at: opts.now,
            fml_version: res.catalogue.version.clone(),
            results,
            explanation: vec![],
            exclusions: Exclusions::default(),
            mode: "baseline".into(),
        },
        snaps,
    ))
}

/// Counts per verdict, for reports.
pub fn tally(list: &Shortlist) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for e in &list.results {
        *m.entry(e.verdict.dutch()).or_insert(0) += 1;
    }
    m
}
