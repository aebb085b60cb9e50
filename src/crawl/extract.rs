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
pub fn job_postings(html: &str, page_url: &str) -> (Vec<Posting>, Vec<String>) {
    let doc = Html::parse_document(html);
    let sel = Selector::parse(r#"script[type="application/ld+json"]"#).expect("selector");
    let mut out = vec![];
    let mut errors = vec![];
    for (i, script) in doc.select(&sel).enumerate() {
        let raw: String = script.text().collect();
        let value = match parse_lenient(&raw) {
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
            Ok(Event::GeneralRef(r)) => {
                if field.as_deref() == Some("loc") {
                    let name = r.as_ref().to_string();
                    loc.push_str(match name.as_str() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Ok(Event::CData(c)) => {
                if field.as_deref() == Some("loc") {
                    loc.push_str(c.as_ref());
                }
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
