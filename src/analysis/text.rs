//! Posting HTML → clean text, and clean text → sentences with their byte spans.
//!
//! Everything analysis reads goes through here first, so evidence spans always point into the
//! same clean text that is stored with the vacancy. The tag stripper is deliberately forgiving:
//! broken HTML (unclosed tags, stray `<`, scripts) yields text, never an error.

/// Strip tags, drop script/style, decode entities, turn block elements into line breaks and
/// collapse runs of spaces. Plain text passes through (with its line breaks).
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let bytes = html.as_bytes();
    let mut i = 0;
    let mut skip_until: Option<&'static str> = None;
    let mut last = 0;
    while i < bytes.len() {
        if bytes[i] == b'<' {
            // find the end of the tag; a '<' without '>' is text
            let Some(end_rel) = html[i..].find('>') else {
                break;
            };
            let tag = &html[i + 1..i + end_rel];
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            let looks_like_tag = !name.is_empty() || tag.starts_with('!') || tag.starts_with('/');
            if !looks_like_tag || tag.contains('<') {
                i += 1;
                continue;
            }
            if skip_until.is_none() {
                push_text(&mut out, &html[last..i]);
            }
            let closing = tag.starts_with('/');
            if let Some(stop) = skip_until {
                if closing && name == stop {
                    skip_until = None;
                }
            } else if !closing && (name == "script" || name == "style") {
                skip_until = Some(if name == "script" { "script" } else { "style" });
            } else if is_block(&name) {
                if name == "li" && !closing {
                    out.push_str("\n• ");
                } else {
                    out.push('\n');
                }
            } else if !out.ends_with(' ') && !out.ends_with('\n') {
                // inline tags separate words only where the source had whitespace; keep as is
            }
            i += end_rel + 1;
            last = i;
            continue;
        }
        i += 1;
    }
    if skip_until.is_none() && last < html.len() {
        push_text(&mut out, &html[last..]);
    }
    tidy(&out)
}

fn push_text(out: &mut String, raw: &str) {
    if raw.is_empty() {
        return;
    }
    let decoded = html_escape::decode_html_entities(raw);
    out.push_str(&decoded.replace('\u{a0}', " "));
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "br"
            | "div"
            | "li"
            | "ul"
            | "ol"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "tr"
            | "td"
            | "th"
            | "table"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "dt"
            | "dd"
            | "hr"
            | "blockquote"
            | "pre"
    )
}

/// Collapse spaces inside lines, drop empty lines beyond one, trim.
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = 0;
    for line in s.lines() {
        let collapsed = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if collapsed.is_empty() || collapsed == "•" {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            if blank > 0 && !collapsed.starts_with('•') {
                out.push('\n');
            }
        }
        blank = 0;
        out.push_str(&collapsed);
    }
    out
}

/// A sentence (or list item) of the clean text: its byte span and a lower-cased copy whose byte
/// offsets equal those of the original.
#[derive(Debug, Clone)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
    pub lower: String,
}

/// Lower-case without changing byte offsets (characters whose lower case has another length are
/// kept as they are).
pub fn lower_same_len(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let mut l = c.to_lowercase();
        match (l.next(), l.next()) {
            (Some(lc), None) if lc.len_utf8() == c.len_utf8() => out.push(lc),
            _ => out.push(c),
        }
    }
    out
}

