//! Hours, pay, education level and contract type from a posting's text and fields.
//!
//! Dutch and Flemish ads state hours as ranges ("24 tot 32 uur"), per week or per month,
//! "fulltime"/"voltijds", or FTE ("0,8 fte"); pay per hour, month or year, often as a range
//! or a scale. Text comes in; plain values and the text that showed them come out. Absurd
//! numbers ("400 uur per week") give a warning, never a value.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::{HoursRange, Pay};

/// Hours of a fulltime week when an ad says only "fulltime" (the guideline's 38–40).
pub const FULLTIME: HoursRange = HoursRange {
    min: 38.0,
    max: 40.0,
};
/// Hours of one FTE.
pub const FTE_HOURS: f64 = 38.0;

static NUM: &str = r"(\d{1,3}(?:[.,]\d{1,2})?)";

static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:(?:tussen|van|min(?:imaal)?\.?)\s+)?{NUM}\s*(?:uur\s*)?(?:-|–|tot|à|a|en|~|/)\s*{NUM}\s*(?:uur|u\b|uren|urige|hrs|hours)(?P<tail>[^\n]{{0,40}})"
    ))
    .unwrap()
});
static SINGLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:^|[^\d.,\-–])(?P<n>{NUM})\s*(?:uur|u\b|uren|hrs|hours)(?P<tail>[^\n]{{0,40}})"
    ))
    .unwrap()
});
static FTE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"{NUM}\s*(?:(?:-|–|tot|à)\s*{NUM}\s*)?fte\b")).unwrap());
static FULL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(fulltime|full-time|voltijd\w*|volledige? (?:betrekking|dienstverband|werkweek|tewerkstelling)\b|40-urige\b)").unwrap()
});
static FULL_OR_PART: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:fulltime|full-time|voltijd\w*)(?:\s+\w+){0,3}?\s*(?:\([^)]{0,30}\))?\s*(?:of|/|en)\s*(?:parttime|part-time|deeltijd\w*)").unwrap()
});
static PART: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(parttime|part-time|deeltijd\w*)\b").unwrap());

fn num(s: &str) -> Option<f64> {
    s.replace(',', ".").parse().ok()
}

fn per_week_factor(tail: &str) -> Option<f64> {
    let t = tail.trim_start();
    let t = t.trim_start_matches(['.', ',', ')', ' ']);
    if t.starts_with("per maand")
        || t.starts_with("p/m")
        || t.starts_with("per mnd")
        || t.starts_with("/maand")
        || t.starts_with("pm")
    {
        Some(1.0 / 4.33)
    } else if t.starts_with("per dag")
        || t.starts_with("p/d")
        || t.starts_with("/dag")
        || t.starts_with("op een dag")
    {
        None // a day length, not a week
    } else {
        Some(1.0)
    }
}

/// Does the text around an hour figure mean a week? ("32 uur per week", "24-32 uur",
/// but not "8 uur per dag", "24 uur per dag bereikbaar", "binnen 48 uur", "om 22 uur").
fn plausible_context(before: &str, tail: &str) -> bool {
    let b = before.trim_end();
    let bad_before = [
        "binnen", "om", "vanaf", "tot", "na", "voor", "tegen", "rond", "dan", "van", "'s", "ca",
    ];
    if let Some(last) = b.split_whitespace().last()
        && bad_before.contains(&last)
        && !tail.trim_start().starts_with("per week")
        && !b.ends_with("basis van")
    {
        return false;
    }
    let t = tail.trim_start();
    !(t.starts_with("per dag")
        || t.starts_with("'s")
        || t.starts_with("opleiding")
        || t.starts_with("training")
        || t.starts_with("cursus")
        || t.starts_with("rijden")
        || t.starts_with("per nacht")
        || t.starts_with("service")
        || t.starts_with("bereikbaar"))
}

