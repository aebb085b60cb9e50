//! `config/passend.toml`: where data lives, how the crawler behaves, which sources to crawl.
//!
//! Read once at start-up by the binary; a missing file means the built-in defaults (so a fresh
//! clone runs), a file with mistakes is an error naming the file and the key.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::crawl::{CrawlerConfig, Source};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Data folder (index, database, imports), relative to the working directory.
    pub data: PathBuf,
    pub crawler: CrawlerConfig,
    #[serde(rename = "source")]
    pub sources: Vec<Source>,
    /// How many vacancies a shortlist shows by default.
    pub shortlist_top: usize,
    /// The nightly shortlist mail (`[mail]`).
    #[serde(default)]
    pub mail: crate::mail::MailConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data: PathBuf::from("indexes"),
            crawler: CrawlerConfig::default(),
            sources: vec![],
            shortlist_top: 10,
            mail: crate::mail::MailConfig::default(),
        }
    }
}

impl Config {
    /// Load `path`; when it does not exist and `required` is false, the defaults.
    pub fn load(path: &Path, required: bool) -> anyhow::Result<Config> {
        if !path.exists() {
            if required {
                anyhow::bail!("config file {} does not exist", path.display());
            }
            return Ok(Config::default());
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read config {}: {e}", path.display()))?;
        let cfg: Config = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.to_string().trim()))?;
        cfg.mail
            .check()
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let mut names = std::collections::HashSet::new();
        for s in &cfg.sources {
            s.check()
                .map_err(|e| anyhow::anyhow!("{}: source `{}`: {e}", path.display(), s.name))?;
            if !names.insert(s.name.as_str()) {
                anyhow::bail!("{}: two sources are named `{}`", path.display(), s.name);
            }
            if let Some(expr) = &s.schedule {
                crate::schedule::parse(expr)
                    .map_err(|e| anyhow::anyhow!("{}: source `{}`: {e}", path.display(), s.name))?;
            }
        }
        Ok(cfg)
    }
}
