//! Shortlists for people: the Dutch text a coach reads in the terminal (and the demo prints).
//!
//! A [`Shortlist`] comes in, text goes out. No decisions are made here.

use std::fmt::Write;

use crate::model::{Candidate, Effect, Shortlist, Verdict};

fn badge(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "[PAST]",
        Verdict::Signal => "[NAVRAGEN]",
        Verdict::Exclude => "[PAST NIET]",
    }
}

fn mark(e: Effect) -> &'static str {
    match e {
        Effect::Plus => "+",
        Effect::Minus => "-",
        Effect::Pass => "✓",
        Effect::Signal => "!",
        Effect::Exclude => "✗",
    }
}

pub fn shortlist_text(list: &Shortlist, cand: Option<&Candidate>) -> String {
    let mut out = String::new();
    let who = cand
        .and_then(|c| c.name.clone())
        .unwrap_or_else(|| list.candidate.clone());
    let _ = writeln!(
        out,
        "Shortlist passend werk voor {who} ({})",
        list.candidate
    );
    if let Some(c) = cand {
        let dirs: Vec<String> = c
            .directions
            .iter()
            .map(|d| format!("{} ({})", d.label, d.isco))
            .collect();
        if !dirs.is_empty() {
            let _ = writeln!(out, "Beroepsrichtingen: {}", dirs.join(", "));
        }
    }
    let _ = writeln!(
        out,
        "Gemaakt op {} · FML-catalogus {} · {} open vacatures bekeken{}",
        list.generated_at.format("%d-%m-%Y %H:%M"),
        list.fml_version,
        list.exclusions.considered,
        if list.mode == "baseline" {
            " · BASISLIJN zonder beperkingen"
        } else {
            ""
        }
    );
    for line in &list.explanation {
        let _ = writeln!(out, "  ⓘ {line}");
    }
    if list.results.is_empty() {
        let _ = writeln!(out, "  (geen vacatures op deze lijst)");
    }
    for (i, e) in list.results.iter().enumerate() {
        let v = &e.vacancy;
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:>2}. {} {} — {}{}  (score {:.2})",
            i + 1,
            badge(e.verdict),
            v.title,
            v.employer.as_deref().unwrap_or("werkgever onbekend"),
            v.place
                .as_deref()
                .map(|p| format!(", {p}"))
                .unwrap_or_default(),
            e.score
        );
        if let Some(u) = &v.url {
            let _ = writeln!(out, "    {u}");
        }
        for r in &e.reasons {
            // passes on FML items are many; show them compactly, signals and exclusions fully
            if r.kind == "restriction" && r.effect == Effect::Pass {
                continue;
            }
            let _ = write!(out, "    {} {}", mark(r.effect), r.text);
            if let Some(ev) = &r.evidence {
                let _ = write!(out, " — «{ev}»");
            }
            let _ = writeln!(out);
            if let Some(n) = &r.note {
                let _ = writeln!(out, "      toelichting arts: {n}");
            }
        }
        let passes: Vec<&str> = e
            .reasons
            .iter()
            .filter(|r| r.kind == "restriction" && r.effect == Effect::Pass)
            .filter_map(|r| r.item.as_deref())
            .collect();
        if !passes.is_empty() {
            let _ = writeln!(out, "    ✓ binnen de FML: {}", passes.join(", "));
        }
    }
    out
}
