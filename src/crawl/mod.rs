//! Crawlers: collect public vacancies politely and incrementally.
//!
//! A [`Source`] (a `[[source]]` in `config/passend.toml`) names where to look and what kind of
//! place it is: a `career-site` (sitemaps and start pages with JobPosting JSON-LD or
//! microdata), an `ats` (the public job API of Recruitee, Greenhouse, Lever, Workable or
//! Personio), a `feed` (RSS/Atom/XML job feed) or a `listing` (HTML listing + detail pages read
//! with CSS selectors). The [`Crawler`] discovers the documents of a source, fetches each one
//! politely ([`fetch`]), turns it into postings ([`extract`], [`ats`], [`feed`], [`listing`])
//! and hands those to the [`Pipeline`] — the only way data leaves this module. Per URL it keeps
//! ETag, Last-Modified, a content hash and the vacancy ids it held ([`state`]); an unchanged
//! page costs one request and no analysis. Vacancies close when their page answers 404/410, when
//! `validThrough` passes, or when the source stopped listing them for
//! `close_after_missed_crawls` complete crawls. Every failure is counted by kind in the
//! [`CrawlReport`]; none stops the crawl. [`daemon`] fires crawls on each source's schedule.

pub mod ats;
pub mod daemon;
pub mod extract;
pub mod feed;
pub mod fetch;
pub mod listing;
pub mod robots;
pub mod state;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Posting, Status};
use crate::pipeline::{IngestReport, Pipeline};

pub use fetch::{FetchError, Fetcher, Outcome, Validators};

/// The kinds of source passend can crawl.
pub const KINDS: &[&str] = &["career-site", "ats", "feed", "listing"];

/// One place to crawl, from `[[source]]` in `config/passend.toml`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub name: String,
    /// "career-site", "ats", "feed" or "listing".
    pub kind: String,
    /// Where to start. career-site: sitemaps (`*.xml`, `*.xml.gz`, or with "sitemap" in the
    /// URL) and start pages; ats: API URLs (default: built from `ats` + `company`); feed: feed
    /// URLs; listing: listing pages.
    #[serde(default)]
    pub urls: Vec<String>,
    /// career-site: sitemaps (same as putting them in `urls`).
    #[serde(default)]
    pub sitemaps: Vec<String>,
    /// career-site: pages with JobPostings, or pages whose same-site links lead to them.
    #[serde(default)]
    pub start_urls: Vec<String>,
    /// Cron expression (6 fields, seconds first, or classic 5 fields), Europe/Amsterdam.
    #[serde(default)]
    pub schedule: Option<String>,
    /// ats: "recruitee", "greenhouse", "lever", "workable" or "personio".
    #[serde(default)]
    pub ats: Option<String>,
    /// ats: the company's slug in its job-board URL (used when `urls` is empty).
    #[serde(default)]
    pub company: Option<String>,
    /// The employer's name when the source does not say it per vacancy (Lever, feeds, listings).
    #[serde(default)]
    pub employer: Option<String>,
    /// career-site: only page URLs matching this regular expression are fetched.
    #[serde(default)]
    pub include: Option<String>,
    /// listing: CSS selectors.
    #[serde(default)]
    pub selectors: Option<listing::Selectors>,
    /// Overrides `[crawler] close_after_missed_crawls` for this source.
    #[serde(default)]
    pub close_after_missed_crawls: Option<u32>,
}

