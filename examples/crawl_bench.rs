//! Crawl benchmarks (figures go to BENCHMARKS.md):
//!
//! 1. extraction throughput: 10k generated career pages (boilerplate HTML around JobPosting
//!    JSON-LD; every 10th page microdata only) through `crawl::extract::job_postings`, on one
//!    thread;
//! 2. a full crawl of 10k pages from a local axum server (sitemap index → 2 sitemaps → pages),
//!    politeness delays off, through the real pipeline (analysis, index, store), then the
//!    incremental re-crawl where every page answers 304.
//!
//! Run: `cargo run --release --example crawl_bench [-- PAGES]`

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use passend::crawl::{Crawler, CrawlerConfig, Source, extract};
use passend::index::VacancyIndex;
use passend::pipeline::Pipeline;
use passend::resources::Resources;
use passend::store::Store;

const TITLES: &[&str] = &[
    "Magazijnmedewerker",
    "Chauffeur C/E",
    "Verzorgende IG",
    "Schoonmaker",
    "Administratief medewerker",
    "Kok",
    "Medewerker klantenservice",
    "Productiemedewerker",
    "Hovenier",
    "Receptionist",
    "Monteur installatietechniek",
    "Kassamedewerker",
];
const PLACES: &[&str] = &[
    "Tilburg",
    "Utrecht",
    "Zwolle",
    "Breda",
    "Groningen",
    "Eindhoven",
    "Apeldoorn",
    "Leeuwarden",
];
const SENTENCES: &[&str] = &[
    "Je werkt in een hecht team en krijgt een goede inwerkperiode.",
    "Het werk is fysiek zwaar: je tilt regelmatig dozen tot 20 kilo.",
    "Je staat het grootste deel van de dag.",
    "Je werkt in wisselende diensten, ook in het weekend.",
    "Je hebt contact met klanten aan de telefoon.",
    "Je werkt veel achter de computer.",
    "Een rijbewijs B is een pré.",
    "Je werkt buiten, ook bij regen en kou.",
    "Wij bieden een salaris tussen 2400 en 2900 euro per maand.",
    "Je werkt 32 tot 38 uur per week.",
];

fn page(i: usize) -> String {
    let title = TITLES[i % TITLES.len()];
    let place = PLACES[(i / 7) % PLACES.len()];
    let mut desc = String::new();
    for k in 0..6 {
        desc.push_str("<p>");
        desc.push_str(SENTENCES[(i * 3 + k * 7) % SENTENCES.len()]);
        desc.push_str("</p>");
    }
    // real career pages carry far more boilerplate than vacancy: menus, styles, scripts
    let nav: String = (0..120)
        .map(|k| format!("<li class=\"menu-item menu-item-{k}\"><a href=\"/pagina/{k}\">Menu-item {k}</a></li>"))
        .collect();
    let footer = format!(
        "<style>{}</style><script>{}</script>{}",
        ".btn{color:#123;padding:4px 8px;border-radius:3px}\n".repeat(60),
        "window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}\n"
            .repeat(60),
        "<p>Copyright Voorbeeld B.V. — Alle rechten voorbehouden. Privacy · Cookies · Contact</p>"
            .repeat(20)
    );
    if i % 10 == 9 {
        return format!(
            "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body><nav><ul>{nav}</ul></nav>\
             <div itemscope itemtype=\"https://schema.org/JobPosting\"><h1 itemprop=\"title\">{title}</h1><meta itemprop=\"identifier\" content=\"bench-{i}\">\
             <div itemprop=\"hiringOrganization\" itemscope itemtype=\"https://schema.org/Organization\"><span itemprop=\"name\">Werkgever {e}</span></div>\
             <div itemprop=\"jobLocation\" itemscope itemtype=\"https://schema.org/Place\"><div itemprop=\"address\" itemscope itemtype=\"https://schema.org/PostalAddress\"><span itemprop=\"addressLocality\">{place}</span></div></div>\
             <div itemprop=\"description\">{desc}</div></div><footer>{footer}</footer></body></html>",
            e = i % 300
        );
    }
    let json = serde_json::json!({
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "Organization", "name": format!("Werkgever {}", i % 300)},
            {"@type": "JobPosting", "title": title, "identifier": {"@type": "PropertyValue", "value": format!("bench-{i}")},
             "description": desc, "datePosted": "2026-11-20", "validThrough": "2027-01-31",
             "hiringOrganization": {"@type": "Organization", "name": format!("Werkgever {}", i % 300)},
             "employmentType": ["FULL_TIME"],
             "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": place, "addressCountry": "NL"}}}
        ]
    });
    format!(
        "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>{title} in {place}</title>\
         <script type=\"application/ld+json\">{json}</script></head><body><nav><ul>{nav}</ul></nav>\
         <main><h1>{title}</h1>{desc}</main><footer>{footer}</footer></body></html>"
    )
}

struct Site {
    pages: Vec<String>,
}

async fn robots() -> &'static str {
    "User-agent: *\nDisallow: /zoeken\n"
}

