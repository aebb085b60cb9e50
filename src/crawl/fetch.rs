//! Polite HTTP: the only place in passend that talks to other people's servers.
//!
//! A URL goes in, an [`Outcome`] (body decoded to text, 304, or 404/410) or a [`FetchError`]
//! with a short kind ("timeout", "too-large", "robots-disallowed", …) comes out. On the way it
//! honours robots.txt (fetched once per host, `Crawl-delay` included), keeps at most
//! `per_host_concurrency` requests open per host with at least the configured delay between
//! their starts, retries 429/503 and other 5xx with backoff honouring `Retry-After` (bounded),
//! limits time, redirects and body size, undoes gzip (transport and `.gz` files) and detects the
//! charset (header, BOM, `<meta>`, XML declaration; windows-1252 when nothing is declared and
//! the bytes are not UTF-8). State is per host and behind locks, so one [`Fetcher`] can be shared.

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};

use super::CrawlerConfig;
use super::robots::Robots;

/// What a fetch produced.
#[derive(Debug)]
pub enum Outcome {
    Body(Page),
    /// 304: the page is what we have.
    NotModified,
    /// 404 or 410: the page is gone.
    Gone(u16),
}

#[derive(Debug, Clone)]
pub struct Page {
    /// The URL after redirects.
    pub url: String,
    pub text: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_type: Option<String>,
    /// Status of the final response.
    pub status: u16,
}

/// A failed fetch; `kind` is what the crawl report counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    pub kind: String,
}

impl FetchError {
    fn new(kind: impl Into<String>) -> FetchError {
        FetchError { kind: kind.into() }
    }
    /// Errors that say nothing about whether the page still exists (robots.txt rules do: a
    /// page we may not fetch cannot be checked, so its vacancies count as missing).
    pub fn is_transient(&self) -> bool {
        !matches!(self.kind.as_str(), "robots-disallowed" | "bad-url")
    }
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.kind)
    }
}

/// Conditional-request validators remembered from the last fetch.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

struct Host {
    robots: tokio::sync::OnceCell<Robots>,
    permits: tokio::sync::Semaphore,
    next_start: tokio::sync::Mutex<Option<Instant>>,
}

pub struct Fetcher {
    client: reqwest::Client,
    cfg: CrawlerConfig,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
    requests: std::sync::atomic::AtomicUsize,
}

impl Fetcher {
    pub fn new(cfg: CrawlerConfig) -> anyhow::Result<Fetcher> {
        let client = reqwest::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .timeout(Duration::from_secs_f64(cfg.timeout_secs.max(0.001)))
            .connect_timeout(Duration::from_secs_f64(cfg.timeout_secs.max(0.001)))
            .redirect(reqwest::redirect::Policy::limited(cfg.max_redirects))
            .build()?;
        Ok(Fetcher {
            client,
            cfg,
            hosts: Mutex::new(HashMap::new()),
            requests: Default::default(),
        })
    }

    pub fn config(&self) -> &CrawlerConfig {
        &self.cfg
    }

