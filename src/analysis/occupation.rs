//! Occupation: which ISCO-08 unit group a vacancy is, from its title (and its text).
//!
//! The vocabulary (`config/occupations.tsv`, plus ESCO/CompetentNL labels after
//! `passend taxonomy import`) maps Dutch job titles and synonyms to ISCO codes. A title is
//! normalised the way Dutch ads need it — gender markers ("m/v/x"), seniority, hours and places
//! in brackets, "medewerker X" ↔ "X-medewerker", compounds ("heftruckchauffeur" → head
//! "chauffeur") — then matched exactly, by compound head, and fuzzily (strsim). Mentions of
//! vocabulary titles in the description add context. Out come ranked [`OccupationGuess`]es.

use std::collections::{BTreeMap, HashMap};

use crate::geo::fold;
use crate::model::OccupationGuess;

#[derive(Debug, Clone)]
pub struct Vocabulary {
    /// normalised title → isco codes (with weight)
    terms: HashMap<String, Vec<(String, f64)>>,
    /// terms by their last word, for compound/suffix matching
    longest: usize,
    labels: BTreeMap<String, String>,
    /// single-word terms, for fuzzy matching
    single: Vec<String>,
    /// word → multi-word terms containing it, for word-overlap matching
    by_word: HashMap<String, Vec<String>>,
    /// in how many terms each word occurs (for IDF weights)
    word_df: HashMap<String, usize>,
    /// neighbouring unit groups (both ways), from config/related_occupations.tsv
    related: HashMap<String, Vec<String>>,
}

/// Words that say nothing about the occupation.
const NOISE: &[&str] = &[
    "m",
    "v",
    "x",
    "mv",
    "mvx",
    "vm",
    "mw",
    "h",
    "f",
    "hf",
    "senior",
    "junior",
    "medior",
    "ervaren",
    "startende",
    "starter",
    "leerling",
    "stagiair",
    "stage",
    "trainee",
    "allround",
    "all",
    "round",
    "zelfstandig",
    "zelfstandige",
    "fulltime",
    "parttime",
    "voltijds",
    "deeltijds",
    "vast",
    "tijdelijk",
    "uur",
    "uren",
    "per",
    "week",
    "vacature",
    "gezocht",
    "wij",
    "zoeken",
    "een",
    "de",
    "het",
    "en",
    "in",
    "te",
    "voor",
    "of",
    "met",
    "op",
    "bij",
    "nl",
    "be",
    "regio",
    "omgeving",
    "fte",
    "u",
    "dringend",
    "bijbaan",
    "weekend",
    "avond",
    "dag",
    "nacht",
    "flexibel",
    "flex",
    "ook",
    "geschikt",
    "als",
    "job",
    "jobs",
    "enthousiaste",
    "enthousiast",
    "gemotiveerde",
    "ervaren",
    "hulp",
    "nieuw",
    "nieuwe",
    "directe",
    "direct",
    "ii",
    "iii",
    "i",
    "a",
    "b",
    "c",
    "1",
    "2",
    "3",
];

