//! The public job APIs of applicant-tracking systems Dutch employers use, mapped to [`Posting`].
//!
//! Text of one API response goes in (Recruitee `/api/offers/`, Greenhouse job board
//! `?content=true`, Lever postings `?mode=json`, Workable widget `?details=true`, Personio
//! `/xml`), postings come out, plus reasons for the entries that could not be read. Pure
//! functions; the crawler fetches, the pipeline analyses. Ids are the public vacancy URLs, so
//! the same vacancy seen twice (one entry per location in Workable and Personio) is one posting.

use serde_json::Value;

use crate::model::{Posting, Salary};
use crate::posting::{parse_date, text_of};

/// The ATS systems passend can read.
pub const SYSTEMS: &[&str] = &["recruitee", "greenhouse", "lever", "workable", "personio"];

/// The public endpoint of an ATS for a company slug (as written in its job-board URL).
pub fn endpoint(system: &str, company: &str) -> Option<String> {
    let c = company.trim();
    Some(match system {
        "recruitee" => format!("https://{c}.recruitee.com/api/offers/"),
        "greenhouse" => format!("https://boards-api.greenhouse.io/v1/boards/{c}/jobs?content=true"),
        "lever" => format!("https://api.lever.co/v0/postings/{c}?mode=json"),
        "workable" => format!("https://apply.workable.com/api/v1/widget/accounts/{c}?details=true"),
        "personio" => format!("https://{c}.jobs.personio.de/xml"),
        _ => return None,
    })
}

/// Parse one API response of `system`. `url` is where it came from; `employer` a fallback name
/// (Lever does not publish the company name).
pub fn parse(
    system: &str,
    text: &str,
    url: &str,
    employer: Option<&str>,
) -> Result<(Vec<Posting>, Vec<String>), String> {
    let (mut postings, errors) = match system {
        "personio" => personio(text, url)?,
        _ => {
            let v: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
                .map_err(|e| format!("{system}: not valid JSON: {e}"))?;
            match system {
                "recruitee" => each(&v, "offers", recruitee)?,
                "greenhouse" => each(&v, "jobs", greenhouse)?,
                "lever" => each(&v, "", lever)?,
                "workable" => {
                    let company = v.get("name").and_then(text_of);
                    let (mut ps, errs) = each(&v, "jobs", workable)?;
                    for p in &mut ps {
                        if p.employer.is_none() {
                            p.employer = company.clone();
                        }
                    }
                    (ps, errs)
                }
                other => return Err(format!("unknown ATS `{other}`")),
            }
        }
    };
    for p in &mut postings {
        if p.employer.is_none() {
            p.employer = employer.map(str::to_string);
        }
    }
    // one posting per id: Workable and Personio repeat a vacancy per location
    let mut seen = std::collections::HashSet::new();
    postings.retain(|p| seen.insert(p.id.clone()));
    Ok((postings, errors))
}

type Mapper = fn(&serde_json::Map<String, Value>) -> Result<Posting, String>;

fn each(v: &Value, key: &str, f: Mapper) -> Result<(Vec<Posting>, Vec<String>), String> {
    let list = if key.is_empty() { Some(v) } else { v.get(key) };
    let Some(Value::Array(items)) = list else {
        return Err(format!(
            "expected a list{} in the response",
            if key.is_empty() {
                String::new()
            } else {
                format!(" under `{key}`")
            }
        ));
    };
    let mut out = vec![];
    let mut errors = vec![];
    for (i, item) in items.iter().enumerate() {
        match item
            .as_object()
            .ok_or_else(|| "not an object".to_string())
            .and_then(f)
        {
            Ok(p) => out.push(p),
            Err(e) => errors.push(format!("entry {}: {e}", i + 1)),
        }
    }
    Ok((out, errors))
}

fn s(o: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    o.get(key).and_then(text_of)
}

fn required(o: &serde_json::Map<String, Value>, key: &str) -> Result<String, String> {
    s(o, key).ok_or_else(|| format!("no `{key}`"))
}

