//! Job feeds → [`Posting`]s: RSS 0.9/1.0/2.0 and Atom (via feed-rs), and the XML vacancy
//! feeds job boards exchange (`<source><job><title>…<url>…<company>…`, the Indeed format).
//!
//! Text of one feed goes in, postings and per-entry reasons come out. Pure functions. An entry's
//! id is its link (the vacancy page), else the feed's own id.

use crate::model::Posting;
use crate::posting::parse_date;

/// Parse a feed. `employer` is used when the feed does not name one per entry.
pub fn parse(text: &str, employer: Option<&str>) -> Result<(Vec<Posting>, Vec<String>), String> {
    let head: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(400)
        .collect::<String>()
        .to_lowercase();
    if head.contains("<job>") || head.contains("<jobs>") || head.contains("<source><publisher") {
        return job_xml(text, employer);
    }
    let feed = feed_rs::parser::parse(text.as_bytes()).map_err(|e| format!("not a feed: {e}"))?;
    let feed_author = feed
        .authors
        .first()
        .and_then(|a| a.name.clone())
        .filter(|n| !n.trim().is_empty());
    let mut out = vec![];
    let mut errors = vec![];
    for (i, e) in feed.entries.iter().enumerate() {
        let Some(title) = e
            .title
            .as_ref()
            .map(|t| html_escape::decode_html_entities(t.content.trim()).into_owned())
            .filter(|t| !t.is_empty())
        else {
            errors.push(format!("entry {}: no title", i + 1));
            continue;
        };
        let link = e
            .links
            .iter()
            .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .or(e.links.first())
            .map(|l| l.href.trim().to_string());
        let description = e
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .or_else(|| e.summary.as_ref().map(|s| s.content.clone()))
            .unwrap_or_default();
        let id = link.clone().unwrap_or_else(|| e.id.clone());
        if id.trim().is_empty() {
            errors.push(format!("entry {}: neither link nor id", i + 1));
            continue;
        }
        out.push(Posting {
            id,
            url: link,
            title,
            description,
            employer: e
                .authors
                .first()
                .and_then(|a| a.name.clone())
                .filter(|n| !n.trim().is_empty())
                .or_else(|| employer.map(str::to_string))
                .or_else(|| feed_author.clone()),
            date_posted: e.published.or(e.updated).map(|d| d.date_naive()),
            ..Default::default()
        });
    }
    Ok((out, errors))
}

/// The Indeed-style XML job feed most Dutch job boards and ATSs can export.
fn job_xml(text: &str, employer: Option<&str>) -> Result<(Vec<Posting>, Vec<String>), String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut out = vec![];
    let mut errors = vec![];
    let mut in_job = false;
    let mut field = String::new();
    let mut buf = String::new();
    let mut f: std::collections::HashMap<String, String> = Default::default();
    loop {
        match reader.read_event() {
            Err(e) => return Err(format!("not valid XML: {e}")),
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => {
                let name = e.local_name().as_ref().to_lowercase();
                if name == "job" || name == "vacancy" {
                    in_job = true;
                    f.clear();
                } else if in_job {
                    field = name;
                    buf.clear();
                }
            }
            Ok(Event::Text(t)) if in_job => buf.push_str(&t.xml10_content()),
            Ok(Event::CData(c)) if in_job => buf.push_str(c.as_ref()),
            Ok(Event::GeneralRef(r)) if in_job => {
                buf.push_str(&super::extract::xml_entity(r.as_ref()));
            }
            Ok(Event::End(e)) => {
                let name = e.local_name().as_ref().to_lowercase();
                if (name == "job" || name == "vacancy") && in_job {
                    in_job = false;
                    let get = |k: &str| f.get(k).filter(|v| !v.is_empty()).cloned();
                    let Some(title) = get("title") else {
                        errors.push(format!("job {}: no <title>", out.len() + errors.len() + 1));
                        continue;
                    };
                    let url = get("url").or_else(|| get("link"));
                    let Some(id) = url
                        .clone()
                        .or_else(|| get("referencenumber").or_else(|| get("id")))
                    else {
                        errors.push(format!(
                            "job `{title}`: neither <url> nor <referencenumber>"
                        ));
                        continue;
                    };
                    out.push(Posting {
                        id,
                        url,
                        title,
                        description: get("description").unwrap_or_default(),
                        employer: get("company").or_else(|| employer.map(str::to_string)),
                        date_posted: get("date").and_then(|d| parse_date(&d)),
                        valid_through: get("expirationdate")
                            .or_else(|| get("expiration_date"))
                            .and_then(|d| parse_date(&d)),
                        locality: get("city"),
                        postal_code: get("postalcode"),
                        region: get("state"),
                        country: get("country"),
                        street: get("streetaddress"),
                        employment_type: get("jobtype")
                            .map(|t| vec![t.to_uppercase().replace([' ', '-'], "_")])
                            .unwrap_or_default(),
                        education_requirements: get("education"),
                        ..Default::default()
                    });
                } else if in_job && name == field {
                    f.insert(field.clone(), buf.trim().to_string());
                    field.clear();
                }
            }
            _ => {}
        }
    }
    Ok((out, errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indeed_style_xml() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?><source><publisher>X</publisher>
        <job><title><![CDATA[Chauffeur C/E]]></title><date>2026-11-20</date>
        <referencenumber>77</referencenumber><url>https://x.nl/v/77</url>
        <company>Transport &amp; Co</company><city>Tilburg</city>
        <description><![CDATA[<p>Rijden</p>]]></description><expirationdate>2026-12-31</expirationdate></job>
        <job><city>Breda</city></job></source>"#;
        let (p, errs) = parse(xml, None).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].id, "https://x.nl/v/77");
        assert_eq!(p[0].employer.as_deref(), Some("Transport & Co"));
        assert_eq!(p[0].description, "<p>Rijden</p>");
        assert_eq!(p[0].valid_through.unwrap().to_string(), "2026-12-31");
        assert_eq!(errs.len(), 1);
    }
}
