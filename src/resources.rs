//! Domain data as loaded once per process: FML catalogue, demand rules, occupation vocabulary,
//! gazetteer.
//!
//! Every file lives in `config/` and is also embedded in the binary, so passend works from any
//! directory with no files at all. A file present in the configured config folder replaces the
//! embedded one; imports (`taxonomy import`, `geo import`) write extra files into the data
//! folder, which are added on top. This is the only module that reads domain data from disk.

use std::path::{Path, PathBuf};

use crate::analysis::demands::RuleSet;
use crate::analysis::occupation::Vocabulary;
use crate::fml::Catalogue;
use crate::geo::Gazetteer;

pub const EMBEDDED_FML: &str = include_str!("../config/fml.toml");
pub const EMBEDDED_RULES: &str = include_str!("../config/demand_rules.tsv");
pub const EMBEDDED_NEGATIONS: &str = include_str!("../config/negation_cues.tsv");
pub const EMBEDDED_IMPLIED: &str = include_str!("../config/occupation_demands.tsv");
pub const EMBEDDED_OCCUPATIONS: &str = include_str!("../config/occupations.tsv");
pub const EMBEDDED_ISCO: &str = include_str!("../config/isco_groups.tsv");
pub const EMBEDDED_RELATED: &str = include_str!("../config/related_occupations.tsv");
pub const EMBEDDED_PLACES: &str = include_str!("../config/places.tsv");
pub const EMBEDDED_AREAS: &str = include_str!("../config/postcode_areas.tsv");

pub struct Resources {
    pub catalogue: Catalogue,
    pub rules: RuleSet,
    pub vocabulary: Vocabulary,
    pub gazetteer: Gazetteer,
    /// Where each file came from ("embedded" or a path), for `passend info`.
    pub origins: Vec<(String, String)>,
}

fn read(
    config_dir: Option<&Path>,
    name: &str,
    embedded: &'static str,
    origins: &mut Vec<(String, String)>,
) -> anyhow::Result<String> {
    if let Some(dir) = config_dir {
        let p = dir.join(name);
        if p.exists() {
            let text = std::fs::read_to_string(&p)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", p.display()))?;
            origins.push((name.to_string(), p.display().to_string()));
            return Ok(text);
        }
    }
    origins.push((name.to_string(), "embedded".into()));
    Ok(embedded.to_string())
}

impl Resources {
    /// The embedded defaults only.
    pub fn embedded() -> anyhow::Result<Resources> {
        Self::load(None, None)
    }

    /// Config files from `config_dir` where present, embedded otherwise; imports from `data_dir`.
    pub fn load(config_dir: Option<&Path>, data_dir: Option<&Path>) -> anyhow::Result<Resources> {
        let mut origins = vec![];
        let catalogue = Catalogue::parse(
            &read(config_dir, "fml.toml", EMBEDDED_FML, &mut origins)?,
            "fml.toml",
        )?;
        let rules = RuleSet::parse(
            &read(config_dir, "demand_rules.tsv", EMBEDDED_RULES, &mut origins)?,
            &read(
                config_dir,
                "negation_cues.tsv",
                EMBEDDED_NEGATIONS,
                &mut origins,
            )?,
            &read(
                config_dir,
                "occupation_demands.tsv",
                EMBEDDED_IMPLIED,
                &mut origins,
            )?,
            &catalogue,
        )?;
        let mut vocabulary = Vocabulary::parse(
            &read(
                config_dir,
                "occupations.tsv",
                EMBEDDED_OCCUPATIONS,
                &mut origins,
            )?,
            &read(config_dir, "isco_groups.tsv", EMBEDDED_ISCO, &mut origins)?,
        )?;
        vocabulary.add_related(&read(
            config_dir,
            "related_occupations.tsv",
            EMBEDDED_RELATED,
            &mut origins,
        )?);
        let mut gazetteer = Gazetteer::parse(
            &read(config_dir, "places.tsv", EMBEDDED_PLACES, &mut origins)?,
            &read(
                config_dir,
                "postcode_areas.tsv",
                EMBEDDED_AREAS,
                &mut origins,
            )?,
        )?;
        if let Some(data) = data_dir {
            let extra = imported_occupations_path(data);
            if extra.exists() {
                let text = std::fs::read_to_string(&extra)?;
                let mut n = 0;
                for line in text.lines() {
                    let c: Vec<&str> = line.split('\t').collect();
                    if c.len() >= 2
                        && crate::candidate::valid_isco(c[0])
                        && vocabulary.add(c[1], c[0], 0.8)
                    {
                        n += 1;
                    }
                }
                origins.push((
                    "imported occupations".into(),
                    format!("{} ({n} labels)", extra.display()),
                ));
            }
            let pc = imported_postcodes_path(data);
            if pc.exists() {
                let n = gazetteer.add_postcodes(&std::fs::read_to_string(&pc)?);
                origins.push((
                    "imported postcodes".into(),
                    format!("{} ({n} PC4)", pc.display()),
                ));
            }
        }
        Ok(Resources {
            catalogue,
            rules,
            vocabulary,
            gazetteer,
            origins,
        })
    }
}

pub fn imported_occupations_path(data: &Path) -> PathBuf {
    data.join("imports").join("occupations.tsv")
}

pub fn imported_postcodes_path(data: &Path) -> PathBuf {
    data.join("imports").join("postcodes.tsv")
}