impl Source {
    /// Check kind, ATS name, selectors, URLs and the include pattern; the error is for a person.
    pub fn check(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("a source needs a `name`".into());
        }
        if !KINDS.contains(&self.kind.as_str()) {
            return Err(format!(
                "kind `{}` is not known; use one of: {}",
                self.kind,
                KINDS.join(", ")
            ));
        }
        for u in self.all_urls() {
            let ok = url::Url::parse(u).is_ok_and(|p| matches!(p.scheme(), "http" | "https"));
            if !ok {
                return Err(format!("`{u}` is not an http(s) URL"));
            }
        }
        if let Some(re) = &self.include {
            regex::Regex::new(re)
                .map_err(|e| format!("include = `{re}` is not a regular expression: {e}"))?;
        }
        match self.kind.as_str() {
            "ats" => {
                let sys = self.ats.as_deref().unwrap_or("");
                if !ats::SYSTEMS.contains(&sys) {
                    return Err(format!(
                        "an ats source needs `ats` = one of: {}",
                        ats::SYSTEMS.join(", ")
                    ));
                }
                if self.urls.is_empty() && self.company.is_none() {
                    return Err("an ats source needs `urls` or `company`".into());
                }
            }
            "listing" => {
                let sel = self.selectors.as_ref().ok_or(
                    "a listing source needs [source.selectors] with at least `links` and `title`",
                )?;
                sel.check()?;
                if self.urls.is_empty() {
                    return Err("a listing source needs `urls` (the listing pages)".into());
                }
            }
            _ => {
                if self.all_urls().next().is_none() {
                    return Err(format!("a {} source needs `urls`", self.kind));
                }
            }
        }
        Ok(())
    }

    fn all_urls(&self) -> impl Iterator<Item = &String> {
        self.urls
            .iter()
            .chain(&self.sitemaps)
            .chain(&self.start_urls)
    }
}

fn is_sitemap_url(u: &str) -> bool {
    let l = u.to_lowercase();
    let path = l.split(['?', '#']).next().unwrap_or("");
    path.ends_with(".xml") || path.ends_with(".xml.gz") || path.contains("sitemap")
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrawlerConfig {
    /// Who we are, with a contact URL.
    pub user_agent: String,
    /// Minimum time between two request starts to one host, unless robots.txt asks for more.
    pub delay_ms: u64,
    /// Requests open at the same time per host.
    pub per_host_concurrency: usize,
    /// Requests open at the same time over all hosts of a source.
    pub fetch_concurrency: usize,
    /// Total time per request (connect + headers + body), seconds.
    pub timeout_secs: f64,
    pub max_body_bytes: usize,
    pub max_pages_per_source: usize,
    pub max_redirects: usize,
    /// Retries after 429, 503 and other 5xx answers.
    pub max_retries: u32,
    /// First backoff when the server sends no Retry-After; doubles per retry.
    pub retry_backoff_ms: u64,
    /// The longest Retry-After we wait for.
    pub max_retry_after_secs: f64,
    pub obey_robots: bool,
    pub obey_crawl_delay: bool,
    /// The largest robots.txt Crawl-delay we honour, seconds.
    pub max_crawl_delay_secs: f64,
    /// Close a vacancy after its source stopped listing it for this many complete crawls.
    pub close_after_missed_crawls: u32,
    /// Commit index and crawl state every this many documents (what a killed crawl can lose).
    pub commit_every: usize,
    /// A killed crawl younger than this resumes instead of starting over, hours.
    pub resume_within_hours: f64,
    /// listing sources: the most listing pages followed through `next`.
    pub max_listing_pages: usize,
    /// Documents fetched ahead of analysis.
    pub prefetch: usize,
}

impl Default for CrawlerConfig {
    fn default() -> Self {
        CrawlerConfig {
            user_agent:
                "passend/0.1 (+https://passend.example.nl/bot; vacatures voor re-integratie)".into(),
            delay_ms: 1000,
            per_host_concurrency: 1,
            fetch_concurrency: 4,
            timeout_secs: 20.0,
            max_body_bytes: 5 * 1024 * 1024,
            max_pages_per_source: 20_000,
            max_redirects: 5,
            max_retries: 3,
            retry_backoff_ms: 1000,
            max_retry_after_secs: 120.0,
            obey_robots: true,
            obey_crawl_delay: true,
            max_crawl_delay_secs: 60.0,
            close_after_missed_crawls: 3,
            commit_every: 200,
            resume_within_hours: 24.0,
            max_listing_pages: 50,
            prefetch: 8,
        }
    }
}

/// What one crawl of one source did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct CrawlReport {
    pub source: String,
    pub kind: String,
    /// Documents downloaded with a body (pages, API responses, feeds; not sitemaps).
    pub fetched: usize,
    /// Documents that answered 304 Not Modified.
    pub not_modified: usize,
    /// Documents whose body had the same hash as last time (no extraction, no analysis).
    pub same_content: usize,
    /// Vacancies seen again without change (304, same content, or same posting).
    pub unchanged: usize,
    pub new: usize,
    pub updated: usize,
    /// Vacancies closed by this crawl, for any reason.
    pub closed: usize,
    /// … because their page answered 404/410.
    pub closed_gone: usize,
    /// … because the source stopped listing them.
    pub closed_missing: usize,
    /// … because `validThrough` has passed.
    pub closed_expired: usize,
    /// Pages that held no vacancy.
    pub without_vacancy: usize,
    /// Pages skipped because the resumed run had already done them.
    pub resumed_skipped: usize,
    /// HTTP requests sent (robots.txt, sitemaps and retries included).
    pub requests: usize,
    /// Every failure, by kind ("timeout", "http-500", "robots-disallowed", "jsonld-broken", …).
    pub errors: BTreeMap<String, usize>,
    /// Discovery succeeded and the crawl was not stopped: absences were counted.
    pub complete: bool,
    /// This crawl continued a killed one.
    pub resumed: bool,
    pub ingest: IngestReport,
    pub seconds: f64,
}

