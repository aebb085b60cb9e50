//! The employer network (issue 9) over a real SQLite file and a real tantivy index built through
//! the pipeline from `tests/cases/network/vacancies.jsonl`: import with bad rows, idempotent
//! re-import, linking look-alike names, both lookups, contact history, and the CLI end to end.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Utc};
use serde_json::Value;

use passend::index::VacancyIndex;
use passend::network::{self, link, lookup};
use passend::pipeline::{self, IngestReport, Pipeline};
use passend::resources::Resources;
use passend::store::Store;

fn cases() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/network")
}

fn now() -> DateTime<Utc> {
    passend::parse_now("2026-11-23").unwrap()
}

struct World {
    _tmp: tempfile::TempDir,
    res: Resources,
    store: Store,
    index: VacancyIndex,
}

/// Index the fixture vacancies through the pipeline into a fresh data folder.
fn world() -> World {
    let tmp = tempfile::tempdir().unwrap();
    let res = Resources::embedded().unwrap();
    let mut index = VacancyIndex::open(&tmp.path().join("index")).unwrap();
    let store = Store::open(&tmp.path().join("passend.db")).unwrap();
    let text = std::fs::read_to_string(cases().join("vacancies.jsonl")).unwrap();
    let (postings, bad) = pipeline::read_jsonl(&text);
    assert!(bad.is_empty(), "{bad:?}");
    let mut report = IngestReport::default();
    let mut pipe = Pipeline {
        res: &res,
        index: &mut index,
        store: &store,
        now: now(),
    };
    for p in postings {
        pipe.take(p, "ingest", &mut report).unwrap();
    }
    pipe.commit().unwrap();
    assert_eq!(report.added, 10);
    World {
        _tmp: tmp,
        res,
        store,
        index,
    }
}

fn import_all(w: &World) {
    network::import::import_file(&w.store, &w.res, &cases().join("employers.csv"), now()).unwrap();
    network::import::import_file(&w.store, &w.res, &cases().join("employers.toml"), now()).unwrap();
}

fn id_of(w: &World, name: &str) -> i64 {
    network::find_employer(&w.store, name).unwrap().id
}

#[test]
fn import_reports_bad_rows_by_line_and_reimport_changes_nothing() {
    let w = world();
    let csv = cases().join("employers.csv");
    let r = network::import::import_file(&w.store, &w.res, &csv, now()).unwrap();
    assert_eq!((r.added, r.updated, r.unchanged), (7, 0, 0));
    let lines: Vec<usize> = r.rejected.iter().map(|x| x.line).collect();
    assert_eq!(lines, vec![9, 10, 11, 12, 13], "{:?}", r.rejected);
    let reason = |line: usize| {
        r.rejected
            .iter()
            .find(|x| x.line == line)
            .unwrap()
            .reason
            .clone()
    };
    assert!(reason(9).contains("naam ontbreekt"));
    assert!(reason(10).contains("KvK-nummer `1234567`"));
    assert!(reason(11).contains("ftp://kapot"));
    assert!(reason(12).contains("sector `9998`"));
    assert!(reason(13).contains("regel 2"), "{}", reason(13));

    // the same file again: nothing changes
    let again = network::import::import_file(&w.store, &w.res, &csv, now()).unwrap();
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 7));
    assert_eq!(again.rejected.len(), 5);
    assert_eq!(network::employers(&w.store).unwrap().len(), 7);

    // a changed row updates by KvK number, even under a new spelling of the name
    let changed = std::fs::read_to_string(&csv).unwrap().replace(
        "Boekhuis B.V.,44444444,https://boekhuis.nl,,4110;4311,Amersfoort,Anna Bakker,open voor proefplaatsing,2,",
        "Boekhuis Administratie,44444444,https://boekhuis.nl,,4110;4311,Amersfoort,Anna Bakker,open voor proefplaatsing,4,",
    );
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("changed.csv");
    std::fs::write(&file, changed).unwrap();
    let upd = network::import::import_file(&w.store, &w.res, &file, now()).unwrap();
    assert_eq!((upd.added, upd.updated, upd.unchanged), (0, 1, 6));
    let b = network::find_employer(&w.store, "44444444").unwrap();
    assert_eq!(
        (b.name.as_str(), b.placements),
        ("Boekhuis Administratie", 4)
    );

    // same name, different KvK numbers: two employers; the same KvK twice: one
    let same = tmp.path().join("same.csv");
    std::fs::write(
        &same,
        "name,kvk\nHulp & Co,10000001\nHulp & Co B.V.,10000002\nHulp & Co,10000001\n",
    )
    .unwrap();
    let r2 = network::import::import_file(&w.store, &w.res, &same, now()).unwrap();
    assert_eq!(r2.added, 2, "{r2:?}");
    assert_eq!(
        r2.rejected,
        vec![network::import::Rejected {
            line: 4,
            reason: "dezelfde werkgever staat al op regel 2".into()
        }]
    );
    let err = network::find_employer(&w.store, "Hulp & Co")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("10000001") && err.contains("10000002"),
        "{err}"
    );

    // TOML: line numbers of the [[employer]] tables, KvK with spaces normalised
    let t = network::import::import_file(&w.store, &w.res, &cases().join("employers.toml"), now())
        .unwrap();
    assert_eq!(t.added, 1);
    let lines: Vec<usize> = t.rejected.iter().map(|x| x.line).collect();
    assert_eq!(lines, vec![11, 16], "{:?}", t.rejected);
    let anker = network::find_employer(&w.store, "Zorggroep Het Anker").unwrap();
    assert_eq!(anker.kvk.as_deref(), Some("12345679"));
    assert_eq!(anker.sectors, vec!["5322", "4110"]);
}