static WEEK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:{NUM}\s*-?\s*(?:urige|uren|uur|u)\s*-?\s*(?:werk)?week\b|werkweek\s+van\s+{NUM}\s*(?:uur|u\b|uren))"
    ))
    .unwrap()
});
static FRACTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^\d/])([1-4])/5(?:de|e)?\b").unwrap());
static DAY_SCHEDULE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:rooster|regime|werktijden|werkuren|van)\D{0,12}?\b(\d{1,2})(?:[.:u](\d{2}))?\s*(?:u|uur)?\s*(?:-|–|tot)\s*(\d{1,2})(?:[.:u](\d{2}))?\s*(?:u\b|uur)").unwrap()
});
static DAY_START_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:start|begin)\w*\s+om\s+(\d{1,2})(?:[.:u](\d{2}))?\s*(?:u|uur)?\b[^.\n]{0,40}?\b(?:eindig|stop|klaar|gedaan|tot)\w*\s+(?:om\s+)?(\d{1,2})(?:[.:u](\d{2}))?\s*(?:u|uur)?").unwrap()
});
static DAYS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b([1-5]|een|één|eén|twee|drie|vier|vijf)\s+dag(?:en)?\s+(?:per|in de|p/)\s*week\b",
    )
    .unwrap()
});

/// Is the range at `start..` a time of day ("uurrooster 8-17u", "van 8.00 tot 17.00 uur")?
fn clock_range(text: &str, start: usize, matched: &str, tail: &str) -> bool {
    let mut from = start.saturating_sub(30);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let before = &text[from..start];
    if tail.trim_start().starts_with("per week")
        || tail.trim_start().starts_with("/week")
        || tail.trim_start().starts_with("p/w")
    {
        return false;
    }
    let clock_words = [
        "rooster",
        "werktijd",
        "tussen",
        "vanaf",
        "open",
        "diensten van",
        "dienst van",
        "start om",
        "begin",
    ];
    if clock_words.iter().any(|w| before.contains(w)) {
        return true;
    }
    // 8.00-17.00 / 8:00 - 17:00
    let has_minutes = matched.contains(':')
        || Regex::new(r"\d[.]\d{2}")
            .map(|r| r.is_match(matched))
            .unwrap_or(false);
    has_minutes || before.trim_end().ends_with("van")
}