fn join_html(parts: &[Option<String>]) -> String {
    parts
        .iter()
        .flatten()
        .filter(|p| !p.trim().is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join("\n")
}

fn unit_of(period: &str) -> Option<String> {
    let p = period.to_lowercase();
    Some(
        if p.contains("hour") || p.contains("uur") {
            "HOUR"
        } else if p.contains("month") || p.contains("maand") {
            "MONTH"
        } else if p.contains("week") {
            "WEEK"
        } else if p.contains("year") || p.contains("jaar") || p.contains("annual") {
            "YEAR"
        } else {
            return None;
        }
        .into(),
    )
}

fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().replace(',', ".").parse().ok(),
        _ => None,
    }
}

/// Recruitee / Personio / free-text employment codes → schema.org employmentType values.
fn employment_types(code: &str) -> Vec<String> {
    let c = code.to_lowercase();
    let mut out = vec![];
    if c.contains("full") || c.contains("voltijd") {
        out.push("FULL_TIME");
    }
    if c.contains("part") || c.contains("deeltijd") {
        out.push("PART_TIME");
    }
    if c.contains("temporary") || c.contains("fixed") || c.contains("tijdelijk") {
        out.push("TEMPORARY");
    }
    if c.contains("intern") || c.contains("stage") || c.contains("trainee") {
        out.push("INTERN");
    }
    if c.contains("freelance") || c.contains("contract") {
        out.push("CONTRACTOR");
    }
    // "permanent"/"vast" has no schema.org employmentType: it adds nothing
    let mut v: Vec<String> = out.into_iter().map(str::to_string).collect();
    v.dedup();
    v
}

fn recruitee(o: &serde_json::Map<String, Value>) -> Result<Posting, String> {
    let title = required(o, "title")?;
    let url = s(o, "careers_url").or_else(|| s(o, "careers_apply_url"));
    let id = url
        .clone()
        .or_else(|| s(o, "id").map(|i| format!("recruitee:{i}")))
        .ok_or("no `careers_url` or `id`")?;
    let loc = o
        .get("locations")
        .and_then(|l| l.as_array())
        .and_then(|a| a.first())
        .and_then(|l| l.as_object());
    let from_loc = |k: &str| loc.and_then(|l| s(l, k));
    let hours = match (
        number(o.get("min_hours_per_week")).or(number(o.get("min_hours"))),
        number(o.get("max_hours_per_week")).or(number(o.get("max_hours"))),
    ) {
        (Some(a), Some(b)) if (a - b).abs() < 0.01 => Some(format!("{a} uur per week")),
        (Some(a), Some(b)) => Some(format!("{a} - {b} uur per week")),
        (Some(a), None) | (None, Some(a)) => Some(format!("{a} uur per week")),
        _ => None,
    };
    let salary = o.get("salary").and_then(|v| v.as_object()).and_then(|sal| {
        let (min, max) = (number(sal.get("min")), number(sal.get("max")));
        (min.is_some() || max.is_some()).then(|| Salary {
            min,
            max,
            unit: s(sal, "period").and_then(|p| unit_of(&p)),
            currency: s(sal, "currency"),
        })
    });
    let remote = o.get("remote").and_then(|r| r.as_bool()) == Some(true);
    Ok(Posting {
        id,
        url,
        title,
        description: join_html(&[s(o, "description"), s(o, "requirements")]),
        employer: s(o, "company_name"),
        date_posted: s(o, "published_at")
            .or_else(|| s(o, "created_at"))
            .and_then(|d| parse_date(&d)),
        valid_through: s(o, "close_at").and_then(|d| parse_date(&d)),
        locality: s(o, "city")
            .or_else(|| from_loc("city"))
            .or_else(|| remote.then(|| "Thuiswerken".to_string())),
        postal_code: s(o, "postal_code").or_else(|| from_loc("postal_code")),
        region: s(o, "state_name").or_else(|| from_loc("state")),
        country: s(o, "country_code").or_else(|| s(o, "country")),
        street: from_loc("street"),
        employment_type: s(o, "employment_type_code")
            .map(|c| employment_types(&c))
            .unwrap_or_default(),
        work_hours: hours,
        education_requirements: s(o, "education_code"),
        salary,
        ..Default::default()
    })
}

