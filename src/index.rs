//! The vacancy index: tantivy with Dutch analysis, upserts by vacancy id, filters for the matcher.
//!
//! Analysed [`Vacancy`]s come in through [`VacancyIndex::upsert`]; the matcher and the web UI
//! read them back through [`VacancyIndex::search`] with free text and filters (ISCO groups,
//! open only, FML exclusions as `MustNot` terms). Each document stores the whole vacancy as
//! JSON, so a search result is a complete vacancy snapshot; the indexed fields exist to find
//! and filter. The index never analyses text and never scores restrictions.

use std::path::Path;

use anyhow::Context;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, STORED, STRING, Schema, TantivyDocument,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term, doc};

use crate::fml::{Catalogue, ItemKind};
use crate::model::{Status, Threshold, Vacancy};

/// Bumped whenever the schema or the analyzer changes; `passend reindex` rebuilds.
pub const SCHEMA_VERSION: u32 = 3;
const TOKENIZER: &str = "passend_nl";

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    description: Field,
    employer: Field,
    employer_key: Field,
    title_key: Field,
    place: Field,
    isco: Field,
    status: Field,
    excl: Field,
    cluster: Field,
    source: Field,
    hours_min: Field,
    hours_max: Field,
    lat: Field,
    lon: Field,
    posted: Field,
    doc: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let num = NumericOptions::default().set_fast().set_indexed();
    let f = Fields {
        id: b.add_text_field("id", STRING | STORED),
        title: b.add_text_field("title", text.clone()),
        description: b.add_text_field("description", text.clone()),
        employer: b.add_text_field("employer", text.clone()),
        employer_key: b.add_text_field("employer_key", STRING),
        title_key: b.add_text_field("title_key", STRING),
        place: b.add_text_field("place", text),
        isco: b.add_text_field("isco", STRING),
        status: b.add_text_field("status", STRING),
        excl: b.add_text_field("excl", STRING),
        cluster: b.add_text_field("cluster", STRING | STORED),
        source: b.add_text_field("source", STRING),
        hours_min: b.add_f64_field("hours_min", num.clone()),
        hours_max: b.add_f64_field("hours_max", num.clone()),
        lat: b.add_f64_field("lat", num.clone()),
        lon: b.add_f64_field("lon", num.clone()),
        posted: b.add_i64_field("posted", num),
        doc: b.add_text_field("doc", STORED),
    };
    (b.build(), f)
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::Dutch))
        .build()
}

pub struct VacancyIndex {
    index: Index,
    reader: IndexReader,
    writer: Option<IndexWriter>,
    f: Fields,
    /// Upserts since the last commit: reads see their own writes (de-duplication within a batch).
    pending: std::collections::HashMap<String, Option<Vacancy>>,
}

/// What to look for. Empty filters mean "any".
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: Option<String>,
    /// ISCO prefixes (4-digit unit group, 3-digit minor group, 2-digit sub-major).
    pub isco_any: Vec<String>,
    pub open_only: bool,
    /// (item, code) restriction levels of a candidate: vacancies excluded at them are left out.
    pub exclude: Vec<(String, u8)>,
    /// At least one of these (item, code) exclusion terms (to count what a restriction excludes).
    pub require_any: Vec<(String, u8)>,
    pub limit: usize,
}

/// The `excl` terms of a vacancy: every (item, restriction code) at which it is unsuitable.
pub fn exclusion_terms(v: &Vacancy, cat: &Catalogue) -> Vec<String> {
    let mut out = vec![];
    for d in &v.analysis.demands {
        let Some(item) = cat.get(&d.item) else {
            continue;
        };
        match (&d.threshold, item.kind) {
            (Threshold::From { exclude_from }, ItemKind::Ordinal | ItemKind::Enum) => {
                for c in item
                    .codes
                    .iter()
                    .map(|c| c.value)
                    .filter(|c| *c >= *exclude_from && *c > 0)
                {
                    out.push(format!("{}:{c}", d.item));
                }
            }
            (Threshold::Flags { exclude_flags }, ItemKind::Flags) => {
                for c in exclude_flags {
                    out.push(format!("{}:{c}", d.item));
                }
            }
            _ => {}
        }
    }
    out
}

