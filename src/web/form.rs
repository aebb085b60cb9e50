//! Form and API input → candidate TOML and vacancy actions, checked field by field in Dutch.
//!
//! Form fields (name/value pairs) come in; a TOML document goes out that is then read by
//! [`crate::candidate::parse`], so form input, the JSON API and the TOML import obey exactly the
//! same rules. The Dutch checks here only give a clearer message per field first; the parser
//! stays the gate. Action input comes in as fields and leaves as a [`NewAction`].

use chrono::{DateTime, Duration, NaiveDate, Utc};
use toml::{Table, Value};

use super::db::NewAction;
use super::{FieldError, field_error};
use crate::fml::{Catalogue, ItemKind};
use crate::model::Candidate;

/// Submitted fields, in order (repeated names allowed).
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect()
    }
}

/// Dutch name of a candidate-file key, for messages.
pub fn dutch_key(key: &str) -> String {
    let k = key
        .trim_start_matches("fml.notes.")
        .trim_start_matches("fml.");
    match key {
        "id" => "Id".into(),
        "name" => "Naam".into(),
        "email" => "E-mail".into(),
        "coach" => "Coach".into(),
        "first_sick_day" => "Eerste ziektedag".into(),
        "home.postcode" => "Postcode".into(),
        "home.place" => "Woonplaats".into(),
        "home.max_travel_minutes" => "Maximale reistijd".into(),
        "hours.per_week" | "hours.per_week.min" | "hours.per_week.max" => "Uren per week".into(),
        "profile.education" => "Opleiding".into(),
        "fml.date" => "Datum FML".into(),
        "(file)" => "Bestand".into(),
        _ if key.starts_with("fml.notes.") => format!("Toelichting {k}"),
        _ if key.starts_with("fml.") => format!("FML-item {k}"),
        _ if key.starts_with("direction") => "Beroepsrichting".into(),
        _ => key.into(),
    }
}

/// Read candidate TOML with the one parser; its error becomes a field message.
pub fn parse_candidate(text: &str, cat: &Catalogue) -> Result<Candidate, Vec<FieldError>> {
    crate::candidate::parse(text, "kandidaat", cat).map_err(|e| {
        vec![field_error(
            &e.key,
            format!("{} klopt niet: {}", dutch_key(&e.key), e.message),
        )]
    })
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn list(s: Option<&str>) -> Vec<Value> {
    s.unwrap_or("")
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Value::String(s.to_string()))
        .collect()
}

fn set_or_remove(t: &mut Table, key: &str, v: Option<Value>) {
    match v {
        Some(v) => {
            t.insert(key.into(), v);
        }
        None => {
            t.remove(key);
        }
    }
}

fn sub_table<'a>(t: &'a mut Table, key: &str) -> &'a mut Table {
    if !matches!(t.get(key), Some(Value::Table(_))) {
        t.insert(key.into(), Value::Table(Table::new()));
    }
    match t.get_mut(key) {
        Some(Value::Table(s)) => s,
        _ => unreachable!("just inserted a table"),
    }
}