fn greenhouse(o: &serde_json::Map<String, Value>) -> Result<Posting, String> {
    let title = required(o, "title")?;
    let url = s(o, "absolute_url");
    let id = url
        .clone()
        .or_else(|| s(o, "id").map(|i| format!("greenhouse:{i}")))
        .ok_or("no `absolute_url` or `id`")?;
    // the board API sends the HTML entity-escaped
    let description = s(o, "content")
        .map(|c| html_escape::decode_html_entities(&c).into_owned())
        .unwrap_or_default();
    let employment = o
        .get("metadata")
        .and_then(|m| m.as_array())
        .into_iter()
        .flatten()
        .filter(|m| {
            m.get("name")
                .and_then(|n| n.as_str())
                .is_some_and(|n| n.to_lowercase().contains("employment"))
        })
        .filter_map(|m| m.get("value").and_then(text_of))
        .flat_map(|v| employment_types(&v))
        .collect();
    Ok(Posting {
        id,
        url,
        title,
        description,
        employer: s(o, "company_name").map(|c| c.trim().to_string()),
        date_posted: s(o, "first_published")
            .or_else(|| s(o, "updated_at"))
            .and_then(|d| parse_date(&d)),
        valid_through: s(o, "application_deadline").and_then(|d| parse_date(&d)),
        locality: o
            .get("location")
            .and_then(|l| l.get("name"))
            .and_then(text_of),
        employment_type: employment,
        ..Default::default()
    })
}

fn lever(o: &serde_json::Map<String, Value>) -> Result<Posting, String> {
    let title = required(o, "text")?;
    let url = s(o, "hostedUrl");
    let id = url
        .clone()
        .or_else(|| s(o, "id").map(|i| format!("lever:{i}")))
        .ok_or("no `hostedUrl` or `id`")?;
    let mut parts = vec![s(o, "description")];
    for l in o
        .get("lists")
        .and_then(|l| l.as_array())
        .into_iter()
        .flatten()
    {
        let head = l.get("text").and_then(text_of).unwrap_or_default();
        let body = l.get("content").and_then(text_of).unwrap_or_default();
        parts.push(Some(format!("<h3>{head}</h3><ul>{body}</ul>")));
    }
    parts.push(s(o, "additional"));
    let cats = o.get("categories").and_then(|c| c.as_object());
    let cat = |k: &str| cats.and_then(|c| s(c, k));
    let salary = o
        .get("salaryRange")
        .and_then(|v| v.as_object())
        .and_then(|r| {
            let (min, max) = (number(r.get("min")), number(r.get("max")));
            (min.is_some() || max.is_some()).then(|| Salary {
                min,
                max,
                unit: s(r, "interval").and_then(|p| unit_of(&p)),
                currency: s(r, "currency"),
            })
        });
    let created = o
        .get("createdAt")
        .and_then(|c| c.as_i64())
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|d| d.date_naive());
    let remote = s(o, "workplaceType").is_some_and(|w| w == "remote");
    Ok(Posting {
        id,
        url,
        title,
        description: join_html(&parts),
        date_posted: created,
        locality: cat("location").or_else(|| remote.then(|| "Thuiswerken".to_string())),
        country: s(o, "country"),
        employment_type: cat("commitment")
            .map(|c| employment_types(&c))
            .unwrap_or_default(),
        salary,
        ..Default::default()
    })
}

fn workable(o: &serde_json::Map<String, Value>) -> Result<Posting, String> {
    let title = required(o, "title")?;
    let url = s(o, "url").or_else(|| s(o, "shortlink"));
    let id = url
        .clone()
        .or_else(|| s(o, "shortcode").map(|c| format!("workable:{c}")))
        .ok_or("no `url` or `shortcode`")?;
    let first_loc = o
        .get("locations")
        .and_then(|l| l.as_array())
        .and_then(|a| a.first())
        .and_then(|l| l.as_object());
    let city = s(o, "city").or_else(|| first_loc.and_then(|l| s(l, "city")));
    let remote = o.get("telecommuting").and_then(|t| t.as_bool()) == Some(true);
    Ok(Posting {
        id,
        url,
        title,
        description: join_html(&[s(o, "description"), s(o, "requirements"), s(o, "benefits")]),
        date_posted: s(o, "published_on")
            .or_else(|| s(o, "created_at"))
            .and_then(|d| parse_date(&d)),
        locality: city.or_else(|| remote.then(|| "Thuiswerken".to_string())),
        region: s(o, "state"),
        country: s(o, "country"),
        employment_type: s(o, "employment_type")
            .map(|c| employment_types(&c))
            .unwrap_or_default(),
        ..Default::default()
    })
}

