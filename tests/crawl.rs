//! The crawler against real HTTP servers on 127.0.0.1: every source kind in its real format,
//! politeness, hostile servers, incremental crawling, lifecycle, resume, the daemon and the CLI.
//!
//! Each test starts its own fixture server (axum on 127.0.0.1:0) whose routes are set by the
//! test and which records every request (path, time, headers), so tests assert what the crawler
//! actually sent. Fixture files live in tests/fixtures/crawl/.

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};

use passend::crawl::{CrawlReport, Crawler, CrawlerConfig, Source, state};
use passend::index::VacancyIndex;
use passend::model::Status;
use passend::pipeline::Pipeline;
use passend::resources::Resources;
use passend::store::Store;

// ---------------------------------------------------------------- fixture server

#[derive(Clone, Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    delay_ms: u64,
}

impl Resp {
    fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Resp {
        Resp {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            delay_ms: 0,
        }
    }
    fn html(body: impl Into<Vec<u8>>) -> Resp {
        Resp::new(200, "text/html; charset=utf-8", body)
    }
    fn xml(body: impl Into<Vec<u8>>) -> Resp {
        Resp::new(200, "application/xml", body)
    }
    fn json(body: impl Into<Vec<u8>>) -> Resp {
        Resp::new(200, "application/json", body)
    }
    fn text(body: &str) -> Resp {
        Resp::new(200, "text/plain", body)
    }
    fn status(status: u16) -> Resp {
        Resp::new(status, "text/plain", format!("status {status}"))
    }
    fn header(mut self, k: &str, v: &str) -> Resp {
        self.headers.push((k.into(), v.into()));
        self
    }
    fn delay(mut self, ms: u64) -> Resp {
        self.delay_ms = ms;
        self
    }
    /// Answer If-None-Match with 304.
    fn etag(self, tag: &str) -> Resp {
        self.header("etag", tag)
    }
}

#[derive(Debug, Clone)]
struct Hit {
    path: String,
    at: Instant,
    if_none_match: Option<String>,
    user_agent: String,
}

#[derive(Default)]
struct Site {
    /// path (with query) → responses; the last one repeats.
    routes: Mutex<HashMap<String, VecDeque<Resp>>>,
    hits: Mutex<Vec<Hit>>,
    /// Set this flag when the n-th request for a path matching the prefix arrives.
    trip: Mutex<Option<(String, usize, Arc<AtomicBool>)>>,
}

struct Server {
    addr: SocketAddr,
    site: Arc<Site>,
}

impl Server {
    async fn start() -> Server {
        let site = Arc::new(Site::default());
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(site.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Server { addr, site }
    }
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
    fn set(&self, path: &str, r: Resp) {
        self.set_seq(path, vec![r]);
    }
    fn set_seq(&self, path: &str, rs: Vec<Resp>) {
        self.site
            .routes
            .lock()
            .unwrap()
            .insert(path.into(), rs.into());
    }
    fn hits(&self, path: &str) -> Vec<Hit> {
        self.site
            .hits
            .lock()
            .unwrap()
            .iter()
            .filter(|h| h.path == path)
            .cloned()
            .collect()
    }
    fn all_hits(&self) -> Vec<Hit> {
        self.site.hits.lock().unwrap().clone()
    }
    fn robots(&self, text: &str) {
        self.set("/robots.txt", Resp::text(text));
    }
    /// A sitemap of these paths.
    fn sitemap(&self, path: &str, pages: &[&str]) {
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for p in pages {
            xml.push_str(&format!(
                "<url><loc>{}</loc><lastmod>2026-11-20</lastmod></url>\n",
                self.url(p)
            ));
        }
        xml.push_str("</urlset>\n");
        self.set(path, Resp::xml(xml));
    }
}

async fn handle(State(site): State<Arc<Site>>, req: Request) -> Response {
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let headers: HeaderMap = req.headers().clone();
    let get = |k: &str| {
        headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    site.hits.lock().unwrap().push(Hit {
        path: path.clone(),
        at: Instant::now(),
        if_none_match: get("if-none-match"),
        user_agent: get("user-agent").unwrap_or_default(),
    });
    if let Some((prefix, n, flag)) = site.trip.lock().unwrap().as_ref() {
        let count = site
            .hits
            .lock()
            .unwrap()
            .iter()
            .filter(|h| h.path.starts_with(prefix.as_str()))
            .count();
        if count >= *n {
            flag.store(true, Ordering::Relaxed);
        }
    }
    let resp = {
        let mut routes = site.routes.lock().unwrap();
        match routes.get_mut(&path) {
            Some(q) if q.len() > 1 => q.pop_front(),
            Some(q) => q.front().cloned(),
            None => None,
        }
    };
    let Some(r) = resp else {
        return Response::builder()
            .status(404)
            .body(Body::from("niet gevonden"))
            .unwrap();
    };
    if r.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(r.delay_ms)).await;
    }
    let etag = r
        .headers
        .iter()
        .find(|(k, _)| k == "etag")
        .map(|(_, v)| v.clone());
    if let Some(tag) = etag.filter(|t| Some(t) == get("if-none-match").as_ref()) {
        return Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .header("etag", tag)
            .body(Body::empty())
            .unwrap();
    }
    let last_modified = r
        .headers
        .iter()
        .find(|(k, _)| k == "last-modified")
        .map(|(_, v)| v.clone());
    if last_modified.is_some() && last_modified == get("if-modified-since") {
        return Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .unwrap();
    }
    let mut b = Response::builder().status(r.status);
    for (k, v) in &r.headers {
        b = b.header(k, v);
    }
    b.body(Body::from(r.body)).unwrap()
}

// ---------------------------------------------------------------- helpers

