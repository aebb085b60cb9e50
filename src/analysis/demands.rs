//! FML demands of a vacancy, read from its text by rules kept as data.
//!
//! Rules come from `config/demand_rules.tsv` (phrase pattern → FML item → threshold),
//! `config/negation_cues.tsv` and `config/occupation_demands.tsv` (demands implied by the
//! occupation itself). Sentences go in; [`Demand`]s with a literal evidence span come out.
//! A stated absence ("geen zwaar tilwerk", suppress rules such as "licht werk") beats a
//! demand that is only implied by the occupation; explicit text beats implication.

use std::collections::BTreeMap;

use regex::Regex;

use super::text::Sentence;
use crate::fml::{Catalogue, ItemKind};
use crate::model::{Basis, Demand, Threshold};

#[derive(Debug, Clone)]
enum Action {
    From(u8),
    Flags(Vec<u8>),
    /// The pattern captures kilos in group `kg`.
    Kg,
    /// The text shows the item is not demanded.
    Suppress,
}

#[derive(Debug, Clone)]
struct Rule {
    item: String,
    action: Action,
    re: Regex,
}

#[derive(Debug, Clone)]
struct Implied {
    isco_prefix: String,
    item: String,
    action: Action,
}

/// Prefix literals of every rule (regex-syntax's literal extractor), for an Aho–Corasick
/// prefilter. A rule whose prefixes are not a finite set of literals of 3+ bytes always runs.
/// (Measured history: one RegexSet of 215 rules thrashed its lazy DFA; 11 sets of 20 were 15x
/// faster; this prefilter replaces the sets.)
#[allow(clippy::type_complexity)]
fn prefilter(
    rules: &[Rule],
) -> anyhow::Result<(aho_corasick::AhoCorasick, Vec<Vec<usize>>, Vec<usize>)> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let mut literal_index: std::collections::HashMap<Vec<u8>, usize> = Default::default();
    let mut literals: Vec<Vec<u8>> = vec![];
    let mut keyword_rules: Vec<Vec<usize>> = vec![];
    let mut always = vec![];
    for (i, r) in rules.iter().enumerate() {
        let hir = regex_syntax::ParserBuilder::new()
            .build()
            .parse(r.re.as_str());
        let seq = hir.ok().map(|h| {
            let mut ex = Extractor::new();
            ex.kind(ExtractKind::Prefix)
                .limit_total(2_000)
                .limit_class(40);
            ex.extract(&h)
        });
        let lits: Option<Vec<Vec<u8>>> = seq
            .as_ref()
            .and_then(|s| s.literals())
            .map(|ls| ls.iter().map(|l| l.as_bytes().to_vec()).collect());
        match lits {
            Some(ls) if !ls.is_empty() && ls.iter().all(|l| l.len() >= 3) => {
                for l in ls {
                    let k = *literal_index.entry(l.clone()).or_insert_with(|| {
                        literals.push(l);
                        keyword_rules.push(vec![]);
                        literals.len() - 1
                    });
                    keyword_rules[k].push(i);
                }
            }
            _ => always.push(i),
        }
    }
    let keywords = aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::Standard)
        .build(&literals)?;
    Ok((keywords, keyword_rules, always))
}

/// Heavier than this many kilos is not a person lifting; the number is ignored with a warning.
const ABSURD_KG: f64 = 60.0;

#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<Rule>,
    /// Keyword prefilter: every match of a rule starts with one of its prefix literals, so a
    /// sentence only runs the rules whose literals occur in it (plus the rules without a
    /// finite literal set, in `always`).
    keywords: aho_corasick::AhoCorasick,
    /// keyword index → rules that have it as a prefix literal
    keyword_rules: Vec<Vec<usize>>,
    always: Vec<usize>,
    before: Vec<String>,
    after: Vec<String>,
    implied: Vec<Implied>,
}

