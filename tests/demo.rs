//! The demo end to end: a real HTTP server on 127.0.0.1, the real crawler, analysis, index,
//! matcher and store, over the sample data of config/demo/.

use std::path::Path;

use passend::model::Verdict;
use passend::resources::Resources;

#[test]
fn demo_runs_end_to_end() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = root.join("config");
    let tmp = tempfile::tempdir().unwrap();
    let res = Resources::load(Some(&config), None).unwrap();
    let now = passend::parse_now("2026-11-23T12:00:00Z").unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let result = rt
        .block_on(passend::demo::run(
            &config,
            &tmp.path().join("demo"),
            &res,
            now,
            5,
        ))
        .unwrap();

    let site = passend::demo::load_site(&config).unwrap();
    assert!(
        site.postings.len() >= 30,
        "the sample site has 30+ vacancies"
    );
    assert_eq!(
        result.crawl.fetched,
        site.postings.len(),
        "every page fetched: {:?}",
        result.crawl
    );
    assert!(result.crawl.errors.is_empty(), "{:?}", result.crawl.errors);
    assert_eq!(result.crawl.ingest.added, site.postings.len());
    assert!(
        result.crawl.ingest.closed >= 2,
        "expired vacancies are stored closed"
    );
    assert!(
        result.crawl.ingest.duplicates >= 1,
        "the repost is recognised"
    );

    let candidates = passend::demo::candidate_files(&config.join("demo/candidates")).unwrap();
    assert_eq!(result.shortlists.len(), candidates.len());
    for list in &result.shortlists {
        assert!(
            !list.results.is_empty(),
            "{} has an empty shortlist: {:?}",
            list.candidate,
            list.explanation
        );
        assert!(list.results.iter().all(|r| r.verdict != Verdict::Exclude));
        assert!(list.results.len() <= 5);
        for r in &list.results {
            assert!(!r.reasons.is_empty(), "every score is explained");
            assert!(r.reasons.iter().any(|x| x.kind == "direction"));
        }
        // closed vacancies never reach a shortlist
        assert!(
            list.results
                .iter()
                .all(|r| r.vacancy.id != "demo-010" && r.vacancy.id != "demo-021")
        );
        // one vacancy per duplicate cluster
        let dup = list
            .results
            .iter()
            .filter(|r| r.vacancy.id == "demo-001" || r.vacancy.id == "demo-027")
            .count();
        assert!(dup <= 1);
    }
    // the former warehouse worker with a back restriction never gets the heavy warehouse job
    let k01 = result
        .shortlists
        .iter()
        .find(|l| l.candidate == "demo-k01")
        .unwrap();
    for heavy in ["demo-001", "demo-027", "demo-002"] {
        assert!(
            k01.results.iter().all(|r| r.vacancy.id != heavy),
            "{heavy} proposed to demo-k01"
        );
    }
    assert!(result.output.matches("Shortlist passend werk voor").count() == candidates.len());
    assert!(result.output.contains("beroepsrichting"));
}