fn fixture(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/crawl")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(vec![], flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// A career page with one JobPosting in JSON-LD.
fn job_page(id: &str, title: &str, employer: &str, desc: &str, valid: Option<&str>) -> String {
    let mut v = serde_json::json!({
        "@context": "https://schema.org", "@type": "JobPosting", "title": title,
        "identifier": {"@type": "PropertyValue", "value": id},
        "description": desc, "hiringOrganization": {"@type": "Organization", "name": employer},
        "datePosted": "2026-11-20",
        "jobLocation": {"@type": "Place", "address": {"addressLocality": "Tilburg"}}
    });
    if let Some(d) = valid {
        v["validThrough"] = serde_json::Value::String(d.into());
    }
    format!(
        "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>{title}</title><script type=\"application/ld+json\">{v}</script></head><body><h1>{title}</h1></body></html>"
    )
}

fn test_cfg() -> CrawlerConfig {
    CrawlerConfig {
        delay_ms: 0,
        timeout_secs: 2.0,
        retry_backoff_ms: 50,
        max_retry_after_secs: 3.0,
        ..CrawlerConfig::default()
    }
}

fn now(s: &str) -> DateTime<Utc> {
    passend::parse_now(s).unwrap()
}

/// A data folder with index and store, reopened on demand (as a new process would).
struct Data {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    res: Resources,
    index: VacancyIndex,
    store: Store,
}

impl Data {
    fn new() -> Data {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        Data {
            res: Resources::embedded().unwrap(),
            index: VacancyIndex::open(&dir.join("index")).unwrap(),
            store: Store::open(&dir.join("passend.db")).unwrap(),
            dir,
            _tmp: tmp,
        }
    }

    fn reopen(&mut self) {
        // the old writer (and what it had not committed) goes, as with a killed process
        self.index = VacancyIndex::open(&self.dir.join("index")).unwrap();
        self.store = Store::open(&self.dir.join("passend.db")).unwrap();
    }

    async fn crawl(&mut self, crawler: &mut Crawler, s: &Source, at: &str) -> CrawlReport {
        let mut pipe = Pipeline {
            res: &self.res,
            index: &mut self.index,
            store: &self.store,
            now: now(at),
        };
        crawler.crawl(s, &mut pipe).await.unwrap()
    }

    fn status(&self, id: &str) -> (String, i64, Option<String>) {
        state::vacancy_status(&self.store, id)
            .unwrap()
            .unwrap_or_else(|| panic!("vacancy {id} not in the store"))
    }
}

fn source(name: &str, kind: &str, urls: Vec<String>) -> Source {
    Source {
        name: name.into(),
        kind: kind.into(),
        urls,
        ..Source::default()
    }
}

// ---------------------------------------------------------------- source kinds

#[tokio::test]
async fn career_site_sitemap_index_gzip_and_every_jsonld_shape() {
    let srv = Server::start().await;
    srv.robots(&format!(
        "User-agent: *\nDisallow: /zoeken\nSitemap: {}\n",
        srv.url("/sitemap_index.xml")
    ));
    srv.set(
        "/sitemap_index.xml",
        Resp::xml(format!(
            "<?xml version=\"1.0\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sitemap><loc>{}</loc></sitemap><sitemap><loc>{}</loc></sitemap></sitemapindex>",
            srv.url("/sitemap-1.xml"),
            srv.url("/sitemap-2.xml.gz")
        )),
    );
    srv.sitemap(
        "/sitemap-1.xml",
        &[
            "/v/graph",
            "/v/multi",
            "/v/broken",
            "/v/microdata",
            "/v/cp1252",
        ],
    );
    // the second sitemap is a gzip file served as such (no Content-Encoding)
    let sm2 = format!(
        "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc>{}</loc></url><url><loc>{}</loc></url></urlset>",
        srv.url("/v/gz"),
        srv.url("/over-ons")
    );
    srv.set(
        "/sitemap-2.xml.gz",
        Resp::new(200, "application/x-gzip", gzip(sm2.as_bytes())),
    );
    srv.set(
        "/v/graph",
        Resp::html(fixture("jsonld_graph.html")).etag("\"g1\""),
    );
    srv.set(
        "/v/multi",
        Resp::html(fixture("jsonld_multi.html")).etag("\"m1\""),
    );
    srv.set(
        "/v/broken",
        Resp::html(fixture("jsonld_broken.html")).etag("\"b1\""),
    );
    srv.set(
        "/v/microdata",
        Resp::html(fixture("microdata.html")).etag("\"md1\""),
    );
    // windows-1252 bytes; the charset is only in the <meta http-equiv>
    srv.set(
        "/v/cp1252",
        Resp::new(200, "text/html", fixture("cp1252.html")).etag("\"c1\""),
    );
    // transport gzip (Content-Encoding), which reqwest undoes
    let gz_page = job_page(
        "gz-1",
        "Vrachtwagenchauffeur",
        "Transport Oost",
        "<p>Rijden.</p>",
        None,
    );
    srv.set(
        "/v/gz",
        Resp::html(gzip(gz_page.as_bytes()))
            .header("content-encoding", "gzip")
            .etag("\"z1\""),
    );
    srv.set(
        "/over-ons",
        Resp::html("<html><body>Over ons</body></html>").etag("\"o1\""),
    );

    let mut data = Data::new();
    let mut crawler = Crawler::new(test_cfg()).unwrap();
    let s = source(
        "werkenbij",
        "career-site",
        vec![srv.url("/sitemap_index.xml")],
    );
    let r = data.crawl(&mut crawler, &s, "2026-11-23").await;
    assert_eq!(r.fetched, 7, "{r:#?}");
    assert_eq!(
        r.new, 7,
        "graph 1 + multi 2 + broken 1 + microdata 1 + cp1252 1 + gz 1: {r:#?}"
    );
    assert_eq!(r.errors.get("jsonld-broken"), Some(&2), "{r:#?}");
    assert_eq!(r.without_vacancy, 1);
    assert!(r.complete);

    let graph = data.index.get("linde-kok-1").unwrap().unwrap();
    assert_eq!(
        graph.posting.employer.as_deref(),
        Some("Restaurant De Linde")
    );
    assert!(
        graph
            .posting
            .description
            .starts_with("<p>Je kookt &amp; bakt"),
        "entity-escaped HTML is unescaped once: {}",
        graph.posting.description
    );
    assert!(
        graph.analysis.text.contains("kookt & bakt"),
        "{}",
        graph.analysis.text
    );
    assert!(data.index.get("multi-1").unwrap().is_some());
    assert_eq!(
        data.index
            .get("multi-2")
            .unwrap()
            .unwrap()
            .posting
            .employer
            .as_deref(),
        Some("Opslag Zuid")
    );
    assert_eq!(
        data.index
            .get("broken-ok-1")
            .unwrap()
            .unwrap()
            .posting
            .title,
        "Receptionist"
    );
    let micro = data.index.get("micro-post-1").unwrap().unwrap();
    assert_eq!(micro.posting.title, "Postbezorger");
    assert_eq!(micro.posting.employer.as_deref(), Some("Post Oost"));
    assert_eq!(micro.posting.locality.as_deref(), Some("Apeldoorn"));
    assert_eq!(
        micro.posting.valid_through.unwrap().to_string(),
        "2026-12-24"
    );
    assert!(micro.posting.description.contains("bezorgt post"));
    let cafe = data.index.get("cp1252-1").unwrap().unwrap();
    assert_eq!(cafe.posting.title, "Cafémedewerker – € 14 per uur");
    assert_eq!(cafe.posting.employer.as_deref(), Some("Café De Zoë"));
    assert!(data.index.get("gz-1").unwrap().is_some());
    // an identifying User-Agent on every request
    assert!(
        srv.all_hits()
            .iter()
            .all(|h| h.user_agent.starts_with("passend/") && h.user_agent.contains("http"))
    );

    // second crawl: conditional GETs, every page 304, nothing analysed again
    let before = srv.all_hits().len();
    let r2 = data.crawl(&mut crawler, &s, "2026-11-24").await;
    assert_eq!(r2.not_modified, 7, "{r2:#?}");
    assert_eq!((r2.fetched, r2.new, r2.updated), (0, 0, 0), "{r2:#?}");
    assert_eq!(r2.unchanged, 7, "{r2:#?}");
    assert_eq!(
        srv.hits("/v/graph")
            .last()
            .unwrap()
            .if_none_match
            .as_deref(),
        Some("\"g1\"")
    );
    // one request per page plus the three sitemaps (robots.txt is cached per crawler)
    assert_eq!(srv.all_hits().len() - before, 7 + 3);
}

#[tokio::test]
async fn career_site_start_pages_are_followed_one_level() {
    let srv = Server::start().await;
    srv.robots("User-agent: *\nDisallow:\n");
    srv.set(
        "/vacatures",
        Resp::html(
            "<html><body><a href=\"/vacature/a\">A</a> <a href=\"vacature/b#sollicitatie\">B</a>\
             <a href=\"/over-ons\">Over ons</a> <a href=\"https://elders.example.org/vacature/c\">C</a>\
             <a href=\"mailto:hr@example.nl\">mail</a></body></html>",
        ),
    );
    for id in ["a", "b"] {
        srv.set(
            &format!("/vacature/{id}"),
            Resp::html(job_page(
                &format!("start-{id}"),
                "Conciërge",
                "School",
                "<p>x</p>",
                None,
            )),
        );
    }
    srv.set(
        "/vacature/direct",
        Resp::html(job_page(
            "start-direct",
            "Docent",
            "School",
            "<p>x</p>",
            None,
        )),
    );
    srv.set(
        "/over-ons",
        Resp::html("<html><body>Over ons</body></html>"),
    );
    let mut s = source(
        "start",
        "career-site",
        vec![srv.url("/vacatures"), srv.url("/vacature/direct")],
    );
    s.include = Some("/vacature/".into());
    s.check().unwrap();
    let mut data = Data::new();
    let mut crawler = Crawler::new(test_cfg()).unwrap();
    let r = data.crawl(&mut crawler, &s, "2026-11-23").await;
    assert_eq!(r.new, 3, "{r:#?}");
    assert!(
        srv.hits("/over-ons").is_empty(),
        "include filters followed links"
    );
    assert_eq!(srv.hits("/vacature/b").len(), 1);
    assert!(data.index.get("start-direct").unwrap().is_some());
    assert!(r.complete && r.errors.is_empty(), "{r:#?}");
}

#[tokio::test]
async fn ats_sources_in_their_public_formats() {
    let srv = Server::start().await;
    srv.robots("User-agent: *\nAllow: /\n");
    srv.set("/api/offers/", Resp::json(fixture("recruitee.json")));
    srv.set(
        "/v1/boards/zorggroep/jobs?content=true",
        Resp::json(fixture("greenhouse.json")),
    );
    srv.set(
        "/v0/postings/schoonbv?mode=json",
        Resp::json(fixture("lever.json")),
    );
    srv.set(
        "/api/v1/widget/accounts/korenschoof?details=true",
        Resp::json(fixture("workable.json")),
    );
    srv.set("/xml", Resp::xml(fixture("personio.xml")));

    let mut data = Data::new();
    let mut crawler = Crawler::new(test_cfg()).unwrap();
    let ats = |name: &str, sys: &str, path: &str| Source {
        ats: Some(sys.into()),
        ..source(name, "ats", vec![srv.url(path)])
    };
    let mut lever = ats("schoon", "lever", "/v0/postings/schoonbv?mode=json");
    lever.employer = Some("Schoonmaakbedrijf Schoon B.V.".into());
    let sources = vec![
        ats("vandijk", "recruitee", "/api/offers/"),
        ats(
            "zorggroep",
            "greenhouse",
            "/v1/boards/zorggroep/jobs?content=true",
        ),
        lever,
        ats(
            "korenschoof",
            "workable",
            "/api/v1/widget/accounts/korenschoof?details=true",
        ),
        ats("groen", "personio", "/xml"),
    ];
    for s in &sources {
        s.check().unwrap();
    }
    let mut reports = vec![];
    for s in &sources {
        reports.push(data.crawl(&mut crawler, s, "2026-11-23").await);
    }
    let news: Vec<usize> = reports.iter().map(|r| r.new).collect();
    assert_eq!(news, vec![2, 1, 1, 1, 1], "{reports:#?}");
    assert_eq!(
        reports[0].errors.get("api-entry"),
        Some(&1),
        "the offer without a title"
    );

    let mag = data
        .index
        .get("https://vandijk.recruitee.com/o/magazijnmedewerker-tilburg")
        .unwrap()
        .unwrap();
    assert_eq!(mag.posting.employer.as_deref(), Some("Van Dijk Logistiek"));
    assert_eq!(mag.posting.locality.as_deref(), Some("Tilburg"));
    assert_eq!(mag.posting.postal_code.as_deref(), Some("5041 AB"));
    assert_eq!(
        mag.posting.salary.as_ref().unwrap().unit.as_deref(),
        Some("MONTH")
    );
    assert_eq!(mag.posting.salary.as_ref().unwrap().min, Some(2400.0));
    assert!(mag.posting.description.contains("Heftruckcertificaat"));
    let hours = mag
        .analysis
        .hours_per_week
        .expect("hours from the ATS fields");
    assert_eq!((hours.min, hours.max), (32.0, 40.0));
    let ks = data
        .index
        .get("https://vandijk.recruitee.com/o/klantenservice-thuis")
        .unwrap()
        .unwrap();
    assert_eq!(ks.posting.locality.as_deref(), Some("Thuiswerken"));
    assert_eq!(ks.posting.valid_through.unwrap().to_string(), "2026-12-31");

    let gh = data
        .index
        .get("https://job-boards.greenhouse.io/zorggroep/jobs/4410001")
        .unwrap()
        .unwrap();
    assert_eq!(gh.posting.employer.as_deref(), Some("Zorggroep Midden"));
    assert!(gh.posting.description.starts_with("<p>Je helpt bewoners"));
    assert_eq!(gh.posting.valid_through.unwrap().to_string(), "2026-12-15");
    assert_eq!(gh.posting.employment_type, vec!["PART_TIME"]);

    let lv = data
        .index
        .get("https://jobs.lever.co/schoonbv/5b6c1f0e-0d7a-4c1e-9d53-7c1d2b0a0001")
        .unwrap()
        .unwrap();
    assert_eq!(
        lv.posting.employer.as_deref(),
        Some("Schoonmaakbedrijf Schoon B.V.")
    );
    assert_eq!(lv.posting.locality.as_deref(), Some("Breda"));
    assert!(lv.posting.description.contains("Wat vragen wij"));
    assert_eq!(
        lv.posting.salary.as_ref().unwrap().unit.as_deref(),
        Some("HOUR")
    );
    assert_eq!(lv.posting.date_posted.unwrap().to_string(), "2025-11-17");

    let wk = data
        .index
        .get("https://apply.workable.com/j/AB12CD34EF")
        .unwrap()
        .unwrap();
    assert_eq!(
        wk.posting.employer.as_deref(),
        Some("Bakkerij De Korenschoof")
    );
    assert_eq!(
        wk.posting.locality.as_deref(),
        Some("Zwolle"),
        "first location wins"
    );

    let pid = srv.url("/job/77001");
    let pe = data.index.get(&pid).unwrap().unwrap();
    assert_eq!(
        pe.posting.employer.as_deref(),
        Some("Tuincentrum Groen & Co")
    );
    assert!(pe.posting.description.contains("<h3>Wat ga je doen?</h3>"));
    assert!(pe.posting.description.contains("weer en wind"));
    assert_eq!(pe.posting.employment_type, vec!["PART_TIME"]);

    // a second crawl of an unchanged API costs one request and no analysis
    let r = data.crawl(&mut crawler, &sources[0], "2026-11-24").await;
    assert_eq!(
        (r.same_content, r.unchanged, r.new, r.updated),
        (1, 2, 0, 0),
        "{r:#?}"
    );
}

#[test]
fn real_ats_samples_from_shared_data_are_read() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/crawl-formats/ats");
    if !dir.exists() {
        eprintln!("skipped: {} not present", dir.display());
        return;
    }
    for (file, sys) in [
        ("careerkit_recruitee.json", "recruitee"),
        ("careerkit_greenhouse.json", "greenhouse"),
        ("careerkit_lever.json", "lever"),
        ("careerkit_workable.json", "workable"),
        ("careerkit_personio.xml", "personio"),
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let (postings, errors) =
            passend::crawl::ats::parse(sys, &text, "https://jobs.example.com/xml", None).unwrap();
        assert!(!postings.is_empty(), "{file}: {errors:?}");
        for p in &postings {
            assert!(!p.title.is_empty() && !p.id.is_empty(), "{file}: {p:?}");
        }
        let ids: std::collections::HashSet<_> = postings.iter().map(|p| &p.id).collect();
        assert_eq!(ids.len(), postings.len(), "{file}: one posting per id");
    }
}

