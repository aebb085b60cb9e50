//! `passend demo`: the main job end to end on embedded defaults, with nothing external.
//!
//! It serves the sample career site of `config/demo/` on 127.0.0.1 (one page per vacancy with
//! JobPosting JSON-LD, a sitemap and a robots.txt), crawls it into `<data>/demo` through the
//! same crawler and pipeline as real sources, loads the sample candidates and prints each one's
//! explained shortlist in Dutch. The site is fixture data; the crawl, analysis, index and
//! matching are the real ones.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};

use crate::crawl::{CrawlReport, Crawler, CrawlerConfig, Source};
use crate::index::VacancyIndex;
use crate::matcher;
use crate::pipeline::Pipeline;
use crate::resources::Resources;
use crate::store::Store;

/// A sample career site: JobPosting JSON objects served as HTML pages.
pub struct SampleSite {
    pub postings: Vec<serde_json::Value>,
}

fn slug(v: &serde_json::Value, i: usize) -> String {
    let id = v
        .pointer("/identifier/value")
        .and_then(|x| x.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| format!("v{i}"));
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

fn page(v: &serde_json::Value) -> String {
    let title = v
        .get("title")
        .and_then(|t| t.as_str())
        .unwrap_or("Vacature");
    let employer = v
        .pointer("/hiringOrganization/name")
        .and_then(|t| t.as_str())
        .unwrap_or("");
    let desc = v.get("description").and_then(|t| t.as_str()).unwrap_or("");
    // JSON-LD inside <script>: escape "</" so a description can never close the script early
    let json = serde_json::to_string_pretty(v)
        .unwrap_or_default()
        .replace("</", "<\\/");
    format!(
        "<!doctype html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\"><title>{t} – {e}</title>\n<script type=\"application/ld+json\">\n{json}\n</script></head>\n<body><header><a href=\"/\">Werken bij</a></header><main><h1>{t}</h1><p class=\"werkgever\">{e}</p><article>{desc}</article></main></body></html>\n",
        t = html_escape::encode_text(title),
        e = html_escape::encode_text(employer),
    )
}

async fn robots() -> impl IntoResponse {
    "User-agent: *\nDisallow: /sollicitatie/\nSitemap: /sitemap.xml\n"
}

async fn sitemap(State(site): State<Arc<SampleSite>>, headers: axum::http::HeaderMap) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (i, v) in site.postings.iter().enumerate() {
        let lastmod = v
            .get("datePosted")
            .and_then(|d| d.as_str())
            .unwrap_or("2026-11-01");
        xml.push_str(&format!(
            "  <url><loc>http://{host}/vacatures/{}.html</loc><lastmod>{lastmod}</lastmod></url>\n",
            slug(v, i)
        ));
    }
    xml.push_str("</urlset>\n");
    ([(header::CONTENT_TYPE, "application/xml")], xml).into_response()
}

async fn vacancy(State(site): State<Arc<SampleSite>>, UrlPath(name): UrlPath<String>) -> Response {
    let wanted = name.trim_end_matches(".html");
    for (i, v) in site.postings.iter().enumerate() {
        if slug(v, i) == wanted {
            return Html(page(v)).into_response();
        }
    }
    (StatusCode::NOT_FOUND, "Deze vacature bestaat niet (meer).").into_response()
}

async fn home(State(site): State<Arc<SampleSite>>) -> Html<String> {
    let mut s = String::from(
        "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Vacatures</title></head><body><h1>Vacatures</h1><ul>",
    );
    for (i, v) in site.postings.iter().enumerate() {
        let t = v.get("title").and_then(|t| t.as_str()).unwrap_or("?");
        s.push_str(&format!(
            "<li><a href=\"/vacatures/{}.html\">{}</a></li>",
            slug(v, i),
            html_escape::encode_text(t)
        ));
    }
    s.push_str("</ul></body></html>");
    Html(s)
}

/// Serve a sample site on 127.0.0.1 (port 0 = any free port). Returns the address.
pub async fn serve(site: SampleSite) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let state = Arc::new(site);
    let app = axum::Router::new()
        .route("/", get(home))
        .route("/robots.txt", get(robots))
        .route("/sitemap.xml", get(sitemap))
        .route("/vacatures/{name}", get(vacancy))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let handle = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((addr, handle))
}

pub fn load_site(config_dir: &Path) -> anyhow::Result<SampleSite> {
    let path = config_dir.join("demo").join("vacancies.jsonl");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("demo data missing: cannot read {}", path.display()))?;
    let mut postings = vec![];
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        postings.push(
            serde_json::from_str(line)
                .with_context(|| format!("{} line {}: not valid JSON", path.display(), n + 1))?,
        );
    }
    Ok(SampleSite { postings })
}

pub fn candidate_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read candidate folder {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

pub struct DemoResult {
    pub crawl: CrawlReport,
    pub output: String,
    pub shortlists: Vec<crate::model::Shortlist>,
}

/// Run the demo: serve, crawl, match, render. `data` is the demo's own folder (wiped first).
pub async fn run(
    config_dir: &Path,
    data: &Path,
    res: &Resources,
    now: DateTime<Utc>,
    top: usize,
) -> anyhow::Result<DemoResult> {
    let site = load_site(config_dir)?;
    let (addr, server) = serve(site).await?;
    if data.exists() {
        std::fs::remove_dir_all(data)
            .with_context(|| format!("cannot clear {}", data.display()))?;
    }
    let mut index = VacancyIndex::open(&data.join("index"))?;
    let mut store = Store::open(&data.join("passend.db"))?;
    let source = Source {
        name: "demo-werkenbij".into(),
        kind: "career-site".into(),
        sitemaps: vec![format!("http://{addr}/sitemap.xml")],
        ..Source::default()
    };
    let cfg = CrawlerConfig {
        delay_ms: 0,
        ..CrawlerConfig::default()
    };
    let mut crawler = Crawler::new(cfg)?;
    let report = {
        let mut pipe = Pipeline {
            res,
            index: &mut index,
            store: &store,
            now,
        };
        crawler.crawl(&source, &mut pipe).await?
    };
    server.abort();
    let mut out = String::new();
    out.push_str(&format!(
        "Demo-vacaturesite op http://{addr}: {} pagina's opgehaald, {} vacatures nieuw, {} gesloten (validThrough verstreken), {} dubbel geplaatst, {} fouten.\n\n",
        report.fetched,
        report.ingest.added,
        report.ingest.closed,
        report.ingest.duplicates,
        report.errors.values().sum::<usize>()
    ));
    let mut lists = vec![];
    for file in candidate_files(&config_dir.join("demo").join("candidates"))? {
        let cand = crate::candidate::load(&file, &res.catalogue)?;
        let opts = matcher::Options {
            top,
            include_excluded: false,
            now,
        };
        let (list, snaps) = matcher::shortlist(&cand, &index, res, &opts)?;
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
        out.push_str(&crate::render::shortlist_text(&list, Some(&cand)));
        out.push_str("\n────────────────────────────────────────────────────────────\n\n");
        lists.push(list);
    }
    Ok(DemoResult {
        crawl: report,
        output: out,
        shortlists: lists,
    })
}