/// Apply the profile form to a candidate document (a new one when `base` is empty).
/// `occupation_label` names an ISCO code for the direction labels.
pub fn apply_profile(
    base: &str,
    f: &Fields,
    is_new: bool,
    coach: &str,
    occupation_label: &dyn Fn(&str) -> Option<String>,
) -> Result<String, Vec<FieldError>> {
    let mut errs = vec![];
    let mut root: Table = if base.trim().is_empty() {
        Table::new()
    } else {
        base.parse().map_err(|_| {
            vec![field_error(
                "toml",
                "Het opgeslagen profiel is geen geldige TOML.",
            )]
        })?
    };
    if is_new {
        match f.get("id") {
            None => errs.push(field_error(
                "id",
                "Vul een id in, bijvoorbeeld «k-0042» (zonder spaties of schuine strepen).",
            )),
            Some(id)
                if id.len() > 64
                    || !id.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c)) =>
            {
                errs.push(field_error(
                    "id",
                    "Een id bestaat uit letters, cijfers, '-', '_' of '.' (hoogstens 64 tekens).",
                ))
            }
            Some(id) => {
                root.insert("id".into(), Value::String(id.into()));
            }
        }
        root.insert("coach".into(), Value::String(coach.into()));
    }
    let name = f.get("name");
    if name.is_some_and(|n| n.chars().count() > 120) {
        errs.push(field_error(
            "name",
            "De naam is te lang (hoogstens 120 tekens).",
        ));
    }
    set_or_remove(&mut root, "name", name.map(|s| Value::String(s.into())));
    let email = f.get("email");
    if let Some(e) = email {
        let ok = e
            .split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.ends_with('.'));
        if !ok || e.contains(char::is_whitespace) {
            errs.push(field_error(
                "email",
                "Geen geldig e-mailadres (bijvoorbeeld naam@voorbeeld.nl).",
            ));
        }
    }
    set_or_remove(&mut root, "email", email.map(|s| Value::String(s.into())));
    let sick = f.get("first_sick_day");
    if let Some(s) = sick
        && date(s).is_none()
    {
        errs.push(field_error(
            "first_sick_day",
            "Eerste ziektedag: geef een datum als JJJJ-MM-DD.",
        ));
    }
    set_or_remove(
        &mut root,
        "first_sick_day",
        sick.map(|s| Value::String(s.into())),
    );

    let home = sub_table(&mut root, "home");
    let postcode = f.get("postcode");
    if let Some(pc) = postcode
        && crate::candidate::normalise_postcode(pc).is_none()
    {
        errs.push(field_error(
                "postcode",
                "Geen Nederlandse postcode; schrijf 4 cijfers («3531») of 4 cijfers en 2 letters («3531 AB»).",
            ));
    }
    set_or_remove(home, "postcode", postcode.map(|s| Value::String(s.into())));
    set_or_remove(
        home,
        "place",
        f.get("place").map(|s| Value::String(s.into())),
    );
    let travel = match f.get("max_travel_minutes") {
        None => None,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (0..=600).contains(&n) => Some(Value::Integer(n)),
            _ => {
                errs.push(field_error(
                    "max_travel_minutes",
                    "Maximale reistijd: geef een heel aantal minuten tussen 0 en 600.",
                ));
                None
            }
        },
    };
    set_or_remove(home, "max_travel_minutes", travel);
    if home.is_empty() {
        root.remove("home");
    }

    let hour = |key: &str, errs: &mut Vec<FieldError>| -> Option<f64> {
        let s = f.get(key)?;
        match s.replace(',', ".").parse::<f64>() {
            Ok(h) if (0.0..=80.0).contains(&h) => Some(h),
            _ => {
                errs.push(field_error(
                    key,
                    "Uren per week: geef een getal tussen 0 en 80.",
                ));
                None
            }
        }
    };
    let hmin = hour("hours_min", &mut errs);
    let hmax = hour("hours_max", &mut errs);
    if let (Some(a), Some(b)) = (hmin, hmax)
        && a > b
    {
        errs.push(field_error(
            "hours_max",
            "Het maximum aantal uren is kleiner dan het minimum.",
        ));
    }
    if hmin.is_none() && hmax.is_none() {
        root.remove("hours");
    } else {
        let mut pw = Table::new();
        let num = |h: f64| {
            if h.fract() == 0.0 {
                Value::Integer(h as i64)
            } else {
                Value::Float(h)
            }
        };
        if let Some(a) = hmin {
            pw.insert("min".into(), num(a));
        }
        if let Some(b) = hmax {
            pw.insert("max".into(), num(b));
        }
        let mut h = Table::new();
        h.insert("per_week".into(), Value::Table(pw));
        root.insert("hours".into(), Value::Table(h));
    }

    let profile = sub_table(&mut root, "profile");
    let education = f.get("education").map(str::to_lowercase);
    if let Some(e) = &education
        && !crate::candidate::EDUCATION_LEVELS.contains(&e.as_str())
    {
        errs.push(field_error(
            "education",
            format!(
                "Kies een opleidingsniveau: {}.",
                crate::candidate::EDUCATION_LEVELS.join(", ")
            ),
        ));
    }
    set_or_remove(profile, "education", education.map(Value::String));
    for key in ["skills", "licences", "languages"] {
        let l = list(f.get(key));
        if l.len() > 50 {
            errs.push(field_error(key, "Hoogstens 50 waarden."));
        }
        set_or_remove(profile, key, (!l.is_empty()).then_some(Value::Array(l)));
    }
    if profile.is_empty() {
        root.remove("profile");
    }

    let mut dirs = vec![];
    for code in f.all("direction") {
        match occupation_label(code) {
            Some(label) if crate::candidate::valid_isco(code) => {
                let mut t = Table::new();
                t.insert("label".into(), Value::String(label));
                t.insert("isco".into(), Value::String(code.into()));
                dirs.push(Value::Table(t));
            }
            _ => errs.push(field_error(
                "direction",
                format!("Beroepsrichting «{code}» staat niet in de beroepenlijst."),
            )),
        }
    }
    set_or_remove(
        &mut root,
        "direction",
        (!dirs.is_empty()).then_some(Value::Array(dirs)),
    );
    if errs.is_empty() {
        Ok(toml::to_string(&root).map_err(|e| vec![field_error("toml", e.to_string())])?)
    } else {
        Err(errs)
    }
}