#[test]
fn spreadsheet_csv_with_bom_and_semicolons_imports() {
    let w = world();
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("excel.csv");
    std::fs::write(
        &file,
        "\u{feff}Name;KvK;Sectors;Locations\n\
         Bakkerij De Korf;12.34.56.70;7512,9412;Houten|3991\n\
         ;12345671;4110;Utrecht\n",
    )
    .unwrap();
    let r = network::import::import_file(&w.store, &w.res, &file, now()).unwrap();
    assert_eq!(r.added, 1, "{r:?}");
    assert_eq!(r.rejected.len(), 1);
    assert_eq!(r.rejected[0].line, 3);
    let e = network::find_employer(&w.store, "12345670").unwrap();
    assert_eq!(e.sectors, vec!["7512", "9412"]);
    assert_eq!(e.locations, vec!["Houten", "3991"]);
}

#[test]
fn names_normalise_and_kvk_numbers_are_found() {
    use network::normalise_name as n;
    assert_eq!(n("Van Dijk Logistiek B.V."), "van dijk logistiek");
    assert_eq!(n("van Dijk logistiek"), "van dijk logistiek");
    assert_eq!(n("VAN DIJK LOGISTIEK HOLDING N.V."), "van dijk logistiek");
    assert_eq!(n("Gemeente Utrecht"), n("Utrecht"));
    assert_eq!(n("Sonion Nederland B.V."), n("sonion"));
    assert_eq!(n("Nederland"), "nederland");
    assert_ne!(n("Gemeente Utrecht"), n("Universiteit Utrecht"));
    assert_eq!(
        link::name_similarity("van dijk transport", "van dijk logistiek"),
        0.0
    );
    assert!(link::name_similarity("jansen bouw", "janssen bouw") > link::REVIEW_FUZZY);
    assert_eq!(
        link::kvk_numbers("KvK-nummer: 1234 5678 · BTW NL001. Kamer van Koophandel 87.65.43.21"),
        vec!["12345678", "87654321"]
    );
    assert!(link::kvk_numbers("bel 030 1234 5678").is_empty());
    assert_eq!(network::normalise_kvk("1234567"), None);
}