fn parse_action(s: &str, item: &str, kind: ItemKind, origin: &str) -> anyhow::Result<Action> {
    let s = s.trim();
    let a = if s == "kg" {
        Action::Kg
    } else if s == "none" {
        Action::Suppress
    } else if let Some(f) = s.strip_prefix("f:") {
        let flags: Result<Vec<u8>, _> = f.split(',').map(|x| x.trim().parse::<u8>()).collect();
        Action::Flags(flags.map_err(|_| anyhow::anyhow!("{origin}: bad flags `{s}`"))?)
    } else {
        Action::From(s.parse().map_err(|_| {
            anyhow::anyhow!("{origin}: bad threshold `{s}`; write a code, f:1,2, kg or none")
        })?)
    };
    match (&a, kind) {
        (Action::Flags(_), ItemKind::Flags)
        | (Action::From(_), ItemKind::Ordinal | ItemKind::Enum) => {}
        (Action::Kg | Action::Suppress, _) => {}
        _ => anyhow::bail!("{origin}: threshold `{s}` does not fit item `{item}` ({kind:?})"),
    }
    Ok(a)
}

impl RuleSet {
    pub fn parse(
        rules_tsv: &str,
        negations_tsv: &str,
        implied_tsv: &str,
        cat: &Catalogue,
    ) -> anyhow::Result<RuleSet> {
        let mut rules = vec![];
        for (n, line) in rules_tsv.lines().enumerate() {
            let origin = format!("demand_rules.tsv line {}", n + 1);
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            if cols[0] == "item" {
                continue;
            }
            if cols.len() < 3 {
                anyhow::bail!("{origin}: needs item, exclude and pattern separated by tabs");
            }
            let item = cols[0].trim();
            let Some(fml) = cat.get(item) else {
                anyhow::bail!("{origin}: unknown FML item `{item}`");
            };
            let action = parse_action(cols[1], item, fml.kind, &origin)?;
            // Word boundaries are ASCII: a Unicode \b keeps the fast lazy DFA from running on
            // text with accents or curly quotes (nearly every Dutch vacancy), which made rule
            // matching ~50x slower. Letters with accents count as non-word characters here.
            let pattern = cols[2].trim().replace("\\b", "(?-u:\\b)");
            let re = regex::RegexBuilder::new(&pattern)
                .dfa_size_limit(16 * 1024 * 1024)
                .build()
                .map_err(|e| anyhow::anyhow!("{origin}: bad pattern: {e}"))?;
            if matches!(action, Action::Kg) && !re.capture_names().any(|c| c == Some("kg")) {
                anyhow::bail!("{origin}: a kg rule needs a named group (?P<kg>...)");
            }
            rules.push(Rule {
                item: item.to_string(),
                action,
                re,
            });
        }
        let (keywords, keyword_rules, always) = prefilter(&rules)?;
        let (mut before, mut after) = (vec![], vec![]);
        for line in negations_tsv.lines() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            if cols[0] == "cue" {
                continue;
            }
            let cue = cols[0].trim().to_lowercase();
            match cols.get(1).map(|s| s.trim()) {
                Some("after") => after.push(cue),
                Some("both") => {
                    before.push(cue.clone());
                    after.push(cue)
                }
                _ => before.push(cue),
            }
        }
        let mut implied = vec![];
        for (n, line) in implied_tsv.lines().enumerate() {
            let origin = format!("occupation_demands.tsv line {}", n + 1);
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            if cols[0] == "isco" {
                continue;
            }
            if cols.len() < 3 {
                anyhow::bail!("{origin}: needs isco, item and exclude");
            }
            let item = cols[1].trim();
            let Some(fml) = cat.get(item) else {
                anyhow::bail!("{origin}: unknown FML item `{item}`");
            };
            implied.push(Implied {
                isco_prefix: cols[0].trim().to_string(),
                item: item.to_string(),
                action: parse_action(cols[2], item, fml.kind, &origin)?,
            });
        }
        Ok(RuleSet {
            rules,
            keywords,
            keyword_rules,
            always,
            before,
            after,
            implied,
        })
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// How many rules run on every sentence (no keyword prefilter possible).
    pub fn unfiltered(&self) -> usize {
        self.always.len()
    }