/// Hours per week stated in the text (lower case) and/or the structured `workHours`.
///
/// Explicit weekly numbers win; FTE and Flemish fractions ("4/5de") come next; "fulltime"
/// alone means [`FULLTIME`]. "Voltijds of deeltijds (min. 28u)" is one range, 28–40.
pub fn hours(
    lower: &str,
    work_hours: Option<&str>,
    warnings: &mut Vec<String>,
) -> Option<HoursRange> {
    let mut texts: Vec<String> = vec![];
    if let Some(w) = work_hours {
        texts.push(w.to_lowercase());
    }
    texts.push(lower.to_string());
    let all = texts.join("\n");
    let full = FULL.is_match(&all);
    let part = PART.is_match(&all);
    for text in &texts {
        let mut candidates: Vec<HoursRange> = vec![];
        let push = |a: f64,
                    b: f64,
                    what: &str,
                    candidates: &mut Vec<HoursRange>,
                    warnings: &mut Vec<String>| {
            let (a, b) = (a.round(), b.round());
            if b > 80.0 {
                warnings.push(format!(
                    "onwaarschijnlijk aantal uren genegeerd: {}",
                    what.trim()
                ));
            } else if a >= 1.0 && a <= b {
                candidates.push(HoursRange { min: a, max: b });
            }
        };
        for c in WEEK.captures_iter(text) {
            let n = c.get(1).or(c.get(2)).and_then(|m| num(m.as_str()));
            if let Some(n) = n {
                push(n, n, &c[0], &mut candidates, warnings);
            }
        }
        for c in RANGE.captures_iter(text) {
            let (Some(a), Some(b)) = (num(&c[1]), num(&c[2])) else {
                continue;
            };
            let m = c.get(0).unwrap();
            let lead = ["tussen", "van "].iter().any(|w| m.as_str().starts_with(w));
            if !plausible_context(&text[..m.start()], &c["tail"])
                || lead
                || clock_range(text, m.start(), m.as_str(), &c["tail"])
            {
                continue;
            }
            let Some(f) = per_week_factor(&c["tail"]) else {
                continue;
            };
            if a * f > b * f {
                continue;
            }
            push(a * f, b * f, &c[0], &mut candidates, warnings);
        }
        if candidates.is_empty() {
            let mut weekly: Vec<HoursRange> = vec![];
            for c in SINGLE.captures_iter(text) {
                let Some(a) = num(&c["n"]) else { continue };
                let start = c.name("n").unwrap().start();
                if !plausible_context(&text[..start], &c["tail"]) {
                    continue;
                }
                // "18.00 uur", "8:30 uur" are times of day
                let raw_n = &c["n"];
                if raw_n.contains(':')
                    || raw_n
                        .split(['.', ','])
                        .nth(1)
                        .is_some_and(|d| d.len() == 2 && raw_n.contains('.'))
                {
                    continue;
                }
                let in_title = !text[..start].contains('\n')
                    && work_hours.is_none_or(|w| w.to_lowercase() != *text);
                let bracketed = text[..start].trim_end().ends_with('(');
                let tail = c["tail"].trim_start();
                let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
                let alone_on_line =
                    text[line_start..start].trim().is_empty() && tail.trim().is_empty();
                let week_words = tail.contains("per week")
                    || tail.contains("p.w")
                    || alone_on_line
                    || tail.starts_with("p/w")
                    || tail.starts_with("/week")
                    || tail.starts_with("in de week")
                    || tail.starts_with("per maand")
                    || tail.starts_with("werken")
                    || tail.starts_with('(')
                    || work_hours.is_some_and(|w| w.to_lowercase() == *text)
                    || in_title
                    || bracketed;
                let near_hint = {
                    let mut f = start.saturating_sub(40);
                    while !text.is_char_boundary(f) {
                        f -= 1;
                    }
                    let ctx = &text[f..start];
                    [
                        "parttime",
                        "fulltime",
                        "werkweek",
                        "dienstverband",
                        "contract",
                        "uren",
                        "deeltijd",
                        "voltijd",
                        "min.",
                        "minimaal",
                        "maximaal",
                        "basis van",
                        "inzetbaar",
                        "beschikbaar",
                    ]
                    .iter()
                    .any(|w| ctx.contains(w))
                };
                if !(week_words || near_hint) {
                    continue;
                }
                let Some(f) = per_week_factor(tail) else {
                    continue;
                };
                let a = (a * f).round();
                let floor = if tail.starts_with("per week") {
                    1.0
                } else {
                    4.0
                };
                if !(floor..=60.0).contains(&a) {
                    if a > 80.0 {
                        warnings.push(format!(
                            "onwaarschijnlijk aantal uren genegeerd: {}",
                            c[0].trim()
                        ));
                    }
                    continue;
                }
                if tail.contains("per week") || tail.contains("p.w") || tail.starts_with("/week") {
                    weekly.push(HoursRange { min: a, max: a });
                }
                candidates.push(HoursRange { min: a, max: a });
            }
            if !weekly.is_empty() {
                candidates = weekly;
            }
        }
        let mut fte_found = false;
        if candidates.is_empty() {
            for c in FTE.captures_iter(text) {
                let Some(a) = num(&c[1]) else { continue };
                let b = c.get(2).and_then(|m| num(m.as_str())).unwrap_or(a);
                if a > 0.0 && a <= 1.2 && b <= 1.2 && a <= b {
                    candidates.push(HoursRange {
                        min: (a * FTE_HOURS).round(),
                        max: (b * FTE_HOURS).round(),
                    });
                }
            }
            for c in FRACTION.captures_iter(text) {
                let at = c.get(1).unwrap().start();
                let mut from = at.saturating_sub(12);
                while !text.is_char_boundary(from) {
                    from -= 1;
                }
                if text[from..at].contains("geen") || text[from..at].contains("niet") {
                    continue;
                }
                // a fraction next to "voltijds" is an alternative to it: "voltijds of 4/5de"
                let mut near_from = at.saturating_sub(40);
                while !text.is_char_boundary(near_from) {
                    near_from -= 1;
                }
                let mut near_to = (at + 40).min(text.len());
                while !text.is_char_boundary(near_to) {
                    near_to += 1;
                }
                if FULL.is_match(&text[near_from..near_to]) {
                    fte_found = true;
                }
                if let Ok(n) = c[1].parse::<f64>() {
                    let h = (n / 5.0 * FTE_HOURS).round();
                    candidates.push(HoursRange { min: h, max: h });
                }
            }
            for c in DAYS.captures_iter(text).filter(|_| !full) {
                let n = match &c[1] {
                    "een" | "één" | "eén" => 1.0,
                    "twee" => 2.0,
                    "drie" => 3.0,
                    "vier" => 4.0,
                    "vijf" => 5.0,
                    d => d.parse().unwrap_or(0.0),
                };
                if n > 0.0 {
                    candidates.push(HoursRange {
                        min: n * 8.0,
                        max: n * 8.0,
                    });
                }
            }
        }
        if let Some(first) = candidates.first().copied() {
            let min = candidates.iter().map(|h| h.min).fold(first.min, f64::min);
            let max = candidates.iter().map(|h| h.max).fold(first.max, f64::max);
            let mut r = if max - min > 24.0 {
                first
            } else {
                HoursRange { min, max }
            };
            // "voltijds of 4/5de", "fulltime of parttime (min. 28 uur)": one range up to fulltime
            if full && (FULL_OR_PART.is_match(&all) && r.min >= 16.0 || fte_found) && r.max < 36.0 {
                r.max = FULLTIME.max;
            }
            return Some(r);
        }
    }
    if full && !part {
        return Some(FULLTIME);
    }
    // a full working day as a schedule ("uurrooster 8-17u", "van 8u30 tot 17u") and nothing
    // else: a fulltime job
    if !part {
        for c in DAY_SCHEDULE
            .captures_iter(&all)
            .chain(DAY_START_END.captures_iter(&all))
        {
            let at = |h: usize, m: usize| -> Option<f64> {
                let hh: f64 = c.get(h)?.as_str().parse().ok()?;
                let mm: f64 = c.get(m).map_or(Some(0.0), |x| x.as_str().parse().ok())?;
                Some(hh + mm / 60.0)
            };
            if let (Some(a), Some(b)) = (at(1, 2), at(3, 4))
                && (5.0..=10.0).contains(&a)
                && (7.5..=10.5).contains(&(b - a))
            {
                return Some(FULLTIME);
            }
        }
    }
    None
}

static PAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:€|eur\b|euro)\s*(?P<a>\d{1,3}(?:[.]\d{3})*(?:,\d{1,2})?|\d+(?:,\d{1,2})?)(?:\s*(?:,-|,–))?\s*(?:(?:-|–|tot|à|en)\s*(?:€|eur\b|euro)?\s*(?P<b>\d{1,3}(?:[.]\d{3})*(?:,\d{1,2})?|\d+(?:,\d{1,2})?))?(?:\s*(?:,-|,–))?(?P<tail>[^\n]{0,40})").unwrap()
});
static PAY_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:min\.?|minimum|max\.?|maximum)?\s*(?P<a>(?:\d{1,3}(?:[.]\d{3})+|\d+)(?:,\d{1,2})?)\s*(?:-|–|tot)\s*(?:max\.?\s*)?(?P<b>(?:\d{1,3}(?:[.]\d{3})+|\d+)(?:,\d{1,2})?)\s*(?:euro|eur|€)(?P<tail>[^\n]{0,40})").unwrap()
});

fn money(s: &str) -> Option<f64> {
    let s = s.replace('.', "").replace(',', ".");
    s.parse().ok()
}

/// Pay from the text (lower case): the first amount or range with a unit we can tell.
pub fn pay(text: &str, lower: &str) -> Option<Pay> {
    for re in [&*PAY, &*PAY_AFTER] {
        for c in re.captures_iter(lower) {
            let Some(a) = c.name("a").and_then(|m| money(m.as_str())) else {
                continue;
            };
            let b = c.name("b").and_then(|m| money(m.as_str()));
            let tail = c.name("tail").map(|m| m.as_str()).unwrap_or("");
            let top = b.unwrap_or(a);
            let per = if tail.contains("per uur")
                || tail.contains("p/u")
                || tail.contains("/uur")
                || tail.contains("uurloon")
            {
                "hour"
            } else if tail.contains("per jaar")
                || tail.contains("jaarsalaris")
                || tail.contains("p/j")
            {
                "year"
            } else if tail.contains("per maand")
                || tail.contains("p/m")
                || tail.contains("bruto")
                || tail.contains("/maand")
            {
                if top < 100.0 { "hour" } else { "month" }
            } else if (8.0..100.0).contains(&top) {
                "hour"
            } else if (1000.0..12000.0).contains(&top) {
                "month"
            } else if (20000.0..250000.0).contains(&top) {
                "year"
            } else {
                continue;
            };
            let m = c.get(0).unwrap();
            let evidence = text
                .get(m.start()..m.end())
                .unwrap_or(m.as_str())
                .trim()
                .to_string();
            return Some(Pay {
                min: Some(a),
                max: b.or(Some(a)),
                per: per.into(),
                evidence,
            });
        }
    }
    None
}