impl CrawlReport {
    fn error(&mut self, kind: &str) {
        *self.errors.entry(kind.to_string()).or_insert(0) += 1;
    }

    /// One line of Dutch for a terminal.
    pub fn line(&self) -> String {
        let errors = if self.errors.is_empty() {
            "geen fouten".to_string()
        } else {
            self.errors
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "{}: opgehaald {}, ongewijzigd {}, nieuw {}, bijgewerkt {}, gesloten {} (404/410 {}, niet meer gevonden {}, verlopen {}); fouten: {}{}{} ({:.1} s, {} verzoeken)",
            self.source,
            self.fetched,
            self.unchanged,
            self.new,
            self.updated,
            self.closed,
            self.closed_gone,
            self.closed_missing,
            self.closed_expired,
            errors,
            if self.resumed { "; hervat" } else { "" },
            if self.complete {
                ""
            } else {
                "; onvolledig, afwezigheid niet geteld"
            },
            self.seconds,
            self.requests,
        )
    }
}

/// Set it to stop a crawl at the next document (the crawl commits what it has and returns).
pub type StopFlag = Arc<AtomicBool>;

/// What a document is, which decides how it becomes postings.
#[derive(Debug, Clone, Copy, PartialEq)]
enum DocKind {
    /// An HTML page with JSON-LD or microdata.
    Page,
    /// An ATS API response.
    Api,
    /// An RSS/Atom/XML job feed.
    Feed,
    /// A detail page of a listing source.
    Detail,
}

pub struct Crawler {
    fetcher: Arc<Fetcher>,
    progress: bool,
    stop: StopFlag,
}

/// The state of one crawl run of one source.
struct Run<'s> {
    source: &'s Source,
    report: CrawlReport,
    run_id: i64,
    /// Vacancy ids the source still lists (or that we could not check this time).
    seen: HashSet<String>,
    pending: Vec<state::PageWrite>,
    since_commit: usize,
}

