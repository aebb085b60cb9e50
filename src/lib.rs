//! passend: finds passend werk for people in a second-track re-integration.
//!
//! Data flows one way: crawl → analyse → index → match → deliver. See ARCHITECTURE.md for the
//! code map and the invariants.

pub mod analysis;
pub mod candidate;
pub mod config;
pub mod crawl;
pub mod demo;
pub mod fml;
pub mod geo;
pub mod imports;
pub mod index;
pub mod mail;
pub mod matcher;
pub mod model;
pub mod network;
pub mod pipeline;
pub mod posting;
pub mod render;
pub mod resources;
pub mod schedule;
pub mod store;
pub mod web;

/// Parse a `--now` value: an ISO date ("2025-10-25", taken as noon UTC) or an RFC 3339 date-time.
pub fn parse_now(s: &str) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    let s = s.trim();
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(dt.with_timezone(&chrono::Utc));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(12, 0, 0).expect("noon").and_utc());
    }
    if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S") {
        return Ok(dt.and_utc());
    }
    anyhow::bail!("--now `{s}` is not a date; write YYYY-MM-DD or an RFC 3339 date-time")
}
