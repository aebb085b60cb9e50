//! ingest → shortlist through a real index and database on disk, driven through the binary
//! exactly as the CLI contract describes (other tools rely on these shapes).

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

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

fn posting(
    id: &str,
    title: &str,
    employer: &str,
    lat: f64,
    lon: f64,
    place: &str,
    desc: &str,
) -> Value {
    json!({"@context": "https://schema.org", "@type": "JobPosting",
           "identifier": {"@type": "PropertyValue", "name": "t", "value": id},
           "url": format!("https://werk.example/{id}"), "title": title, "description": desc,
           "datePosted": "2026-11-20",
           "hiringOrganization": {"@type": "Organization", "name": employer},
           "jobLocation": {"@type": "Place", "address": {"addressLocality": place, "addressCountry": "NL"},
                           "geo": {"latitude": lat, "longitude": lon}}})
}

#[test]
fn ingest_then_shortlist_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let office = "<p>Je verwerkt facturen en boekingen in ons ERP-systeem en beantwoordt vragen van collega's. 24 tot 32 uur per week.</p>";
    let lines = [posting("adm-1", "Administratief medewerker", "Boekhuis B.V.", 52.09, 5.12, "Utrecht", office).to_string(),
        posting("adm-dup", "Administratief medewerker", "Boekhuis BV", 52.09, 5.12, "Utrecht", office).to_string(),
        posting("mag-1", "Magazijnmedewerker", "Van Dijk Logistiek", 52.05, 5.10, "Nieuwegein",
            "<p>Je pakt orders in het magazijn. Je tilt regelmatig dozen tot 25 kg. 40 uur per week.</p>").to_string(),
        posting("adm-far", "Administratief medewerker", "Noorderzon", 53.22, 6.57, "Groningen", office).to_string(),
        posting("adm-40", "Administratief medewerker", "Telwerk", 52.10, 5.11, "Utrecht",
            "<p>Je verwerkt facturen. Fulltime, 40 uur per week.</p>").to_string(),
        "{ this is not json".to_string(),
        json!({"@type": "JobPosting", "description": "zonder titel"}).to_string(),
        {
            let mut v = posting("adm-old", "Administratief medewerker", "Archief & Co", 52.09, 5.12, "Utrecht", office);
            v["validThrough"] = json!("2026-11-01");
            v.to_string()
        }];
    let file = tmp.path().join("v.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out = passend(&data, &["ingest", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("v.jsonl:6: skipped: not valid JSON"),
        "{stderr}"
    );
    assert!(
        stderr.contains("v.jsonl:7: skipped: JobPosting has no title"),
        "{stderr}"
    );
    assert!(
        stderr.contains("added 6") && stderr.contains("rejected 2"),
        "{stderr}"
    );

    let cand = tmp.path().join("k.toml");
    std::fs::write(
        &cand,
        r#"
id = "k-rt"
[home]
place = "Utrecht"
max_travel_minutes = 45
[hours]
per_week = { min = 20, max = 32 }
[[direction]]
label = "Administratief medewerker"
isco = "4110"
[[direction]]
label = "Magazijnmedewerker"
isco = "9333"
[fml]
lifting = 2
"#,
    )
    .unwrap();
    let out = passend(
        &data,
        &[
            "shortlist",
            "--candidate",
            cand.to_str().unwrap(),
            "--json",
            "--include-excluded",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["candidate"], "k-rt");
    let results = list["results"].as_array().unwrap();
    let by_id = |id: &str| results.iter().find(|r| r["vacancy"]["id"] == id).cloned();
    // the office job passes and is first; its repost is folded into it
    assert_eq!(results[0]["vacancy"]["id"], "adm-1");
    assert_ne!(results[0]["verdict"], "exclude");
    assert!(by_id("adm-dup").is_none(), "duplicate shown: {list}");
    // 25 kg lifting conflicts with lifting code 2, with the evidence
    let mag = by_id("mag-1").expect("excluded vacancy listed with --include-excluded");
    assert_eq!(mag["verdict"], "exclude");
    let r = mag["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["item"] == "lifting")
        .unwrap();
    assert!(r["evidence"].as_str().unwrap().contains("25 kg"));
    // Groningen is far beyond 45 minutes from Utrecht; 40 hours is more than 32
    assert_eq!(by_id("adm-far").unwrap()["verdict"], "exclude");
    assert!(
        by_id("adm-far").unwrap()["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["kind"] == "travel" && r["effect"] == "exclude")
    );
    assert!(
        by_id("adm-40").unwrap()["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["kind"] == "hours" && r["effect"] == "exclude")
    );
    // closed (validThrough passed) never shown
    assert!(by_id("adm-old").is_none());

    // without --include-excluded nothing excluded is shown
    let out = passend(
        &data,
        &["shortlist", "--candidate", cand.to_str().unwrap(), "--json"],
    );
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        list["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["verdict"] != "exclude")
    );

    // re-ingesting the same file changes nothing
    let out = passend(&data, &["ingest", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("added 0, updated 0, unchanged 6"),
        "{stderr}"
    );
}

#[test]
fn missing_index_and_candidate_are_one_line_errors_naming_the_path() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("nothing-here");
    let cand = tmp.path().join("k.toml");
    std::fs::write(&cand, "id = \"k\"\n").unwrap();
    let out = passend(&data, &["shortlist", "--candidate", cand.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("no vacancy index at") && err.contains("nothing-here"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let out = passend(&data, &["shortlist", "--candidate", "/nope/k.toml"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/nope/k.toml"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_passend"))
        .args(["--config", "/nope/passend.toml", "info"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nope/passend.toml"));
}

#[test]
fn analyze_follows_the_contract() {
    let input = posting(
        "a-1",
        "Heftruckchauffeur (m/v)",
        "X",
        52.0,
        5.0,
        "Utrecht",
        "<p>Je werkt in een 3-ploegendienst en tilt zakken van 20 kg. 38 uur per week.</p>",
    )
    .to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_passend"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["analyze", "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{input}\nnot json\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], "a-1");
    assert_eq!(first["hours_per_week"], json!({"min": 38.0, "max": 38.0}));
    let demands = first["demands"].as_array().unwrap();
    let lifting = demands
        .iter()
        .find(|d| d["item"] == "lifting")
        .expect("lifting demand");
    assert_eq!(lifting["exclude_from"], 1);
    assert!(lifting["evidence"].as_str().unwrap().contains("20 kg"));
    let tod = demands
        .iter()
        .find(|d| d["item"] == "time_of_day")
        .expect("shift demand");
    assert_eq!(tod["exclude_flags"], json!([1, 2]));
    assert!(first["occupations"].as_array().unwrap().len() <= 5);
    assert_eq!(first["place"]["name"], "Utrecht");
    assert_eq!(
        text.lines().count(),
        2,
        "a bad line still yields a line, in order"
    );
}

#[test]
fn an_old_schema_is_refused_until_reindexed() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let file = tmp.path().join("v.jsonl");
    let lines = [
        posting(
            "r-1",
            "Administratief medewerker",
            "Boekhuis B.V.",
            52.09,
            5.12,
            "Utrecht",
            "<p>Facturen verwerken, 32 uur per week.</p>",
        )
        .to_string(),
        posting(
            "r-2",
            "Magazijnmedewerker",
            "Van Dijk",
            52.05,
            5.10,
            "Nieuwegein",
            "<p>Orders picken, tillen tot 25 kg.</p>",
        )
        .to_string(),
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    assert!(
        passend(&data, &["ingest", file.to_str().unwrap()])
            .status
            .success()
    );
    let cand = tmp.path().join("k.toml");
    std::fs::write(
        &cand,
        "id = \"k\"\n[[direction]]\nlabel = \"Administratief\"\nisco = \"4110\"\n",
    )
    .unwrap();
    // pretend the index was written by an older passend
    std::fs::write(data.join("index/passend-schema-version"), "1").unwrap();
    let out = passend(
        &data,
        &["shortlist", "--candidate", cand.to_str().unwrap(), "--json"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("passend reindex"));
    let out = passend(&data, &["reindex"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("reindexed 2 vacancies"));
    let out = passend(
        &data,
        &["shortlist", "--candidate", cand.to_str().unwrap(), "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["results"][0]["vacancy"]["id"], "r-1");
}

#[test]
fn network_employers_get_a_visible_bonus() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let office = "<p>Je verwerkt facturen en boekingen in ons ERP-systeem. 32 uur per week.</p>";
    let file = tmp.path().join("v.jsonl");
    std::fs::write(
        &file,
        [
            posting(
                "n-1",
                "Administratief medewerker",
                "Boekhuis B.V.",
                52.09,
                5.12,
                "Utrecht",
                office,
            )
            .to_string(),
            posting(
                "n-2",
                "Administratief medewerker",
                "Telwerk",
                52.09,
                5.12,
                "Utrecht",
                office,
            )
            .to_string(),
        ]
        .join("\n"),
    )
    .unwrap();
    assert!(
        passend(&data, &["ingest", file.to_str().unwrap()])
            .status
            .success()
    );
    let cand = tmp.path().join("k.toml");
    std::fs::write(&cand, "id = \"k\"\n[home]\nplace = \"Utrecht\"\n[[direction]]\nlabel = \"Administratief\"\nisco = \"4110\"\n").unwrap();
    let shortlist = |data: &Path| -> Value {
        let out = passend(
            data,
            &[
                "shortlist",
                "--candidate",
                cand.to_str().unwrap(),
                "--json",
                "--no-record",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let before = shortlist(&data);
    let score = |l: &Value, id: &str| {
        l["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["vacancy"]["id"] == id)
            .unwrap()["score"]
            .as_f64()
            .unwrap()
    };
    assert!(
        (score(&before, "n-1") - score(&before, "n-2")).abs() < 1e-9,
        "equal jobs score equally: {before}"
    );
    let csv = tmp.path().join("net.csv");
    std::fs::write(&csv, "name,kvk,website,career_url,sectors,locations,contacts,notes,placements,placements_note\nTelwerk,11223344,https://www.telwerk.nl,,4110,Utrecht,,,1,\n").unwrap();
    let out = passend(&data, &["network", "import", csv.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = shortlist(&data);
    assert_eq!(after["results"][0]["vacancy"]["id"], "n-2", "{after}");
    assert!(score(&after, "n-2") > score(&after, "n-1"));
    assert!(
        after["results"][0]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["kind"] == "network")
    );
}

#[test]
fn an_empty_list_says_which_restriction_emptied_it() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let file = tmp.path().join("v.jsonl");
    std::fs::write(
        &file,
        [
            posting(
                "h-1",
                "Magazijnmedewerker",
                "Van Dijk",
                52.05,
                5.10,
                "Nieuwegein",
                "<p>Je tilt dozen tot 25 kg.</p>",
            )
            .to_string(),
            posting(
                "h-2",
                "Magazijnmedewerker",
                "De Groot",
                52.06,
                5.11,
                "Nieuwegein",
                "<p>Je sjouwt zakken van 20 kilo en werkt in 3-ploegendienst.</p>",
            )
            .to_string(),
            posting(
                "h-3",
                "Administratief medewerker",
                "Telwerk",
                52.09,
                5.12,
                "Utrecht",
                "<p>Facturen verwerken.</p>",
            )
            .to_string(),
        ]
        .join("\n"),
    )
    .unwrap();
    assert!(
        passend(&data, &["ingest", file.to_str().unwrap()])
            .status
            .success()
    );
    let cand = tmp.path().join("k.toml");
    std::fs::write(&cand, "id = \"k\"\n[home]\nplace = \"Nieuwegein\"\n[[direction]]\nlabel = \"Magazijn\"\nisco = \"9333\"\n[fml]\nlifting = 1\ntime_of_day = [2]\n").unwrap();
    let out = passend(
        &data,
        &[
            "shortlist",
            "--candidate",
            cand.to_str().unwrap(),
            "--json",
            "--no-record",
        ],
    );
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(list["results"].as_array().unwrap().is_empty(), "{list}");
    assert_eq!(list["exclusions"]["by_cause"]["lifting"], 2, "{list}");
    assert_eq!(list["exclusions"]["by_cause"]["time_of_day"], 1, "{list}");
    let text = list["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("tillen"), "{text}");
    // the person-readable form says the same in Dutch
    let out = passend(
        &data,
        &[
            "shortlist",
            "--candidate",
            cand.to_str().unwrap(),
            "--no-record",
        ],
    );
    let human = String::from_utf8_lossy(&out.stdout);
    assert!(
        human.contains("Geen passende vacatures gevonden")
            && human.contains("2 vacature(s) vielen af op FML tillen"),
        "{human}"
    );
}
