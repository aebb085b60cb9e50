//! Candidate profiles: the TOML format of `spec/candidate.toml`, read strictly.
//!
//! A coach writes or exports one file per candidate. Mistakes here decide what a sick person is
//! proposed, so nothing is guessed: an unknown key, an unknown FML item, a code out of range, a
//! bad date or a bad ISCO code is an error that names the file, the key and what is allowed.
//! Text comes in (from a file or the web form); a [`Candidate`] goes out. No I/O beyond reading
//! the one file in [`load`].

use std::path::Path;

use chrono::NaiveDate;
use toml::{Table, Value};

use crate::fml::{Catalogue, ItemKind};
use crate::model::{Candidate, Direction, Home, HoursRange, Restriction, RestrictionValue};

/// A profile mistake: the file, the key and what is wrong / allowed.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("{file}: `{key}`: {message}")]
pub struct ProfileError {
    pub file: String,
    pub key: String,
    pub message: String,
}

pub const EDUCATION_LEVELS: &[&str] = &[
    "vmbo", "mbo-1", "mbo-2", "mbo-3", "mbo-4", "havo", "vwo", "hbo", "wo",
];

pub fn load(path: &Path, catalogue: &Catalogue) -> anyhow::Result<Candidate> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read candidate file {}: {e}", path.display()))?;
    Ok(parse(&text, &path.display().to_string(), catalogue)?)
}

struct Ctx<'a> {
    file: &'a str,
}

impl Ctx<'_> {
    fn err(&self, key: &str, message: impl Into<String>) -> ProfileError {
        ProfileError {
            file: self.file.to_string(),
            key: key.to_string(),
            message: message.into(),
        }
    }

    fn check_keys(
        &self,
        table: &Table,
        prefix: &str,
        allowed: &[&str],
    ) -> Result<(), ProfileError> {
        for k in table.keys() {
            if !allowed.contains(&k.as_str()) {
                let full = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                return Err(self.err(
                    &full,
                    format!("unknown key; allowed here: {}", allowed.join(", ")),
                ));
            }
        }
        Ok(())
    }

    fn string(
        &self,
        table: &Table,
        prefix: &str,
        key: &str,
    ) -> Result<Option<String>, ProfileError> {
        match table.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
            Some(other) => Err(self.err(
                &join(prefix, key),
                format!("must be a text in quotes, found {}", other.type_str()),
            )),
        }
    }

    fn date(
        &self,
        table: &Table,
        prefix: &str,
        key: &str,
    ) -> Result<Option<NaiveDate>, ProfileError> {
        let full = join(prefix, key);
        match table.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map(Some)
                .map_err(|_| {
                    self.err(
                        &full,
                        format!("`{s}` is not a date; write YYYY-MM-DD, e.g. \"2025-01-13\""),
                    )
                }),
            Some(Value::Datetime(d)) => match d.date {
                Some(dt) => NaiveDate::from_ymd_opt(dt.year as i32, dt.month as u32, dt.day as u32)
                    .map(Some)
                    .ok_or_else(|| self.err(&full, "not a valid calendar date")),
                None => Err(self.err(&full, "needs a date (YYYY-MM-DD), not only a time")),
            },
            Some(other) => Err(self.err(
                &full,
                format!("must be a date \"YYYY-MM-DD\", found {}", other.type_str()),
            )),
        }
    }

    fn string_list(
        &self,
        table: &Table,
        prefix: &str,
        key: &str,
    ) -> Result<Vec<String>, ProfileError> {
        let full = join(prefix, key);
        match table.get(key) {
            None => Ok(vec![]),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.trim().to_string()),
                    other => Err(self.err(
                        &full,
                        format!("must be a list of texts, found a {}", other.type_str()),
                    )),
                })
                .collect(),
            Some(other) => Err(self.err(
                &full,
                format!(
                    "must be a list of texts like [\"a\", \"b\"], found {}",
                    other.type_str()
                ),
            )),
        }
    }

    fn number(&self, v: &Value, key: &str, min: f64, max: f64) -> Result<f64, ProfileError> {
        let n = match v {
            Value::Integer(i) => *i as f64,
            Value::Float(f) => *f,
            other => {
                return Err(self.err(key, format!("must be a number, found {}", other.type_str())));
            }
        };
        if !(min..=max).contains(&n) {
            return Err(self.err(key, format!("{n} is out of range; allowed {min}..{max}")));
        }
        Ok(n)
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// A 4-digit ISCO-08 unit group ("4110"). Leading zeros matter (armed forces: "0110").
pub fn valid_isco(code: &str) -> bool {
    code.len() == 4 && code.bytes().all(|b| b.is_ascii_digit())
}

/// Dutch postcode: PC4 ("3531") or PC6 ("3531 AB" / "3531AB").
pub fn normalise_postcode(pc: &str) -> Option<String> {
    let s: String = pc
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let digits = s.get(0..4)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) || digits.starts_with('0') {
        return None;
    }
    match s.len() {
        4 => Some(digits.to_string()),
        6 if s[4..].bytes().all(|b| b.is_ascii_uppercase()) => {
            Some(format!("{} {}", digits, &s[4..]))
        }
        _ => None,
    }
}