/// Split clean text into sentences: at line breaks, bullets, and `.`, `!`, `?`, `;` followed by
/// a space and an upper-case letter or digit (so "ca. 20 kg" and "0,8 fte" stay whole).
pub fn sentences(text: &str) -> Vec<Sentence> {
    let mut out = vec![];
    let b = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    let push = |s: usize, e: usize, out: &mut Vec<Sentence>| {
        let slice = &text[s..e];
        let trimmed_start = s + (slice.len() - slice.trim_start().len());
        let trimmed_end = e - (slice.len() - slice.trim_end().len());
        if trimmed_end > trimmed_start {
            out.push(Sentence {
                start: trimmed_start,
                end: trimmed_end,
                lower: lower_same_len(&text[trimmed_start..trimmed_end]),
            });
        }
    };
    while i < b.len() {
        let c = b[i];
        let split_here = match c {
            b'\n' => Some(i + 1),
            // line breaks lost when a site stripped its HTML: "in de keukenJij bent ervaren"
            b'A'..=b'Z' if glued_sentence(b, i) => Some(i),
            b'!' | b'?' | b';' => Some(i + 1),
            b'.' => {
                // ". X" with X upper-case or a quote: a sentence end
                let next = text[i + 1..].chars().next();
                let after = text[i + 1..].trim_start().chars().next();
                // not after abbreviations such as "ca.", "bijv.", "o.a.", "max."
                let word_start = text[..i]
                    .rfind(|c: char| !c.is_alphanumeric() && c != '.')
                    .map(|p| p + text[p..].chars().next().map_or(1, char::len_utf8))
                    .unwrap_or(0);
                let word = text[word_start..i].to_lowercase();
                let abbreviation = word.len() <= 5
                    && [
                        "ca", "bijv", "o.a", "max", "min", "incl", "excl", "nr", "vb", "evt",
                        "resp", "m.b.v", "i.v.m", "t.o.v", "enz", "etc", "z.s.m",
                    ]
                    .contains(&word.as_str());
                match (next, after) {
                    (Some(n), Some(a))
                        if n.is_whitespace() && !abbreviation && (a.is_uppercase() || a == '•') =>
                    {
                        Some(i + 1)
                    }
                    (None, _) => Some(i + 1),
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some(end) = split_here {
            push(start, end, &mut out);
            start = end;
        }
        i += 1;
    }
    push(start, text.len(), &mut out);
    // bullets: "• item" lines already split; very long run-on "sentences" are split at " • "
    out
}

/// At byte `i` an upper-case letter starts a new sentence glued to the previous one: at least
/// three lower-case letters before it, a lower-case letter after it ("keukenJij", "orders.Je"
/// is handled by '.'), and not a known brand pattern of one capital inside a word ("PostNL").
fn glued_sentence(b: &[u8], i: usize) -> bool {
    if i < 3 || i + 2 >= b.len() {
        return false;
    }
    let lower_before = b[i - 3..i].iter().all(|c| c.is_ascii_lowercase());
    let lower_after = b[i + 1].is_ascii_lowercase() && b[i + 2].is_ascii_lowercase();
    lower_before && lower_after
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_lists_entities_and_scripts() {
        let t = html_to_text(
            "<p>Wij zoeken een <strong>magazijn&shy;medewerker</strong> &amp; chauffeur.</p><ul><li>Tillen tot 25&nbsp;kg</li><li>Nachtdiensten</li></ul><script>var x='<p>';</script>Einde",
        );
        assert!(t.contains("magazijn"));
        assert!(t.contains("& chauffeur."));
        assert!(t.contains("• Tillen tot 25 kg"));
        assert!(!t.contains("var x"));
        assert!(t.ends_with("Einde"));
    }

    #[test]
    fn broken_html_still_gives_text() {
        let t = html_to_text("<p>Open <b>tag and a < sign and <div");
        assert!(t.contains("Open"));
        assert!(t.contains("tag and a"));
    }

    #[test]
    fn sentence_spans_point_into_the_text() {
        let text = "Je tilt ca. 20 kg per doos. Werken in 3 ploegen!\n• 0,8 fte";
        let s = sentences("Salaris ’s avonds € 20. Dat is ca. 20 kg.");
        assert_eq!(s.len(), 2);
        let s = sentences("Het beheren van de kosten binnen de keukenJij bent ervaren");
        assert_eq!(s.len(), 2);
        let s = sentences(text);
        let parts: Vec<&str> = s.iter().map(|x| &text[x.start..x.end]).collect();
        assert_eq!(
            parts,
            vec![
                "Je tilt ca. 20 kg per doos.",
                "Werken in 3 ploegen!",
                "• 0,8 fte"
            ]
        );
        assert_eq!(s[1].lower, "werken in 3 ploegen!");
    }
}