async fn index(headers: HeaderMap) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    let xml = format!(
        "<?xml version=\"1.0\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sitemap><loc>http://{host}/sitemap-0.xml</loc></sitemap><sitemap><loc>http://{host}/sitemap-1.xml</loc></sitemap></sitemapindex>"
    );
    ([(header::CONTENT_TYPE, "application/xml")], xml).into_response()
}

async fn sitemap(
    State(site): State<Arc<Site>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_string();
    let part: usize = name
        .trim_start_matches("sitemap-")
        .trim_end_matches(".xml")
        .parse()
        .unwrap_or(9);
    let n = site.pages.len();
    let (from, to) = if part == 0 { (0, n / 2) } else { (n / 2, n) };
    let mut xml = String::from(
        "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">",
    );
    for i in from..to {
        xml.push_str(&format!("<url><loc>http://{host}/v/{i}</loc></url>"));
    }
    xml.push_str("</urlset>");
    ([(header::CONTENT_TYPE, "application/xml")], xml).into_response()
}

async fn vacancy(
    State(site): State<Arc<Site>>,
    Path(i): Path<usize>,
    headers: HeaderMap,
) -> Response {
    let Some(p) = site.pages.get(i) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!("\"v{i}\"");
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (header::ETAG, etag),
        ],
        p.clone(),
    )
        .into_response()
}

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let pages: Vec<String> = (0..n).map(page).collect();
    let bytes: usize = pages.iter().map(String::len).sum();
    println!(
        "{n} generated pages, {:.1} KB on average",
        bytes as f64 / n as f64 / 1024.0
    );

    // 1. extraction throughput, one thread
    let t = Instant::now();
    let mut extracted = Vec::with_capacity(n);
    for (i, p) in pages.iter().enumerate() {
        let (postings, _) = extract::job_postings(p, &format!("http://x/v/{i}"));
        extracted.extend(postings);
    }
    let secs = t.elapsed().as_secs_f64();
    assert_eq!(extracted.len(), n, "every page yields its posting");
    println!(
        "extraction: {n} pages in {secs:.2} s = {:.0} pages/s on one core ({:.1} MB/s)",
        n as f64 / secs,
        bytes as f64 / secs / 1e6
    );

    // for scale: the pipeline alone (analysis, de-duplication, index, store), no HTTP
    let res = Resources::embedded()?;
    {
        let tmp = tempfile::tempdir()?;
        let mut idx = VacancyIndex::open(&tmp.path().join("index"))?;
        let store = Store::open(&tmp.path().join("passend.db"))?;
        let mut pipe = Pipeline {
            res: &res,
            index: &mut idx,
            store: &store,
            now: passend::parse_now("2026-11-23T12:00:00Z")?,
        };
        let mut report = Default::default();
        let t = Instant::now();
        store.connection().execute_batch("BEGIN")?;
        for (i, p) in extracted.into_iter().enumerate() {
            pipe.take(p, "bench", &mut report)?;
            if i % 200 == 199 {
                pipe.commit()?;
                store.connection().execute_batch("COMMIT; BEGIN")?;
            }
        }
        pipe.commit()?;
        store.connection().execute_batch("COMMIT")?;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "pipeline alone (no HTTP): {n} postings in {secs:.2} s = {:.0} postings/s",
            n as f64 / secs
        );
    }

    // 2. full crawl from a local server, politeness delays off
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let site = Arc::new(Site { pages });
    let app = axum::Router::new()
        .route("/robots.txt", get(robots))
        .route("/sitemap.xml", get(index))
        .route("/{name}", get(sitemap))
        .route("/v/{i}", get(vacancy))
        .with_state(site);
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let addr = listener.local_addr()?;
    rt.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let tmp = tempfile::tempdir()?;
    let mut idx = VacancyIndex::open(&tmp.path().join("index"))?;
    let store = Store::open(&tmp.path().join("passend.db"))?;
    let cfg = CrawlerConfig {
        delay_ms: 0,
        obey_crawl_delay: false,
        max_pages_per_source: n + 10,
        ..CrawlerConfig::default()
    };
    let source = Source {
        name: "bench".into(),
        kind: "career-site".into(),
        urls: vec![format!("http://{addr}/sitemap.xml")],
        ..Source::default()
    };
    for (label, now) in [
        ("full crawl (cold)", "2026-11-23T12:00:00Z"),
        ("re-crawl (all 304)", "2026-11-24T12:00:00Z"),
    ] {
        let mut crawler = Crawler::new(cfg.clone())?;
        let mut pipe = Pipeline {
            res: &res,
            index: &mut idx,
            store: &store,
            now: passend::parse_now(now)?,
        };
        let t = Instant::now();
        let r = rt.block_on(crawler.crawl(&source, &mut pipe))?;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{label}: {n} pages in {secs:.2} s = {:.0} pages/s (fetched {}, 304 {}, new {}, unchanged {}, requests {}, errors {:?})",
            n as f64 / secs,
            r.fetched,
            r.not_modified,
            r.new,
            r.unchanged,
            r.requests,
            r.errors
        );
    }
    Ok(())
}