#[test]
fn schema_org_microdata_examples_match_their_json_ld() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/schemaorg_jobposting_examples.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} not present", path.display());
        return;
    };
    let examples: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let mut compared = 0;
    for ex in &examples {
        let (Some(micro), Some(json)) = (ex["microdata"].as_str(), ex["json"].as_str()) else {
            continue;
        };
        let (from_json, _) = passend::crawl::extract::job_postings(json, "https://example.com/v");
        let doc = scraper::Html::parse_document(micro);
        let from_micro = passend::crawl::extract::microdata_postings(&doc, "https://example.com/v");
        // some examples have no microdata version ("todo")
        if from_json.is_empty() || !micro.contains("itemscope") {
            continue;
        }
        assert_eq!(from_micro.len(), from_json.len(), "example {}", ex["id"]);
        let (m, j) = (&from_micro[0], &from_json[0]);
        assert_eq!(m.title, j.title, "example {}", ex["id"]);
        // the microdata can say more than the JSON-LD (eg-0028 names the employer only there)
        assert!(
            j.employer.is_none() || m.employer == j.employer,
            "example {}",
            ex["id"]
        );
        assert_eq!(m.locality, j.locality, "example {}", ex["id"]);
        assert_eq!(m.date_posted, j.date_posted, "example {}", ex["id"]);
        compared += 1;
    }
    assert!(compared >= 1, "no example compared");
}

