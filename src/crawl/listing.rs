//! Sites without structured data: a listing page with links to detail pages, read with CSS
//! selectors from the source's config (`[source.selectors]`).
//!
//! A listing page's HTML goes in and detail-page URLs (plus the next listing page) come out;
//! a detail page's HTML goes in and one [`Posting`] comes out, or a reason why not. Pure
//! functions; bad selectors are caught when the config is loaded ([`Selectors::check`]).

use scraper::{ElementRef, Html, Selector};
use serde::{Deserialize, Serialize};

use crate::model::Posting;
use crate::posting::parse_date;

/// CSS selectors of a `listing` source. Only `links` and `title` are required.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Selectors {
    /// On the listing page: the links (or cards containing a link) to detail pages.
    pub links: String,
    /// On the listing page: the link to the next listing page.
    #[serde(default)]
    pub next: Option<String>,
    /// On a detail page.
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub employer: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub postal_code: Option<String>,
    #[serde(default)]
    pub hours: Option<String>,
    #[serde(default)]
    pub employment_type: Option<String>,
    #[serde(default)]
    pub date_posted: Option<String>,
    #[serde(default)]
    pub valid_through: Option<String>,
    /// A stable id on the page (e.g. a reference number); default: the page URL.
    #[serde(default)]
    pub id: Option<String>,
}

impl Selectors {
    /// Every selector parses; the error names the key.
    pub fn check(&self) -> Result<(), String> {
        let all = [
            ("links", Some(&self.links)),
            ("next", self.next.as_ref()),
            ("title", Some(&self.title)),
            ("description", self.description.as_ref()),
            ("employer", self.employer.as_ref()),
            ("location", self.location.as_ref()),
            ("postal_code", self.postal_code.as_ref()),
            ("hours", self.hours.as_ref()),
            ("employment_type", self.employment_type.as_ref()),
            ("date_posted", self.date_posted.as_ref()),
            ("valid_through", self.valid_through.as_ref()),
            ("id", self.id.as_ref()),
        ];
        for (key, sel) in all {
            if let Some(s) = sel {
                Selector::parse(s)
                    .map_err(|e| format!("selectors.{key} = `{s}` is not a CSS selector: {e}"))?;
            }
        }
        Ok(())
    }
}

/// Detail-page links and the next listing page of one listing page.
pub fn listing_links(html: &str, page_url: &str, sel: &Selectors) -> (Vec<String>, Option<String>) {
    let links = super::extract::links(html, page_url, Some(&sel.links));
    let next = sel.next.as_deref().and_then(|n| {
        super::extract::links(html, page_url, Some(n))
            .into_iter()
            .find(|u| u != page_url)
    });
    (links, next)
}

fn first_text(doc: &Html, sel: Option<&str>) -> Option<String> {
    let s = Selector::parse(sel?).ok()?;
    let el = doc.select(&s).next()?;
    let v = el
        .value()
        .attr("content")
        .or_else(|| el.value().attr("datetime"))
        .map(str::to_string)
        .unwrap_or_else(|| text(el));
    let v = v.trim().to_string();
    (!v.is_empty()).then_some(v)
}

fn text(el: ElementRef) -> String {
    el.text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// One posting from a detail page.
pub fn detail(
    html: &str,
    page_url: &str,
    sel: &Selectors,
    employer: Option<&str>,
) -> Result<Posting, String> {
    let doc = Html::parse_document(html);
    let title =
        first_text(&doc, Some(&sel.title)).ok_or_else(|| format!("no title at `{}`", sel.title))?;
    let description = sel
        .description
        .as_deref()
        .and_then(|d| Selector::parse(d).ok())
        .map(|s| {
            doc.select(&s)
                .map(|e| e.inner_html())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    Ok(Posting {
        id: first_text(&doc, sel.id.as_deref()).unwrap_or_else(|| page_url.to_string()),
        url: Some(page_url.to_string()),
        title,
        description,
        employer: first_text(&doc, sel.employer.as_deref())
            .or_else(|| employer.map(str::to_string)),
        locality: first_text(&doc, sel.location.as_deref()),
        postal_code: first_text(&doc, sel.postal_code.as_deref()),
        work_hours: first_text(&doc, sel.hours.as_deref()),
        employment_type: first_text(&doc, sel.employment_type.as_deref())
            .map(|t| vec![t])
            .unwrap_or_default(),
        date_posted: first_text(&doc, sel.date_posted.as_deref()).and_then(|d| parse_date(&d)),
        valid_through: first_text(&doc, sel.valid_through.as_deref()).and_then(|d| parse_date(&d)),
        ..Default::default()
    })
}
