//! The `passend` command line (see spec/cli-contract.md for the JSON other tools rely on).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};

use passend::config::Config;
use passend::index::VacancyIndex;
use passend::model::Analysis;
use passend::resources::Resources;
use passend::store::Store;
use passend::{analysis, candidate, matcher, pipeline, render};

#[derive(Parser)]
#[command(
    name = "passend",
    version,
    about = "Vindt passend werk voor re-integratie 2e spoor"
)]
struct Cli {
    /// Config file (default config/passend.toml; missing means built-in defaults)
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Data folder (index, database); default from the config ("indexes")
    #[arg(long, global = true)]
    data: Option<PathBuf>,
    /// The moment taken as "now" (ISO date or date-time); default: the clock
    #[arg(long, global = true)]
    now: Option<String>,
    /// More log output (-v, -vv)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Add vacancies from a JSON-lines file of schema.org JobPostings
    Ingest { file: PathBuf },
    /// Analyse JobPosting JSON lines from stdin; one JSON line per posting on stdout
    Analyze {
        #[arg(long)]
        json: bool,
    },
    /// Rank the open vacancies for one candidate
    Shortlist {
        #[arg(long)]
        candidate: PathBuf,
        #[arg(long)]
        top: Option<usize>,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        include_excluded: bool,
        /// Plain keyword search of directions and skills, without restriction logic
        #[arg(long)]
        baseline: bool,
        /// Do not store the shortlist in the evidence record
        #[arg(long)]
        no_record: bool,
    },
    /// Crawl the configured sources once
    Crawl {
        #[arg(long)]
        source: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Keep running: crawl each source on its schedule until SIGTERM or ctrl-c
    Run,
    /// Check candidate profiles and report every mistake
    Check { files: Vec<PathBuf> },
    /// The main job on embedded defaults: serve a sample site, crawl it, print shortlists
    Demo {
        #[arg(long, default_value_t = 5)]
        top: usize,
    },
    /// Show which data files are in use
    Info,
    /// Rebuild the index with this version's schema and analysis (keeps status and first-seen)
    Reindex,
    /// Import occupation labels (ESCO CSV, CompetentNL labels) into the data folder
    Taxonomy {
        #[command(subcommand)]
        cmd: TaxonomyCmd,
    },
    /// Import postcode centroids (GeoNames postal file NL.txt) into the data folder
    Geo {
        #[command(subcommand)]
        cmd: GeoCmd,
    },
    /// Send the nightly e-mail with new passend werk to every opted-in candidate
    Mail {
        /// Folder of candidate TOML files (default: `mail.candidates` in the config)
        #[arg(long)]
        candidates: Option<PathBuf>,
        /// Write the mails as .eml files instead of queueing and sending them
        #[arg(long)]
        dry_run: bool,
        /// Folder for the .eml files of a dry run
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Stop the nightly e-mail for the candidate with this unsubscribe token
    Unsubscribe { token: String },
    /// Serve the coach web app and JSON API (issue 7)
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// Send the session cookie without `Secure` (plain http on 127.0.0.1 only)
        #[arg(long)]
        insecure_cookies: bool,
    },
    /// Manage coach accounts of the web app
    Coach {
        #[command(subcommand)]
        cmd: CoachCmd,
    },
    /// The bureau's employer network: import, link vacancies, look up both ways (issue 9)
    Network {
        #[command(subcommand)]
        cmd: passend::network::cli::NetworkCmd,
    },
}

#[derive(Subcommand)]
enum CoachCmd {
    /// Create a coach account; the password comes from $PASSEND_PASSWORD or the first stdin line
    Add {
        name: String,
        #[arg(long)]
        admin: bool,
    },
}

#[derive(Subcommand)]
enum TaxonomyCmd {
    /// Add labels from the ESCO occupations CSV and/or CompetentNL occupation labels
    Import {
        #[arg(long)]
        esco: Option<PathBuf>,
        #[arg(long)]
        competentnl: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum GeoCmd {
    /// Add PC4 centroids from the GeoNames postal file
    Import {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

fn main() {
    let cli = Cli::parse();
    let filter = match cli.verbose {
        0 => "passend=warn",
        1 => "passend=info",
        _ => "passend=debug",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| filter.into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = run(cli) {
        eprintln!("passend: {e:#}");
        std::process::exit(1);
    }
}

struct Env {
    cfg: Config,
    config_dir: PathBuf,
    data: PathBuf,
    now: chrono::DateTime<chrono::Utc>,
    now_given: bool,
}

fn env(cli: &Cli) -> anyhow::Result<Env> {
    let (path, required) = match &cli.config {
        Some(p) => (p.clone(), true),
        None => (PathBuf::from("config/passend.toml"), false),
    };
    let cfg = Config::load(&path, required)?;
    let config_dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("config"));
    let data = cli.data.clone().unwrap_or_else(|| cfg.data.clone());
    let (now, now_given) = match &cli.now {
        Some(s) => (passend::parse_now(s)?, true),
        None => (chrono::Utc::now(), false),
    };
    Ok(Env {
        cfg,
        config_dir,
        data,
        now,
        now_given,
    })
}

fn resources(e: &Env) -> anyhow::Result<Resources> {
    Resources::load(Some(&e.config_dir), Some(&e.data))
}

/// The analysis JSON of the CLI contract.
fn analysis_json(id: &str, a: &Analysis) -> serde_json::Value {
    serde_json::json!({
        "id": id,
        "occupations": a.occupations,
        "demands": a.demands,
        "hours_per_week": a.hours_per_week,
        "place": a.place.as_ref().map(|p| serde_json::json!({"name": p.name, "lat": p.lat, "lon": p.lon, "precision": p.precision, "remote": p.remote})),
        "pay": a.pay,
        "education": a.education,
        "contract": a.contract,
        "warnings": a.warnings,
    })
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let e = env(&cli)?;
    match cli.cmd {
        Cmd::Analyze { json } => {
            let res = resources(&e)?;
            let stdin = std::io::stdin();
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            for (n, line) in stdin.lock().lines().enumerate() {
                let line = line.context("cannot read stdin")?;
                if line.trim().is_empty() {
                    continue;
                }
                let parsed = serde_json::from_str::<serde_json::Value>(&line)
                    .map_err(|err| format!("not valid JSON: {err}"))
                    .and_then(|v| passend::posting::from_json(&v, None));
                match parsed {
                    Ok(p) => {
                        let a = analysis::analyze_safely(&res, &p);
                        if json {
                            writeln!(out, "{}", analysis_json(&p.id, &a))?;
                        } else {
                            writeln!(out, "{}: {}", p.id, p.title)?;
                            for o in &a.occupations {
                                writeln!(out, "  beroep {} {} ({:.2})", o.isco, o.label, o.score)?;
                            }
                            for d in &a.demands {
                                writeln!(
                                    out,
                                    "  eis {} {:?} — «{}»",
                                    d.item, d.threshold, d.evidence
                                )?;
                            }
                            if let Some(h) = a.hours_per_week {
                                writeln!(out, "  uren {}–{}", h.min, h.max)?;
                            }
                            if let Some(p) = &a.place {
                                writeln!(out, "  plaats {} ({:.2}, {:.2})", p.name, p.lat, p.lon)?;
                            }
                        }
                    }
                    Err(err) => {
                        eprintln!("stdin line {}: skipped: {err}", n + 1);
                        if json {
                            writeln!(
                                out,
                                "{}",
                                serde_json::json!({"id": null, "line": n + 1, "error": err})
                            )?;
                        }
                    }
                }
            }
        }
        Cmd::Ingest { file } => {
            let res = resources(&e)?;
            let text = std::fs::read_to_string(&file)
                .map_err(|err| anyhow::anyhow!("cannot read {}: {err}", file.display()))?;
            let (postings, bad) = pipeline::read_jsonl(&text);
            for (n, why) in &bad {
                eprintln!("{}:{n}: skipped: {why}", file.display());
            }
            let mut index = VacancyIndex::open(&e.data.join("index"))?;
            let store = Store::open(&e.data.join("passend.db"))?;
            let mut report = pipeline::IngestReport {
                rejected: bad.len(),
                ..Default::default()
            };
            let mut pipe = pipeline::Pipeline {
                res: &res,
                index: &mut index,
                store: &store,
                now: e.now,
            };
            for p in postings {
                let id = p.id.clone();
                if let Err(err) = pipe.take(p, "ingest", &mut report) {
                    eprintln!("{}: vacancy {id}: skipped: {err:#}", file.display());
                    report.rejected += 1;
                }
            }
            pipe.commit()?;
            eprintln!(
                "ingest {}: added {}, updated {}, unchanged {}, rejected {} (closed {}, duplicates {})",
                file.display(),
                report.added,
                report.updated,
                report.unchanged,
                report.rejected,
                report.closed,
                report.duplicates
            );
        }
        Cmd::Shortlist {
            candidate: file,
            top,
            json,
            include_excluded,
            baseline,
            no_record,
        } => {
            let res = resources(&e)?;
            let cand = candidate::load(&file, &res.catalogue)?;
            let index = VacancyIndex::open_existing(&e.data.join("index"))?;
            let opts = matcher::Options {
                top: top.unwrap_or(e.cfg.shortlist_top),
                include_excluded,
                now: e.now,
            };
            let (list, snaps) = if baseline {
                matcher::baseline(&cand, &index, &res, &opts)?
            } else {
                {
                    // the bureau's employer network, when there is a database with one
                    let db = e.data.join("passend.db");
                    let keys = if db.exists() {
                        passend::network::network_employer_keys(&Store::open(&db)?)
                            .unwrap_or_default()
                    } else {
                        Default::default()
                    };
                    let is_network =
                        |name: &str| keys.contains(&passend::network::normalise_name(name));
                    matcher::shortlist_with_network(&cand, &index, &res, &opts, &is_network)?
                }
            };
            if !no_record {
                let mut store = Store::open(&e.data.join("passend.db"))?;
                let snapshots: Vec<(String, String)> = snaps
                    .iter()
                    .map(|v| {
                        (
                            v.posting.id.clone(),
                            serde_json::to_string(v).unwrap_or_default(),
                        )
                    })
                    .collect();
                store.save_shortlist(&list, cand.fml_date, &snapshots)?;
            }
            if json {
                println!("{}", serde_json::to_string(&list)?);
            } else {
                print!("{}", render::shortlist_text(&list, Some(&cand)));
            }
        }
        Cmd::Crawl { source, json } => {
            let res = resources(&e)?;
            let sources: Vec<_> = e
                .cfg
                .sources
                .iter()
                .filter(|s| source.as_ref().is_none_or(|n| &s.name == n))
                .cloned()
                .collect();
            if sources.is_empty() {
                anyhow::bail!(
                    "geen bron om te crawlen{} (geconfigureerd: {})",
                    source
                        .as_ref()
                        .map(|n| format!(" met de naam `{n}`"))
                        .unwrap_or_default(),
                    e.cfg
                        .sources
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            let rt = tokio::runtime::Runtime::new()?;
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let reports = rt.block_on(async {
                let flag = stop.clone();
                // ctrl-c / SIGTERM: stop at the next page, commit, and let the next crawl resume
                tokio::spawn(async move {
                    passend::crawl::daemon::shutdown_signal().await;
                    flag.store(true, std::sync::atomic::Ordering::Relaxed);
                });
                passend::crawl::daemon::exit_on_second_signal();
                passend::crawl::crawl_sources(
                    &e.cfg.crawler,
                    &sources,
                    &res,
                    &e.data,
                    e.now_given.then_some(e.now),
                    !json,
                    Some(stop.clone()),
                )
                .await
            })?;
            if json {
                println!("{}", serde_json::to_string(&reports)?);
            } else {
                for r in &reports {
                    println!("{}", r.line());
                }
            }
        }
        Cmd::Run => {
            let res = std::sync::Arc::new(resources(&e)?);
            let rt = tokio::runtime::Runtime::new()?;
            rt.block_on(async {
                passend::crawl::daemon::exit_on_second_signal();
                let mut daemon = passend::crawl::daemon::Daemon::new();
                passend::mail::add_jobs(&mut daemon, &e.cfg.mail, res.clone(), e.data.clone())?;
                let unscheduled =
                    daemon.add_crawl_jobs(&e.cfg.crawler, &e.cfg.sources, res, e.data.clone())?;
                for name in unscheduled {
                    eprintln!(
                        "bron `{name}` heeft geen schedule en wordt niet automatisch gecrawld"
                    );
                }
                eprintln!(
                    "passend run: {} taken ({}); stoppen met ctrl-c of SIGTERM",
                    daemon.job_names().len(),
                    daemon.job_names().join(", ")
                );
                let runs = daemon
                    .run_until(
                        passend::crawl::daemon::shutdown_signal(),
                        std::time::Duration::from_secs(30),
                    )
                    .await?;
                eprintln!("passend run: gestopt na {} taken", runs.len());
                anyhow::Ok(())
            })?;
        }
        Cmd::Check { files } => {
            let res = resources(&e)?;
            let mut bad = 0;
            for f in &files {
                match candidate::load(f, &res.catalogue) {
                    Ok(c) => println!(
                        "{}: ok ({}, {} richtingen, {} FML-items)",
                        f.display(),
                        c.id,
                        c.directions.len(),
                        c.restrictions.len()
                    ),
                    Err(err) => {
                        bad += 1;
                        println!("{err}");
                    }
                }
            }
            if bad > 0 {
                anyhow::bail!("{bad} of {} candidate files have mistakes", files.len());
            }
        }
        Cmd::Demo { top } => {
            let res = resources(&e)?;
            // the demo data is dated November 2026; without --now the demo runs as of that date
            let now = if e.now_given {
                e.now
            } else {
                passend::parse_now("2026-11-23T12:00:00Z")?
            };
            let rt = tokio::runtime::Runtime::new()?;
            let result = rt.block_on(passend::demo::run(
                &e.config_dir,
                &e.data.join("demo"),
                &res,
                now,
                top,
            ))?;
            print!("{}", result.output);
        }
        Cmd::Mail {
            candidates,
            dry_run,
            out,
            json,
        } => {
            let res = resources(&e)?;
            let args = passend::mail::MailArgs {
                candidates,
                dry_run,
                out,
                json,
            };
            passend::mail::cli_mail(&e.cfg.mail, &res, &e.data, &args, e.now)?;
        }
        Cmd::Unsubscribe { token } => {
            passend::mail::cli_unsubscribe(&e.data, &token, e.now)?;
        }
        Cmd::Serve {
            addr,
            insecure_cookies,
        } => {
            let res = resources(&e)?;
            let now = e.now_given.then_some(e.now);
            passend::web::cli::serve(&e.data, res, &addr, !insecure_cookies, now)?;
        }
        Cmd::Network { cmd } => {
            let res = resources(&e)?;
            passend::network::cli::run(cmd, &e.data, &res, e.now)?;
        }
        Cmd::Coach {
            cmd: CoachCmd::Add { name, admin },
        } => {
            passend::web::cli::coach_add(&e.data, &name, admin)?;
        }
        Cmd::Taxonomy {
            cmd:
                TaxonomyCmd::Import {
                    esco,
                    competentnl,
                    json,
                },
        } => {
            if esco.is_none() && competentnl.is_none() {
                anyhow::bail!("give --esco FILE and/or --competentnl FILE");
            }
            let mut res = resources(&e)?;
            let mut lines = vec![];
            let mut reports = vec![];
            if let Some(f) = esco {
                let (rows, rep) = passend::imports::esco(&f)?;
                for (code, label) in &rows {
                    res.vocabulary.add(label, code, 0.8);
                    lines.push(format!("{code}\t{label}"));
                }
                reports.push(rep);
            }
            if let Some(f) = competentnl {
                let (rows, rep) = passend::imports::competentnl(&f, &res.vocabulary)?;
                lines.extend(rows.iter().map(|(c, l)| format!("{c}\t{l}")));
                reports.push(rep);
            }
            lines.sort();
            lines.dedup();
            let target = passend::resources::imported_occupations_path(&e.data);
            passend::imports::write_lines(&target, &lines)?;
            if json {
                println!("{}", serde_json::to_string(&reports)?);
            } else {
                for r in &reports {
                    println!(
                        "{}: {} rows, {} labels, skipped {:?}",
                        r.file, r.rows, r.written, r.skipped
                    );
                }
                println!("written: {} ({} labels)", target.display(), lines.len());
            }
        }
        Cmd::Geo {
            cmd: GeoCmd::Import { file, json },
        } => {
            let (lines, rep) = passend::imports::geonames_postal(&file)?;
            let target = passend::resources::imported_postcodes_path(&e.data);
            passend::imports::write_lines(&target, &lines)?;
            if json {
                println!("{}", serde_json::to_string(&rep)?);
            } else {
                println!(
                    "{}: {} rows, {} postcodes written to {}, skipped {:?}",
                    rep.file,
                    rep.rows,
                    rep.written,
                    target.display(),
                    rep.skipped
                );
            }
        }
        Cmd::Reindex => {
            let res = resources(&e)?;
            let dir = e.data.join("index");
            let old = passend::index::read_any_version(&dir)?;
            let tmp = e.data.join("index.new");
            if tmp.exists() {
                std::fs::remove_dir_all(&tmp)?;
            }
            let mut index = VacancyIndex::open(&tmp)?;
            let n = old.len();
            for (i, mut v) in old.into_iter().enumerate() {
                v.analysis = analysis::analyze_safely(&res, &v.posting);
                index.upsert(&v, &res.catalogue)?;
                if i % 5000 == 4999 {
                    index.commit()?;
                }
            }
            index.commit()?;
            drop(index);
            // swap: the old index stays as index.old until the new one is in place
            let backup = e.data.join("index.old");
            if backup.exists() {
                std::fs::remove_dir_all(&backup)?;
            }
            std::fs::rename(&dir, &backup)?;
            std::fs::rename(&tmp, &dir)?;
            std::fs::remove_dir_all(&backup)?;
            eprintln!("reindexed {n} vacancies into {}", dir.display());
        }
        Cmd::Info => {
            let res = resources(&e)?;
            println!("data folder: {}", e.data.display());
            println!(
                "FML catalogue {}: {} items",
                res.catalogue.version,
                res.catalogue.items().len()
            );
            println!(
                "demand rules: {} ({} without keyword prefilter)",
                res.rules.len(),
                res.rules.unfiltered()
            );
            println!("occupation titles: {}", res.vocabulary.len());
            println!("places: {}", res.gazetteer.len());
            for (name, origin) in &res.origins {
                println!("  {name}: {origin}");
            }
        }
    }
    Ok(())
}