#[test]
fn look_alike_names_link_or_wait_for_a_person() {
    let w = world();
    import_all(&w);
    let r = link::link_all(&w.store, &w.index, now()).unwrap();
    assert_eq!(r.vacancies, 10);
    let vdl = id_of(&w, "12345678");
    let utrecht = id_of(&w, "Gemeente Utrecht");
    let techniek = id_of(&w, "Techniek Zuid");
    let of = |v: &str| link::employer_of(&w.store, v).unwrap();
    assert_eq!(
        of("v-vdl-adm"),
        Some(vdl),
        "van Dijk logistiek ↔ Van Dijk Logistiek B.V."
    );
    assert_eq!(of("v-vdl-mag"), Some(vdl), "Van Dijk Logistiek BV");
    assert_eq!(of("v-vdl-dom"), Some(vdl), "werkenbij.vandijklogistiek.nl");
    assert_eq!(of("v-utr"), Some(utrecht), "Utrecht ↔ Gemeente Utrecht");
    assert_eq!(of("v-kvk"), Some(techniek), "KvK number in the text");
    for v in ["v-vdt", "v-uu", "v-none", "v-jansen", "v-vdln"] {
        assert_eq!(of(v), None, "{v} must not be linked");
    }
    assert_eq!(r.by_method.get("domain"), Some(&1));
    assert_eq!(r.by_method.get("kvk"), Some(&1));

    // reported for a person: Jansen/Janssen (two close), and a fuzzy-only match
    let pending: Vec<&str> = r.pending.iter().map(|p| p.vacancy_id.as_str()).collect();
    assert_eq!(pending.len(), 2, "{pending:?}");
    let jansen = r
        .pending
        .iter()
        .find(|p| p.vacancy_id == "v-jansen")
        .unwrap();
    let names: Vec<&str> = jansen.options.iter().map(|o| o.employer.as_str()).collect();
    assert_eq!(names, vec!["Jansen Bouw", "Janssen Bouw"]);
    let vdln = r.pending.iter().find(|p| p.vacancy_id == "v-vdln").unwrap();
    assert_eq!(vdln.options.len(), 1);
    assert_eq!(vdln.options[0].method, "fuzzy");
    assert!(vdln.options[0].score < link::AUTO_FUZZY);

    // a second run gives the same links; a person's confirmation survives later runs
    let again = link::link_all(&w.store, &w.index, now()).unwrap();
    assert_eq!((again.linked, again.pending.len()), (r.linked, 2));
    let jb = network::find_employer(&w.store, "Jansen Bouw").unwrap();
    link::confirm(&w.store, "v-jansen", &jb, now()).unwrap();
    let third = link::link_all(&w.store, &w.index, now()).unwrap();
    assert_eq!(third.confirmed, 1);
    assert_eq!(third.pending.len(), 1);
    assert_eq!(of("v-jansen"), Some(jb.id));
    assert_eq!(link::pending(&w.store).unwrap().len(), 1);
    // "none of these" is a decision too, and also survives
    link::reject(&w.store, "v-vdln", now()).unwrap();
    let fourth = link::link_all(&w.store, &w.index, now()).unwrap();
    assert_eq!((fourth.confirmed, fourth.pending.len()), (2, 0));
    assert_eq!(of("v-vdln"), None);
    assert!(link::pending(&w.store).unwrap().is_empty());
}

#[test]
fn candidate_lookup_lists_network_vacancies_and_open_application_targets() {
    let w = world();
    import_all(&w);
    link::link_all(&w.store, &w.index, now()).unwrap();
    let cand =
        passend::candidate::load(&cases().join("candidates/k-adm.toml"), &w.res.catalogue).unwrap();
    let r = lookup::for_candidate(&cand, &w.index, &w.store, &w.res, now()).unwrap();
    let with: Vec<(&str, Vec<&str>)> = r
        .with_vacancies
        .iter()
        .map(|e| {
            (
                e.employer.name.as_str(),
                e.vacancies.iter().map(|v| v.vacancy.id.as_str()).collect(),
            )
        })
        .collect();
    assert!(
        with.contains(&("Gemeente Utrecht", vec!["v-utr"])),
        "{with:?}"
    );
    assert!(
        with.contains(&("Van Dijk Logistiek B.V.", vec!["v-vdl-adm"])),
        "{with:?}"
    );
    assert_eq!(with.len(), 2, "{with:?}");
    for e in &r.with_vacancies {
        for v in &e.vacancies {
            assert_ne!(v.verdict, passend::model::Verdict::Exclude);
            assert!(!v.reasons.is_empty());
        }
    }
    // 4110 employers without an open vacancy, within 50 minutes, nearest first; Groningen is
    // too far, and employers with an open vacancy are not open-application targets
    let targets: Vec<(&str, Option<u32>)> = r
        .open_application
        .iter()
        .map(|t| (t.employer.name.as_str(), t.travel_minutes))
        .collect();
    let names: Vec<&str> = targets.iter().map(|t| t.0).collect();
    assert_eq!(
        names,
        vec!["Zorggroep Het Anker", "Boekhuis B.V."],
        "{targets:?}"
    );
    assert!(targets[0].1.unwrap() <= targets[1].1.unwrap());
    assert!(targets[1].1.unwrap() <= 50);
    assert_eq!(
        r.open_application[1].directions,
        vec!["Administratief medewerker"]
    );
}

