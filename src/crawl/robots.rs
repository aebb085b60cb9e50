//! robots.txt: which paths our user agent may fetch and how long to wait between requests.
//!
//! Groups are matched on the product token of our User-Agent (case-insensitive), falling back
//! to `*`. Allow/Disallow use the longest match, Allow winning ties; `*` and `$` wildcards are
//! supported as in RFC 9309. `Crawl-delay` is honoured (it is not in the RFC, but Dutch sites use it).

/// One group of robots.txt: (user agents, (allow?, pattern) rules, crawl delay).
type Group = (Vec<String>, Vec<(bool, String)>, Option<f64>);

#[derive(Debug, Clone, Default)]
pub struct Robots {
    rules: Vec<(bool, String)>,
    pub crawl_delay: Option<f64>,
    pub sitemaps: Vec<String>,
    deny_everything: bool,
}

impl Robots {
    pub fn allow_all() -> Robots {
        Robots::default()
    }

    pub fn deny_all() -> Robots {
        Robots {
            deny_everything: true,
            ..Default::default()
        }
    }

    /// True for the stand-in used when robots.txt could not be fetched (5xx, unreachable).
    pub fn unavailable(&self) -> bool {
        self.deny_everything
    }

    pub fn parse(text: &str, user_agent: &str) -> Robots {
        let token = user_agent
            .split('/')
            .next()
            .unwrap_or(user_agent)
            .trim()
            .to_lowercase();
        let mut groups: Vec<Group> = vec![];
        let mut sitemaps = vec![];
        let mut last_was_agent = false;
        for raw in text.lines() {
            let line = raw.split('#').next().unwrap_or("").trim();
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            let (k, v) = (k.trim().to_lowercase(), v.trim().to_string());
            match k.as_str() {
                "user-agent" => {
                    if !last_was_agent {
                        groups.push((vec![], vec![], None));
                    }
                    if let Some(g) = groups.last_mut() {
                        g.0.push(v.to_lowercase());
                    }
                    last_was_agent = true;
                }
                "allow" | "disallow" => {
                    last_was_agent = false;
                    if let Some(g) = groups.last_mut()
                        && !(k == "disallow" && v.is_empty())
                    {
                        g.1.push((k == "allow", v));
                    }
                }
                "crawl-delay" => {
                    last_was_agent = false;
                    if let Some(g) = groups.last_mut() {
                        g.2 = v.parse::<f64>().ok().filter(|d| *d >= 0.0 && *d < 3600.0);
                    }
                }
                "sitemap" => sitemaps.push(v),
                _ => last_was_agent = false,
            }
        }
        let specific: Vec<_> = groups
            .iter()
            .filter(|g| g.0.iter().any(|a| a != "*" && token.contains(a.as_str())))
            .collect();
        let chosen: Vec<_> = if specific.is_empty() {
            groups
                .iter()
                .filter(|g| g.0.iter().any(|a| a == "*"))
                .collect()
        } else {
            specific
        };
        let mut r = Robots {
            sitemaps,
            ..Default::default()
        };
        for g in chosen {
            r.rules.extend(g.1.iter().cloned());
            r.crawl_delay = r.crawl_delay.or(g.2);
        }
        r
    }

    pub fn allowed(&self, path: &str, query: Option<&str>) -> bool {
        if self.deny_everything {
            return false;
        }
        let target = match query {
            Some(q) => format!("{path}?{q}"),
            None => path.to_string(),
        };
        let mut best: Option<(usize, bool)> = None;
        for (allow, pattern) in &self.rules {
            if matches(pattern, &target) {
                let len = pattern.len();
                match best {
                    Some((l, a)) if l > len || (l == len && a) => {}
                    _ => best = Some((len, *allow)),
                }
            }
        }
        best.map(|(_, a)| a).unwrap_or(true)
    }
}

/// Robots pattern match: `*` any sequence, `$` end anchor, otherwise a prefix match.
fn matches(pattern: &str, target: &str) -> bool {
    let anchored = pattern.ends_with('$');
    let pat = pattern.trim_end_matches('$');
    let parts: Vec<&str> = pat.split('*').collect();
    let mut pos = 0;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            if !target.starts_with(part) {
                return false;
            }
            pos = part.len();
        } else {
            match target[pos..].find(part) {
                Some(j) => pos += j + part.len(),
                None => return false,
            }
        }
    }
    !anchored || pos == target.len() || (parts.len() > 1 && parts.last() == Some(&""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_wildcards_and_delay() {
        let r = Robots::parse(
            "User-agent: *\nDisallow: /zoeken\nDisallow: /*?sessionid=\nAllow: /zoeken/vacatures\nCrawl-delay: 2\nSitemap: https://x/sitemap.xml\n\nUser-agent: BadBot\nDisallow: /\n",
            "passend/0.1",
        );
        assert!(r.allowed("/vacature/1", None));
        assert!(!r.allowed("/zoeken", Some("q=x")));
        assert!(r.allowed("/zoeken/vacatures", None));
        assert!(!r.allowed("/a", Some("sessionid=1")));
        assert_eq!(r.crawl_delay, Some(2.0));
        assert_eq!(r.sitemaps, vec!["https://x/sitemap.xml"]);
        let bad = Robots::parse("User-agent: BadBot\nDisallow: /\n", "BadBot/1.0");
        assert!(!bad.allowed("/vacature/1", None));
        assert!(Robots::parse("User-agent: *\nDisallow: /*.pdf$\n", "p").allowed("/a.pdfx", None));
    }
}