#[tokio::test]
async fn feeds_rss_atom_and_xml_job_feed() {
    let srv = Server::start().await;
    srv.robots("User-agent: *\nDisallow:\n");
    srv.set(
        "/rss.xml",
        Resp::new(200, "application/rss+xml", fixture("rss.xml")),
    );
    srv.set(
        "/atom.xml",
        Resp::new(200, "application/atom+xml", fixture("atom.xml")),
    );
    srv.set("/jobs.xml", Resp::xml(fixture("jobs.xml")));
    let mut data = Data::new();
    let mut crawler = Crawler::new(test_cfg()).unwrap();
    let mut rss = source("gemeente", "feed", vec![srv.url("/rss.xml")]);
    rss.employer = Some("Gemeente Voorbeeldstad".into());
    let atom = source("transport", "feed", vec![srv.url("/atom.xml")]);
    let jobs = source("flex", "feed", vec![srv.url("/jobs.xml")]);
    let r1 = data.crawl(&mut crawler, &rss, "2026-11-23").await;
    let r2 = data.crawl(&mut crawler, &atom, "2026-11-23").await;
    let r3 = data.crawl(&mut crawler, &jobs, "2026-11-23").await;
    assert_eq!(
        (r1.new, r2.new, r3.new),
        (2, 1, 1),
        "{r1:#?} {r2:#?} {r3:#?}"
    );

    let groen = data
        .index
        .get("https://werkenbij.voorbeeldstad.nl/vacature/groen-1")
        .unwrap()
        .unwrap();
    assert_eq!(
        groen.posting.employer.as_deref(),
        Some("Gemeente Voorbeeldstad")
    );
    assert_eq!(groen.posting.date_posted.unwrap().to_string(), "2026-11-20");
    assert!(groen.analysis.text.contains("snoeit"));
    let ch = data
        .index
        .get("https://werk.transportnoord.nl/vacature/chauffeur-ce")
        .unwrap()
        .unwrap();
    assert_eq!(ch.posting.employer.as_deref(), Some("Transport Noord B.V."));
    assert!(ch.posting.description.contains("dagritten"));
    let fx = data
        .index
        .get("https://flex.example.nl/vacatures/FX-5501")
        .unwrap()
        .unwrap();
    assert_eq!(fx.posting.employer.as_deref(), Some("Voedselfabriek Oost"));
    assert_eq!(fx.posting.locality.as_deref(), Some("Enschede"));
    assert_eq!(fx.posting.valid_through.unwrap().to_string(), "2026-12-20");

    // a feed with Last-Modified: the next crawl asks If-Modified-Since and gets 304
    srv.set(
        "/rss.xml",
        Resp::new(200, "application/rss+xml", fixture("rss.xml"))
            .header("last-modified", "Fri, 21 Nov 2026 09:30:00 GMT"),
    );
    let r = data.crawl(&mut crawler, &rss, "2026-11-24").await;
    assert_eq!((r.same_content, r.unchanged), (1, 2), "{r:#?}");
    let r = data.crawl(&mut crawler, &rss, "2026-11-25").await;
    assert_eq!(
        (r.not_modified, r.unchanged, r.fetched),
        (1, 2, 0),
        "{r:#?}"
    );
}

#[tokio::test]
async fn listing_with_css_selectors_and_pagination() {
    let srv = Server::start().await;
    srv.robots("User-agent: *\nDisallow: /contact\n");
    srv.set("/vacatures", Resp::html(fixture("listing.html")));
    srv.set("/vacatures?pagina=2", Resp::html(fixture("listing2.html")));
    for i in 1..=3 {
        srv.set(
            &format!("/vacatures/detail-{i}.html"),
            Resp::html(fixture(&format!("detail-{i}.html"))),
        );
    }
    let toml_text = format!(
        r#"
        name = "anker"
        kind = "listing"
        urls = ["{}"]
        employer = "Woonzorg Het Anker"
        [selectors]
        links = "li.vacature a"
        next = "a.volgende"
        title = "h1.titel"
        description = ".omschrijving"
        location = ".plaats"
        hours = ".uren"
        valid_through = ".sluit"
        id = ".ref .nummer"
        "#,
        srv.url("/vacatures")
    );
    let s: Source = toml::from_str(&toml_text).unwrap();
    s.check().unwrap();
    let mut data = Data::new();
    let mut crawler = Crawler::new(test_cfg()).unwrap();
    let r = data.crawl(&mut crawler, &s, "2026-11-23").await;
    assert_eq!((r.fetched, r.new), (3, 3), "{r:#?}");
    let v = data.index.get("ANKER-2").unwrap().unwrap();
    assert_eq!(v.posting.title, "Huishoudelijk medewerker");
    assert_eq!(v.posting.employer.as_deref(), Some("Woonzorg Het Anker"));
    assert_eq!(v.posting.locality.as_deref(), Some("Leeuwarden"));
    assert_eq!(v.posting.valid_through.unwrap().to_string(), "2026-12-31");
    assert!(v.analysis.text.contains("bukt en tilt"));
    let h = v.analysis.hours_per_week.unwrap();
    assert_eq!((h.min, h.max), (24.0, 32.0));
    assert!(srv.hits("/contact").is_empty());

    let bad: Result<Source, _> = toml::from_str(
        "name = \"x\"\nkind = \"listing\"\nurls = [\"http://127.0.0.1/\"]\n[selectors]\nlinks = \"a[\"\ntitle = \"h1\"\n",
    );
    let err = bad.unwrap().check().unwrap_err();
    assert!(err.contains("selectors.links"), "{err}");
}