    /// Is the match at `start..end` of this sentence negated?
    fn negated(&self, s: &str, start: usize, end: usize) -> bool {
        // the clause before the match: up to 6 words, not across a comma or "maar"/"wel"
        let head = &s[..start];
        let clause_start = [",", " maar ", " wel ", " echter ", "(", ":"]
            .iter()
            .filter_map(|p| head.rfind(p).map(|i| i + p.len()))
            .max()
            .unwrap_or(0);
        let words: Vec<&str> = head[clause_start..].split_whitespace().collect();
        let window = words[words.len().saturating_sub(6)..].join(" ");
        let window = format!(" {window} ");
        if self
            .before
            .iter()
            .any(|cue| window.contains(&format!(" {cue} ")))
        {
            return true;
        }
        let tail = &s[end..];
        let tail_end = [",", ".", " maar ", " wel ", ";"]
            .iter()
            .filter_map(|p| tail.find(p))
            .min()
            .unwrap_or(tail.len());
        let words: Vec<&str> = tail[..tail_end].split_whitespace().take(5).collect();
        let window = format!(" {} ", words.join(" "));
        self.after
            .iter()
            .any(|cue| window.contains(&format!(" {cue} ")))
    }

    /// Demands stated in the text, plus the items whose absence the text states.
    pub fn explicit(
        &self,
        text: &str,
        sentences: &[Sentence],
        warnings: &mut Vec<String>,
    ) -> (Vec<Demand>, Vec<String>) {
        let mut found: BTreeMap<String, Demand> = BTreeMap::new();
        let mut suppressed: Vec<String> = vec![];
        for s in sentences {
            let mut hits: Vec<usize> = self.always.clone();
            for m in self.keywords.find_overlapping_iter(&s.lower) {
                hits.extend(&self.keyword_rules[m.pattern().as_usize()]);
            }
            hits.sort_unstable();
            hits.dedup();
            for i in hits {
                let rule = &self.rules[i];
                // capture groups cost an NFA search; only weight rules need one
                let matches: Vec<(usize, usize, Option<&str>)> =
                    if matches!(rule.action, Action::Kg) {
                        rule.re
                            .captures_iter(&s.lower)
                            .map(|c| {
                                let m = c.get(0).expect("group 0");
                                (m.start(), m.end(), c.name("kg").map(|k| k.as_str()))
                            })
                            .collect()
                    } else {
                        rule.re
                            .find_iter(&s.lower)
                            .map(|m| (m.start(), m.end(), None))
                            .collect()
                    };
                for (m_start, m_end, kg_text) in matches {
                    let negated = self.negated(&s.lower, m_start, m_end);
                    let threshold = match &rule.action {
                        Action::Suppress => {
                            if !negated && !suppressed.contains(&rule.item) {
                                suppressed.push(rule.item.clone());
                            }
                            continue;
                        }
                        _ if negated => {
                            if !suppressed.contains(&rule.item) {
                                suppressed.push(rule.item.clone());
                            }
                            continue;
                        }
                        Action::From(n) => Threshold::From { exclude_from: *n },
                        Action::Flags(f) => Threshold::Flags {
                            exclude_flags: f.clone(),
                        },
                        Action::Kg => {
                            let kg: f64 = kg_text
                                .and_then(|k| k.replace(',', ".").parse().ok())
                                .unwrap_or(0.0);
                            if kg > ABSURD_KG {
                                warnings.push(format!(
                                    "onwaarschijnlijk gewicht genegeerd ({kg} kg) bij {}",
                                    rule.item
                                ));
                                continue;
                            }
                            if kg <= 0.0 {
                                continue;
                            }
                            Threshold::From {
                                exclude_from: kg_threshold(kg),
                            }
                        }
                    };
                    let evidence = evidence_span(text, s, m_start, m_end);
                    merge(
                        &mut found,
                        Demand {
                            item: rule.item.clone(),
                            threshold,
                            evidence,
                            basis: Basis::Explicit,
                        },
                    );
                }
            }
        }
        (found.into_values().collect(), suppressed)
    }

