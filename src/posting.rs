//! schema.org JobPosting (JSON) → [`Posting`].
//!
//! Postings arrive as JSON from `ingest` files, from JSON-LD on career pages and from ATS
//! mappers. Real publishers are loose: numbers as strings, `employmentType` as a string or an
//! array, `hiringOrganization` as a name or an object, `jobLocation` as one place or many, dates
//! with or without time. This module accepts all of that and returns a [`Posting`], or an error
//! that says what is missing. Pure functions, no I/O.

use chrono::NaiveDate;
use serde_json::Value;

use crate::model::{Posting, Salary};

/// Is this JSON object a JobPosting (`@type` "JobPosting" or an array containing it)?
pub fn is_job_posting(v: &Value) -> bool {
    match v.get("@type") {
        Some(Value::String(s)) => type_is_job_posting(s),
        Some(Value::Array(a)) => a
            .iter()
            .any(|t| t.as_str().is_some_and(type_is_job_posting)),
        _ => false,
    }
}

fn type_is_job_posting(s: &str) -> bool {
    let s = s.trim();
    s == "JobPosting" || s.ends_with("/JobPosting") || s.ends_with(":JobPosting")
}

/// Text of a JSON value that may be a string, a number, or an object with `name`/`value`/`@value`.
pub fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        }
        Value::Number(n) => Some(n.to_string()),
        Value::Object(o) => ["value", "@value", "name"]
            .iter()
            .find_map(|k| o.get(*k).and_then(text_of)),
        Value::Array(a) => a.iter().find_map(text_of),
        _ => None,
    }
}

fn number_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().replace(',', ".").parse().ok(),
        Value::Object(o) => o.get("value").and_then(number_of),
        _ => None,
    }
}

/// "2025-10-13", "2025-10-13T08:00:00+02:00", "2026-08-05 10:10:39 UTC" → date.
pub fn date_of(v: &Value) -> Option<NaiveDate> {
    let s = text_of(v)?;
    parse_date(&s)
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let head = s.get(0..10)?;
    NaiveDate::parse_from_str(head, "%Y-%m-%d")
        .ok()
        .or_else(|| NaiveDate::parse_from_str(head, "%d-%m-%Y").ok())
}

/// Every object of a value that may be an object or an array of them.
fn objects(v: Option<&Value>) -> Vec<&serde_json::Map<String, Value>> {
    match v {
        Some(Value::Object(o)) => vec![o],
        Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_object()).collect(),
        _ => vec![],
    }
}