// ---------------------------------------------------------------- politeness and hostile servers

#[tokio::test]
async fn robots_disallow_and_crawl_delay_are_honoured() {
    let srv = Server::start().await;
    srv.robots(
        "User-agent: otherbot\nDisallow:\n\nUser-agent: *\nDisallow: /prive/\nCrawl-delay: 0.3\n",
    );
    srv.sitemap("/sitemap.xml", &["/v/1", "/v/2", "/prive/3", "/v/4"]);
    for i in [1, 2, 3, 4] {
        let p = job_page(
            &format!("r-{i}"),
            &format!("Vacature {i}"),
            "X",
            "<p>Werk.</p>",
            None,
        );
        srv.set(&format!("/v/{i}"), Resp::html(p.clone()));
        srv.set(&format!("/prive/{i}"), Resp::html(p));
    }
    let mut data = Data::new();
    let mut crawler = Crawler::new(test_cfg()).unwrap();
    let s = source("robots", "career-site", vec![srv.url("/sitemap.xml")]);
    let r = data.crawl(&mut crawler, &s, "2026-11-23").await;
    assert_eq!(r.new, 3, "{r:#?}");
    assert_eq!(r.errors.get("robots-disallowed"), Some(&1));
    assert!(
        srv.hits("/prive/3").is_empty(),
        "a disallowed page is never requested"
    );
    // robots.txt first, then every request at least Crawl-delay apart
    let hits = srv.all_hits();
    assert_eq!(hits[0].path, "/robots.txt");
    assert_eq!(srv.hits("/robots.txt").len(), 1);
    let pages: Vec<&Hit> = hits.iter().filter(|h| h.path != "/robots.txt").collect();
    assert_eq!(pages.len(), 4, "sitemap + 3 pages");
    for w in pages.windows(2) {
        let gap = w[1].at - w[0].at;
        assert!(
            gap >= Duration::from_millis(280),
            "gap {gap:?} < crawl-delay"
        );
    }
}

#[tokio::test]
async fn an_unreachable_robots_txt_means_wait_not_close() {
    let srv = Server::start().await;
    srv.robots("User-agent: *\nDisallow:\n");
    srv.sitemap("/sitemap.xml", &["/v/1"]);
    srv.set(
        "/v/1",
        Resp::html(job_page("rb-1", "Tuinman", "X", "<p>x</p>", None)),
    );
    let mut data = Data::new();
    let s = source("rb", "career-site", vec![srv.url("/sitemap.xml")]);
    let r = data
        .crawl(&mut Crawler::new(test_cfg()).unwrap(), &s, "2026-11-23")
        .await;
    assert_eq!(r.new, 1);
    // robots.txt answers 503 for the next crawls: nothing is fetched, nothing is closed
    srv.set("/robots.txt", Resp::status(503));
    for day in ["2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"] {
        let r = data
            .crawl(&mut Crawler::new(test_cfg()).unwrap(), &s, day)
            .await;
        assert!(!r.complete);
        assert_eq!(r.errors.get("robots-unavailable"), Some(&1), "{r:#?}");
    }
    assert_eq!(srv.hits("/v/1").len(), 1);
    assert_eq!(data.status("rb-1"), ("open".to_string(), 0, None));
}

#[tokio::test]
async fn one_request_at_a_time_per_host_but_hosts_in_parallel() {
    // two servers = two hosts (the port is part of the host key)
    let a = Server::start().await;
    let b = Server::start().await;
    for srv in [&a, &b] {
        srv.robots("User-agent: *\nDisallow:\n");
    }
    let mut locs = vec![];
    for i in 0..4 {
        for (name, srv) in [("a", &a), ("b", &b)] {
            let path = format!("/v/{name}{i}");
            let page = job_page(
                &format!("{name}{i}"),
                &format!("Functie {name}{i}"),
                "X",
                "<p>x</p>",
                None,
            );
            srv.set(&path, Resp::html(page).delay(150));
            locs.push(srv.url(&path));
        }
    }
    let xml = format!(
        "<urlset>{}</urlset>",
        locs.iter()
            .map(|l| format!("<url><loc>{l}</loc></url>"))
            .collect::<String>()
    );
    a.set("/sitemap.xml", Resp::xml(xml));
    let mut data = Data::new();
    let mut crawler = Crawler::new(test_cfg()).unwrap();
    let s = source("twee", "career-site", vec![a.url("/sitemap.xml")]);
    let r = data.crawl(&mut crawler, &s, "2026-11-23").await;
    assert_eq!(r.new, 8, "{r:#?}");
    for srv in [&a, &b] {
        let pages: Vec<Hit> = srv
            .all_hits()
            .into_iter()
            .filter(|h| h.path.starts_with("/v/"))
            .collect();
        assert_eq!(pages.len(), 4);
        for w in pages.windows(2) {
            assert!(
                w[1].at - w[0].at >= Duration::from_millis(140),
                "per host one at a time"
            );
        }
    }
    // the two hosts' queues ran side by side: requests to a and b arrived together
    let overlap = a
        .all_hits()
        .iter()
        .filter(|h| h.path.starts_with("/v/"))
        .any(|ha| {
            b.all_hits().iter().any(|hb| {
                hb.path.starts_with("/v/")
                    && hb.at.max(ha.at) - hb.at.min(ha.at) < Duration::from_millis(100)
            })
        });
    assert!(overlap, "the two hosts were fetched side by side");
}