#[test]
fn employer_lookup_finds_fitting_candidates_with_verdicts() {
    let w = world();
    import_all(&w);
    link::link_all(&w.store, &w.index, now()).unwrap();
    let emp = network::find_employer(&w.store, "van dijk logistiek").unwrap();
    let (cands, skipped) = lookup::load_candidates(&cases().join("candidates"), &w.res).unwrap();
    assert_eq!(cands.len(), 3);
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0].contains("broken.toml"), "{skipped:?}");
    let r = lookup::for_employer(&emp, &cands, &w.index, &w.store, &w.res, now()).unwrap();
    let mut open: Vec<&str> = r.open_vacancies.iter().map(|v| v.id.as_str()).collect();
    open.sort();
    assert_eq!(open, vec!["v-vdl-adm", "v-vdl-dom", "v-vdl-mag"]);
    let mut pairs: Vec<(&str, &str)> = r
        .fits
        .iter()
        .map(|f| (f.candidate.as_str(), f.vacancy.id.as_str()))
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        vec![
            ("k-adm", "v-vdl-adm"),
            ("k-mag", "v-vdl-dom"),
            ("k-mag", "v-vdl-mag")
        ]
    );
    // k-rug may lift ±5 kg at most: both warehouse jobs (25 kg) are excluded, never shown
    assert_eq!(r.excluded, 2);
    for f in &r.fits {
        assert!(f.reasons.iter().any(|x| x.kind == "direction"), "{f:?}");
    }
}

#[test]
fn contacts_are_logged_per_employer_and_as_evidence() {
    let w = world();
    import_all(&w);
    let keys = network::network_employer_keys(&w.store).unwrap();
    assert!(keys.contains(&network::normalise_name("Van Dijk Logistiek BV")));
    assert!(keys.contains(&network::normalise_name("Utrecht")));
    assert!(!keys.contains(&network::normalise_name("Van Dijk Transport")));

    let boekhuis = network::find_employer(&w.store, "Boekhuis").unwrap();
    let c = network::log_contact(
        &w.store,
        &boekhuis,
        "k-adm",
        "open-application",
        Some("brief en cv gestuurd"),
        now(),
    )
    .unwrap();
    network::log_contact(&w.store, &boekhuis, "k-adm", "contact", None, now()).unwrap();
    assert!(network::log_contact(&w.store, &boekhuis, "k-adm", "lunch", None, now()).is_err());
    let hist = network::contacts(&w.store, &boekhuis).unwrap();
    assert_eq!(hist.len(), 2);
    assert_eq!(hist[0], c);
    let acts = passend::mail::outbox::activities(&w.store, "k-adm").unwrap();
    assert_eq!(acts.len(), 2, "{acts:?}");
}

fn passend(data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_passend"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("--data")
        .arg(data)
        .args(["--now", "2026-11-23"])
        .args(args)
        .output()
        .expect("run passend")
}