static EDU: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(vmbo|mavo|lbo|vbo|mbo[- ]?(?:niveau\s*)?[1-4]?|havo|vwo|hbo|wo|universitair|master|bachelor|bachelordiploma|masterdiploma|secundair onderwijs|middelbaar onderwijs|lager onderwijs|professionele bachelor|academische bachelor)\b").unwrap()
});

/// The lowest education level a posting asks for, on the scale of candidate profiles.
pub fn education(lower: &str, field: Option<&str>) -> Option<String> {
    let mut levels: Vec<(u8, String)> = vec![];
    let joined = format!("{} {}", field.unwrap_or("").to_lowercase(), lower);
    for c in EDU.captures_iter(&joined) {
        let w = c[1].replace(' ', "-");
        let lv = if w.starts_with("mbo") {
            let n = w.chars().rfind(|c| c.is_ascii_digit());
            match n {
                Some(d) => (d.to_digit(10).unwrap() as u8, format!("mbo-{d}")),
                None => (3, "mbo-3".into()),
            }
        } else {
            match w.as_str() {
                "vmbo" | "mavo" | "lbo" | "vbo" | "lager-onderwijs" => (0, "vmbo".into()),
                "secundair-onderwijs" | "middelbaar-onderwijs" => (2, "mbo-2".into()),
                "havo" | "vwo" => (3, "mbo-3".into()),
                "hbo" | "bachelor" | "bachelordiploma" | "professionele-bachelor" => {
                    (5, "hbo".into())
                }
                _ => (6, "wo".into()),
            }
        };
        levels.push(lv);
    }
    levels.into_iter().min_by_key(|l| l.0).map(|l| l.1)
}