#[tokio::test]
async fn server_errors_are_retried_honouring_retry_after() {
    let srv = Server::start().await;
    srv.robots("User-agent: *\nDisallow:\n");
    srv.sitemap("/sitemap.xml", &["/v/429", "/v/500", "/v/always500"]);
    srv.set_seq(
        "/v/429",
        vec![
            Resp::status(429).header("retry-after", "1"),
            Resp::html(job_page("t-429", "Koerier", "X", "<p>Bezorgen.</p>", None)),
        ],
    );
    srv.set_seq(
        "/v/500",
        vec![
            Resp::status(500),
            Resp::html(job_page("t-500", "Monteur", "X", "<p>Repareren.</p>", None)),
        ],
    );
    srv.set("/v/always500", Resp::status(503));
    let mut data = Data::new();
    let mut cfg = test_cfg();
    cfg.max_retries = 2;
    let mut crawler = Crawler::new(cfg).unwrap();
    let s = source("retry", "career-site", vec![srv.url("/sitemap.xml")]);
    let r = data.crawl(&mut crawler, &s, "2026-11-23").await;
    assert_eq!(r.new, 2, "{r:#?}");
    assert_eq!(r.errors.get("http-503"), Some(&1), "{r:#?}");
    let h = srv.hits("/v/429");
    assert_eq!(h.len(), 2);
    assert!(
        h[1].at - h[0].at >= Duration::from_millis(950),
        "Retry-After: 1 honoured"
    );
    assert_eq!(srv.hits("/v/500").len(), 2);
    assert_eq!(srv.hits("/v/always500").len(), 3, "1 try + max_retries");
}

#[tokio::test]
async fn slow_huge_looping_and_bomb_responses_fail_alone() {
    let srv = Server::start().await;
    srv.robots("User-agent: *\nDisallow:\n");
    srv.sitemap(
        "/sitemap.xml",
        &[
            "/v/slow",
            "/v/huge",
            "/v/loop-a",
            "/v/bomb",
            "/v/ok",
            "/v/empty",
        ],
    );
    srv.set(
        "/v/slow",
        Resp::html(job_page("slow", "Traag", "X", "<p>x</p>", None)).delay(3000),
    );
    let mut huge = job_page("huge", "Groot", "X", "<p>x</p>", None);
    huge.push_str(&"<!-- opvulling -->".repeat(20_000));
    srv.set("/v/huge", Resp::html(huge));
    srv.set(
        "/v/loop-a",
        Resp::status(302).header("location", "/v/loop-b"),
    );
    srv.set(
        "/v/loop-b",
        Resp::status(302).header("location", "/v/loop-a"),
    );
    // 2 MB of spaces in 2 KB of gzip: the limit applies to what is unpacked
    let mut bomb = job_page("bomb", "Bom", "X", "<p>x</p>", None).into_bytes();
    bomb.extend(std::iter::repeat_n(b' ', 2_000_000));
    srv.set(
        "/v/bomb",
        Resp::html(gzip(&bomb)).header("content-encoding", "gzip"),
    );
    srv.set(
        "/v/ok",
        Resp::html(job_page("ok", "Heel gewoon", "X", "<p>Werk.</p>", None)),
    );
    srv.set("/v/empty", Resp::html(""));
    let mut cfg = test_cfg();
    cfg.timeout_secs = 0.5;
    cfg.max_body_bytes = 100_000;
    cfg.max_redirects = 3;
    let mut data = Data::new();
    let mut crawler = Crawler::new(cfg).unwrap();
    let s = source("hostile", "career-site", vec![srv.url("/sitemap.xml")]);
    let started = Instant::now();
    let r = data.crawl(&mut crawler, &s, "2026-11-23").await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the slow page is abandoned"
    );
    assert_eq!(r.errors.get("timeout"), Some(&1), "{r:#?}");
    assert_eq!(r.errors.get("too-large"), Some(&2), "{r:#?}");
    assert_eq!(r.errors.get("redirect-loop"), Some(&1), "{r:#?}");
    assert_eq!(r.new, 1, "the one good page still comes through: {r:#?}");
    assert_eq!(r.without_vacancy, 1);
    assert!(srv.hits("/v/loop-a").len() + srv.hits("/v/loop-b").len() <= 4);
}

// ---------------------------------------------------------------- incremental and lifecycle

#[tokio::test]
async fn vacancies_close_when_gone_missing_or_expired_and_stay_stored() {
    let srv = Server::start().await;
    srv.robots("User-agent: *\nDisallow:\n");
    let pages = ["/v/blijft", "/v/weg", "/v/verdwijnt", "/v/verloopt"];
    srv.sitemap("/sitemap.xml", &pages);
    srv.set(
        "/v/blijft",
        Resp::html(job_page(
            "blijft",
            "Kassamedewerker",
            "Super",
            "<p>Kassa.</p>",
            None,
        ))
        .etag("\"1\""),
    );
    srv.set(
        "/v/weg",
        Resp::html(job_page(
            "weg",
            "Vakkenvuller",
            "Super",
            "<p>Vakken.</p>",
            None,
        ))
        .etag("\"2\""),
    );
    srv.set(
        "/v/verdwijnt",
        Resp::html(job_page(
            "verdwijnt",
            "Bezorger",
            "Super",
            "<p>Bezorgen.</p>",
            None,
        ))
        .etag("\"3\""),
    );
    srv.set(
        "/v/verloopt",
        Resp::html(job_page(
            "verloopt",
            "Slager",
            "Super",
            "<p>Vlees snijden.</p>",
            Some("2026-11-30"),
        ))
        .etag("\"4\""),
    );
    let mut data = Data::new();
    let mut crawler = Crawler::new(test_cfg()).unwrap();
    let s = source("super", "career-site", vec![srv.url("/sitemap.xml")]);
    let r = data.crawl(&mut crawler, &s, "2026-11-23").await;
    assert_eq!(r.new, 4);

    // crawl 2: /v/weg answers 410; /v/verdwijnt is no longer in the sitemap
    srv.set("/v/weg", Resp::status(410));
    srv.sitemap("/sitemap.xml", &["/v/blijft", "/v/weg", "/v/verloopt"]);
    let r = data.crawl(&mut crawler, &s, "2026-11-24").await;
    assert_eq!((r.closed_gone, r.closed_missing), (1, 0), "{r:#?}");
    let (st, _, why) = data.status("weg");
    assert_eq!(st, "closed");
    assert!(why.unwrap().contains("410"));
    assert_eq!(data.status("verdwijnt").1, 1, "one missed crawl");
    assert_eq!(data.status("verdwijnt").0, "open");

    // crawl 3: still missing (2); crawl 4 at a date past validThrough: missing 3 → closed,
    // and the unchanged (304) page of "verloopt" closes on its validThrough
    let r = data.crawl(&mut crawler, &s, "2026-11-25").await;
    assert_eq!(r.closed, 0, "{r:#?}");
    let r = data.crawl(&mut crawler, &s, "2026-12-01").await;
    assert_eq!((r.closed_missing, r.closed_expired), (1, 1), "{r:#?}");
    assert_eq!(
        r.not_modified, 2,
        "blijft and verloopt answered 304: {r:#?}"
    );
    let (st, missed, why) = data.status("verdwijnt");
    assert_eq!((st.as_str(), missed), ("closed", 3));
    assert!(why.unwrap().contains("niet meer gevonden"));
    assert_eq!(data.status("verloopt").0, "closed");
    assert_eq!(data.status("blijft").0, "open");
    assert_eq!(data.status("blijft").1, 0);
    // closed vacancies stay stored and searchable as evidence, marked closed
    for id in ["weg", "verdwijnt", "verloopt"] {
        assert_eq!(
            data.index.get(id).unwrap().unwrap().status,
            Status::Closed,
            "{id}"
        );
    }

    // a vacancy listed again is open again
    srv.sitemap("/sitemap.xml", &pages);
    let r = data.crawl(&mut crawler, &s, "2026-12-02").await;
    assert_eq!(data.status("verdwijnt").0, "open", "{r:#?}");
    assert_eq!(
        data.index.get("verdwijnt").unwrap().unwrap().status,
        Status::Open
    );

    // an incomplete crawl (sitemap down) counts no absences
    srv.set("/sitemap.xml", Resp::status(500));
    let r = data.crawl(&mut crawler, &s, "2026-12-03").await;
    assert!(!r.complete);
    assert_eq!(data.status("blijft").1, 0, "{r:#?}");
}

