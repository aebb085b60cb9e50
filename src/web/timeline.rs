//! The Poortwachter timeline: from the first sick day (in) to the milestones with their due
//! dates and what is due as of "now" (out). Pure computation, no I/O.
//!
//! Week N of the sickness ends N weeks after the first sick day; a milestone "in week N" is due
//! by then (the Wet verbetering poortwachter counts weeks from the first sick day).

use chrono::{Duration, NaiveDate};
use serde::Serialize;

/// (week, what, who) of the Poortwachter milestones.
pub const MILESTONES: &[(i64, &str)] = &[
    (6, "Probleemanalyse door de bedrijfsarts"),
    (8, "Plan van aanpak opgesteld"),
    (42, "Ziekmelding bij UWV (42e-weeksmelding)"),
    (52, "Eerstejaarsevaluatie"),
    (58, "Spoor 2 gestart (uiterlijk)"),
    (88, "Brief van UWV over de WIA-aanvraag"),
    (91, "Re-integratieverslag (RIV) gereed"),
    (93, "WIA-aanvraag ingediend"),
];

/// How many weeks ahead a milestone counts as "binnenkort".
pub const SOON_WEEKS: i64 = 4;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Milestone {
    pub week: i64,
    pub label: String,
    pub due: NaiveDate,
    /// "verstreken", "binnenkort" or "later".
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    pub first_sick_day: NaiveDate,
    /// The current week of the sickness (1 = the first week).
    pub week: i64,
    pub milestones: Vec<Milestone>,
    /// The next milestone not yet past.
    pub next: Option<Milestone>,
}

pub fn timeline(first_sick_day: NaiveDate, today: NaiveDate) -> Timeline {
    let days = (today - first_sick_day).num_days();
    let week = if days < 0 { 0 } else { days / 7 + 1 };
    let milestones: Vec<Milestone> = MILESTONES
        .iter()
        .map(|(w, label)| {
            let due = first_sick_day + Duration::weeks(*w) - Duration::days(1);
            let status = if due < today {
                "verstreken"
            } else if due <= today + Duration::weeks(SOON_WEEKS) {
                "binnenkort"
            } else {
                "later"
            };
            Milestone {
                week: *w,
                label: label.to_string(),
                due,
                status: status.into(),
            }
        })
        .collect();
    let next = milestones
        .iter()
        .find(|m| m.status != "verstreken")
        .cloned();
    Timeline {
        first_sick_day,
        week,
        milestones,
        next,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weeks_and_due_dates() {
        // First sick day Monday 2025-01-13: week 52 ends Sunday 2026-01-11.
        let t = timeline(d("2025-01-13"), d("2025-12-20"));
        assert_eq!(t.week, 49);
        let w52 = t.milestones.iter().find(|m| m.week == 52).unwrap();
        assert_eq!(w52.due, d("2026-01-11"));
        assert_eq!(w52.status, "binnenkort");
        let w42 = t.milestones.iter().find(|m| m.week == 42).unwrap();
        assert_eq!(w42.status, "verstreken");
        let w93 = t.milestones.iter().find(|m| m.week == 93).unwrap();
        assert_eq!(w93.due, d("2026-10-25"));
        assert_eq!(w93.status, "later");
        assert_eq!(t.next.unwrap().week, 52);
    }

    #[test]
    fn first_day_is_week_one() {
        let t = timeline(d("2025-01-13"), d("2025-01-13"));
        assert_eq!(t.week, 1);
        assert_eq!(t.next.unwrap().week, 6);
        let t = timeline(d("2025-01-13"), d("2025-01-20"));
        assert_eq!(t.week, 2);
    }
}