/// Map one JobPosting object to a [`Posting`]. `fallback_url` is the page it was found on.
pub fn from_json(v: &Value, fallback_url: Option<&str>) -> Result<Posting, String> {
    let obj = v.as_object().ok_or("not a JSON object")?;
    let title = obj
        .get("title")
        .or_else(|| obj.get("name"))
        .and_then(text_of)
        .map(|t| html_escape::decode_html_entities(&t).trim().to_string())
        .filter(|t| !t.is_empty())
        .ok_or("JobPosting has no title")?;
    let url = obj
        .get("url")
        .and_then(text_of)
        .or_else(|| fallback_url.map(str::to_string));
    let id = obj
        .get("identifier")
        .and_then(text_of)
        .or_else(|| url.clone())
        .ok_or("JobPosting has neither identifier.value nor url, so it has no id")?;
    let description = obj
        .get("description")
        .and_then(|d| d.as_str())
        .unwrap_or("")
        .to_string();

    let (employer, employer_url) = match obj.get("hiringOrganization") {
        Some(Value::String(s)) => (Some(s.trim().to_string()), None),
        Some(o @ Value::Object(_)) => (
            o.get("name").and_then(text_of),
            o.get("sameAs").or_else(|| o.get("url")).and_then(text_of),
        ),
        Some(Value::Array(a)) => (a.iter().find_map(|x| x.get("name").and_then(text_of)), None),
        _ => (None, None),
    };

    let mut p = Posting {
        id,
        url,
        title,
        description,
        employer: employer.map(|e| html_escape::decode_html_entities(&e).to_string()),
        employer_url,
        date_posted: obj.get("datePosted").and_then(date_of),
        valid_through: obj.get("validThrough").and_then(date_of),
        ..Default::default()
    };

    // jobLocation: the first place with an address wins; geo from any place.
    for place in objects(obj.get("jobLocation")) {
        match place.get("address") {
            Some(Value::String(s)) if p.locality.is_none() => {
                p.locality = Some(s.trim().to_string())
            }
            Some(Value::Object(a)) if p.locality.is_none() && p.postal_code.is_none() => {
                p.locality = a.get("addressLocality").and_then(text_of);
                p.postal_code = a.get("postalCode").and_then(text_of);
                p.region = a.get("addressRegion").and_then(text_of);
                p.country = a.get("addressCountry").and_then(text_of);
                p.street = a.get("streetAddress").and_then(text_of);
            }
            _ => {}
        }
        if p.lat.is_none()
            && let Some(g) = place.get("geo")
        {
            p.lat = g.get("latitude").and_then(number_of);
            p.lon = g.get("longitude").and_then(number_of);
        }
    }
    if obj.get("jobLocationType").and_then(text_of).as_deref() == Some("TELECOMMUTE")
        && p.locality.is_none()
    {
        p.locality = Some("Thuiswerken".into());
    }

    p.employment_type = match obj.get("employmentType") {
        Some(Value::String(s)) => s
            .split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect(),
        Some(Value::Array(a)) => a.iter().filter_map(text_of).collect(),
        _ => vec![],
    };
    p.work_hours = obj.get("workHours").and_then(text_of);
    p.education_requirements = obj.get("educationRequirements").and_then(|e| match e {
        Value::Object(o) => o
            .get("credentialCategory")
            .and_then(text_of)
            .or_else(|| o.get("name").and_then(text_of)),
        other => text_of(other),
    });
    if let Some(Value::Object(s)) = obj.get("baseSalary") {
        let currency = s.get("currency").and_then(text_of);
        let value = s.get("value");
        let (min, max, unit) = match value {
            Some(Value::Object(q)) => (
                q.get("minValue")
                    .and_then(number_of)
                    .or_else(|| q.get("value").and_then(number_of)),
                q.get("maxValue")
                    .and_then(number_of)
                    .or_else(|| q.get("value").and_then(number_of)),
                q.get("unitText").and_then(text_of),
            ),
            Some(v) => (
                number_of(v),
                number_of(v),
                s.get("unitText").and_then(text_of),
            ),
            None => (None, None, None),
        };
        if min.is_some() || max.is_some() {
            p.salary = Some(Salary {
                min,
                max,
                unit: unit.map(|u| u.to_uppercase()),
                currency,
            });
        }
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn loose_publishers_are_understood() {
        let v = json!({"@type": ["JobPosting"], "title": "Magazijnmedewerker &amp; chauffeur",
            "identifier": 123, "hiringOrganization": "Van Dijk B.V.",
            "jobLocation": [{"address": {"addressLocality": "Tilburg", "postalCode": "5041 AB"},
                             "geo": {"latitude": "51.55", "longitude": 5.09}}],
            "employmentType": "FULL_TIME, TEMPORARY", "datePosted": "2026-08-05 10:10:39 UTC",
            "baseSalary": {"currency": "EUR", "value": {"minValue": "14,50", "maxValue": 16, "unitText": "hour"}}});
        assert!(is_job_posting(&v));
        let p = from_json(&v, Some("http://x/1")).unwrap();
        assert_eq!(p.id, "123");
        assert_eq!(p.title, "Magazijnmedewerker & chauffeur");
        assert_eq!(p.employer.as_deref(), Some("Van Dijk B.V."));
        assert_eq!(p.lat, Some(51.55));
        assert_eq!(p.employment_type, vec!["FULL_TIME", "TEMPORARY"]);
        assert_eq!(p.date_posted, NaiveDate::from_ymd_opt(2026, 8, 5));
        assert_eq!(p.salary.unwrap().min, Some(14.5));
        assert_eq!(p.url.as_deref(), Some("http://x/1"));
    }

    #[test]
    fn missing_title_and_id_are_errors() {
        assert!(
            from_json(&json!({"@type": "JobPosting"}), None)
                .unwrap_err()
                .contains("title")
        );
        assert!(
            from_json(&json!({"title": "x"}), None)
                .unwrap_err()
                .contains("id")
        );
    }
}