#[tokio::test]
async fn the_same_vacancy_on_two_sources_is_one_cluster() {
    let srv = Server::start().await;
    srv.robots("User-agent: *\nDisallow:\n");
    let desc = "<p>Als magazijnmedewerker verzamel je orders, pak je pakketten in en laad je vrachtwagens. Je werkt in dagdienst in ons magazijn in Tilburg en tilt dozen tot 15 kilo.</p>";
    srv.sitemap("/sitemap.xml", &["/v/mag"]);
    srv.set(
        "/v/mag",
        Resp::html(job_page(
            "site-mag-1",
            "Magazijnmedewerker",
            "Van Dijk Logistiek",
            desc,
            None,
        )),
    );
    let offers = serde_json::json!({"offers": [{
        "id": 1, "title": "Magazijnmedewerker", "company_name": "Van Dijk Logistiek",
        "careers_url": "https://vandijk.recruitee.com/o/magazijnmedewerker", "description": desc,
        "city": "Tilburg", "published_at": "2026-11-21 08:00:00 UTC"}]});
    srv.set("/api/offers/", Resp::json(offers.to_string()));
    let mut data = Data::new();
    let mut crawler = Crawler::new(test_cfg()).unwrap();
    let site = source("site", "career-site", vec![srv.url("/sitemap.xml")]);
    let ats = Source {
        ats: Some("recruitee".into()),
        ..source("recruitee", "ats", vec![srv.url("/api/offers/")])
    };
    data.crawl(&mut crawler, &site, "2026-11-23").await;
    let r = data.crawl(&mut crawler, &ats, "2026-11-23").await;
    assert_eq!((r.new, r.ingest.duplicates), (1, 1), "{r:#?}");
    let a = data.index.get("site-mag-1").unwrap().unwrap();
    let b = data
        .index
        .get("https://vandijk.recruitee.com/o/magazijnmedewerker")
        .unwrap()
        .unwrap();
    assert_eq!(b.cluster, a.cluster);
    assert_eq!(a.cluster, "site-mag-1");
}

