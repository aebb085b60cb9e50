//! Crawlers: collect public vacancies politely and incrementally.
//!
//! A [`Source`] (from `config/passend.toml`) names where to look; the crawler fetches
//! robots.txt, sitemaps and pages over HTTP, honours robots rules and a per-host delay, sends
//! conditional requests with the ETag/Last-Modified remembered in the store, extracts
//! JobPostings ([`extract`]) and hands them to the [`Pipeline`]. Every failure is counted by
//! kind in the [`CrawlReport`]; none stops the crawl. Data leaves this module only as
//! [`Posting`]s into the pipeline.

pub mod extract;
pub mod robots;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::pipeline::{IngestReport, Pipeline};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub name: String,
    /// "career-site" (sitemaps and/or start URLs with JobPosting JSON-LD).
    pub kind: String,
    #[serde(default)]
    pub sitemaps: Vec<String>,
    #[serde(default)]
    pub start_urls: Vec<String>,
    /// Cron expression (6 fields, seconds first), Europe/Amsterdam.
    #[serde(default)]
    pub schedule: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrawlerConfig {
    pub user_agent: String,
    /// Minimum delay between two requests to one host, unless robots.txt asks for more.
    pub delay_ms: u64,
    pub timeout_secs: u64,
    pub max_body_bytes: usize,
    pub max_pages_per_source: usize,
    pub max_redirects: usize,
}

impl Default for CrawlerConfig {
    fn default() -> Self {
        CrawlerConfig {
            user_agent:
                "passend/0.1 (+https://passend.example.nl/bot; vacatures voor re-integratie)".into(),
            delay_ms: 1000,
            timeout_secs: 20,
            max_body_bytes: 5 * 1024 * 1024,
            max_pages_per_source: 20_000,
            max_redirects: 5,
        }
    }
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct CrawlReport {
    pub source: String,
    pub fetched: usize,
    pub not_modified: usize,
    pub ingest: IngestReport,
    pub closed_gone: usize,
    pub errors: BTreeMap<String, usize>,
    pub seconds: f64,
}

pub struct Crawler {
    client: reqwest::Client,
    cfg: CrawlerConfig,
    last_hit: std::collections::HashMap<String, Instant>,
    robots: std::collections::HashMap<String, robots::Robots>,
}

enum Fetched {
    Body(String, Option<String>, Option<String>),
    NotModified,
    Gone,
}

impl Crawler {
    pub fn new(cfg: CrawlerConfig) -> anyhow::Result<Crawler> {
        let client = reqwest::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .timeout(Duration::from_secs(cfg.timeout_secs))
            .redirect(reqwest::redirect::Policy::limited(cfg.max_redirects))
            .build()?;
        Ok(Crawler {
            client,
            cfg,
            last_hit: Default::default(),
            robots: Default::default(),
        })
    }

    async fn polite_wait(&mut self, host: &str) {
        let delay = self
            .robots
            .get(host)
            .and_then(|r| r.crawl_delay)
            .map(|d| Duration::from_secs_f64(d).max(Duration::from_millis(self.cfg.delay_ms)))
            .unwrap_or(Duration::from_millis(self.cfg.delay_ms));
        if let Some(t) = self.last_hit.get(host) {
            let since = t.elapsed();
            if since < delay {
                tokio::time::sleep(delay - since).await;
            }
        }
        self.last_hit.insert(host.to_string(), Instant::now());
    }

    async fn allowed(&mut self, url: &url::Url) -> bool {
        let host = url.host_str().unwrap_or("").to_string();
        let key = format!("{}://{}", url.scheme(), url.authority());
        if !self.robots.contains_key(&host) {
            let robots_url = format!("{key}/robots.txt");
            let r = match self.client.get(&robots_url).send().await {
                Ok(resp) if resp.status().is_success() => robots::Robots::parse(
                    &resp.text().await.unwrap_or_default(),
                    &self.cfg.user_agent,
                ),
                // 4xx: no rules; 5xx/unreachable: be careful and crawl nothing this time
                Ok(resp) if resp.status().is_client_error() => robots::Robots::allow_all(),
                _ => robots::Robots::deny_all(),
            };
            self.robots.insert(host.clone(), r);
        }
        self.robots
            .get(&host)
            .is_some_and(|r| r.allowed(url.path(), url.query()))
    }