/// Employer names that say nothing about who the employer is ("onbekend": a recruiter hiding
/// its client).
pub fn unknown_employer(e: Option<&str>) -> bool {
    match e.map(employer_key) {
        None => true,
        Some(k) => {
            k.is_empty()
                || [
                    "onbekend",
                    "anoniem",
                    "vertrouwelijk",
                    "niet vermeld",
                    "confidential",
                    "unknown",
                ]
                .contains(&k.as_str())
        }
    }
}

/// The indexed employer term: the folded name, or "-" when the employer is unknown.
fn employer_term(e: Option<&str>) -> String {
    if unknown_employer(e) {
        "-".to_string()
    } else {
        employer_key(e.unwrap_or(""))
    }
}

/// Employer name folded for exact-match grouping ("Van Dijk Logistiek B.V." → "van dijk logistiek").
pub fn employer_key(name: &str) -> String {
    let f = crate::geo::fold(name);
    let words: Vec<&str> = f
        .split(' ')
        .filter(|w| {
            !matches!(
                *w,
                "b" | "v"
                    | "bv"
                    | "n"
                    | "nv"
                    | "vof"
                    | "cv"
                    | "holding"
                    | "bvba"
                    | "sa"
                    | "srl"
                    | "groep"
                    | "group"
            )
        })
        .collect();
    words.join(" ")
}

impl VacancyIndex {
    /// Open the index in `dir`, creating it when absent.
    pub fn open(dir: &Path) -> anyhow::Result<VacancyIndex> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create index folder {}", dir.display()))?;
        let (schema, f) = schema();
        let version_file = dir.join("passend-schema-version");
        let index = if dir.join("meta.json").exists() {
            let v: u32 = std::fs::read_to_string(&version_file)
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(0);
            if v != SCHEMA_VERSION {
                anyhow::bail!(
                    "index {} has schema version {v}, this passend needs {SCHEMA_VERSION}: run `passend reindex`",
                    dir.display()
                );
            }
            Index::open_in_dir(dir)
                .with_context(|| format!("cannot open index {}", dir.display()))?
        } else {
            let i = Index::create_in_dir(dir, schema)
                .with_context(|| format!("cannot create index {}", dir.display()))?;
            std::fs::write(&version_file, SCHEMA_VERSION.to_string())?;
            i
        };
        index.tokenizers().register(TOKENIZER, analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(VacancyIndex {
            index,
            reader,
            writer: None,
            f,
            pending: Default::default(),
        })
    }

    /// Open an existing index for reading; a missing one is an error naming the path.
    pub fn open_existing(dir: &Path) -> anyhow::Result<VacancyIndex> {
        if !dir.join("meta.json").exists() {
            anyhow::bail!(
                "no vacancy index at {} (run `passend ingest` or `passend crawl` first)",
                dir.display()
            );
        }
        Self::open(dir)
    }

    fn writer(&mut self) -> anyhow::Result<&mut IndexWriter> {
        if self.writer.is_none() {
            self.writer = Some(self.index.writer_with_num_threads(1, 64_000_000)?);
        }
        Ok(self.writer.as_mut().expect("writer"))
    }