/// Replace the `[fml]` table of a candidate document from the FML form: per catalogue item
/// `item.KEY` (a code; empty = onbekend) or `flag.KEY` (repeated; "0" alone = geen beperking),
/// and `note.KEY` (the physician's free text).
pub fn apply_fml(base: &str, f: &Fields, cat: &Catalogue) -> Result<String, Vec<FieldError>> {
    let mut errs = vec![];
    let mut root: Table = base.parse().map_err(|_| {
        vec![field_error(
            "toml",
            "Het opgeslagen profiel is geen geldige TOML.",
        )]
    })?;
    let mut fml = Table::new();
    let mut notes = Table::new();
    match f.get("fml_date") {
        None => {}
        Some(d) if date(d).is_some() => {
            fml.insert("date".into(), Value::String(d.into()));
        }
        Some(_) => errs.push(field_error(
            "fml_date",
            "Datum FML: geef een datum als JJJJ-MM-DD.",
        )),
    }
    for item in cat.items() {
        let field = format!("item.{}", item.key);
        let mut set = false;
        match item.kind {
            ItemKind::Ordinal | ItemKind::Enum => {
                if let Some(v) = f.get(&field) {
                    match v.parse::<u8>() {
                        Ok(n) if item.has_code(n) => {
                            fml.insert(item.key.clone(), Value::Integer(n as i64));
                            set = true;
                        }
                        _ => errs.push(field_error(
                            &field,
                            format!(
                                "{} ({}): kies een van de codes uit de lijst.",
                                item.label, item.id
                            ),
                        )),
                    }
                }
            }
            ItemKind::Flags => {
                let given = f.all(&format!("flag.{}", item.key));
                if !given.is_empty() {
                    let mut flags = vec![];
                    let mut none = false;
                    for g in given {
                        match g.parse::<u8>() {
                            Ok(0) => none = true,
                            Ok(n) if item.has_code(n) => flags.push(Value::Integer(n as i64)),
                            _ => errs.push(field_error(
                                &format!("flag.{}", item.key),
                                format!("{} ({}): onbekende keuze «{g}».", item.label, item.id),
                            )),
                        }
                    }
                    if none && !flags.is_empty() {
                        errs.push(field_error(
                            &format!("flag.{}", item.key),
                            format!(
                                "{} ({}): «{}» kan niet samen met een beperking.",
                                item.label,
                                item.id,
                                item.code_label(0)
                            ),
                        ));
                    }
                    fml.insert(item.key.clone(), Value::Array(flags));
                    set = true;
                }
            }
        }
        if let Some(note) = f.get(&format!("note.{}", item.key)) {
            if note.chars().count() > 1000 {
                errs.push(field_error(
                    &format!("note.{}", item.key),
                    "De toelichting is te lang (hoogstens 1000 tekens).",
                ));
            } else if !set {
                errs.push(field_error(
                    &format!("note.{}", item.key),
                    format!(
                        "{} ({}): een toelichting hoort bij een vastgelegde code; kies eerst een code.",
                        item.label, item.id
                    ),
                ));
            } else {
                notes.insert(item.key.clone(), Value::String(note.into()));
            }
        }
    }
    for (k, _) in &f.0 {
        for prefix in ["item.", "flag.", "note."] {
            if let Some(key) = k.strip_prefix(prefix)
                && cat.get(key).is_none()
            {
                errs.push(field_error(k, format!("Onbekend FML-item «{key}».")));
            }
        }
    }
    if !notes.is_empty() {
        fml.insert("notes".into(), Value::Table(notes));
    }
    if fml.is_empty() {
        root.remove("fml");
    } else {
        root.insert("fml".into(), Value::Table(fml));
    }
    if errs.is_empty() {
        Ok(toml::to_string(&root).map_err(|e| vec![field_error("toml", e.to_string())])?)
    } else {
        errs.dedup();
        Err(errs)
    }
}

