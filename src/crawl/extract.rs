//! Pages and sitemaps → postings and URLs. Pure functions over fetched bytes.
//!
//! JobPosting JSON-LD in every shape publishers use (single object, arrays, `@graph`, several
//! scripts on a page, HTML entities, trailing commas and other breakage), sitemaps and sitemap
//! indexes. A broken script is skipped with a reason; it never stops the page or the crawl.

use scraper::{Html, Selector};
use serde_json::Value;

use crate::model::Posting;
use crate::posting;

/// All JobPostings on a page, plus reasons for the JSON-LD blocks that could not be read.
///
/// JSON-LD first; when a page has no JSON-LD JobPosting at all, schema.org microdata
/// (`itemscope itemtype=".../JobPosting"`) is read instead.
pub fn job_postings(html: &str, page_url: &str) -> (Vec<Posting>, Vec<String>) {
    // cheap pre-check: most non-vacancy pages are skipped without building a DOM
    let lower_has = |needle: &str| {
        html.as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    };
    let has_jsonld = lower_has("application/ld+json");
    let has_microdata = lower_has("itemscope");
    if !has_jsonld && !has_microdata {
        return (vec![], vec![]);
    }
    // JSON-LD scripts are raw text in HTML: found with a scan, no DOM needed
    let (mut out, errors) = if has_jsonld {
        jsonld_postings(html, page_url)
    } else {
        (vec![], vec![])
    };
    if out.is_empty() && has_microdata {
        let doc = Html::parse_document(html);
        out = microdata_postings(&doc, page_url);
    }
    for p in &mut out {
        p.description = unescape_html_text(&p.description);
    }
    (out, errors)
}

/// A description published as entity-escaped HTML (`&lt;p&gt;…`) is unescaped once, so
/// analysis sees markup, not `<p>` as words.
pub fn unescape_html_text(s: &str) -> String {
    if s.contains("&lt;") && !s.contains('<') {
        html_escape::decode_html_entities(s).into_owned()
    } else {
        s.to_string()
    }
}

static JSONLD_SCRIPT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r#"(?is)<script\b[^>]*\btype\s*=\s*["']?\s*application/ld\+json\s*["']?[^>]*>(.*?)</script\s*>"#,
    )
    .expect("regex")
});

/// The contents of the `<script type="application/ld+json">` elements of a page.
pub fn jsonld_scripts(html: &str) -> Vec<&str> {
    JSONLD_SCRIPT
        .captures_iter(html)
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .collect()
}

fn jsonld_postings(html: &str, page_url: &str) -> (Vec<Posting>, Vec<String>) {
    let mut out = vec![];
    let mut errors = vec![];
    for (i, raw) in jsonld_scripts(html).into_iter().enumerate() {
        let value = match parse_lenient(raw) {
            Ok(v) => v,
            Err(e) => {
                errors.push(format!("JSON-LD block {} on {page_url}: {e}", i + 1));
                continue;
            }
        };
        let mut found = vec![];
        collect(&value, &mut found, 0);
        for v in found {
            match posting::from_json(v, Some(page_url)) {
                Ok(mut p) => {
                    if p.url.is_none() {
                        p.url = Some(page_url.to_string());
                    }
                    out.push(p)
                }
                Err(e) => errors.push(format!("JobPosting on {page_url}: {e}")),
            }
        }
    }
    (out, errors)
}

/// schema.org microdata: every `itemscope` whose `itemtype` is JobPosting (and not nested in
/// another JobPosting), turned into the same JSON shape JSON-LD has, then mapped as usual.
pub fn microdata_postings(doc: &Html, page_url: &str) -> Vec<Posting> {
    let sel = Selector::parse("[itemscope][itemtype]").expect("selector");
    let mut out = vec![];
    for el in doc.select(&sel) {
        let ty = el.value().attr("itemtype").unwrap_or("");
        if !ty.split_whitespace().any(|t| t.ends_with("/JobPosting")) {
            continue;
        }
        let mut obj = serde_json::Map::new();
        obj.insert("@type".into(), Value::String("JobPosting".into()));
        micro_props(el, &mut obj, 0);
        let v = Value::Object(obj);
        if let Ok(mut p) = posting::from_json(&v, Some(page_url)) {
            if p.url.is_none() {
                p.url = Some(page_url.to_string());
            }
            out.push(p);
        }
    }
    out
}

