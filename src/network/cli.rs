//! `passend network …`: the command-line face of the employer network. Parses arguments,
//! opens the store and index in the data folder, calls [`super`] and prints Dutch text or JSON.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use clap::Subcommand;

use crate::index::VacancyIndex;
use crate::resources::Resources;
use crate::store::Store;

#[derive(Subcommand, Debug)]
pub enum NetworkCmd {
    /// Import network employers from a CSV or TOML file (upsert by KvK number or name)
    Import {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// List the network employers
    List {
        #[arg(long)]
        json: bool,
    },
    /// Link the indexed vacancies to network employers; report links to confirm
    Link {
        #[arg(long)]
        json: bool,
    },
    /// Confirm that a vacancy belongs to a network employer (name or KvK number), or to none
    Confirm {
        vacancy: String,
        #[arg(required_unless_present = "none")]
        employer: Option<String>,
        /// The vacancy belongs to none of the network employers
        #[arg(long, conflicts_with = "employer")]
        none: bool,
    },
    /// Network employers for a candidate: open fitting vacancies and open-application targets
    ForCandidate {
        #[arg(long)]
        candidate: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Candidates (TOML files in a folder) who fit an employer's open vacancies
    ForEmployer {
        /// Employer name or KvK number
        employer: String,
        #[arg(long)]
        candidates: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Log a contact or open application with an employer for a candidate
    Contact {
        employer: String,
        #[arg(long)]
        candidate: String,
        /// contact or open-application
        #[arg(long, default_value = "contact")]
        kind: String,
        #[arg(long)]
        note: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The contact history of an employer
    History {
        employer: String,
        #[arg(long)]
        json: bool,
    },
}

/// Run one `network` command against the data folder.
pub fn run(
    cmd: NetworkCmd,
    data: &Path,
    res: &Resources,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let store = Store::open(&data.join("passend.db"))?;
    let index = || VacancyIndex::open_existing(&data.join("index"));
    match cmd {
        NetworkCmd::Import { file, json } => {
            let r = super::import::import_file(&store, res, &file, now)?;
            if json {
                println!("{}", serde_json::to_string(&r)?);
            } else {
                for x in &r.rejected {
                    eprintln!("{}:{}: afgewezen: {}", r.file, x.line, x.reason);
                }
                println!(
                    "netwerk import {}: toegevoegd {}, bijgewerkt {}, ongewijzigd {}, afgewezen {}",
                    r.file,
                    r.added,
                    r.updated,
                    r.unchanged,
                    r.rejected.len()
                );
            }
        }
        NetworkCmd::List { json } => {
            let all = super::employers(&store)?;
            if json {
                println!("{}", serde_json::to_string(&all)?);
            } else {
                for e in &all {
                    println!(
                        "{} (KvK {}) sectoren {} · locaties {} · plaatsingen {}",
                        e.name,
                        e.kvk.as_deref().unwrap_or("-"),
                        e.sectors.join(", "),
                        e.locations.join(", "),
                        e.placements
                    );
                }
            }
        }
        NetworkCmd::Link { json } => {
            let r = super::link::link_all(&store, &index()?, now)?;
            if json {
                println!("{}", serde_json::to_string(&r)?);
            } else {
                println!(
                    "netwerk koppelen: {} vacatures, {} gekoppeld, {} eerder bevestigd, {} te bevestigen, {} zonder netwerkwerkgever",
                    r.vacancies,
                    r.linked,
                    r.confirmed,
                    r.pending.len(),
                    r.unlinked
                );
                for p in &r.pending {
                    println!(
                        "  bevestigen: {} «{}» ({}) — mogelijk: {}",
                        p.vacancy_id,
                        p.title,
                        p.posted_employer.as_deref().unwrap_or("werkgever onbekend"),
                        p.options
                            .iter()
                            .map(|o| format!("{} ({} {:.2})", o.employer, o.method, o.score))
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
            }
        }
        NetworkCmd::Confirm {
            vacancy,
            employer,
            none,
        } => {
            if index()?.get(&vacancy)?.is_none() {
                anyhow::bail!("vacature `{vacancy}` staat niet in de index");
            }
            match employer {
                Some(name) if !none => {
                    let emp = super::find_employer(&store, &name)?;
                    super::link::confirm(&store, &vacancy, &emp, now)?;
                    println!("vacature {vacancy} gekoppeld aan {}", emp.name);
                }
                _ => {
                    super::link::reject(&store, &vacancy, now)?;
                    println!("vacature {vacancy} hoort bij geen netwerkwerkgever");
                }
            }
        }
        NetworkCmd::ForCandidate { candidate, json } => {
            let cand = crate::candidate::load(&candidate, &res.catalogue)?;
            let r = super::lookup::for_candidate(&cand, &index()?, &store, res, now)?;
            if json {
                println!("{}", serde_json::to_string(&r)?);
            } else {
                println!("Netwerkwerkgevers voor {}", r.candidate);
                println!("Met open passende vacatures:");
                if r.with_vacancies.is_empty() {
                    println!("  (geen)");
                }
                for e in &r.with_vacancies {
                    println!("  {}", e.employer.name);
                    for v in &e.vacancies {
                        println!(
                            "    {} — {} ({}){}",
                            v.verdict.dutch(),
                            v.vacancy.title,
                            v.vacancy.id,
                            v.travel_minutes
                                .map(|m| format!(", {m} min reizen"))
                                .unwrap_or_default()
                        );
                    }
                }
                println!("Zonder open vacature (open sollicitatie), dichtstbij eerst:");
                if r.open_application.is_empty() {
                    println!("  (geen)");
                }
                for t in &r.open_application {
                    println!(
                        "  {} — {} · {}",
                        t.employer.name,
                        t.directions.join(", "),
                        match (&t.place, t.travel_minutes) {
                            (Some(p), Some(m)) => format!("{p}, {m} min reizen"),
                            _ => "reistijd onbekend, navragen".into(),
                        }
                    );
                }
            }
        }
        NetworkCmd::ForEmployer {
            employer,
            candidates,
            json,
        } => {
            let emp = super::find_employer(&store, &employer)?;
            let (cands, skipped) = super::lookup::load_candidates(&candidates, res)?;
            let mut r = super::lookup::for_employer(&emp, &cands, &index()?, &store, res, now)?;
            r.skipped = skipped;
            if json {
                println!("{}", serde_json::to_string(&r)?);
            } else {
                for s in &r.skipped {
                    eprintln!("overgeslagen: {s}");
                }
                println!(
                    "{}: {} open vacatures, {} passende combinaties, {} uitgesloten door beperkingen",
                    r.employer.name,
                    r.open_vacancies.len(),
                    r.fits.len(),
                    r.excluded
                );
                for f in &r.fits {
                    println!(
                        "  {} — {} voor {} ({})",
                        f.verdict.dutch(),
                        f.name.as_deref().unwrap_or(&f.candidate),
                        f.vacancy.title,
                        f.vacancy.id
                    );
                    for reason in &f.reasons {
                        println!("    · {}", reason.text);
                    }
                }
            }
        }
        NetworkCmd::Contact {
            employer,
            candidate,
            kind,
            note,
            json,
        } => {
            let emp = super::find_employer(&store, &employer)?;
            let c = super::log_contact(&store, &emp, &candidate, &kind, note.as_deref(), now)?;
            if json {
                println!("{}", serde_json::to_string(&c)?);
            } else {
                println!(
                    "vastgelegd: {} met {} voor {} op {}",
                    c.kind,
                    c.employer,
                    c.candidate,
                    c.at.format("%Y-%m-%d")
                );
            }
        }
        NetworkCmd::History { employer, json } => {
            let emp = super::find_employer(&store, &employer)?;
            let all = super::contacts(&store, &emp)?;
            if json {
                println!("{}", serde_json::to_string(&all)?);
            } else {
                println!("Contacten met {}:", emp.name);
                for c in &all {
                    println!(
                        "  {} {} — {}{}",
                        c.at.format("%Y-%m-%d"),
                        c.kind,
                        c.candidate,
                        c.note
                            .as_deref()
                            .map(|n| format!(": {n}"))
                            .unwrap_or_default()
                    );
                }
            }
        }
    }
    Ok(())
}
