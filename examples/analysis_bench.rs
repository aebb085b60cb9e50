//! Analysis and matching benchmark on a generated corpus.
//!
//!     cargo run --release --example analysis_bench [N]
//!
//! Generates N postings (default 20,000) by varying the demo vacancies of config/demo (titles,
//! places, hours, sentences shuffled between postings), then measures on one thread:
//! 1. analysis throughput (`analysis::analyze`), the goal being ≥ 2,000 postings/s per core;
//! 2. index build through the pipeline (analysis + de-duplication + tantivy + SQLite);
//! 3. shortlist latency p50/p99 for the demo candidates over the whole index.
//!
//! Prints a Markdown table row for BENCHMARKS.md.

use std::time::Instant;

use passend::model::Posting;
use passend::resources::Resources;

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let config = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let res = Resources::load(Some(&config), None)?;
    let site = passend::demo::load_site(&config)?;
    let base: Vec<Posting> = site
        .postings
        .iter()
        .filter_map(|v| passend::posting::from_json(v, None).ok())
        .collect();
    let places = [
        "Utrecht",
        "Amersfoort",
        "Zwolle",
        "Tilburg",
        "Eindhoven",
        "Rotterdam",
        "Den Haag",
        "Groningen",
        "Arnhem",
        "Breda",
        "Leiden",
        "Nijmegen",
    ];
    let hours = [
        "24 tot 32 uur per week",
        "fulltime",
        "0,8 fte",
        "32-40 uur",
        "parttime 20 uur per week",
        "",
    ];
    // sentences from all demo texts, to vary descriptions
    let sentences: Vec<String> = base
        .iter()
        .flat_map(|p| {
            passend::analysis::text::html_to_text(&p.description)
                .split(". ")
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    let mut seed: u64 = 42;
    let mut rnd = move |m: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % m.max(1)
    };
    let mut corpus = Vec::with_capacity(n);
    for i in 0..n {
        let mut p = base[i % base.len()].clone();
        p.id = format!("gen-{i}");
        p.url = Some(format!("https://werk.example/gen-{i}"));
        p.locality = Some(places[rnd(places.len())].to_string());
        p.postal_code = None;
        p.lat = None;
        p.lon = None;
        p.employer = Some(format!(
            "{} {}",
            p.employer.clone().unwrap_or_default(),
            i / 7
        ));
        let mut extra = String::new();
        for _ in 0..3 {
            extra.push_str(&sentences[rnd(sentences.len())]);
            extra.push_str(". ");
        }
        p.description = format!(
            "{}<p>{} {}</p>",
            p.description,
            extra,
            hours[rnd(hours.len())]
        );
        corpus.push(p);
    }
    let bytes: usize = corpus.iter().map(|p| p.description.len()).sum();

    // 1. analysis
    let t = Instant::now();
    let mut demands = 0;
    for p in &corpus {
        demands += passend::analysis::analyze(&res, p).demands.len();
    }
    let secs = t.elapsed().as_secs_f64();
    let analysis_rate = n as f64 / secs;
    eprintln!(
        "analysis: {n} postings ({:.1} MB) in {secs:.2} s = {analysis_rate:.0} postings/s ({demands} demands)",
        bytes as f64 / 1e6
    );

    // 2. index build through the pipeline
    let tmp = std::env::temp_dir().join(format!("passend-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let mut index = passend::index::VacancyIndex::open(&tmp.join("index"))?;
    let store = passend::store::Store::open(&tmp.join("passend.db"))?;
    let now = passend::parse_now("2026-11-23T12:00:00Z")?;
    let t = Instant::now();
    {
        let mut pipe = passend::pipeline::Pipeline {
            res: &res,
            index: &mut index,
            store: &store,
            now,
        };
        let mut rep = passend::pipeline::IngestReport::default();
        for (i, p) in corpus.into_iter().enumerate() {
            pipe.take(p, "bench", &mut rep)?;
            if i % 2000 == 1999 {
                pipe.commit()?;
            }
        }
        pipe.commit()?;
    }
    let build = t.elapsed().as_secs_f64();
    eprintln!(
        "pipeline (analysis + dedup + index + store): {:.0} postings/s ({build:.1} s)",
        n as f64 / build
    );

    // 3. shortlist latency
    let mut lat = vec![];
    let cands: Vec<_> = passend::demo::candidate_files(&config.join("demo/candidates"))?
        .iter()
        .map(|f| passend::candidate::load(f, &res.catalogue))
        .collect::<Result<_, _>>()?;
    let opts = passend::matcher::Options {
        top: 10,
        include_excluded: false,
        now,
    };
    for round in 0..20 {
        for c in &cands {
            let t = Instant::now();
            let (list, _) = passend::matcher::shortlist(c, &index, &res, &opts)?;
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
            if round == 0 {
                eprintln!(
                    "  {}: {} results of {} considered",
                    c.id,
                    list.results.len(),
                    list.exclusions.considered
                );
            }
        }
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    let p = |q: f64| lat[((lat.len() as f64 - 1.0) * q).round() as usize];
    eprintln!(
        "shortlist latency over {n}: p50 {:.1} ms, p99 {:.1} ms",
        p(0.5),
        p(0.99)
    );
    println!(
        "| {} | {n} | {analysis_rate:.0} postings/s | {:.0} postings/s | {:.1} ms | {:.1} ms |",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        n as f64 / build,
        p(0.5),
        p(0.99)
    );
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}