pub fn parse(text: &str, file: &str, catalogue: &Catalogue) -> Result<Candidate, ProfileError> {
    let cx = Ctx { file };
    let root: Table = text.parse::<Table>().map_err(|e| {
        let msg = e.to_string().lines().next().unwrap_or("").to_string();
        cx.err("(file)", format!("not valid TOML: {msg}"))
    })?;
    cx.check_keys(
        &root,
        "",
        &[
            "id",
            "name",
            "email",
            "coach",
            "first_sick_day",
            "home",
            "hours",
            "profile",
            "direction",
            "fml",
        ],
    )?;
    let id = cx
        .string(&root, "", "id")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            cx.err(
                "id",
                "missing; every candidate needs a stable id such as \"k-0042\"",
            )
        })?;
    if id
        .chars()
        .any(|c| c.is_whitespace() || c == '/' || c == '\\')
    {
        return Err(cx.err("id", "may not contain spaces or slashes"));
    }
    let email = cx.string(&root, "", "email")?;
    if let Some(e) = &email {
        let ok = e
            .split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.ends_with('.'));
        if !ok {
            return Err(cx.err("email", format!("`{e}` is not an e-mail address")));
        }
    }

    // [home]
    let home = match root.get("home") {
        None => Home {
            postcode: None,
            place: None,
            max_travel_minutes: None,
        },
        Some(Value::Table(t)) => {
            cx.check_keys(t, "home", &["postcode", "place", "max_travel_minutes"])?;
            let postcode = match cx.string(t, "home", "postcode")? {
                None => None,
                Some(pc) => Some(normalise_postcode(&pc).ok_or_else(|| {
                    cx.err(
                        "home.postcode",
                        format!(
                            "`{pc}` is not a Dutch postcode; write PC4 \"3531\" or PC6 \"3531 AB\""
                        ),
                    )
                })?),
            };
            let place = cx.string(t, "home", "place")?;
            let max_travel_minutes = match t.get("max_travel_minutes") {
                None => None,
                Some(v) => Some(cx.number(v, "home.max_travel_minutes", 0.0, 600.0)? as u32),
            };
            Home {
                postcode,
                place,
                max_travel_minutes,
            }
        }
        Some(other) => {
            return Err(cx.err(
                "home",
                format!("must be a table [home], found {}", other.type_str()),
            ));
        }
    };

    // [hours]
    let hours = match root.get("hours") {
        None => None,
        Some(Value::Table(t)) => {
            cx.check_keys(t, "hours", &["per_week"])?;
            match t.get("per_week") {
                None => None,
                Some(Value::Table(pw)) => {
                    cx.check_keys(pw, "hours.per_week", &["min", "max"])?;
                    let min = pw
                        .get("min")
                        .map(|v| cx.number(v, "hours.per_week.min", 0.0, 80.0))
                        .transpose()?;
                    let max = pw
                        .get("max")
                        .map(|v| cx.number(v, "hours.per_week.max", 0.0, 80.0))
                        .transpose()?;
                    let (min, max) = (min.unwrap_or(0.0), max.unwrap_or(80.0));
                    if min > max {
                        return Err(cx.err(
                            "hours.per_week",
                            format!("min ({min}) is larger than max ({max})"),
                        ));
                    }
                    Some(HoursRange { min, max })
                }
                Some(other) => {
                    return Err(cx.err(
                        "hours.per_week",
                        format!("must be {{ min = N, max = N }}, found {}", other.type_str()),
                    ));
                }
            }
        }
        Some(other) => {
            return Err(cx.err(
                "hours",
                format!("must be a table [hours], found {}", other.type_str()),
            ));
        }
    };

    // [profile]
    let (mut education, mut skills, mut licences, mut languages) = (None, vec![], vec![], vec![]);
    match root.get("profile") {
        None => {}
        Some(Value::Table(t)) => {
            cx.check_keys(
                t,
                "profile",
                &["education", "skills", "licences", "languages"],
            )?;
            education = cx
                .string(t, "profile", "education")?
                .map(|s| s.to_lowercase());
            if let Some(e) = &education
                && !EDUCATION_LEVELS.contains(&e.as_str())
            {
                return Err(cx.err(
                    "profile.education",
                    format!(
                        "`{e}` is not a level; allowed: {}",
                        EDUCATION_LEVELS.join(", ")
                    ),
                ));
            }
            skills = cx.string_list(t, "profile", "skills")?;
            licences = cx.string_list(t, "profile", "licences")?;
            languages = cx.string_list(t, "profile", "languages")?;
        }
        Some(other) => {
            return Err(cx.err(
                "profile",
                format!("must be a table [profile], found {}", other.type_str()),
            ));
        }
    }

    // [[direction]]
    let mut directions = vec![];
    match root.get("direction") {
        None => {}
        Some(Value::Array(arr)) => {
            for (i, d) in arr.iter().enumerate() {
                let prefix = format!("direction[{}]", i + 1);
                let Value::Table(t) = d else {
                    return Err(cx.err(
                        &prefix,
                        "each [[direction]] must be a table with label and isco",
                    ));
                };
                cx.check_keys(t, &prefix, &["label", "isco"])?;
                let isco = match t.get("isco") {
                    Some(Value::String(s)) => s.trim().to_string(),
                    Some(Value::Integer(n)) => format!("{n:04}"),
                    Some(other) => {
                        return Err(cx.err(
                            &format!("{prefix}.isco"),
                            format!(
                                "must be a 4-digit ISCO-08 code in quotes, found {}",
                                other.type_str()
                            ),
                        ));
                    }
                    None => {
                        return Err(cx.err(
                            &format!("{prefix}.isco"),
                            "missing; a direction needs its ISCO-08 unit group (4 digits)",
                        ));
                    }
                };
                if !valid_isco(&isco) {
                    return Err(cx.err(
                        &format!("{prefix}.isco"),
                        format!(
                            "`{isco}` is not an ISCO-08 unit group; write 4 digits such as \"4110\""
                        ),
                    ));
                }
                let label = cx
                    .string(t, &prefix, "label")?
                    .unwrap_or_else(|| isco.clone());
                directions.push(Direction { label, isco });
            }
        }
        Some(other) => {
            return Err(cx.err(
                "direction",
                format!("must be [[direction]] tables, found {}", other.type_str()),
            ));
        }
    }

    // [fml]
    let mut restrictions = vec![];
    let mut fml_date = None;
    match root.get("fml") {
        None => {}
        Some(Value::Table(t)) => {
            fml_date = cx.date(t, "fml", "date")?;
            let notes = match t.get("notes") {
                None => Table::new(),
                Some(Value::Table(n)) => n.clone(),
                Some(other) => {
                    return Err(cx.err(
                        "fml.notes",
                        format!("must be a table [fml.notes], found {}", other.type_str()),
                    ));
                }
            };
            for (key, value) in t {
                if key == "date" || key == "notes" {
                    continue;
                }
                let full = format!("fml.{key}");
                let item = catalogue.get(key).ok_or_else(|| {
                    let hint = catalogue
                        .suggest(key)
                        .map(|s| format!(" (did you mean `{s}`?)"))
                        .unwrap_or_default();
                    cx.err(&full, format!("unknown FML item{hint}; items are the keys of the FML catalogue, e.g. lifting, standing_workday, time_of_day"))
                })?;
                let value = match (item.kind, value) {
                    (ItemKind::Ordinal | ItemKind::Enum, Value::Integer(n)) => {
                        if *n < 0 || *n > 255 || !item.has_code(*n as u8) {
                            return Err(cx.err(
                                &full,
                                format!("code {n} is out of range; allowed: {}", item.allowed()),
                            ));
                        }
                        RestrictionValue::Code(*n as u8)
                    }
                    (ItemKind::Flags, Value::Array(a)) => {
                        let mut flags = vec![];
                        for v in a {
                            match v {
                                Value::Integer(n)
                                    if *n > 0 && *n <= 255 && item.has_code(*n as u8) =>
                                {
                                    flags.push(*n as u8)
                                }
                                other => {
                                    return Err(cx.err(
                                        &full,
                                        format!("flag {other} is not allowed; {}", item.allowed()),
                                    ));
                                }
                            }
                        }
                        flags.sort_unstable();
                        flags.dedup();
                        RestrictionValue::Flags(flags)
                    }
                    (ItemKind::Flags, other) => {
                        return Err(cx.err(
                            &full,
                            format!(
                                "is a flag item: write a list such as [2], found {}; {}",
                                other.type_str(),
                                item.allowed()
                            ),
                        ));
                    }
                    (_, other) => {
                        return Err(cx.err(
                            &full,
                            format!(
                                "write one code as a number, found {}; {}",
                                other.type_str(),
                                item.allowed()
                            ),
                        ));
                    }
                };
                let note = match notes.get(key) {
                    None => None,
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(other) => {
                        return Err(cx.err(
                            &format!("fml.notes.{key}"),
                            format!("must be a text, found {}", other.type_str()),
                        ));
                    }
                };
                restrictions.push(Restriction {
                    item: key.clone(),
                    value,
                    note,
                });
            }
            for key in notes.keys() {
                if catalogue.get(key).is_none() {
                    return Err(cx.err(&format!("fml.notes.{key}"), "unknown FML item"));
                }
                if !t.contains_key(key) {
                    return Err(cx.err(
                        &format!("fml.notes.{key}"),
                        format!("a note for an item without a code; add `{key} = ...` under [fml]"),
                    ));
                }
            }
        }
        Some(other) => {
            return Err(cx.err(
                "fml",
                format!("must be a table [fml], found {}", other.type_str()),
            ));
        }
    }

    Ok(Candidate {
        id,
        name: cx.string(&root, "", "name")?,
        email,
        coach: cx.string(&root, "", "coach")?,
        first_sick_day: cx.date(&root, "", "first_sick_day")?,
        home,
        hours,
        education,
        skills,
        licences,
        languages,
        directions,
        fml_date,
        restrictions,
    })
}