impl Vocabulary {
    pub fn parse(occupations_tsv: &str, labels_tsv: &str) -> anyhow::Result<Vocabulary> {
        let mut v = Vocabulary {
            terms: HashMap::new(),
            longest: 1,
            labels: BTreeMap::new(),
            single: vec![],
            by_word: HashMap::new(),
            word_df: HashMap::new(),
            related: HashMap::new(),
        };
        for line in labels_tsv.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut c = line.split('\t');
            if let (Some(code), Some(label)) = (c.next(), c.next())
                && code.trim() != "code"
            {
                v.labels
                    .insert(code.trim().to_string(), label.trim().to_string());
            }
        }
        for (n, line) in occupations_tsv.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            if cols[0] == "isco" {
                continue;
            }
            if cols.len() < 2 || !crate::candidate::valid_isco(cols[0].trim()) {
                anyhow::bail!(
                    "occupations.tsv line {}: needs a 4-digit isco and a title",
                    n + 1
                );
            }
            let weight = cols
                .get(3)
                .and_then(|w| w.trim().parse().ok())
                .unwrap_or(1.0);
            let isco = cols[0].trim();
            v.add(cols[1], isco, weight);
            if let Some(syn) = cols.get(2) {
                for s in syn.split('|') {
                    v.add(s, isco, weight);
                }
            }
            v.labels
                .entry(isco.to_string())
                .or_insert_with(|| cols[1].trim().to_string());
        }
        v.single.sort();
        v.single.dedup();
        Ok(v)
    }

    /// Add one title (from config or an import). Returns false when it normalises to nothing.
    pub fn add(&mut self, title: &str, isco: &str, weight: f64) -> bool {
        let key = normalise_title(title);
        if key.is_empty() {
            return false;
        }
        let words = key.split(' ').count();
        self.longest = self.longest.max(words);
        if words == 1 && key.len() >= 5 {
            self.single.push(key.clone());
        }
        if !self.terms.contains_key(&key) {
            for w in key.split(' ') {
                *self.word_df.entry(w.to_string()).or_insert(0) += 1;
                if words > 1 {
                    self.by_word
                        .entry(w.to_string())
                        .or_default()
                        .push(key.clone());
                }
            }
        }
        let list = self.terms.entry(key).or_default();
        if !list.iter().any(|(c, _)| c == isco) {
            list.push((isco.to_string(), weight));
        }
        true
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// Read neighbouring occupations (`isco<TAB>related`), used both ways.
    pub fn add_related(&mut self, tsv: &str) {
        for line in tsv.lines() {
            if line.starts_with('#') || line.starts_with("isco\t") {
                continue;
            }
            let mut c = line.split('\t');
            if let (Some(a), Some(b)) = (c.next(), c.next()) {
                let (a, b) = (a.trim(), b.trim());
                if crate::candidate::valid_isco(a) && crate::candidate::valid_isco(b) {
                    self.related
                        .entry(a.to_string())
                        .or_default()
                        .push(b.to_string());
                    self.related
                        .entry(b.to_string())
                        .or_default()
                        .push(a.to_string());
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn label(&self, isco: &str) -> String {
        self.labels
            .get(isco)
            .cloned()
            .unwrap_or_else(|| format!("ISCO {isco}"))
    }

    pub fn known_group(&self, isco: &str) -> bool {
        self.labels.contains_key(isco)
    }

    /// All titles of an ISCO code (for the web UI and the index synonyms).
    pub fn titles_of(&self, isco: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .terms
            .iter()
            .filter(|(_, codes)| codes.iter().any(|(c, _)| c == isco))
            .map(|(t, _)| t.clone())
            .collect();
        v.sort();
        v
    }

    /// The codes a title maps to exactly (after normalisation).
    pub fn exact_codes(&self, title: &str) -> Vec<String> {
        self.terms
            .get(&normalise_title(title))
            .map(|v| v.iter().map(|(c, _)| c.clone()).collect())
            .unwrap_or_default()
    }

    fn exact(&self, term: &str) -> Option<&Vec<(String, f64)>> {
        self.terms.get(term)
    }

    /// Rank occupations for a title and description.
    pub fn classify(&self, title: &str, description: &str) -> Vec<OccupationGuess> {
        let mut scores: HashMap<String, f64> = HashMap::new();
        let bump = |codes: &Vec<(String, f64)>, s: f64, scores: &mut HashMap<String, f64>| {
            let share = 1.0 / codes.len() as f64;
            for (c, w) in codes {
                let v = s * w * (0.6 + 0.4 * share);
                let e = scores.entry(c.clone()).or_insert(0.0);
                if v > *e {
                    *e = v;
                }
            }
        };
        // title variants: the whole title and its parts split at - | / , ( :
        let mut variants = vec![title.to_string()];
        for sep in [" - ", " – ", "|", "/", ",", "(", ":", " – "] {
            if title.contains(sep) {
                variants.extend(title.split(sep).map(str::to_string));
            }
        }
        let full = normalise_title(title);
        let full_len = full.split(' ').filter(|w| !w.is_empty()).count().max(1);
        for (vi, variant) in variants.iter().enumerate() {
            let norm = normalise_title(variant);
            if norm.is_empty() {
                continue;
            }
            let part_penalty = if vi == 0 { 1.0 } else { 0.95 };
            let words: Vec<&str> = norm.split(' ').collect();
            // exact n-grams, longest first
            for n in (1..=words.len().min(self.longest.max(1))).rev() {
                for w in words.windows(n) {
                    let gram = w.join(" ");
                    if let Some(codes) = self.exact(&gram) {
                        let coverage = n as f64 / full_len as f64;
                        bump(
                            codes,
                            part_penalty * (0.7 + 0.3 * coverage.min(1.0)),
                            &mut scores,
                        );
                    }
                    if n == 2 {
                        // "medewerker magazijn" ↔ "magazijnmedewerker"; "productie medewerker"
                        for joined in [format!("{}{}", w[1], w[0]), format!("{}{}", w[0], w[1])] {
                            if let Some(codes) = self.exact(&joined) {
                                bump(codes, part_penalty * 0.92, &mut scores);
                            }
                        }
                    }
                }
            }
            // compound heads: "vrachtwagenchauffeur" ends in a known title
            for w in &words {
                if w.len() < 7 || self.exact(w).is_some() {
                    continue;
                }
                for cut in 2..w.len().saturating_sub(3) {
                    if !w.is_char_boundary(cut) {
                        continue;
                    }
                    let head = &w[cut..];
                    if head.len() < 4 {
                        break;
                    }
                    if let Some(codes) = self.exact(head) {
                        let share = head.len() as f64 / w.len() as f64;
                        bump(codes, part_penalty * (0.45 + 0.3 * share), &mut scores);
                        break;
                    }
                }
            }
            // fuzzy: misspellings and inflections of single-word titles
            for w in &words {
                if w.len() < 6 || self.exact(w).is_some() {
                    continue;
                }
                let mut best: Option<(f64, &String)> = None;
                for t in &self.single {
                    if (t.len() as isize - w.len() as isize).abs() > 3
                        || t.as_bytes()[0] != w.as_bytes()[0]
                    {
                        continue;
                    }
                    let sim = strsim::jaro_winkler(w, t);
                    if sim >= 0.93 && best.is_none_or(|(b, _)| sim > b) {
                        best = Some((sim, t));
                    }
                }
                if let Some((sim, t)) = best
                    && let Some(codes) = self.exact(t)
                {
                    bump(codes, part_penalty * 0.75 * sim, &mut scores);
                }
            }
        }
        // word overlap with multi-word titles ("social media expert" ~ "social media specialist"),
        // weighted by how rare the shared words are; only when nothing matched exactly
        if scores.values().all(|s| *s < 0.6) {
            let words: Vec<&str> = full.split(' ').filter(|w| !w.is_empty()).collect();
            let n_terms = self.terms.len().max(1) as f64;
            let idf = |w: &str| {
                (n_terms / (1.0 + *self.word_df.get(w).unwrap_or(&0) as f64))
                    .ln()
                    .max(0.1)
            };
            let mut seen: std::collections::HashSet<&String> = std::collections::HashSet::new();
            for w in &words {
                for term in self.by_word.get(*w).into_iter().flatten() {
                    if !seen.insert(term) {
                        continue;
                    }
                    let tw: Vec<&str> = term.split(' ').collect();
                    let shared: f64 = tw
                        .iter()
                        .filter(|x| words.contains(x))
                        .map(|x| idf(x))
                        .sum();
                    let union: f64 = tw
                        .iter()
                        .chain(words.iter().filter(|x| !tw.contains(x)))
                        .map(|x| idf(x))
                        .sum();
                    let wj = if union > 0.0 { shared / union } else { 0.0 };
                    if wj >= 0.45
                        && let Some(codes) = self.exact(term)
                    {
                        bump(codes, 0.4 + 0.4 * wj, &mut scores);
                    }
                }
            }
        }
        // context: vocabulary titles in the first part of the description
        if !description.is_empty() {
            let head: String = description.chars().take(1500).collect();
            let norm = normalise_title(&head);
            let words: Vec<&str> = norm.split(' ').collect();
            let mut ctx: HashMap<String, f64> = HashMap::new();
            for n in 1..=self.longest.min(3) {
                for w in words.windows(n) {
                    let gram = w.join(" ");
                    if gram.len() < 5 {
                        continue;
                    }
                    if let Some(codes) = self.exact(&gram) {
                        for (c, _) in codes {
                            *ctx.entry(c.clone()).or_insert(0.0) += 0.08 / codes.len() as f64;
                        }
                    }
                }
            }
            let title_found = !scores.is_empty();
            for (c, v) in ctx {
                let add = v.min(0.25);
                let e = scores.entry(c).or_insert(0.0);
                if *e > 0.0 {
                    *e += add;
                } else if !title_found {
                    *e = add * 1.6;
                } else {
                    *e = add * 0.8;
                }
            }
        }
        let mut ranked: Vec<(String, f64)> =
            scores.into_iter().filter(|(_, s)| *s > 0.05).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        // fewer than three guesses: add the best guess's neighbours, low-scored
        if let Some((top, top_score)) = ranked.first().cloned() {
            for r in self.related.get(&top).into_iter().flatten() {
                if ranked.len() >= 3 {
                    break;
                }
                if !ranked.iter().any(|(c, _)| c == r) {
                    ranked.push((r.clone(), (top_score * 0.45).min(0.45)));
                }
            }
        }
        ranked.truncate(5);
        ranked
            .into_iter()
            .map(|(isco, s)| OccupationGuess {
                label: self.label(&isco),
                isco,
                score: (s.min(1.0) * 100.0).round() / 100.0,
            })
            .collect()
    }
}

/// Normalise a Dutch job title: fold, drop gender markers, seniority, hours, places in
/// brackets and noise words; join "X-medewerker" to "xmedewerker".
pub fn normalise_title(title: &str) -> String {
    let lower = title.to_lowercase();
    // drop bracketed parts that are hours or gender ("(32-40 uur)", "(m/v/x)")
    let mut s = String::with_capacity(lower.len());
    let mut depth = 0;
    let mut bracket = String::new();
    for c in lower.chars() {
        match c {
            '(' | '[' => {
                depth += 1;
                bracket.clear();
            }
            ')' | ']' if depth > 0 => {
                depth -= 1;
                let b = bracket.trim();
                let keep = b.chars().any(|c| c.is_alphabetic())
                    && !b.contains("uur")
                    && !b.contains('/')
                    && b.len() > 3;
                if keep {
                    s.push(' ');
                    s.push_str(b);
                    s.push(' ');
                }
            }
            _ if depth > 0 => bracket.push(c),
            _ => s.push(c),
        }
    }
    // "x-medewerker" → "xmedewerker" (a hyphen inside a word joins a compound)
    let s = s
        .replace("m/v/x", " ")
        .replace("m/v", " ")
        .replace("v/m", " ")
        .replace("m/w", " ")
        .replace("h/f", " ");
    let mut joined = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '-'
            && i > 0
            && i + 1 < chars.len()
            && chars[i - 1].is_alphabetic()
            && chars[i + 1].is_alphabetic()
        {
            continue;
        }
        joined.push(c);
    }
    let folded = fold(&joined);
    folded
        .split(' ')
        .filter(|w| !w.is_empty() && !NOISE.contains(w) && !w.chars().all(|c| c.is_ascii_digit()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary::parse(
            "9333\tmagazijnmedewerker\tmedewerker magazijn|orderpicker\n8332\tvrachtwagenchauffeur\tchauffeur ce\n8344\theftruckchauffeur\t\n8322\tchauffeur\tbezorger\n4110\tadministratief medewerker\t\n",
            "9333\tLaders en lossers\n",
        )
        .unwrap()
    }

    #[test]
    fn titles_normalise() {
        assert_eq!(
            normalise_title("Magazijnmedewerker (m/v/x) - 32-40 uur"),
            "magazijnmedewerker"
        );
        assert_eq!(
            normalise_title("Senior Klantenservice-medewerker"),
            "klantenservicemedewerker"
        );
    }

    #[test]
    fn exact_reordered_compound_and_fuzzy() {
        let v = vocab();
        assert_eq!(v.classify("Medewerker Magazijn (m/v)", "")[0].isco, "9333");
        assert_eq!(v.classify("Magazijn medewerker", "")[0].isco, "9333");
        assert_eq!(v.classify("Heftruckchauffeur", "")[0].isco, "8344");
        assert_eq!(v.classify("Koerierchauffeur", "")[0].isco, "8322");
        assert_eq!(v.classify("Magazijnmedewerkers", "")[0].isco, "9333");
        assert_eq!(
            v.classify(
                "Vacature Tilburg",
                "Wij zoeken een orderpicker voor ons magazijn"
            )[0]
            .isco,
            "9333"
        );
        assert_eq!(
            v.classify("Magazijnmedewerker", "")[0].label,
            "Laders en lossers"
        );
    }
}