#[tokio::test]
async fn a_killed_crawl_resumes_where_it_was() {
    let srv = Server::start().await;
    srv.robots("User-agent: *\nDisallow:\n");
    let paths: Vec<String> = (0..10).map(|i| format!("/v/{i}")).collect();
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    srv.sitemap("/sitemap.xml", &refs);
    for (i, p) in paths.iter().enumerate() {
        srv.set(
            p,
            Resp::html(job_page(
                &format!("k-{i}"),
                &format!("Functie {i}"),
                "Y",
                "<p>x</p>",
                None,
            ))
            .delay(30),
        );
    }
    let mut data = Data::new();
    let mut cfg = test_cfg();
    cfg.commit_every = 3;
    let s = source("kill", "career-site", vec![srv.url("/sitemap.xml")]);

    // "kill" the process mid-crawl: drop the crawl future after about 5 pages
    {
        let mut crawler = Crawler::new(cfg.clone()).unwrap();
        let mut pipe = Pipeline {
            res: &data.res,
            index: &mut data.index,
            store: &data.store,
            now: now("2026-11-23"),
        };
        // cut off once the first checkpoint (3 pages) is in the store and 5 pages were asked for
        let store = &data.store;
        let checkpointed = async {
            for _ in 0..2000 {
                let written: i64 = store
                    .connection()
                    .query_row(
                        "SELECT COUNT(*) FROM pages WHERE run_id IS NOT NULL",
                        [],
                        |r| r.get(0),
                    )
                    .unwrap();
                let asked = paths.iter().filter(|p| !srv.hits(p).is_empty()).count();
                if written >= 3 && asked >= 5 {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        };
        tokio::select! {
            _ = crawler.crawl(&s, &mut pipe) => panic!("the crawl should have been cut off"),
            _ = checkpointed => {}
        }
    }
    let done_before = paths.iter().filter(|p| !srv.hits(p).is_empty()).count();
    assert!(
        (3..10).contains(&done_before),
        "{done_before} pages before the kill"
    );
    data.reopen();
    let committed = data.index.count().unwrap();
    assert!(committed >= 3, "checkpoints committed: {committed}");

    let mut crawler = Crawler::new(cfg).unwrap();
    let r = data.crawl(&mut crawler, &s, "2026-11-23T12:01:00Z").await;
    assert!(r.resumed, "{r:#?}");
    assert_eq!(r.resumed_skipped, committed, "{r:#?}");
    assert_eq!(data.index.count().unwrap(), 10, "nothing lost");
    for p in &paths {
        assert!(
            srv.hits(p).len() <= 2,
            "{p} fetched at most once per attempt"
        );
    }
    let skipped_pages = paths.iter().filter(|p| srv.hits(p).len() == 1).count();
    assert!(skipped_pages >= committed);
    // the next crawl is a fresh run
    let r = data.crawl(&mut crawler, &s, "2026-11-24").await;
    assert!(!r.resumed && r.complete);
}

#[tokio::test]
async fn a_stopped_crawl_commits_and_the_next_one_resumes() {
    let srv = Server::start().await;
    srv.robots("User-agent: *\nDisallow:\n");
    let paths: Vec<String> = (0..6).map(|i| format!("/v/{i}")).collect();
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    srv.sitemap("/sitemap.xml", &refs);
    for (i, p) in paths.iter().enumerate() {
        srv.set(
            p,
            Resp::html(job_page(
                &format!("s-{i}"),
                &format!("Baan {i}"),
                "Z",
                "<p>x</p>",
                None,
            )),
        );
    }
    let stop = Arc::new(AtomicBool::new(false));
    *srv.site.trip.lock().unwrap() = Some(("/v/".into(), 3, stop.clone()));
    let mut data = Data::new();
    let s = source("stop", "career-site", vec![srv.url("/sitemap.xml")]);
    let mut crawler = Crawler::new(test_cfg()).unwrap().with_stop(stop.clone());
    let r = data.crawl(&mut crawler, &s, "2026-11-23").await;
    assert!(!r.complete);
    // the stop lands while the third page is asked for: what was handled by then is kept
    let k = r.new;
    assert!((1..6).contains(&k), "{r:#?}");
    assert_eq!(data.index.count().unwrap(), k, "committed at the stop");
    // absences are not counted for a stopped crawl
    assert_eq!(data.status("s-0").1, 0);
    *srv.site.trip.lock().unwrap() = None;
    let mut crawler = Crawler::new(test_cfg()).unwrap();
    let r = data.crawl(&mut crawler, &s, "2026-11-23T13:00:00Z").await;
    assert!(r.resumed && r.complete, "{r:#?}");
    assert_eq!((r.resumed_skipped, r.new), (k, 6 - k), "{r:#?}");
    assert_eq!(data.index.count().unwrap(), 6);
    assert_eq!(
        srv.hits("/v/0").len(),
        1,
        "a page done before the stop is not fetched again"
    );
}

// ---------------------------------------------------------------- daemon and CLI

#[tokio::test]
async fn the_daemon_fires_jobs_on_schedule_and_stops_cleanly() {
    use passend::crawl::daemon::Daemon;
    let mut d = Daemon::new();
    let count = Arc::new(Mutex::new(0usize));
    let c = count.clone();
    d.add_job("tik", "* * * * * *", move |_at| {
        let c = c.clone();
        async move {
            *c.lock().unwrap() += 1;
            Ok("tik".to_string())
        }
    })
    .unwrap();
    assert!(
        d.add_job("fout", "elke nacht", |_| async { Ok(String::new()) })
            .is_err()
    );
    let runs = d
        .run_until(
            tokio::time::sleep(Duration::from_millis(2300)),
            Duration::from_secs(1),
        )
        .await
        .unwrap();
    let n = *count.lock().unwrap();
    assert!((2..=3).contains(&n), "{n} runs in 2.3 s");
    assert_eq!(runs.len(), n);

    // a long job is asked to stop at shutdown and finishes within the grace period
    let mut d = Daemon::new();
    let stop = d.stop_flag();
    d.add_job("lang", "* * * * * *", move |_at| {
        let stop = stop.clone();
        async move {
            for _ in 0..1000 {
                if stop.load(Ordering::Relaxed) {
                    return Ok("gestopt".to_string());
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Ok("klaar".to_string())
        }
    })
    .unwrap();
    let t = Instant::now();
    let runs = d
        .run_until(
            tokio::time::sleep(Duration::from_millis(1500)),
            Duration::from_secs(5),
        )
        .await
        .unwrap();
    assert!(t.elapsed() < Duration::from_secs(3));
    assert_eq!(runs.last().unwrap().result.as_deref(), Ok("gestopt"));
}

fn passend_cmd(dir: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_passend"));
    c.arg("--config")
        .arg(dir.join("passend.toml"))
        .arg("--data")
        .arg(dir.join("data"))
        .env("RUST_LOG", "passend=warn");
    c
}

#[test]
fn cli_crawl_json_and_run_until_sigterm() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let srv = rt.block_on(Server::start());
    srv.robots("User-agent: *\nDisallow:\n");
    srv.sitemap("/sitemap.xml", &["/v/1"]);
    srv.set(
        "/v/1",
        Resp::html(job_page("cli-1", "Conciërge", "School", "<p>x</p>", None)),
    );
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("passend.toml"),
        format!(
            "[crawler]\ndelay_ms = 0\n\n[[source]]\nname = \"school\"\nkind = \"career-site\"\nurls = [\"{}\"]\nschedule = \"*/1 * * * * *\"\n",
            srv.url("/sitemap.xml")
        ),
    )
    .unwrap();
    let out = passend_cmd(tmp.path())
        .args(["crawl", "--json", "--now", "2026-11-23"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reports[0]["source"], "school");
    assert_eq!(reports[0]["new"], 1);
    assert_eq!(reports[0]["complete"], true);

    let out = passend_cmd(tmp.path())
        .args(["crawl", "--source", "bestaat-niet"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("school"));

    // the daemon crawls on schedule and exits 0 on SIGTERM
    let mut child = passend_cmd(tmp.path())
        .arg("run")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let before = srv.hits("/sitemap.xml").len();
    let deadline = Instant::now() + Duration::from_secs(15);
    while srv.hits("/sitemap.xml").len() == before && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        srv.hits("/sitemap.xml").len() > before,
        "the scheduled crawl ran"
    );
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let code = loop {
        if let Some(c) = child.try_wait().unwrap() {
            break Some(c);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let code = code.expect("passend run stops within 15 s of SIGTERM");
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(code.success(), "exit {code:?}: {err}");
    assert!(err.contains("gestopt"), "{err}");
}

#[test]
fn config_errors_name_the_source() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("passend.toml");
    for (text, want) in [
        (
            "[[source]]\nname = \"a\"\nkind = \"ftp\"\nurls = [\"http://x.nl/\"]\n",
            "kind `ftp`",
        ),
        (
            "[[source]]\nname = \"a\"\nkind = \"ats\"\nurls = [\"http://x.nl/\"]\n",
            "ats",
        ),
        (
            "[[source]]\nname = \"a\"\nkind = \"feed\"\nurls = [\"ftp://x.nl/\"]\n",
            "http(s)",
        ),
        (
            "[[source]]\nname = \"a\"\nkind = \"feed\"\nurls = [\"http://x.nl/\"]\nschedule = \"ooit\"\n",
            "cron",
        ),
        (
            "[[source]]\nname = \"a\"\nkind = \"feed\"\nurls = [\"http://x.nl/\"]\n[[source]]\nname = \"a\"\nkind = \"feed\"\nurls = [\"http://y.nl/\"]\n",
            "two sources",
        ),
    ] {
        std::fs::write(&p, text).unwrap();
        let err = passend::config::Config::load(&p, true)
            .unwrap_err()
            .to_string();
        assert!(err.contains(want) && err.contains("passend.toml"), "{err}");
    }
}

#[test]
fn real_robots_files_from_shared_data() {
    use passend::crawl::robots::Robots;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/crawl-formats/robots");
    if !dir.exists() {
        eprintln!("skipped: {} not present", dir.display());
        return;
    }
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let ua = CrawlerConfig::default().user_agent;
    let uwv = Robots::parse(&read("www.uwv.nl.robots.txt"), &ua);
    assert!(!uwv.allowed("/zoekresultaten/index.aspx", None));
    assert!(!uwv.allowed("/werkzoekenden/zoekresultaten.aspx", Some("q=kok")));
    assert!(uwv.allowed("/werkzoekenden/vacatures", None));
    assert_eq!(uwv.sitemaps, vec!["https://www.uwv.nl/sitemapindex.xml"]);
    let kvk = read("werkenbij.kvk.nl.robots.txt");
    assert!(Robots::parse(&kvk, &ua).allowed("/vacatures/kok", None));
    assert!(!Robots::parse(&kvk, &ua).allowed("/Admin/x", None));
    assert!(!Robots::parse(&kvk, "MJ12bot/1.4").allowed("/vacatures/kok", None));
    let nwo = Robots::parse(&read("www.werkenbijnwo.nl.robots.txt"), &ua);
    assert_eq!(nwo.crawl_delay, Some(7.0));
    assert!(nwo.allowed("/core/theme.css", None));
    assert!(!nwo.allowed("/core/lib.php", None));
    let gh = Robots::parse(&read("boards.greenhouse.io.robots.txt"), &ua);
    assert!(gh.allowed("/acme/jobs/1", None));
    // every file parses without surprises
    for e in std::fs::read_dir(&dir).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap_or_default();
        let r = Robots::parse(&text, &ua);
        assert!(r.crawl_delay.is_none_or(|d| d < 3600.0));
    }
}