pub const ACTION_KINDS: &[(&str, &str)] = &[
    ("voorgesteld", "Voorgesteld aan kandidaat"),
    ("gesolliciteerd", "Gesolliciteerd"),
    ("gesprek", "Sollicitatiegesprek"),
    ("afgewezen", "Afgewezen"),
    ("geplaatst", "Geplaatst"),
    ("detachering", "Detachering"),
];

pub fn action_label(kind: &str) -> &'static str {
    ACTION_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, l)| *l)
        .unwrap_or("?")
}

/// Check an action. `verdict` is the matcher's verdict for this candidate and vacancy now.
pub fn validate_action(
    f: &Fields,
    verdict: crate::model::Verdict,
    now: DateTime<Utc>,
) -> Result<NewAction, Vec<FieldError>> {
    use crate::model::Verdict;
    let mut errs = vec![];
    let text = |key: &str, max: usize, errs: &mut Vec<FieldError>| -> Option<String> {
        let v = f.get(key)?;
        if v.chars().count() > max {
            errs.push(field_error(
                key,
                format!("Te lang (hoogstens {max} tekens)."),
            ));
        }
        Some(v.to_string())
    };
    let vacancy_id = f.get("vacancy_id").unwrap_or("").to_string();
    if vacancy_id.is_empty() {
        errs.push(field_error("vacancy_id", "Kies een vacature."));
    }
    let kind = f.get("kind").unwrap_or("");
    if !ACTION_KINDS.iter().any(|(k, _)| *k == kind) {
        errs.push(field_error(
            "kind",
            "Kies een stap: voorgesteld, gesolliciteerd, gesprek, afgewezen, geplaatst of detachering.",
        ));
    }
    let today = now.date_naive();
    let on = match f.get("date") {
        None => {
            errs.push(field_error("date", "Vul een datum in (JJJJ-MM-DD)."));
            None
        }
        Some(s) => match date(s) {
            None => {
                errs.push(field_error("date", "Datum: geef een datum als JJJJ-MM-DD."));
                None
            }
            Some(d) if kind == "gesprek" && d > today + Duration::days(90) => {
                errs.push(field_error(
                    "date",
                    "Een gesprek ligt hoogstens 90 dagen in de toekomst.",
                ));
                None
            }
            Some(d) if kind != "gesprek" && d > today => {
                errs.push(field_error(
                    "date",
                    "De datum ligt in de toekomst; leg alleen vast wat gebeurd is.",
                ));
                None
            }
            Some(d) if d < today - Duration::days(3 * 365) => {
                errs.push(field_error(
                    "date",
                    "De datum ligt meer dan drie jaar terug.",
                ));
                None
            }
            Some(d) => Some(d),
        },
    };
    let channel = text("channel", 100, &mut errs);
    let contact = text("contact", 200, &mut errs);
    let reason = text("reason", 1000, &mut errs);
    let motivation = text("motivation", 2000, &mut errs);
    if kind == "gesolliciteerd" {
        if channel.is_none() {
            errs.push(field_error(
                "channel",
                "Vul in hoe er is gesolliciteerd (bijvoorbeeld e-mail, website, telefoon).",
            ));
        }
        if contact.is_none() {
            errs.push(field_error(
                "contact",
                "Vul de contactpersoon bij de werkgever in.",
            ));
        }
    }
    if kind == "afgewezen" && reason.is_none() {
        errs.push(field_error("reason", "Vul de reden van de afwijzing in."));
    }
    if verdict == Verdict::Exclude && ["voorgesteld", "geplaatst", "detachering"].contains(&kind) {
        errs.push(field_error(
            "vacancy_id",
            "Deze vacature past niet bij de beperkingen van de kandidaat en kan niet worden voorgesteld of geplaatst.",
        ));
    }
    if verdict == Verdict::Signal && kind == "voorgesteld" && motivation.is_none() {
        errs.push(field_error(
            "motivation",
            "Deze vacature heeft aandachtspunten (navragen): leg in de motivatie vast wat is nagevraagd en waarom ze toch passend is.",
        ));
    }
    match (errs.is_empty(), on) {
        (true, Some(date)) => Ok(NewAction {
            vacancy_id,
            kind: kind.to_string(),
            date,
            channel,
            contact,
            reason,
            motivation,
        }),
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        Fields(
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        )
    }

    #[test]
    fn fml_form_round_trips_through_the_parser() {
        let res = crate::resources::Resources::embedded().unwrap();
        let cat = &res.catalogue;
        let base = "id = \"k-1\"\n";
        let lifting = cat.get("lifting").unwrap();
        let flags = cat
            .items()
            .iter()
            .find(|i| i.kind == ItemKind::Flags)
            .unwrap();
        let flag = flags.codes.iter().find(|c| c.value > 0).unwrap().value;
        let f = fields(&[
            ("fml_date", "2025-11-01"),
            ("item.lifting", &lifting.max_code().to_string()),
            ("note.lifting", "max 5 kg"),
            (&format!("flag.{}", flags.key), &flag.to_string()),
        ]);
        let text = apply_fml(base, &f, cat).unwrap();
        let c = parse_candidate(&text, cat).unwrap();
        assert_eq!(c.restrictions.len(), 2);
        assert_eq!(
            c.restriction("lifting").unwrap().note.as_deref(),
            Some("max 5 kg")
        );
        // a note without a code, an out-of-range code: a Dutch message per field
        let bad = fields(&[("item.lifting", "99"), ("note.carrying", "x")]);
        let e = apply_fml(base, &bad, cat).unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0].field, "item.lifting");
        assert!(e[1].message.contains("kies eerst een code"));
    }

    #[test]
    fn action_rules() {
        use crate::model::Verdict;
        let now = crate::parse_now("2025-11-20").unwrap();
        let ok = fields(&[
            ("vacancy_id", "v1"),
            ("kind", "gesolliciteerd"),
            ("date", "2025-11-19"),
            ("channel", "e-mail"),
            ("contact", "P. de Vries"),
        ]);
        assert!(validate_action(&ok, Verdict::Pass, now).is_ok());
        let missing = fields(&[
            ("vacancy_id", "v1"),
            ("kind", "gesolliciteerd"),
            ("date", "2025-12-19"),
        ]);
        let e = validate_action(&missing, Verdict::Pass, now).unwrap_err();
        let names: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(names, ["date", "channel", "contact"]);
        let signal = fields(&[
            ("vacancy_id", "v1"),
            ("kind", "voorgesteld"),
            ("date", "2025-11-19"),
        ]);
        assert_eq!(
            validate_action(&signal, Verdict::Signal, now).unwrap_err()[0].field,
            "motivation"
        );
        assert_eq!(
            validate_action(&signal, Verdict::Exclude, now).unwrap_err()[0].field,
            "vacancy_id"
        );
    }
}