    /// Insert or replace the vacancy with this id (visible after [`commit`](Self::commit)).
    pub fn upsert(&mut self, v: &Vacancy, cat: &Catalogue) -> anyhow::Result<()> {
        let f = self.f;
        let json = serde_json::to_string(v)?;
        let mut d = doc!(
            f.id => v.posting.id.clone(),
            f.title => v.posting.title.clone(),
            f.description => v.analysis.text.clone(),
            f.status => match v.status { Status::Open => "open", Status::Closed => "closed" },
            f.cluster => v.cluster.clone(),
            f.source => v.posting.source.clone(),
            f.doc => json,
        );
        if let Some(e) = &v.posting.employer {
            d.add_text(f.employer, e);
        }
        d.add_text(f.employer_key, employer_term(v.posting.employer.as_deref()));
        {
            let tk = crate::analysis::occupation::normalise_title(&v.posting.title);
            if !tk.is_empty() {
                d.add_text(f.title_key, tk);
            }
        }
        if let Some(p) = v.place_name() {
            d.add_text(f.place, p);
        }
        for o in &v.analysis.occupations {
            for n in [4, 3, 2] {
                if o.isco.len() >= n {
                    d.add_text(f.isco, &o.isco[..n]);
                }
            }
        }
        for t in exclusion_terms(v, cat) {
            d.add_text(f.excl, t);
        }
        if let Some(h) = v.analysis.hours_per_week {
            d.add_f64(f.hours_min, h.min);
            d.add_f64(f.hours_max, h.max);
        }
        if let Some(p) = &v.analysis.place {
            d.add_f64(f.lat, p.lat);
            d.add_f64(f.lon, p.lon);
        }
        if let Some(dp) = v.posting.date_posted {
            d.add_i64(
                f.posted,
                dp.and_hms_opt(0, 0, 0)
                    .expect("midnight")
                    .and_utc()
                    .timestamp(),
            );
        }
        let id_term = Term::from_field_text(f.id, &v.posting.id);
        self.pending.insert(v.posting.id.clone(), Some(v.clone()));
        let w = self.writer()?;
        w.delete_term(id_term);
        w.add_document(d)?;
        Ok(())
    }

    pub fn delete(&mut self, id: &str) -> anyhow::Result<()> {
        let t = Term::from_field_text(self.f.id, id);
        self.pending.insert(id.to_string(), None);
        self.writer()?.delete_term(t);
        Ok(())
    }

    /// Make all upserts durable and visible.
    pub fn commit(&mut self) -> anyhow::Result<()> {
        if let Some(w) = self.writer.as_mut() {
            w.commit()?;
        }
        self.reader.reload()?;
        self.pending.clear();
        Ok(())
    }

    fn load(
        &self,
        searcher: &tantivy::Searcher,
        addr: tantivy::DocAddress,
    ) -> anyhow::Result<Vacancy> {
        let d: TantivyDocument = searcher.doc(addr)?;
        let json = d
            .get_first(self.f.doc)
            .and_then(|v| v.as_str())
            .context("document without stored vacancy")?;
        Ok(serde_json::from_str(json)?)
    }

