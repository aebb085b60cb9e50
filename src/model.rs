//! The domain model, named as a coach would name it.
//!
//! A [`Posting`] is what a source published (schema.org JobPosting, normalised). Analysis turns it
//! into an [`Analysis`]; together they are a [`Vacancy`], which is what the index stores and the
//! matcher reads. A [`Candidate`] carries [`Restriction`]s from the FML; the matcher compares
//! every [`Demand`] of a vacancy with the candidate's restriction on the same item and gives a
//! [`Verdict`]. A [`Shortlist`] is the ranked, explained result for one candidate.
//!
//! This module holds plain data only: no I/O, no parsing of files, no scoring.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A vacancy as published by a source, normalised from schema.org JobPosting.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Posting {
    /// `identifier.value` when present, else the url.
    pub id: String,
    #[serde(default)]
    pub url: Option<String>,
    pub title: String,
    /// The description as published (usually HTML).
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub employer: Option<String>,
    #[serde(default)]
    pub employer_url: Option<String>,
    #[serde(default)]
    pub date_posted: Option<NaiveDate>,
    #[serde(default)]
    pub valid_through: Option<NaiveDate>,
    #[serde(default)]
    pub locality: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub street: Option<String>,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    #[serde(default)]
    pub employment_type: Vec<String>,
    #[serde(default)]
    pub work_hours: Option<String>,
    #[serde(default)]
    pub education_requirements: Option<String>,
    #[serde(default)]
    pub salary: Option<Salary>,
    /// Source name (crawler source, "ingest", ...).
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Salary {
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// HOUR, MONTH, YEAR (schema.org unitText), upper case.
    pub unit: Option<String>,
    pub currency: Option<String>,
}

/// The threshold of a demand: from which restriction a candidate can no longer do the job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Threshold {
    /// Ordinal and enum items: every code from this one up excludes.
    From { exclude_from: u8 },
    /// Flag items: any of these flags excludes.
    Flags { exclude_flags: Vec<u8> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// The text says it ("staand werk", "nachtdiensten").
    Explicit,
    /// The occupation itself makes it unmistakable (a grondwerker lifts).
    Implied,
}

/// What a vacancy asks on one FML item, with the words that show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Demand {
    pub item: String,
    #[serde(flatten)]
    pub threshold: Threshold,
    /// A literal span of the posting's text (title or description).
    pub evidence: String,
    pub basis: Basis,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OccupationGuess {
    pub isco: String,
    pub label: String,
    pub score: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HoursRange {
    pub min: f64,
    pub max: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// "postcode", "place", "area" or "posting" (coordinates given by the source).
    #[serde(default)]
    pub precision: String,
    #[serde(default)]
    pub remote: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pay {
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// "hour", "month" or "year".
    pub per: String,
    pub evidence: String,
}

/// What analysis learned about a posting. Produced by [`crate::analysis`], never by I/O.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub occupations: Vec<OccupationGuess>,
    pub demands: Vec<Demand>,
    pub hours_per_week: Option<HoursRange>,
    pub place: Option<Place>,
    pub pay: Option<Pay>,
    /// vmbo, mbo-1..4, hbo, wo.
    pub education: Option<String>,
    /// "vast", "tijdelijk", "uitzend", "freelance", ...
    pub contract: Option<String>,
    /// The description as clean text (what evidence spans point into).
    pub text: String,
    /// What the analysis could not support ("absurd weight ignored: 2500 kg").
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Closed,
}

/// A posting with its analysis: what the index stores and the matcher reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vacancy {
    pub posting: Posting,
    pub analysis: Analysis,
    pub status: Status,
    /// Id of the canonical vacancy of its near-duplicate cluster (itself when unique).
    pub cluster: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

impl Vacancy {
    pub fn id(&self) -> &str {
        &self.posting.id
    }
    pub fn place_name(&self) -> Option<String> {
        self.analysis
            .place
            .as_ref()
            .map(|p| p.name.clone())
            .or_else(|| self.posting.locality.clone())
    }
}

/// A candidate's value on one FML item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RestrictionValue {
    Code(u8),
    Flags(Vec<u8>),
}

/// One FML item of a candidate: the code or flags, and the physician's free text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Restriction {
    pub item: String,
    pub value: RestrictionValue,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Direction {
    pub label: String,
    pub isco: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Home {
    pub postcode: Option<String>,
    pub place: Option<String>,
    pub max_travel_minutes: Option<u32>,
}

/// A person in a second-track re-integration, as the coach recorded them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub coach: Option<String>,
    pub first_sick_day: Option<NaiveDate>,
    pub home: Home,
    pub hours: Option<HoursRange>,
    pub education: Option<String>,
    pub skills: Vec<String>,
    pub licences: Vec<String>,
    pub languages: Vec<String>,
    pub directions: Vec<Direction>,
    pub fml_date: Option<NaiveDate>,
    pub restrictions: Vec<Restriction>,
}

impl Candidate {
    pub fn restriction(&self, item: &str) -> Option<&Restriction> {
        self.restrictions.iter().find(|r| r.item == item)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Signal,
    Exclude,
}

impl Verdict {
    pub fn dutch(self) -> &'static str {
        match self {
            Verdict::Pass => "past",
            Verdict::Signal => "navragen",
            Verdict::Exclude => "past niet",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    Plus,
    Minus,
    Pass,
    Signal,
    Exclude,
}

/// One explained part of a verdict or a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub item: Option<String>,
    pub effect: Effect,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub evidence: Option<String>,
    /// The physician's free text for the item, shown to the coach with a restriction reason.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VacancyRef {
    pub id: String,
    pub url: Option<String>,
    pub title: String,
    pub employer: Option<String>,
    pub place: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShortlistEntry {
    pub vacancy: VacancyRef,
    pub score: f64,
    pub verdict: Verdict,
    pub reasons: Vec<Reason>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub travel_minutes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub hours_per_week: Option<HoursRange>,
}

/// Why a list is short or empty: how many vacancies each cause took out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Exclusions {
    pub considered: usize,
    pub outside_directions: usize,
    pub closed: usize,
    /// cause ("lifting", "hours", "travel") → count of vacancies it excluded.
    pub by_cause: std::collections::BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shortlist {
    pub candidate: String,
    pub generated_at: DateTime<Utc>,
    pub fml_version: String,
    pub results: Vec<ShortlistEntry>,
    /// Present when the list is empty or short: a plain explanation in Dutch.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub explanation: Vec<String>,
    pub exclusions: Exclusions,
    /// "restrictions" (the matcher) or "baseline" (keyword search without restriction logic).
    pub mode: String,
}
