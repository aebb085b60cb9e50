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
        r"(?:(?:tussen|van|min(?:imaal)?\.?)\s+)?{NUM}\s*(?:uur\s*)?(?:-|–|tot|à|a|en|~|/)\s*{NUM}\s*(?:uur|u\b|uren|urige|hrs|hours)(?P<tail>[^.\n]{{0,40}})"
    ))
    .unwrap()
});
static SINGLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?:^|[^\d.,\-–])(?P<n>{NUM})\s*(?:uur|u\b|uren|hrs|hours)(?P<tail>[^.\n]{{0,40}})"
    ))
    .unwrap()
});
static URIGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"{NUM}\s*-?\s*urige\s+werkweek")).unwrap());
static FTE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"{NUM}\s*(?:(?:-|–|tot|à)\s*{NUM}\s*)?fte\b")).unwrap());
static FULL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(fulltime|full-time|voltijds?|volledige? (?:betrekking|dienstverband|werkweek)|40-urige)\b").unwrap()
});
static PART: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(parttime|part-time|deeltijds?)\b").unwrap());

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
    if let Some(last) = b.split_whitespace().last() {
        if bad_before.contains(&last) && !tail.trim_start().starts_with("per week") {
            return false;
        }
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

/// Hours per week stated in the text (lower case) and/or the structured `workHours`.
pub fn hours(
    lower: &str,
    work_hours: Option<&str>,
    warnings: &mut Vec<String>,
) -> Option<HoursRange> {
    let mut candidates: Vec<HoursRange> = vec![];
    let mut texts: Vec<String> = vec![];
    if let Some(w) = work_hours {
        texts.push(w.to_lowercase());
    }
    texts.push(lower.to_string());
    for (ti, text) in texts.iter().enumerate() {
        for c in RANGE.captures_iter(text) {
            let (Some(a), Some(b)) = (num(&c[1]), num(&c[2])) else {
                continue;
            };
            let start = c.get(0).unwrap().start();
            if !plausible_context(&text[..start], &c["tail"]) {
                continue;
            }
            let Some(f) = per_week_factor(&c["tail"]) else {
                continue;
            };
            let (a, b) = ((a * f).round(), (b * f).round());
            if a > b || b > 80.0 || a < 1.0 {
                if b > 80.0 {
                    warnings.push(format!(
                        "onwaarschijnlijk aantal uren genegeerd: {}",
                        c[0].trim()
                    ));
                }
                continue;
            }
            candidates.push(HoursRange { min: a, max: b });
        }
        if candidates.is_empty() {
            for c in SINGLE.captures_iter(text) {
                let Some(a) = num(&c["n"]) else { continue };
                let start = c.name("n").unwrap().start();
                if !plausible_context(&text[..start], &c["tail"]) {
                    continue;
                }
                let tail = c["tail"].trim_start();
                let week_words = tail.starts_with("per week")
                    || tail.starts_with("p/w")
                    || tail.starts_with("/week")
                    || tail.starts_with("in de week")
                    || tail.starts_with("per maand")
                    || tail.starts_with("werken")
                    || tail.starts_with("(")
                    || ti == 0;
                let near_hint = {
                    let from = start.saturating_sub(40);
                    let mut f = from;
                    while !text.is_char_boundary(f) {
                        f -= 1;
                    }
                    let ctx = &text[f..start];
                    ctx.contains("parttime")
                        || ctx.contains("fulltime")
                        || ctx.contains("werkweek")
                        || ctx.contains("dienstverband")
                        || ctx.contains("contract")
                        || ctx.contains("uren")
                        || ctx.contains("deeltijds")
                        || ctx.contains("voltijds")
                };
                if !(week_words || near_hint) {
                    continue;
                }
                let Some(f) = per_week_factor(tail) else {
                    continue;
                };
                let a = (a * f).round();
                if !(4.0..=60.0).contains(&a) {
                    if a > 80.0 {
                        warnings.push(format!(
                            "onwaarschijnlijk aantal uren genegeerd: {}",
                            c[0].trim()
                        ));
                    }
                    continue;
                }
                candidates.push(HoursRange { min: a, max: a });
            }
        }
        if candidates.is_empty() {
            for c in URIGE.captures_iter(text) {
                if let Some(a) = num(&c[1]) {
                    if (4.0..=60.0).contains(&a) {
                        candidates.push(HoursRange { min: a, max: a });
                    }
                }
            }
        }
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
        }
        if !candidates.is_empty() {
            break;
        }
    }
    if let Some(first) = candidates.first() {
        // several statements: take the widest range spanned by the plausible ones
        let min = candidates.iter().map(|h| h.min).fold(first.min, f64::min);
        let max = candidates.iter().map(|h| h.max).fold(first.max, f64::max);
        // a part-time range next to a full week ("32-40 uur") is one statement; far apart
        // statements (8 and 40) are more likely day and week: keep the first.
        if max - min > 24.0 {
            return Some(*first);
        }
        return Some(HoursRange { min, max });
    }
    let all = texts.join("\n");
    if FULL.is_match(&all) && !PART.is_match(&all) {
        return Some(FULLTIME);
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
            let n = w.chars().filter(|c| c.is_ascii_digit()).last();
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