/// Personio's XML feed (`<workzag-jobs><position>…`).
fn personio(text: &str, url: &str) -> Result<(Vec<Posting>, Vec<String>), String> {
    use quick_xml::events::Event;
    let base = url::Url::parse(url)
        .ok()
        .map(|u| format!("{}://{}", u.scheme(), u.authority()));
    let mut reader = quick_xml::Reader::from_str(text);
    let mut out = vec![];
    let mut errors = vec![];
    let mut path: Vec<String> = vec![];
    let mut fields: std::collections::HashMap<String, String> = Default::default();
    let mut sections: Vec<(String, String)> = vec![];
    let mut section = (String::new(), String::new());
    let mut buf = String::new();
    let mut found_root = false;
    loop {
        match reader.read_event() {
            Err(e) => return Err(format!("personio: not valid XML: {e}")),
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => {
                let name = e.local_name().as_ref().to_string();
                if name == "workzag-jobs" {
                    found_root = true;
                }
                if name == "position" {
                    fields.clear();
                    sections.clear();
                }
                path.push(name);
                buf.clear();
            }
            Ok(Event::Text(t)) => buf.push_str(&t.xml10_content()),
            Ok(Event::CData(c)) => buf.push_str(c.as_ref()),
            Ok(Event::GeneralRef(r)) => {
                buf.push_str(&super::extract::xml_entity(r.as_ref()));
            }
            Ok(Event::End(_)) => {
                let name = path.pop().unwrap_or_default();
                let parent = path.last().map(String::as_str).unwrap_or("");
                match (parent, name.as_str()) {
                    ("position", "position") | (_, "position") => {
                        match personio_posting(&fields, &sections, base.as_deref()) {
                            Ok(p) => out.push(p),
                            Err(e) => errors.push(format!("position {}: {e}", out.len() + 1)),
                        }
                    }
                    ("position", field) => {
                        fields.insert(field.to_string(), buf.trim().to_string());
                    }
                    ("jobDescription", "name") => section.0 = buf.trim().to_string(),
                    ("jobDescription", "value") => section.1 = buf.trim().to_string(),
                    ("jobDescriptions", "jobDescription") => {
                        sections.push(std::mem::take(&mut section))
                    }
                    _ => {}
                }
                buf.clear();
            }
            _ => {}
        }
    }
    if !found_root {
        return Err("personio: no <workzag-jobs> element".into());
    }
    Ok((out, errors))
}

fn personio_posting(
    f: &std::collections::HashMap<String, String>,
    sections: &[(String, String)],
    base: Option<&str>,
) -> Result<Posting, String> {
    let get = |k: &str| f.get(k).filter(|v| !v.is_empty()).cloned();
    let title = get("name").ok_or("no <name>")?;
    let pid = get("id").ok_or("no <id>")?;
    let url = base.map(|b| format!("{b}/job/{pid}"));
    let description = sections
        .iter()
        .map(|(h, v)| {
            if h.is_empty() {
                v.clone()
            } else {
                format!("<h3>{h}</h3>{v}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut employment = get("schedule")
        .map(|c| employment_types(&c))
        .unwrap_or_default();
    for t in get("employmentType")
        .map(|c| employment_types(&c))
        .unwrap_or_default()
    {
        if !employment.contains(&t) {
            employment.push(t);
        }
    }
    Ok(Posting {
        id: url.clone().unwrap_or_else(|| format!("personio:{pid}")),
        url,
        title,
        description,
        employer: get("subcompany"),
        date_posted: get("createdAt").and_then(|d| parse_date(&d)),
        locality: get("office"),
        employment_type: employment,
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn employment_codes() {
        assert_eq!(employment_types("fulltime_permanent"), vec!["FULL_TIME"]);
        assert_eq!(
            employment_types("parttime_fixed_term"),
            vec!["PART_TIME", "TEMPORARY"]
        );
        assert!(endpoint("lever", "acme").unwrap().contains("api.lever.co"));
        assert!(endpoint("bamboo", "acme").is_none());
    }
}