    async fn fetch(
        &mut self,
        url: &str,
        etag: Option<String>,
        last_modified: Option<String>,
    ) -> Result<Fetched, String> {
        let parsed = url::Url::parse(url).map_err(|_| "bad-url".to_string())?;
        if !self.allowed(&parsed).await {
            return Err("robots-disallowed".into());
        }
        let host = parsed.host_str().unwrap_or("").to_string();
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.polite_wait(&host).await;
            let mut req = self.client.get(url);
            if let Some(e) = &etag {
                req = req.header(reqwest::header::IF_NONE_MATCH, e);
            }
            if let Some(l) = &last_modified {
                req = req.header(reqwest::header::IF_MODIFIED_SINCE, l);
            }
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) if e.is_timeout() => return Err("timeout".into()),
                Err(e) if e.is_redirect() => return Err("redirect-loop".into()),
                Err(_) => return Err("connect".into()),
            };
            let status = resp.status();
            if status == StatusCode::NOT_MODIFIED {
                return Ok(Fetched::NotModified);
            }
            if status == StatusCode::NOT_FOUND || status == StatusCode::GONE {
                return Ok(Fetched::Gone);
            }
            if (status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()) && attempt < 4
            {
                let wait = resp
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|s| s.trim().parse::<u64>().ok())
                    .unwrap_or(1u64 << attempt)
                    .min(120);
                tokio::time::sleep(Duration::from_secs(wait)).await;
                continue;
            }
            if !status.is_success() {
                return Err(format!("http-{}", status.as_u16()));
            }
            let etag = resp
                .headers()
                .get(reqwest::header::ETAG)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let lm = resp
                .headers()
                .get(reqwest::header::LAST_MODIFIED)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            if resp
                .content_length()
                .is_some_and(|l| l as usize > self.cfg.max_body_bytes)
            {
                return Err("too-large".into());
            }
            let bytes = read_limited(resp, self.cfg.max_body_bytes).await?;
            let text = decode(&bytes);
            return Ok(Fetched::Body(text, etag, lm));
        }
    }

    /// Crawl one source once into the pipeline.
    pub async fn crawl(
        &mut self,
        source: &Source,
        pipe: &mut Pipeline<'_>,
    ) -> anyhow::Result<CrawlReport> {
        let started = Instant::now();
        let mut report = CrawlReport {
            source: source.name.clone(),
            ..Default::default()
        };
        let err = |report: &mut CrawlReport, kind: &str| {
            *report.errors.entry(kind.to_string()).or_insert(0) += 1
        };
        // collect page URLs from sitemaps (following indexes, bounded)
        let mut pages: Vec<String> = source.start_urls.clone();
        let mut queue: Vec<String> = source.sitemaps.clone();
        let mut seen_maps = 0;
        while let Some(sm) = queue.pop() {
            seen_maps += 1;
            if seen_maps > 1000 {
                break;
            }
            match self.fetch(&sm, None, None).await {
                Ok(Fetched::Body(xml, _, _)) => match extract::sitemap(&xml) {
                    Ok((entries, kids)) => {
                        pages.extend(entries.into_iter().map(|e| e.loc));
                        queue.extend(kids);
                    }
                    Err(_) => err(&mut report, "sitemap-parse"),
                },
                Ok(_) => err(&mut report, "sitemap-missing"),
                Err(kind) => err(&mut report, &kind),
            }
        }
        pages.dedup();
        pages.truncate(self.cfg.max_pages_per_source);
        for url in pages {
            let prev: Option<(Option<String>, Option<String>, String)> = pipe
                .store
                .connection()
                .query_row(
                    "SELECT etag, last_modified, vacancy_ids FROM pages WHERE url = ?1",
                    [&url],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let (etag, lm, prev_ids) = prev.clone().unwrap_or((None, None, String::new()));
            match self.fetch(&url, etag, lm).await {
                Ok(Fetched::NotModified) => {
                    report.not_modified += 1;
                    for id in prev_ids.split('\n').filter(|s| !s.is_empty()) {
                        if let Some(v) = pipe.index.get(id)? {
                            pipe.store.seen(
                                &v,
                                &crate::pipeline::content_hash(&v.posting),
                                pipe.now,
                            )?;
                        }
                    }
                }
                Ok(Fetched::Gone) => {
                    for id in prev_ids.split('\n').filter(|s| !s.is_empty()) {
                        if pipe.close(id, "pagina verdwenen (404/410)")? {
                            report.closed_gone += 1;
                        }
                    }
                }
                Ok(Fetched::Body(html, etag, lm)) => {
                    report.fetched += 1;
                    let (postings, errors) = extract::job_postings(&html, &url);
                    for _ in &errors {
                        err(&mut report, "jsonld-broken");
                    }
                    if postings.is_empty() && errors.is_empty() {
                        err(&mut report, "no-jobposting");
                    }
                    let mut ids = vec![];
                    for p in postings {
                        ids.push(p.id.clone());
                        if let Err(e) = pipe.take(p, &source.name, &mut report.ingest) {
                            tracing::warn!("{url}: {e}");
                            err(&mut report, "ingest");
                        }
                    }
                    pipe.store.connection().execute(
                        "INSERT INTO pages (url, source, etag, last_modified, http_status, fetched_at, vacancy_ids) VALUES (?1, ?2, ?3, ?4, 200, ?5, ?6)
                         ON CONFLICT(url) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, http_status = 200, fetched_at = excluded.fetched_at, vacancy_ids = excluded.vacancy_ids",
                        params![url, source.name, etag, lm, pipe.now.to_rfc3339(), ids.join("\n")],
                    )?;
                }
                Err(kind) => err(&mut report, &kind),
            }
            // commit regularly: a killed crawl loses at most this batch
            if (report.fetched + report.not_modified) % 200 == 0 {
                pipe.commit()?;
            }
        }
        pipe.commit()?;
        report.seconds = started.elapsed().as_secs_f64();
        Ok(report)
    }
}

async fn read_limited(mut resp: reqwest::Response, max: usize) -> Result<Vec<u8>, String> {
    let mut out = vec![];
    while let Some(chunk) = resp.chunk().await.map_err(|e| {
        if e.is_timeout() {
            "timeout".to_string()
        } else {
            "read".to_string()
        }
    })? {
        out.extend_from_slice(&chunk);
        if out.len() > max {
            return Err("too-large".into());
        }
    }
    Ok(out)
}

/// UTF-8, else windows-1252 (what Dutch sites without a charset usually send).
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| cp1252(b)).collect(),
    }
}

fn cp1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[(b - 0x80) as usize],
        _ => b as char,
    }
}
