//! Table-driven verdict logic: tests/cases/verdicts.tsv lists one demand against one
//! restriction and the verdict a labour expert expects. Adding a case is adding a line.

use std::path::Path;

use passend::matcher::judge_demand;
use passend::model::*;
use passend::resources::Resources;

fn candidate(item: &str, value: &str) -> Candidate {
    let mut c = Candidate {
        id: "t".into(),
        name: None,
        email: None,
        coach: None,
        first_sick_day: None,
        home: Home {
            postcode: None,
            place: None,
            max_travel_minutes: None,
        },
        hours: None,
        education: None,
        skills: vec![],
        licences: vec![],
        languages: vec![],
        directions: vec![],
        fml_date: None,
        restrictions: vec![],
    };
    if value != "-" {
        let v = if let Some(list) = value.strip_prefix('[') {
            RestrictionValue::Flags(
                list.trim_end_matches(']')
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.trim().parse().unwrap())
                    .collect(),
            )
        } else {
            RestrictionValue::Code(value.parse().unwrap())
        };
        c.restrictions.push(Restriction {
            item: item.into(),
            value: v,
            note: Some("toelichting".into()),
        });
    }
    c
}

#[test]
fn verdict_table() {
    let res = Resources::embedded().unwrap();
    let table = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/verdicts.tsv"),
    )
    .unwrap();
    let mut n = 0;
    let mut failures = vec![];
    for (i, line) in table.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let c: Vec<&str> = line.split('\t').collect();
        let (item, value, demand, want) = (c[0], c[1], c[2], c[3]);
        let threshold = if let Some(f) = demand.strip_prefix("from:") {
            Threshold::From {
                exclude_from: f.parse().unwrap(),
            }
        } else {
            Threshold::Flags {
                exclude_flags: demand
                    .trim_start_matches("flags:")
                    .split(',')
                    .map(|x| x.parse().unwrap())
                    .collect(),
            }
        };
        let d = Demand {
            item: item.into(),
            threshold,
            evidence: "bewijs".into(),
            basis: Basis::Explicit,
        };
        let (got, text) = judge_demand(&d, &candidate(item, value), &res.catalogue);
        let got = serde_json::to_value(got).unwrap();
        if got != want {
            failures.push(format!(
                "line {}: {item} {value} vs {demand}: expected {want}, got {got} ({text})",
                i + 1
            ));
        }
        assert!(!text.is_empty());
        n += 1;
    }
    assert!(n >= 30);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