impl Crawler {
    pub fn new(cfg: CrawlerConfig) -> anyhow::Result<Crawler> {
        Ok(Crawler {
            fetcher: Arc::new(Fetcher::new(cfg)?),
            progress: false,
            stop: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Show a progress bar on stderr (only when stderr is a terminal).
    pub fn with_progress(mut self, on: bool) -> Crawler {
        use std::io::IsTerminal;
        self.progress = on && std::io::stderr().is_terminal();
        self
    }

    /// Share a stop flag (the daemon sets it on SIGTERM).
    pub fn with_stop(mut self, stop: StopFlag) -> Crawler {
        self.stop = stop;
        self
    }

    pub fn fetcher(&self) -> &Fetcher {
        &self.fetcher
    }

    fn cfg(&self) -> &CrawlerConfig {
        self.fetcher.config()
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Crawl one source once into the pipeline.
    pub async fn crawl(
        &mut self,
        source: &Source,
        pipe: &mut Pipeline<'_>,
    ) -> anyhow::Result<CrawlReport> {
        let started = Instant::now();
        let requests_before = self.fetcher.requests();
        let (run_id, resumed) = state::begin_run(
            pipe.store,
            &source.name,
            pipe.now,
            self.cfg().resume_within_hours,
        )?;
        let mut run = Run {
            source,
            report: CrawlReport {
                source: source.name.clone(),
                kind: source.kind.clone(),
                complete: true,
                resumed,
                ..Default::default()
            },
            run_id,
            seen: HashSet::new(),
            pending: vec![],
            since_commit: 0,
        };
        let store = pipe.store;
        let batch = state::Batch::begin(store)?;
        let docs = self.discover(&mut run, pipe, &batch).await?;
        let bar = self.progress_bar(&source.name, docs.len());
        // plan: what each document looked like last time; skip what a resumed run already did
        let mut plan: Vec<(String, DocKind, Option<state::PageState>)> = vec![];
        for (url, kind) in docs {
            let prev = state::page(pipe.store, &url)?;
            if let Some(p) = prev
                .as_ref()
                .filter(|p| resumed && p.run_id == Some(run_id))
            {
                run.report.resumed_skipped += 1;
                run.seen.extend(p.vacancy_ids.iter().cloned());
                if let Some(b) = &bar {
                    b.inc(1);
                }
                continue;
            }
            plan.push((url, kind, prev));
        }
        // fetching runs ahead of analysis (bounded), so the network and the CPU work together;
        // politeness is the fetcher's, per host, whatever the order
        let (tx, mut rx) = tokio::sync::mpsc::channel(self.cfg().prefetch.max(1));
        type Job = (usize, String, DocKind, Validators, Option<String>);
        let jobs: Vec<Job> = plan
            .iter()
            .enumerate()
            .map(|(i, (url, kind, prev))| {
                let v = validators_of(prev.as_ref());
                let old_hash = prev
                    .as_ref()
                    .filter(|p| p.http_status == Some(200))
                    .and_then(|p| p.hash.clone());
                (i, url.clone(), *kind, v, old_hash)
            })
            .collect();
        let (fetcher, stop) = (self.fetcher.clone(), self.stop.clone());
        let src = Arc::new(source.clone());
        // extraction happens here too, so it runs beside the analysis of earlier pages
        let in_flight = self.cfg().fetch_concurrency.max(1);
        let producer = tokio::spawn(async move {
            // up to `in_flight` fetches at once; the fetcher keeps each host to its own limit
            let mut jobs = jobs.into_iter();
            let mut set = tokio::task::JoinSet::new();
            loop {
                while set.len() < in_flight && !stop.load(Ordering::Relaxed) {
                    let Some((i, url, kind, v, old_hash)) = jobs.next() else {
                        break;
                    };
                    let (fetcher, src) = (fetcher.clone(), src.clone());
                    set.spawn(async move {
                        let result = fetcher.fetch(&url, &v).await;
                        let (hash, extracted) = match &result {
                            Ok(Outcome::Body(page)) => {
                                let h = body_hash(&page.text);
                                let x = (old_hash.as_deref() != Some(h.as_str()))
                                    .then(|| extract_doc(&src, kind, page));
                                (Some(h), x)
                            }
                            _ => (None, None),
                        };
                        Fetched {
                            index: i,
                            result,
                            hash,
                            extracted,
                        }
                    });
                }
                match set.join_next().await {
                    Some(Ok(msg)) => {
                        if tx.send(msg).await.is_err() {
                            break;
                        }
                    }
                    Some(Err(_)) => {}
                    None => break,
                }
            }
        });
        let _abort = AbortOnDrop(producer);
        let mut handled = 0;
        while let Some(fetched) = rx.recv().await {
            if self.stopped() {
                break;
            }
            let (url, kind, prev) = &plan[fetched.index];
            self.handle(&mut run, pipe, url, *kind, prev.clone(), fetched)?;
            handled += 1;
            run.since_commit += 1;
            if run.since_commit >= self.cfg().commit_every.max(1) {
                checkpoint(&mut run, pipe, &batch, true)?;
            }
            if let Some(b) = &bar {
                b.inc(1);
            }
        }
        if handled < plan.len() {
            run.report.complete = false;
        }
        checkpoint(&mut run, pipe, &batch, false)?;
        drop(batch);
        if run.report.complete {
            let close_after = source
                .close_after_missed_crawls
                .unwrap_or(self.cfg().close_after_missed_crawls);
            for id in state::record_absences(pipe.store, &source.name, &run.seen, close_after)? {
                let reason = format!("niet meer gevonden bij de bron ({close_after} crawls)");
                if close(pipe, &id, &reason)? {
                    run.report.closed_missing += 1;
                }
            }
            pipe.commit()?;
        }
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        let r = &mut run.report;
        r.new = r.ingest.added;
        r.updated = r.ingest.updated;
        r.unchanged += r.ingest.unchanged;
        r.closed_expired += r.ingest.closed;
        r.closed = r.closed_gone + r.closed_missing + r.closed_expired;
        r.requests = self.fetcher.requests() - requests_before;
        r.seconds = started.elapsed().as_secs_f64();
        // a stopped crawl stays open so the next one resumes it
        if run.report.complete || !self.stopped() {
            state::finish_run(
                pipe.store,
                run.run_id,
                pipe.now,
                run.report.complete,
                &serde_json::to_string(&run.report)?,
            )?;
        }
        Ok(run.report)
    }

    fn progress_bar(&self, name: &str, len: usize) -> Option<indicatif::ProgressBar> {
        if !self.progress {
            return None;
        }
        let bar = indicatif::ProgressBar::new(len as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix:.bold} [{bar:30}] {pos}/{len} pagina's, {per_sec}, nog {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_prefix(name.to_string());
        Some(bar)
    }

    /// The documents of a source, in crawl order, without duplicates.
    async fn discover(
        &self,
        run: &mut Run<'_>,
        pipe: &mut Pipeline<'_>,
        batch: &state::Batch<'_>,
    ) -> anyhow::Result<Vec<(String, DocKind)>> {
        let source = run.source;
        let max = self.cfg().max_pages_per_source;
        let mut docs: Vec<(String, DocKind)> = vec![];
        let mut have: HashSet<String> = HashSet::new();
        let mut started: HashSet<String> = HashSet::new();
        let mut push = |docs: &mut Vec<(String, DocKind)>, u: String, k: DocKind| {
            if docs.len() < max && have.insert(u.clone()) {
                docs.push((u, k));
            }
        };
        match source.kind.as_str() {
            "ats" => {
                let mut urls = source.urls.clone();
                if urls.is_empty()
                    && let (Some(sys), Some(c)) = (&source.ats, &source.company)
                {
                    urls.extend(ats::endpoint(sys, c));
                }
                for u in urls {
                    push(&mut docs, u, DocKind::Api);
                }
            }
            "feed" => {
                for u in source.urls.iter().chain(&source.start_urls) {
                    push(&mut docs, u.clone(), DocKind::Feed);
                }
            }
            "listing" => {
                let sel = source.selectors.clone().unwrap_or_default();
                for start in &source.urls {
                    let mut next = Some(start.clone());
                    let mut pages = 0;
                    let mut visited = HashSet::new();
                    while let Some(u) = next.take() {
                        pages += 1;
                        if pages > self.cfg().max_listing_pages || !visited.insert(u.clone()) {
                            break;
                        }
                        match self.fetcher.fetch(&u, &Validators::default()).await {
                            Ok(Outcome::Body(page)) => {
                                let (links, n) =
                                    listing::listing_links(&page.text, &page.url, &sel);
                                for l in links {
                                    push(&mut docs, l, DocKind::Detail);
                                }
                                next = n;
                            }
                            Ok(_) => {
                                run.report.error("listing-missing");
                                run.report.complete = false;
                            }
                            Err(e) => {
                                run.report.error(&e.kind);
                                run.report.complete = false;
                            }
                        }
                    }
                }
            }
            _ => {
                // career-site
                let include = source
                    .include
                    .as_deref()
                    .and_then(|r| regex::Regex::new(r).ok());
                let wanted = |u: &str| include.as_ref().is_none_or(|re| re.is_match(u));
                let mut queue: Vec<String> = source.sitemaps.clone();
                let mut starts: Vec<String> = source.start_urls.clone();
                for u in &source.urls {
                    if is_sitemap_url(u) {
                        queue.push(u.clone());
                    } else {
                        starts.push(u.clone());
                    }
                }
                queue.reverse();
                let mut maps = 0;
                let mut seen_maps = HashSet::new();
                while let Some(sm) = queue.pop() {
                    maps += 1;
                    if maps > 1000 || !seen_maps.insert(sm.clone()) {
                        continue;
                    }
                    match self.fetcher.fetch(&sm, &Validators::default()).await {
                        Ok(Outcome::Body(page)) => match extract::sitemap(&page.text) {
                            Ok((entries, kids)) => {
                                for e in entries {
                                    if wanted(&e.loc) {
                                        push(&mut docs, e.loc, DocKind::Page);
                                    }
                                }
                                queue.extend(kids.into_iter().rev());
                            }
                            Err(_) => {
                                run.report.error("sitemap-parse");
                                run.report.complete = false;
                            }
                        },
                        Ok(_) => {
                            run.report.error("sitemap-missing");
                            run.report.complete = false;
                        }
                        Err(e) => {
                            run.report.error(&e.kind);
                            run.report.complete = false;
                        }
                    }
                }
                // start pages: their own postings, else their same-site links (one level)
                for start in starts {
                    match self.fetcher.fetch(&start, &Validators::default()).await {
                        Ok(Outcome::Body(page)) => {
                            let (postings, errors) = extract::job_postings(&page.text, &page.url);
                            if postings.is_empty() && errors.is_empty() {
                                for l in extract::links(&page.text, &page.url, None) {
                                    if l != start && wanted(&l) {
                                        push(&mut docs, l, DocKind::Page);
                                    }
                                }
                            } else if started.insert(start.clone()) {
                                run.report.fetched += 1;
                                self.take_postings(run, pipe, &start, &page, postings, errors)?;
                                run.since_commit += 1;
                                if run.since_commit >= self.cfg().commit_every.max(1) {
                                    checkpoint(run, pipe, batch, true)?;
                                }
                            }
                        }
                        Ok(_) => {
                            run.report.error("start-missing");
                            run.report.complete = false;
                        }
                        Err(e) => {
                            run.report.error(&e.kind);
                            run.report.complete = false;
                        }
                    }
                }
            }
        }
        Ok(docs)
    }

    /// Bring the vacancies of one fetched document up to date.
    fn handle(
        &self,
        run: &mut Run<'_>,
        pipe: &mut Pipeline<'_>,
        url: &str,
        kind: DocKind,
        prev: Option<state::PageState>,
        fetched: Fetched,
    ) -> anyhow::Result<()> {
        let Fetched {
            result,
            hash,
            extracted,
            ..
        } = fetched;
        let prev_ok = prev
            .as_ref()
            .filter(|p| p.http_status == Some(200))
            .cloned();
        match result {
            Ok(Outcome::NotModified) => {
                run.report.not_modified += 1;
                let p = prev_ok.unwrap_or_default();
                self.keep(run, pipe, &p.vacancy_ids)?;
                run.pending.push(state::PageWrite {
                    url: url.to_string(),
                    etag: p.etag,
                    last_modified: p.last_modified,
                    hash: p.hash,
                    http_status: 200,
                    vacancy_ids: p.vacancy_ids,
                });
            }
            Ok(Outcome::Gone(status)) => {
                if matches!(kind, DocKind::Api | DocKind::Feed) {
                    // a whole board gone is more likely a wrong URL: do not close everything
                    run.report.error(&format!("http-{status}"));
                    run.report.complete = false;
                    if let Some(p) = prev {
                        run.seen.extend(p.vacancy_ids);
                    }
                    return Ok(());
                }
                for id in prev.map(|p| p.vacancy_ids).unwrap_or_default() {
                    if close(pipe, &id, &format!("pagina verdwenen (HTTP {status})"))? {
                        run.report.closed_gone += 1;
                    }
                }
                run.pending.push(state::PageWrite {
                    url: url.to_string(),
                    etag: None,
                    last_modified: None,
                    hash: None,
                    http_status: status,
                    vacancy_ids: vec![],
                });
            }
            Ok(Outcome::Body(page)) => {
                run.report.fetched += 1;
                let hash = hash.unwrap_or_else(|| body_hash(&page.text));
                if let Some(p) = prev_ok.filter(|p| p.hash.as_deref() == Some(hash.as_str())) {
                    run.report.same_content += 1;
                    self.keep(run, pipe, &p.vacancy_ids)?;
                    run.pending.push(state::PageWrite {
                        url: url.to_string(),
                        etag: page.etag,
                        last_modified: page.last_modified,
                        hash: Some(hash),
                        http_status: 200,
                        vacancy_ids: p.vacancy_ids,
                    });
                    return Ok(());
                }
                let extracted = match extracted {
                    Some(x) => x,
                    None => extract_doc(run.source, kind, &page),
                };
                let (postings, errors) = match extracted {
                    Ok(x) => x,
                    Err((kind, e)) => {
                        tracing::warn!("{url}: {e}");
                        run.report.error(kind);
                        run.report.complete = false;
                        if let Some(p) = prev {
                            run.seen.extend(p.vacancy_ids);
                        }
                        return Ok(());
                    }
                };
                let mut page = page;
                page.url = url.to_string();
                self.take_postings(run, pipe, url, &page, postings, errors)?;
            }
            Err(e) => {
                run.report.error(&e.kind);
                if matches!(kind, DocKind::Api | DocKind::Feed) {
                    run.report.complete = false;
                }
                // we could not look: what the page held is not missing
                if e.is_transient()
                    && let Some(p) = prev
                {
                    run.seen.extend(p.vacancy_ids);
                }
            }
        }
        Ok(())
    }

    /// Send extracted postings through the pipeline and queue the page row.
    fn take_postings(
        &self,
        run: &mut Run<'_>,
        pipe: &mut Pipeline<'_>,
        url: &str,
        page: &fetch::Page,
        postings: Vec<Posting>,
        errors: Vec<String>,
    ) -> anyhow::Result<Vec<String>> {
        let kind_err = match run.source.kind.as_str() {
            "career-site" => "jsonld-broken",
            "listing" => "listing-detail",
            "ats" => "api-entry",
            _ => "feed-entry",
        };
        for e in &errors {
            tracing::info!("{url}: {e}");
            run.report.error(kind_err);
        }
        if postings.is_empty() && errors.is_empty() {
            run.report.without_vacancy += 1;
        }
        let mut ids = vec![];
        for p in postings {
            let id = p.id.clone();
            match pipe.take(p, &run.source.name, &mut run.report.ingest) {
                Ok(_) => {
                    run.seen.insert(id.clone());
                    ids.push(id);
                }
                Err(e) => {
                    tracing::warn!("{url}: vacancy {id}: {e:#}");
                    run.report.error("ingest");
                }
            }
        }
        run.pending.push(state::PageWrite {
            url: url.to_string(),
            etag: page.etag.clone(),
            last_modified: page.last_modified.clone(),
            hash: Some(body_hash(&page.text)),
            http_status: 200,
            vacancy_ids: ids.clone(),
        });
        Ok(ids)
    }

    /// The vacancies of an unchanged document: still there; close the ones whose validThrough
    /// passed, re-open ones that had been closed for being gone.
    fn keep(
        &self,
        run: &mut Run<'_>,
        pipe: &mut Pipeline<'_>,
        ids: &[String],
    ) -> anyhow::Result<()> {
        for id in ids {
            run.seen.insert(id.clone());
            let Some(v) = pipe.index.get(id)? else {
                continue;
            };
            let expired = v
                .posting
                .valid_through
                .is_some_and(|d| d < pipe.now.date_naive());
            match (v.status, expired) {
                (Status::Open, true) => {
                    if close(pipe, id, "validThrough verstreken")? {
                        run.report.closed_expired += 1;
                    }
                }
                (Status::Open, false) => {
                    state::touch_vacancy(pipe.store, id, pipe.now)?;
                    run.report.unchanged += 1;
                }
                (Status::Closed, false) => {
                    // it was closed (gone, missing) and is listed again
                    let mut p = v.posting.clone();
                    p.source = String::new();
                    pipe.take(p, &run.source.name, &mut run.report.ingest)?;
                }
                (Status::Closed, true) => {}
            }
        }
        Ok(())
    }
}

/// Postings and per-item reasons from a document, or (error kind, message) when the whole
/// document could not be read.
type Extracted = Result<(Vec<Posting>, Vec<String>), (&'static str, String)>;

/// A fetched document on its way from the prefetcher to the pipeline.
struct Fetched {
    index: usize,
    result: Result<Outcome, FetchError>,
    /// Body hash, when there was a body.
    hash: Option<String>,
    /// Extraction result, when the body changed.
    extracted: Option<Extracted>,
}

fn extract_doc(source: &Source, kind: DocKind, page: &fetch::Page) -> Extracted {
    let employer = source.employer.as_deref();
    match kind {
        DocKind::Page => Ok(extract::job_postings(&page.text, &page.url)),
        DocKind::Api => {
            let sys = source.ats.as_deref().unwrap_or("");
            ats::parse(sys, &page.text, &page.url, employer).map_err(|e| ("api-parse", e))
        }
        DocKind::Feed => feed::parse(&page.text, employer).map_err(|e| ("feed-parse", e)),
        DocKind::Detail => {
            let sel = source.selectors.clone().unwrap_or_default();
            Ok(
                match listing::detail(&page.text, &page.url, &sel, employer) {
                    Ok(p) => (vec![p], vec![]),
                    Err(e) => (vec![], vec![e]),
                },
            )
        }
    }
}

/// Validators for a conditional request: only from a page that last answered 200.
fn validators_of(prev: Option<&state::PageState>) -> Validators {
    prev.filter(|p| p.http_status == Some(200))
        .map(|p| Validators {
            etag: p.etag.clone(),
            last_modified: p.last_modified.clone(),
        })
        .unwrap_or_default()
}

/// Stops the prefetching task when the crawl ends or is dropped (a killed crawl).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Commit the index, then write the page rows that point into it.
fn checkpoint(
    run: &mut Run<'_>,
    pipe: &mut Pipeline<'_>,
    batch: &state::Batch<'_>,
    again: bool,
) -> anyhow::Result<()> {
    pipe.commit()?;
    state::write_pages(
        pipe.store,
        &run.source.name,
        run.run_id,
        pipe.now,
        &run.pending,
    )?;
    batch.commit(again)?;
    run.pending.clear();
    run.since_commit = 0;
    Ok(())
}

/// Close a vacancy in index and store (store only when the index no longer has it).
fn close(pipe: &mut Pipeline<'_>, id: &str, reason: &str) -> anyhow::Result<bool> {
    if pipe.close(id, reason)? {
        return Ok(true);
    }
    if pipe.index.get(id)?.is_none() {
        return pipe.store.close(id, reason, pipe.now);
    }
    Ok(false)
}

/// FNV-1a 64 of a body, hex: "did this page change?".
pub fn body_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in text.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

/// Open the index and store under `data` and crawl `sources` one after another. `now`: the
/// moment taken as now (default: the clock, per source).
pub async fn crawl_sources(
    cfg: &CrawlerConfig,
    sources: &[Source],
    res: &crate::resources::Resources,
    data: &Path,
    now: Option<DateTime<Utc>>,
    progress: bool,
    stop: Option<StopFlag>,
) -> anyhow::Result<Vec<CrawlReport>> {
    let mut index = crate::index::VacancyIndex::open(&data.join("index"))?;
    let store = crate::store::Store::open(&data.join("passend.db"))?;
    let mut crawler = Crawler::new(cfg.clone())?.with_progress(progress);
    if let Some(s) = stop {
        crawler = crawler.with_stop(s);
    }
    let mut reports = vec![];
    for s in sources {
        if crawler.stopped() {
            break;
        }
        let mut pipe = Pipeline {
            res,
            index: &mut index,
            store: &store,
            now: now.unwrap_or_else(Utc::now),
        };
        let r = crawler.crawl(s, &mut pipe).await?;
        tracing::info!("{}", r.line());
        reports.push(r);
    }
    Ok(reports)
}