    /// HTTP requests sent so far (robots.txt and retries included).
    pub fn requests(&self) -> usize {
        self.requests.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn host(&self, key: &str) -> Arc<Host> {
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        hosts
            .entry(key.to_string())
            .or_insert_with(|| {
                Arc::new(Host {
                    robots: tokio::sync::OnceCell::new(),
                    permits: tokio::sync::Semaphore::new(self.cfg.per_host_concurrency.max(1)),
                    next_start: tokio::sync::Mutex::new(None),
                })
            })
            .clone()
    }

    /// The robots rules of the URL's host (fetched once; 4xx = no rules, 5xx/unreachable = nothing
    /// allowed this crawl, as RFC 9309 asks).
    pub async fn robots(&self, url: &url::Url) -> Robots {
        let key = host_key(url);
        let host = self.host(&key);
        host.robots
            .get_or_init(|| async {
                if !self.cfg.obey_robots {
                    return Robots::allow_all();
                }
                let robots_url = format!("{key}/robots.txt");
                self.count();
                match self.client.get(&robots_url).send().await {
                    Ok(resp) if resp.status().is_success() => {
                        let bytes = read_limited(resp, 512 * 1024).await.unwrap_or_default();
                        Robots::parse(&decode(&bytes, None), &self.cfg.user_agent)
                    }
                    Ok(resp) if resp.status().is_client_error() => Robots::allow_all(),
                    _ => Robots::deny_all(),
                }
            })
            .await
            .clone()
    }

    fn count(&self) {
        self.requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    fn delay_for(&self, robots: &Robots) -> Duration {
        let base = Duration::from_millis(self.cfg.delay_ms);
        match robots.crawl_delay {
            Some(d) if self.cfg.obey_crawl_delay => {
                Duration::from_secs_f64(d.min(self.cfg.max_crawl_delay_secs)).max(base)
            }
            _ => base,
        }
    }

    /// Fetch one URL politely. `validators` make it a conditional request.
    pub async fn fetch(&self, url: &str, validators: &Validators) -> Result<Outcome, FetchError> {
        let parsed = url::Url::parse(url).map_err(|_| FetchError::new("bad-url"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(FetchError::new("bad-url"));
        }
        let robots = self.robots(&parsed).await;
        if robots.unavailable() {
            return Err(FetchError::new("robots-unavailable"));
        }
        if !robots.allowed(parsed.path(), parsed.query()) {
            return Err(FetchError::new("robots-disallowed"));
        }
        let delay = self.delay_for(&robots);
        let host = self.host(&host_key(&parsed));
        let _permit = host
            .permits
            .acquire()
            .await
            .map_err(|_| FetchError::new("closed"))?;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            {
                let mut next = host.next_start.lock().await;
                if let Some(t) = *next {
                    let now = Instant::now();
                    if t > now {
                        tokio::time::sleep(t - now).await;
                    }
                }
                *next = Some(Instant::now() + delay);
            }
            let mut req = self.client.get(url);
            if let Some(e) = &validators.etag {
                req = req.header(header::IF_NONE_MATCH, e);
            }
            if let Some(l) = &validators.last_modified {
                req = req.header(header::IF_MODIFIED_SINCE, l);
            }
            self.count();
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) if e.is_timeout() => return Err(FetchError::new("timeout")),
                Err(e) if e.is_redirect() => return Err(FetchError::new("redirect-loop")),
                Err(_) => return Err(FetchError::new("connect")),
            };
            let status = resp.status();
            if status == StatusCode::NOT_MODIFIED {
                return Ok(Outcome::NotModified);
            }
            if status == StatusCode::NOT_FOUND || status == StatusCode::GONE {
                return Ok(Outcome::Gone(status.as_u16()));
            }
            if (status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error())
                && attempt <= self.cfg.max_retries
            {
                let wait = retry_wait(
                    resp.headers(),
                    attempt,
                    self.cfg.retry_backoff_ms,
                    self.cfg.max_retry_after_secs,
                );
                tracing::debug!("{url}: HTTP {status}, retry {attempt} in {wait:?}");
                // a 429/503 says the host wants a pause: later requests wait too
                {
                    let mut next = host.next_start.lock().await;
                    let until = Instant::now() + wait;
                    if next.is_none_or(|t| t < until) {
                        *next = Some(until);
                    }
                }
                continue;
            }
            if !status.is_success() {
                return Err(FetchError::new(format!("http-{}", status.as_u16())));
            }
            let final_url = resp.url().to_string();
            let headers = resp.headers().clone();
            let text_header = |h: header::HeaderName| {
                headers
                    .get(h)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            if resp
                .content_length()
                .is_some_and(|l| l as usize > self.cfg.max_body_bytes)
            {
                return Err(FetchError::new("too-large"));
            }
            let bytes = read_limited(resp, self.cfg.max_body_bytes).await?;
            let bytes = gunzip_if_needed(bytes, self.cfg.max_body_bytes)?;
            let content_type = text_header(header::CONTENT_TYPE);
            let text = decode(&bytes, content_type.as_deref());
            return Ok(Outcome::Body(Page {
                url: final_url,
                text,
                etag: text_header(header::ETAG),
                last_modified: text_header(header::LAST_MODIFIED),
                content_type,
                status: status.as_u16(),
            }));
        }
    }
}

fn host_key(url: &url::Url) -> String {
    format!("{}://{}", url.scheme(), url.authority())
}

/// How long to wait before retry `attempt`: `Retry-After` (seconds or HTTP date) when given,
/// else exponential backoff; never longer than `max_secs`.
pub fn retry_wait(headers: &HeaderMap, attempt: u32, backoff_ms: u64, max_secs: f64) -> Duration {
    let given = headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| {
            let s = s.trim();
            s.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .or_else(|| {
                    chrono::DateTime::parse_from_rfc2822(s)
                        .ok()
                        .map(|t| t.with_timezone(&chrono::Utc) - chrono::Utc::now())
                        .map(|d| d.num_milliseconds().max(0) as f64 / 1000.0)
                })
        });
    let secs = given.unwrap_or_else(|| {
        backoff_ms as f64 / 1000.0 * 2f64.powi(attempt.saturating_sub(1).min(16) as i32)
    });
    Duration::from_secs_f64(secs.clamp(0.0, max_secs.max(0.0)))
}

