//! Data-driven analysis tests: one small Dutch vacancy per file in tests/cases/analysis/, with
//! the demands, occupation, hours and place it must (and must not) yield. Adding a case is
//! adding a file:
//!
//! ```toml
//! title = "Productiemedewerker"
//! description = """..."""
//! [expect]
//! demands = ["lifting:1", "time_of_day:f1,2"]  # item:exclude_from, or item:fFLAGS (flags must be included)
//! absent = ["professional_driving"]            # items that must not be demanded
//! isco = "9329"                                # among the top 3 occupations
//! hours = [32, 40]                             # or hours = "none"
//! place = "Utrecht"
//! ```

use std::path::Path;

use passend::model::{Posting, Threshold};
use passend::resources::Resources;

fn check(path: &Path, res: &Resources) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let case: toml::Table = text.parse().map_err(|e| format!("not valid TOML: {e}"))?;
    let title = case
        .get("title")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    let description = case
        .get("description")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    let expect = case
        .get("expect")
        .and_then(|v| v.as_table())
        .ok_or("missing [expect]")?;
    let posting = Posting {
        id: "case".into(),
        title,
        description,
        ..Default::default()
    };
    let a = passend::analysis::analyze(res, &posting);
    let mut errors = vec![];
    let shown: Vec<String> = a
        .demands
        .iter()
        .map(|d| match &d.threshold {
            Threshold::From { exclude_from } => format!("{}:{exclude_from}", d.item),
            Threshold::Flags { exclude_flags } => {
                format!(
                    "{}:f{}",
                    d.item,
                    exclude_flags
                        .iter()
                        .map(|f| f.to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                )
            }
        })
        .collect();
    for want in expect
        .get("demands")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
    {
        let want = want.as_str().unwrap_or("");
        let (item, level) = want
            .split_once(':')
            .ok_or(format!("bad demand spec {want}"))?;
        let found = a.demands.iter().find(|d| d.item == item);
        let ok = match (found, level.strip_prefix('f')) {
            (None, _) => false,
            (Some(d), Some(flags)) => match &d.threshold {
                Threshold::Flags { exclude_flags } => flags.split(',').all(|f| {
                    f.trim()
                        .parse::<u8>()
                        .is_ok_and(|f| exclude_flags.contains(&f))
                }),
                _ => false,
            },
            (Some(d), None) => {
                matches!(&d.threshold, Threshold::From { exclude_from } if level.parse::<u8>() == Ok(*exclude_from))
            }
        };
        if !ok {
            errors.push(format!("expected demand {want}, got {shown:?}"));
        }
    }
    for item in expect
        .get("absent")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
    {
        let item = item.as_str().unwrap_or("");
        if let Some(d) = a.demands.iter().find(|d| d.item == item) {
            errors.push(format!(
                "expected no {item} demand, got one with evidence «{}»",
                d.evidence
            ));
        }
    }
    for d in &a.demands {
        if !a.text.contains(&d.evidence) {
            errors.push(format!(
                "evidence «{}» of {} is not a literal span of the text",
                d.evidence, d.item
            ));
        }
    }
    if let Some(isco) = expect.get("isco").and_then(|v| v.as_str()) {
        let top: Vec<&str> = a
            .occupations
            .iter()
            .take(3)
            .map(|o| o.isco.as_str())
            .collect();
        if !top.contains(&isco) {
            errors.push(format!("expected ISCO {isco} in the top 3, got {top:?}"));
        }
    }
    match expect.get("hours") {
        None => {}
        Some(toml::Value::String(s)) if s == "none" => {
            if let Some(h) = a.hours_per_week {
                errors.push(format!("expected no hours, got {}-{}", h.min, h.max));
            }
        }
        Some(toml::Value::Array(v)) => {
            let want: Vec<f64> = v
                .iter()
                .filter_map(|x| x.as_float().or_else(|| x.as_integer().map(|i| i as f64)))
                .collect();
            match a.hours_per_week {
                Some(h)
                    if want.len() == 2
                        && (h.min - want[0]).abs() <= 1.0
                        && (h.max - want[1]).abs() <= 1.0 => {}
                other => errors.push(format!("expected hours {want:?}, got {other:?}")),
            }
        }
        Some(other) => errors.push(format!("bad hours spec {other}")),
    }
    if let Some(place) = expect.get("place").and_then(|v| v.as_str()) {
        match &a.place {
            Some(p) if p.name == place => {}
            other => errors.push(format!("expected place {place}, got {other:?}")),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

#[test]
fn analysis_cases() {
    let res = Resources::load(
        Some(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config")),
        None,
    )
    .unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/analysis");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 30, "only {} analysis cases", files.len());
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| {
            check(f, &res)
                .err()
                .map(|e| format!("{}: {e}", f.file_name().unwrap().to_string_lossy()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases fail:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn hostile_text_never_panics() {
    let res = Resources::embedded().unwrap();
    let nasty = [
        "",
        "<",
        "<<<>>>",
        "<p>tillen tot 2500 kg en 400 uur per week</p>",
        "€€€ 1.2.3.4 - - uur fte 0,0 fte 99999999999999999999 uur",
        "ÆØÅ İstanbul ﬁ ß ẞ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u{0}\u{7}",
        "<script>nachtdiensten</script><style>tillen 25 kg</style>",
        "This job is in English only: you will lift boxes and work night shifts as a warehouse associate in our facility.",
    ];
    for n in nasty {
        for title in ["", n, "Magazijnmedewerker (m/v/x)"] {
            let p = Posting {
                id: "x".into(),
                title: title.into(),
                description: n.repeat(3),
                ..Default::default()
            };
            let a = passend::analysis::analyze(&res, &p);
            for d in &a.demands {
                assert!(a.text.contains(&d.evidence));
            }
        }
    }
    let p = Posting {
        id: "x".into(),
        title: "Magazijnmedewerker".into(),
        description: "Je tilt dozen tot 2500 kg. 400 uur per week.".into(),
        ..Default::default()
    };
    let a = passend::analysis::analyze(&res, &p);
    assert!(a.hours_per_week.is_none());
    assert!(
        a.warnings.iter().any(|w| w.contains("2500")),
        "{:?}",
        a.warnings
    );
}

/// A bounded random fuzz of the text paths: fragments of HTML, numbers, units and Dutch
/// demand words glued at random must never panic and must keep evidence literal.
#[test]
fn random_text_never_panics() {
    let res = Resources::embedded().unwrap();
    let parts = [
        "<p>",
        "</p>",
        "<li>",
        "<",
        ">",
        "&amp;",
        "&#",
        ";",
        " tillen ",
        " tot ",
        "25",
        "2500",
        " kg",
        " kilo",
        " uur",
        " per week",
        "-",
        "–",
        " fte",
        "0,8",
        " geen ",
        " niet ",
        " nachtdiensten",
        " 3-ploegendienst",
        "€",
        "1.000",
        ",",
        ".",
        "\n",
        "é",
        "ß",
        "İ",
        " staand werk",
        " Den Bosch",
        " m/v/x",
        "(",
        ")",
        " magazijnmedewerker",
        "\u{a0}",
        "•",
    ];
    let mut seed: u64 = 0x5eed;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    for _ in 0..1500 {
        let len = next() % 40;
        let text: String = (0..len).map(|_| parts[next() % parts.len()]).collect();
        let title: String = (0..(next() % 4))
            .map(|_| parts[next() % parts.len()])
            .collect();
        let p = Posting {
            id: "f".into(),
            title,
            description: text,
            ..Default::default()
        };
        let a = passend::analysis::analyze(&res, &p);
        for d in &a.demands {
            assert!(
                a.text.contains(&d.evidence),
                "evidence not literal: {:?}",
                d.evidence
            );
        }
        if let Some(h) = a.hours_per_week {
            assert!(h.min <= h.max && h.max <= 80.0);
        }
    }
}
