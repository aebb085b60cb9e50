//! The FML catalogue: which functional items exist, their kind and their codes.
//!
//! Everything else in passend names FML items by their stable `key` (`lifting`,
//! `time_of_day`, ...). The catalogue is data (`config/fml.toml`, embedded in the binary as
//! the default); this module only parses it and answers questions about it: does this item
//! exist, which codes are allowed, what is the Dutch label of a code. It does no I/O of its own;
//! [`crate::resources`] hands it the text.

use std::collections::BTreeMap;

use serde::Deserialize;

/// How an FML item is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    /// One code, higher is more restricted (lifting 0..3).
    Ordinal,
    /// One categorical code (others_emotions 0..4); a demand excludes codes from a value on.
    Enum,
    /// Any set of independent flags (time_of_day [1, 2]); code 0 means none.
    Flags,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Code {
    pub value: u8,
    pub label: String,
    #[serde(default)]
    pub reference: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub key: String,
    /// The printed number in the CBBS-style FML ("IV.13"); informative only.
    pub id: String,
    pub rubric: String,
    pub kind: ItemKind,
    /// Dutch label ("Tillen").
    pub label: String,
    #[serde(rename = "code")]
    pub codes: Vec<Code>,
}

impl Item {
    pub fn max_code(&self) -> u8 {
        self.codes.iter().map(|c| c.value).max().unwrap_or(0)
    }
    pub fn has_code(&self, v: u8) -> bool {
        self.codes.iter().any(|c| c.value == v)
    }
    pub fn code_label(&self, v: u8) -> &str {
        self.codes
            .iter()
            .find(|c| c.value == v)
            .map(|c| c.label.as_str())
            .unwrap_or("?")
    }
    pub fn code_reference(&self, v: u8) -> Option<&str> {
        self.codes
            .iter()
            .find(|c| c.value == v)
            .and_then(|c| c.reference.as_deref())
    }
    /// Allowed values described for an error message: "0..3" or "flags 1..9".
    pub fn allowed(&self) -> String {
        let codes: Vec<String> = self
            .codes
            .iter()
            .map(|c| format!("{} ({})", c.value, c.label))
            .collect();
        match self.kind {
            ItemKind::Flags => format!(
                "a list of flags from: {}",
                codes.into_iter().skip(1).collect::<Vec<_>>().join(", ")
            ),
            _ => format!("one code from: {}", codes.join(", ")),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    version: String,
    item: Vec<Item>,
}

/// The parsed catalogue, indexed by key.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub version: String,
    items: Vec<Item>,
    by_key: BTreeMap<String, usize>,
}

impl Catalogue {
    pub fn parse(text: &str, origin: &str) -> anyhow::Result<Catalogue> {
        let file: CatalogueFile = toml::from_str(text)
            .map_err(|e| anyhow::anyhow!("{origin}: not a valid FML catalogue: {e}"))?;
        let mut by_key = BTreeMap::new();
        for (i, it) in file.item.iter().enumerate() {
            if by_key.insert(it.key.clone(), i).is_some() {
                anyhow::bail!("{origin}: FML item key `{}` appears twice", it.key);
            }
            if it.codes.is_empty() || !it.has_code(0) {
                anyhow::bail!("{origin}: FML item `{}` needs a code 0", it.key);
            }
        }
        Ok(Catalogue {
            version: file.version,
            items: file.item,
            by_key,
        })
    }

    pub fn get(&self, key: &str) -> Option<&Item> {
        self.by_key.get(key).map(|&i| &self.items[i])
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|i| i.key.as_str())
    }

    /// Nearest known keys to a misspelt one, for error messages.
    pub fn suggest(&self, key: &str) -> Option<&str> {
        self.keys()
            .map(|k| (strsim::jaro_winkler(k, key), k))
            .filter(|(s, _)| *s > 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, k)| k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogue_has_the_annotated_items() {
        let c = Catalogue::parse(crate::resources::EMBEDDED_FML, "embedded").unwrap();
        assert_eq!(c.items().len(), 64);
        let lifting = c.get("lifting").unwrap();
        assert_eq!(lifting.kind, ItemKind::Ordinal);
        assert_eq!(lifting.max_code(), 3);
        assert_eq!(c.get("time_of_day").unwrap().kind, ItemKind::Flags);
        assert_eq!(c.get("others_emotions").unwrap().kind, ItemKind::Enum);
        assert_eq!(c.suggest("liftin"), Some("lifting"));
    }
}