async fn read_limited(mut resp: reqwest::Response, max: usize) -> Result<Vec<u8>, FetchError> {
    let mut out = vec![];
    while let Some(chunk) = resp.chunk().await.map_err(|e| {
        if e.is_timeout() {
            FetchError::new("timeout")
        } else {
            FetchError::new("read")
        }
    })? {
        out.extend_from_slice(&chunk);
        if out.len() > max {
            return Err(FetchError::new("too-large"));
        }
    }
    Ok(out)
}

/// `.xml.gz` sitemaps and feeds arrive gzipped without a Content-Encoding: undo it, bounded.
pub fn gunzip_if_needed(bytes: Vec<u8>, max: usize) -> Result<Vec<u8>, FetchError> {
    if bytes.len() < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b {
        return Ok(bytes);
    }
    let mut out = vec![];
    flate2::read::GzDecoder::new(&bytes[..])
        .take(max as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| FetchError::new("gzip"))?;
    if out.len() > max {
        return Err(FetchError::new("too-large"));
    }
    Ok(out)
}

/// Bytes → text. The charset comes from the Content-Type header, a BOM, a `<meta>` tag or an
/// XML declaration; without one, UTF-8 when the bytes are valid UTF-8, else windows-1252 (what
/// Dutch sites that declare nothing send).
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> String {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        return enc
            .decode_without_bom_handling(&bytes[bom_len..])
            .0
            .into_owned();
    }
    let declared = content_type
        .and_then(charset_param)
        .or_else(|| sniff_charset(bytes))
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()));
    match declared {
        // a page declaring UTF-8 that is not UTF-8 is almost always windows-1252
        Some(enc) if enc == encoding_rs::UTF_8 => match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
        },
        Some(enc) => enc.decode_without_bom_handling(bytes).0.into_owned(),
        None => match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
        },
    }
}

fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("charset"))
            .then(|| v.trim().trim_matches(['"', '\'']).to_string())
    })
}

/// `<meta charset=…>`, `<meta http-equiv … content="…charset=…">` or `<?xml encoding="…"?>`
/// in the first 2 KB.
fn sniff_charset(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(2048)];
    let head: String = head
        .iter()
        .map(|&b| b.to_ascii_lowercase() as char)
        .collect();
    for marker in ["charset=", "encoding="] {
        let mut from = 0;
        while let Some(i) = head[from..].find(marker) {
            let start = from + i + marker.len();
            let rest = head[start..].trim_start_matches(['"', '\'', ' ']);
            let label: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
                .collect();
            if !label.is_empty() {
                return Some(label);
            }
            from = start;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charsets() {
        let bytes =
            b"<html><head><meta charset=\"windows-1252\"></head><body>caf\xe9 \x80 5</body>";
        assert!(decode(bytes, None).contains("café € 5"));
        assert_eq!(
            decode(b"caf\xe9", Some("text/html; charset=ISO-8859-1")),
            "café"
        );
        assert_eq!(decode("café".as_bytes(), None), "café");
        assert_eq!(decode(b"caf\xe9", None), "café");
        assert_eq!(decode(b"caf\xe9", Some("text/html; charset=utf-8")), "café");
        assert_eq!(
            decode(
                b"<?xml version='1.0' encoding='ISO-8859-15'?><a>\xa4</a>",
                None
            ),
            "<?xml version='1.0' encoding='ISO-8859-15'?><a>€</a>"
        );
    }

    #[test]
    fn retry_after_is_bounded() {
        let mut h = HeaderMap::new();
        h.insert(header::RETRY_AFTER, "2".parse().unwrap());
        assert_eq!(retry_wait(&h, 1, 100, 60.0), Duration::from_secs(2));
        h.insert(header::RETRY_AFTER, "86400".parse().unwrap());
        assert_eq!(retry_wait(&h, 1, 100, 30.0), Duration::from_secs(30));
        let none = HeaderMap::new();
        assert_eq!(retry_wait(&none, 3, 100, 60.0), Duration::from_millis(400));
    }

    #[test]
    fn gzip_bodies() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(vec![], flate2::Compression::fast());
        enc.write_all(b"<urlset></urlset>").unwrap();
        let gz = enc.finish().unwrap();
        assert_eq!(
            gunzip_if_needed(gz.clone(), 1000).unwrap(),
            b"<urlset></urlset>"
        );
        assert_eq!(gunzip_if_needed(gz, 5).unwrap_err().kind, "too-large");
    }
}