/// Contract type from employmentType and the text.
pub fn contract(lower: &str, employment_type: &[String]) -> Option<String> {
    let et: Vec<String> = employment_type.iter().map(|s| s.to_lowercase()).collect();
    let has = |w: &str| et.iter().any(|e| e.contains(w));
    if has("temporary")
        || has("tijdelijk")
        || lower.contains("tijdelijk contract")
        || lower.contains("contract voor bepaalde tijd")
        || lower.contains("bepaalde duur")
    {
        return Some("tijdelijk".into());
    }
    if has("intern") || lower.contains("stageplaats") {
        return Some("stage".into());
    }
    if has("contractor") || lower.contains("freelance") || lower.contains("zzp") {
        return Some("freelance".into());
    }
    if lower.contains("uitzendbasis")
        || lower.contains("via het uitzendbureau")
        || lower.contains("interim")
    {
        return Some("uitzend".into());
    }
    if has("permanent")
        || has("vast")
        || lower.contains("vast contract")
        || lower.contains("vaste aanstelling")
        || lower.contains("onbepaalde duur")
        || lower.contains("onbepaalde tijd")
    {
        return Some("vast".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Option<(f64, f64)> {
        let mut w = vec![];
        hours(&s.to_lowercase(), None, &mut w).map(|h| (h.min, h.max))
    }

    #[test]
    fn hours_forms() {
        assert_eq!(h("Je werkt 24 tot 32 uur per week."), Some((24.0, 32.0)));
        assert_eq!(h("32-40 uur"), Some((32.0, 40.0)));
        assert_eq!(h("Een fulltime baan"), Some((38.0, 40.0)));
        assert_eq!(h("Omvang: 0,8 fte"), Some((30.0, 30.0)));
        assert_eq!(h("parttime 20 uur per week"), Some((20.0, 20.0)));
        assert_eq!(h("36-urige werkweek"), Some((36.0, 36.0)));
        assert_eq!(h("Je werkt in een 38-urenweek."), Some((38.0, 38.0)));
        assert_eq!(
            h("Uurrooster: 8-17u en op vrijdag tot 15u"),
            Some((38.0, 40.0))
        );
        assert_eq!(h("Fulltime beschikbaar (geen 4/5e)."), Some((38.0, 40.0)));
        assert_eq!(
            h(
                "Een 4/5 contract met glijdend uurrooster en thuiswerk. Je krijgt 26 verlofdagen op voltijdse basis"
            ),
            Some((30.0, 30.0))
        );
        assert_eq!(h("Een voltijdse of 4/5de functie"), Some((30.0, 40.0)));
        assert_eq!(
            h("voltijds (bij voorkeur) of deeltijds (min. 28u/week)"),
            Some((28.0, 40.0))
        );
        assert_eq!(
            h("Je gaat voltijds aan de slag in een 40-uren week"),
            Some((40.0, 40.0))
        );
        assert_eq!(h("Een voltijdse tewerkstelling"), Some((38.0, 40.0)));
        assert_eq!(
            h("Chauffeur • Haarlem • 40 uur\nBij voorkeur fulltime."),
            Some((40.0, 40.0))
        );
        assert_eq!(h("Klantenservice en kassa (12 uur)"), Some((12.0, 12.0)));
        assert_eq!(h("Je bent 3 uur per week inzetbaar"), Some((3.0, 3.0)));
        assert_eq!(
            h("Extra toeslag na 18.00 uur. Fulltime werk."),
            Some((38.0, 40.0))
        );
        assert_eq!(
            h("Beschikbaar tussen 07.00 en 18.30 uur; fulltime werk"),
            Some((38.0, 40.0))
        );
        assert_eq!(h("Loon op basis van 36 uur.Ben jij"), Some((36.0, 36.0)));
        assert_eq!(h("Vrijblod\n•\n40 UUR\n\nStop"), Some((40.0, 40.0)));
        assert_eq!(
            h("ca. 34 uur per week beschikbaar; salaris op basis van 40 uur"),
            Some((34.0, 34.0))
        );
        assert_eq!(
            h("18 uur beschikbaar p.w., vanaf april"),
            Some((18.0, 18.0))
        );
        assert_eq!(
            h("De mogelijkheid om voltijds te werken (bij voorkeur) of deeltijds (min. 28u/week)"),
            Some((28.0, 40.0))
        );
        assert_eq!(
            h("De werkdag start om 7u en zal eindigen om 15u45, dit in de zomer."),
            Some((38.0, 40.0))
        );
        assert_eq!(h("De winkel opent om 9 uur."), None);
        assert_eq!(
            h("Productiebeheerder - fulltimeFunctieomschrijving"),
            Some((38.0, 40.0))
        );
        assert_eq!(h("Eén dag per week, uren bespreekbaar"), Some((8.0, 8.0)));
        assert_eq!(h("Je reageert binnen 48 uur"), None);
        assert_eq!(h("Diensten van 8 uur per dag"), None);
        let mut w = vec![];
        assert!(hours("400 uur per week", None, &mut w).is_none());
        assert!(!w.is_empty());
    }

    #[test]
    fn pay_forms() {
        let t = "Salaris: € 2.500 - € 3.200 bruto per maand";
        let p = pay(t, &t.to_lowercase()).unwrap();
        assert_eq!(
            (p.min, p.max, p.per.as_str()),
            (Some(2500.0), Some(3200.0), "month")
        );
        let t = "€14,50 per uur";
        assert_eq!(pay(t, &t.to_lowercase()).unwrap().per, "hour");
        let t = "Vergoeding: min. 3542 - max. 4625 euro bruto per maand";
        assert_eq!(pay(t, &t.to_lowercase()).unwrap().max, Some(4625.0));
    }

    #[test]
    fn education_and_contract() {
        assert_eq!(
            education("je hebt een mbo niveau 2 diploma of hbo", None).as_deref(),
            Some("mbo-2")
        );
        assert_eq!(
            contract("", &["FULL_TIME".into(), "TEMPORARY".into()]).as_deref(),
            Some("tijdelijk")
        );
    }
}