fn micro_props(el: scraper::ElementRef, obj: &mut serde_json::Map<String, Value>, depth: usize) {
    if depth > 12 {
        return;
    }
    for child in el.children() {
        let Some(c) = scraper::ElementRef::wrap(child) else {
            continue;
        };
        let nested = c.value().attr("itemscope").is_some();
        if let Some(props) = c.value().attr("itemprop") {
            let value = if nested {
                let mut inner = serde_json::Map::new();
                if let Some(t) = c.value().attr("itemtype") {
                    let short = t.rsplit('/').next().unwrap_or(t);
                    inner.insert("@type".into(), Value::String(short.to_string()));
                }
                micro_props(c, &mut inner, depth + 1);
                Value::Object(inner)
            } else {
                Value::String(micro_value(c))
            };
            for prop in props.split_whitespace() {
                // the first value wins, except that a description keeps its markup
                if !obj.contains_key(prop) {
                    obj.insert(prop.to_string(), value.clone());
                }
            }
        }
        if !nested {
            micro_props(c, obj, depth + 1);
        }
    }
}

fn micro_value(c: scraper::ElementRef) -> String {
    let e = c.value();
    let attr = match e.name() {
        "meta" => e.attr("content"),
        "a" | "link" | "area" => e.attr("href"),
        "img" | "audio" | "video" | "source" | "embed" | "iframe" => e.attr("src"),
        "time" => e.attr("datetime"),
        "data" | "meter" => e.attr("value"),
        _ => e.attr("content"),
    };
    match attr {
        Some(a) => a.trim().to_string(),
        None if e
            .attr("itemprop")
            .is_some_and(|p| p.contains("description")) =>
        {
            c.inner_html()
        }
        None => c
            .text()
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Same-site links of a page (absolute, without fragment), for following a start page.
pub fn links(html: &str, page_url: &str, selector: Option<&str>) -> Vec<String> {
    let Ok(base) = url::Url::parse(page_url) else {
        return vec![];
    };
    let doc = Html::parse_document(html);
    let sel = selector
        .and_then(|s| Selector::parse(s).ok())
        .unwrap_or_else(|| Selector::parse("a[href]").expect("selector"));
    let mut out: Vec<String> = vec![];
    for el in doc.select(&sel) {
        let href = el
            .value()
            .attr("href")
            .or_else(|| {
                // a selector may point at a card that contains the link
                el.select(&Selector::parse("a[href]").expect("selector"))
                    .next()
                    .and_then(|a| a.value().attr("href"))
            })
            .unwrap_or("");
        if let Ok(mut u) = base.join(href.trim()) {
            u.set_fragment(None);
            if u.host_str() == base.host_str()
                && matches!(u.scheme(), "http" | "https")
                && !out.iter().any(|x| x == u.as_str())
            {
                out.push(u.to_string());
            }
        }
    }
    out
}

fn collect<'a>(v: &'a Value, out: &mut Vec<&'a Value>, depth: usize) {
    if depth > 6 {
        return;
    }
    match v {
        Value::Array(a) => a.iter().for_each(|x| collect(x, out, depth + 1)),
        Value::Object(o) => {
            if posting::is_job_posting(v) {
                out.push(v);
            } else if let Some(g) = o.get("@graph") {
                collect(g, out, depth + 1);
            } else if let Some(m) = o.get("mainEntity") {
                collect(m, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// serde_json, then a second try after removing trailing commas and control characters.
fn parse_lenient(raw: &str) -> Result<Value, String> {
    let t = raw
        .trim()
        .trim_start_matches("<!--")
        .trim_end_matches("-->")
        .trim();
    match serde_json::from_str(t) {
        Ok(v) => Ok(v),
        Err(first) => {
            let mut s = String::with_capacity(t.len());
            let mut in_str = false;
            let mut esc = false;
            for c in t.chars() {
                if in_str {
                    if esc {
                        esc = false;
                    } else if c == '\\' {
                        esc = true;
                    } else if c == '"' {
                        in_str = false;
                    }
                    if c == '\n' || c == '\r' || c == '\t' {
                        s.push(' ');
                        continue;
                    }
                } else if c == '"' {
                    in_str = true;
                }
                s.push(c);
            }
            let cleaned = regex::Regex::new(r",\s*([}\]])")
                .expect("re")
                .replace_all(&s, "$1")
                .to_string();
            serde_json::from_str(&cleaned).map_err(|_| format!("broken JSON ({first})"))
        }
    }
}

/// The text of an XML entity reference (`amp`, `#233`, `#x20AC`); unknown names give "".
pub fn xml_entity(name: &str) -> String {
    match name {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        n if n.starts_with("#x") || n.starts_with("#X") => u32::from_str_radix(&n[2..], 16)
            .ok()
            .and_then(char::from_u32)
            .map(String::from)
            .unwrap_or_default(),
        n if n.starts_with('#') => n[1..]
            .parse::<u32>()
            .ok()
            .and_then(char::from_u32)
            .map(String::from)
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// One `<loc>` of a sitemap, with its `<lastmod>`.
#[derive(Debug, Clone, PartialEq)]
pub struct SitemapEntry {
    pub loc: String,
    pub lastmod: Option<String>,
}

/// Parse a sitemap or sitemap index. Returns (pages, child sitemaps).
pub fn sitemap(xml: &str) -> Result<(Vec<SitemapEntry>, Vec<String>), String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut pages = vec![];
    let mut children = vec![];
    let mut in_sitemap = false;
    let mut in_url = false;
    let mut field: Option<String> = None;
    let mut loc = String::new();
    let mut lastmod: Option<String> = None;
    loop {
        match reader.read_event() {
            Err(e) => return Err(format!("not a valid sitemap: {e}")),
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => {
                let name = e.local_name().as_ref().to_string();
                match name.as_str() {
                    "url" => {
                        in_url = true;
                        loc.clear();
                        lastmod = None;
                    }
                    "sitemap" => {
                        in_sitemap = true;
                        loc.clear();
                    }
                    "loc" | "lastmod" => field = Some(name),
                    _ => {}
                }
            }
            Ok(Event::Text(t)) => {
                if let Some(f) = &field {
                    let text = t.as_ref().to_string();
                    if f == "loc" {
                        loc.push_str(&text);
                    } else {
                        lastmod = Some(text.trim().to_string());
                    }
                }
            }
            Ok(Event::GeneralRef(r)) if field.as_deref() == Some("loc") => {
                loc.push_str(&xml_entity(r.as_ref()));
            }
            Ok(Event::CData(c)) if field.as_deref() == Some("loc") => {
                loc.push_str(c.as_ref());
            }
            Ok(Event::End(e)) => {
                let name = e.local_name().as_ref().to_string();
                match name.as_str() {
                    "url" if in_url => {
                        in_url = false;
                        if !loc.trim().is_empty() {
                            pages.push(SitemapEntry {
                                loc: loc.trim().to_string(),
                                lastmod: lastmod.clone(),
                            });
                        }
                    }
                    "sitemap" if in_sitemap => {
                        in_sitemap = false;
                        if !loc.trim().is_empty() {
                            children.push(loc.trim().to_string());
                        }
                    }
                    "loc" | "lastmod" => field = None,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Ok((pages, children))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonld_shapes() {
        let html = r#"<html><head>
        <script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"Organization","name":"X"},{"@type":"JobPosting","title":"Kok","identifier":"a1","description":"Koken &amp; bakken"}]}</script>
        <script type="application/ld+json">[{"@type":"JobPosting","title":"Schoonmaker","url":"http://x/2",}]</script>
        <script type="application/ld+json">{"@type":"JobPosting", "title": </script>
        </head><body></body></html>"#;
        let (p, errors) = job_postings(html, "http://x/page");
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].id, "a1");
        assert_eq!(p[0].url.as_deref(), Some("http://x/page"));
        assert_eq!(p[1].id, "http://x/2");
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn jsonld_script_scan() {
        let html = r#"<script>var x = "<script type='application/ld+json'>";</script>
        <SCRIPT id="a" TYPE="application/ld+json">{"a":1}</SCRIPT>
        <script type=application/ld+json nonce="x">[2]</script >
        <script type="text/javascript">{"b":3}</script>"#;
        let found = jsonld_scripts(html);
        assert_eq!(found[found.len() - 2..], [r#"{"a":1}"#, "[2]"]);
        assert!(!found.iter().any(|s| s.contains("\"b\"")));
    }

    #[test]
    fn sitemaps_and_indexes() {
        let (pages, kids) = sitemap(r#"<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://x/v?id=2&amp;src=sm</loc><lastmod>2026-11-20</lastmod></url></urlset>"#).unwrap();
        assert_eq!(pages[0].loc, "http://x/v?id=2&src=sm");
        assert!(kids.is_empty());
        let (pages, kids) = sitemap(
            r#"<sitemapindex><sitemap><loc>http://x/s1.xml</loc></sitemap></sitemapindex>"#,
        )
        .unwrap();
        assert!(pages.is_empty());
        assert_eq!(kids, vec!["http://x/s1.xml"]);
    }
}