    /// Demands implied by the occupation `isco`, for items the text did not settle.
    pub fn implied(&self, isco: &str, title: &str, settled: &[String]) -> Vec<Demand> {
        let mut found: BTreeMap<String, Demand> = BTreeMap::new();
        // the most specific prefix per item wins
        let mut best: BTreeMap<&str, (usize, &Implied)> = BTreeMap::new();
        for imp in &self.implied {
            if isco.starts_with(&imp.isco_prefix) && !settled.contains(&imp.item) {
                let len = imp.isco_prefix.len();
                let e = best.entry(imp.item.as_str()).or_insert((len, imp));
                if len > e.0 {
                    *e = (len, imp);
                }
            }
        }
        for imp in self.implied.iter().filter(|i| {
            best.get(i.item.as_str())
                .is_some_and(|(len, _)| *len == i.isco_prefix.len())
                && isco.starts_with(&i.isco_prefix)
        }) {
            let threshold = match &imp.action {
                Action::From(n) => Threshold::From { exclude_from: *n },
                Action::Flags(f) => Threshold::Flags {
                    exclude_flags: f.clone(),
                },
                _ => continue,
            };
            merge(
                &mut found,
                Demand {
                    item: imp.item.clone(),
                    threshold,
                    evidence: title.to_string(),
                    basis: Basis::Implied,
                },
            );
        }
        found.into_values().collect()
    }
}

/// FML lifting/carrying anchors: code 0 ≈ 15 kg, 1 ≈ 10 kg, 2 ≈ 5 kg, 3 ≈ 2 kg. A load above
/// 15 kg is beyond the reference value, so even code 1 is excluded; 5–15 kg excludes from 2.
pub fn kg_threshold(kg: f64) -> u8 {
    if kg > 15.0 {
        1
    } else if kg > 5.0 {
        2
    } else {
        3
    }
}

/// Keep the strictest threshold per item; flags are united. The evidence of the strictest wins.
fn merge(found: &mut BTreeMap<String, Demand>, d: Demand) {
    match found.get_mut(&d.item) {
        None => {
            found.insert(d.item.clone(), d);
        }
        Some(old) => match (&mut old.threshold, &d.threshold) {
            (Threshold::From { exclude_from: a }, Threshold::From { exclude_from: b })
                if *b < *a =>
            {
                *a = *b;
                old.evidence = d.evidence;
            }
            (Threshold::Flags { exclude_flags: a }, Threshold::Flags { exclude_flags: b }) => {
                let before = a.len();
                for f in b {
                    if !a.contains(f) {
                        a.push(*f);
                    }
                }
                a.sort_unstable();
                if a.len() > before {
                    old.evidence = d.evidence;
                }
            }
            _ => {}
        },
    }
}

/// The evidence: the clause of the sentence around the match (at most ~14 words each side),
/// a literal slice of the clean text.
fn evidence_span(text: &str, s: &Sentence, mstart: usize, mend: usize) -> String {
    let sent = &text[s.start..s.end];
    let (ms, me) = (mstart.min(sent.len()), mend.min(sent.len()));
    let mut start = 0;
    let mut words = 0;
    for (i, c) in sent[..ms].char_indices().rev() {
        if c == ' ' {
            words += 1;
            if words > 14 {
                start = i + 1;
                break;
            }
        }
    }
    let mut end = sent.len();
    let mut words = 0;
    for (i, c) in sent[me..].char_indices() {
        if c == ' ' {
            words += 1;
            if words > 14 {
                end = me + i;
                break;
            }
        }
    }
    sent[start..end].trim().trim_start_matches("• ").to_string()
}