    pub fn get(&self, id: &str) -> anyhow::Result<Option<Vacancy>> {
        if let Some(p) = self.pending.get(id) {
            return Ok(p.clone());
        }
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.f.id, id),
            IndexRecordOption::Basic,
        );
        let hits = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
        match hits.first() {
            Some((_, addr)) => Ok(Some(self.load(&searcher, *addr)?)),
            None => Ok(None),
        }
    }

    pub fn count(&self) -> anyhow::Result<usize> {
        Ok(self.reader.searcher().search(&AllQuery, &Count)?)
    }

    fn build_query(&self, q: &SearchQuery) -> anyhow::Result<Box<dyn Query>> {
        let f = self.f;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![];
        if let Some(text) = q.text.as_deref().filter(|t| !t.trim().is_empty()) {
            let mut parser = QueryParser::for_index(
                &self.index,
                vec![f.title, f.description, f.employer, f.place],
            );
            parser.set_field_boost(f.title, 3.0);
            parser.set_field_boost(f.employer, 1.5);
            let (parsed, _errors) = parser.parse_query_lenient(text);
            clauses.push((Occur::Must, parsed));
        }
        if !q.isco_any.is_empty() {
            let any: Vec<(Occur, Box<dyn Query>)> = q
                .isco_any
                .iter()
                .map(|c| {
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(
                            Term::from_field_text(f.isco, c),
                            IndexRecordOption::Basic,
                        )) as Box<dyn Query>,
                    )
                })
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if q.open_only {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.status, "open"),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        for (item, code) in &q.exclude {
            clauses.push((
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.excl, &format!("{item}:{code}")),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if !q.require_any.is_empty() {
            let any: Vec<(Occur, Box<dyn Query>)> = q
                .require_any
                .iter()
                .map(|(item, code)| {
                    let t = Term::from_field_text(f.excl, &format!("{item}:{code}"));
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(t, IndexRecordOption::Basic)) as Box<dyn Query>,
                    )
                })
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// Vacancies matching the query, best text match first (insertion order without text).
    pub fn search(&self, q: &SearchQuery) -> anyhow::Result<Vec<(f32, Vacancy)>> {
        let searcher = self.reader.searcher();
        let query = self.build_query(q)?;
        let limit = if q.limit == 0 { 10_000 } else { q.limit };
        let hits = searcher.search(&*query, &TopDocs::with_limit(limit).order_by_score())?;
        hits.into_iter()
            .map(|(s, a)| Ok((s, self.load(&searcher, a)?)))
            .collect()
    }

    pub fn search_count(&self, q: &SearchQuery) -> anyhow::Result<usize> {
        let searcher = self.reader.searcher();
        let query = self.build_query(q)?;
        Ok(searcher.search(&*query, &Count)?)
    }

    /// Every stored vacancy (for reindex, lifecycle and exports).
    pub fn all(&self) -> anyhow::Result<Vec<Vacancy>> {
        // TopDocs allocates for its limit: ask for exactly as many as there are
        let n = self.count()?.max(1);
        Ok(self
            .search(&SearchQuery {
                limit: n,
                ..Default::default()
            })?
            .into_iter()
            .map(|(_, v)| v)
            .collect())
    }

    /// Candidates for near-duplicate detection: vacancies with the same normalised title at the
    /// same or an unknown employer, including uncommitted upserts (at most 200 from the index).
    /// The final decision is [`crate::pipeline::same_job`]'s.
    pub fn dedup_candidates(
        &self,
        employer: Option<&str>,
        title: &str,
    ) -> anyhow::Result<Vec<Vacancy>> {
        let searcher = self.reader.searcher();
        let mut out: std::collections::BTreeMap<String, Vacancy> = Default::default();
        // a repost keeps its title (up to gender markers, hours, seniority) and its employer,
        // or hides the employer: same title key, and the same or an unknown employer
        let key = crate::analysis::occupation::normalise_title(title);
        let term = |field: Field, text: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, text),
                IndexRecordOption::Basic,
            ))
        };
        if !key.is_empty() {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> =
                vec![(Occur::Must, term(self.f.title_key, &key))];
            if !unknown_employer(employer) {
                let same_or_unknown = BooleanQuery::new(vec![
                    (
                        Occur::Should,
                        term(self.f.employer_key, &employer_term(employer)),
                    ),
                    (Occur::Should, term(self.f.employer_key, "-")),
                ]);
                clauses.push((Occur::Must, Box::new(same_or_unknown)));
            }
            let q = BooleanQuery::new(clauses);
            for (_, a) in searcher.search(&q, &TopDocs::with_limit(200).order_by_score())? {
                let v = self.load(&searcher, a)?;
                out.insert(v.posting.id.clone(), v);
            }
        }
        for (id, p) in &self.pending {
            match p {
                Some(v) => {
                    if crate::analysis::occupation::normalise_title(&v.posting.title) == key {
                        out.insert(id.clone(), v.clone());
                    }
                }
                None => {
                    out.remove(id);
                }
            }
        }
        Ok(out.into_values().collect())
    }
}

/// Read every stored vacancy of an index folder, whatever its schema version (for `reindex`).
pub fn read_any_version(dir: &Path) -> anyhow::Result<Vec<Vacancy>> {
    let index =
        Index::open_in_dir(dir).with_context(|| format!("cannot open index {}", dir.display()))?;
    let schema = index.schema();
    let doc_field = schema
        .get_field("doc")
        .context("index has no stored vacancies")?;
    let reader: IndexReader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    let searcher = reader.searcher();
    let mut out = vec![];
    for seg in searcher.segment_readers() {
        let store = seg.get_store_reader(64)?;
        for id in 0..seg.max_doc() {
            if seg.is_deleted(id) {
                continue;
            }
            let d: TantivyDocument = store.get(id)?;
            if let Some(json) = d.get_first(doc_field).and_then(|v| v.as_str()) {
                out.push(serde_json::from_str(json)?);
            }
        }
    }
    Ok(out)
}