fn json_of(out: &std::process::Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn cli_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let c = cases();
    let path = |p: &str| c.join(p).to_str().unwrap().to_string();
    let out = passend(&data, &["ingest", &path("vacancies.jsonl")]);
    assert!(out.status.success());
    let csv = path("employers.csv");
    let first = json_of(&passend(&data, &["network", "import", &csv, "--json"]));
    assert_eq!(first["added"], 7);
    assert_eq!(first["rejected"][0]["line"], 9);
    let second = json_of(&passend(&data, &["network", "import", &csv, "--json"]));
    assert_eq!(
        (second["added"].as_u64(), second["unchanged"].as_u64()),
        (Some(0), Some(7))
    );

    let linked = json_of(&passend(&data, &["network", "link", "--json"]));
    assert_eq!(linked["linked"], 5);
    assert_eq!(linked["pending"].as_array().unwrap().len(), 2);

    let ok = passend(&data, &["network", "confirm", "v-jansen", "Jansen Bouw"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let ok = passend(&data, &["network", "confirm", "v-vdln", "--none"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let relinked = json_of(&passend(&data, &["network", "link", "--json"]));
    assert_eq!(
        (
            relinked["confirmed"].as_u64(),
            relinked["pending"].as_array().map(Vec::len)
        ),
        (Some(2), Some(0))
    );
    // confirm needs an employer or --none
    let two = passend(&data, &["network", "confirm", "v-jansen"]);
    assert!(!two.status.success());

    let fc = json_of(&passend(
        &data,
        &[
            "network",
            "for-candidate",
            "--candidate",
            &path("candidates/k-adm.toml"),
            "--json",
        ],
    ));
    assert_eq!(fc["candidate"], "k-adm");
    assert_eq!(fc["with_vacancies"].as_array().unwrap().len(), 2);
    assert_eq!(
        fc["open_application"][0]["employer"]["name"],
        "Boekhuis B.V."
    );

    let fe = json_of(&passend(
        &data,
        &[
            "network",
            "for-employer",
            "12345678",
            "--candidates",
            &path("candidates"),
            "--json",
        ],
    ));
    assert_eq!(fe["fits"].as_array().unwrap().len(), 3);
    assert_eq!(fe["excluded"], 2);

    let contact = json_of(&passend(
        &data,
        &[
            "network",
            "contact",
            "Boekhuis",
            "--candidate",
            "k-adm",
            "--kind",
            "open-application",
            "--note",
            "brief gestuurd",
            "--json",
        ],
    ));
    assert_eq!(contact["kind"], "open-application");
    let hist = json_of(&passend(
        &data,
        &["network", "history", "44444444", "--json"],
    ));
    assert_eq!(hist.as_array().unwrap().len(), 1);

    // an unknown employer is an error that says so
    let bad = passend(&data, &["network", "history", "Nergens BV"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("geen netwerkwerkgever"));
}

/// Real employer names (Indeed NL listings in ../shared, skipped when absent): every name, as a
/// vacancy's employer with a legal form and another case, links to its own employer or waits
/// for a person with its own employer among the options — never to a different employer.
#[test]
fn real_employer_names_never_link_to_another_employer() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/vacancies/indeed_nl_2022_vacancy_listings_final.csv");
    let Ok(text) = std::fs::read_to_string(&file) else {
        eprintln!("skipped: {} not present", file.display());
        return;
    };
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let col = rdr
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "company_name")
        .unwrap();
    let mut seen = std::collections::HashSet::new();
    let mut emps = vec![];
    for rec in rdr.records().take(10_000) {
        let name = rec.unwrap()[col].trim().to_string();
        let key = network::normalise_name(&name);
        if key.is_empty() || !seen.insert(key) {
            continue;
        }
        emps.push(network::Employer {
            id: emps.len() as i64 + 1,
            name,
            ..Default::default()
        });
    }
    assert!(emps.len() > 300, "{}", emps.len());
    let (mut linked, mut pending) = (0, 0);
    let started = std::time::Instant::now();
    for e in &emps {
        let v = passend::model::Vacancy {
            posting: passend::model::Posting {
                id: format!("v{}", e.id),
                title: "Data analist".into(),
                employer: Some(format!("{} B.V.", e.name.to_uppercase())),
                ..Default::default()
            },
            analysis: Default::default(),
            status: passend::model::Status::Open,
            cluster: String::new(),
            first_seen: now(),
            last_seen: now(),
        };
        match link::link_vacancy(&v, &emps) {
            link::Outcome::Linked(o) => {
                assert_eq!(o.employer_id, e.id, "{} linked to {}", e.name, o.employer);
                linked += 1;
            }
            link::Outcome::Ambiguous(opts) => {
                assert!(
                    opts.iter().any(|o| o.employer_id == e.id),
                    "{}: {opts:?}",
                    e.name
                );
                eprintln!(
                    "  to confirm: {} → {:?}",
                    e.name,
                    opts.iter().map(|o| &o.employer).collect::<Vec<_>>()
                );
                pending += 1;
            }
            link::Outcome::None => panic!("{} did not find itself", e.name),
        }
    }
    eprintln!(
        "real names: {} employers, {linked} linked, {pending} to confirm, {:?} for all",
        emps.len(),
        started.elapsed()
    );
    assert!(
        linked > pending * 5,
        "too many links left to a person: {pending}"
    );
}
