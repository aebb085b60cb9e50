//! Shared set-up for the web tests: a real server on 127.0.0.1:0 over a real SQLite file and a
//! real tantivy index filled with the demo vacancies (config/demo/vacancies.jsonl), three
//! accounts (anna and bert are coaches, root is an admin) and one candidate per coach.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use passend::index::VacancyIndex;
use passend::pipeline::{IngestReport, Pipeline, read_jsonl};
use passend::resources::Resources;
use passend::store::Store;
use passend::web::{AppState, ServeOptions};
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::Value;

pub const PASSWORD: &str = "correct-paard-batterij";
pub const NOW: &str = "2025-12-20";

pub struct Server {
    pub base: String,
    pub state: Arc<AppState>,
    pub dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn demo_candidate(file: &str) -> String {
    std::fs::read_to_string(root().join("config/demo/candidates").join(file)).unwrap()
}

/// Start a server; `secure` sets the cookie's Secure flag.
pub async fn start(secure: bool) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let now = passend::parse_now(NOW).unwrap();
    let res = Resources::load(Some(&root().join("config")), None).unwrap();
    let store = Store::open(&dir.path().join("passend.db")).unwrap();
    let mut index = VacancyIndex::open(&dir.path().join("index")).unwrap();
    {
        let text = std::fs::read_to_string(root().join("config/demo/vacancies.jsonl")).unwrap();
        let (postings, bad) = read_jsonl(&text);
        assert!(bad.is_empty());
        let mut report = IngestReport::default();
        let mut p = Pipeline {
            res: &res,
            index: &mut index,
            store: &store,
            now: passend::parse_now("2025-11-20").unwrap(),
        };
        for posting in postings {
            p.take(posting, "demo", &mut report).unwrap();
        }
        p.commit().unwrap();
    }
    // one shortlist in the evidence record of demo-k01, made on 2025-12-10
    let mut store = store;
    {
        let res_cand = passend::candidate::parse(
            &demo_candidate("demo-k01.toml"),
            "demo-k01.toml",
            &res.catalogue,
        )
        .unwrap();
        let opts = passend::matcher::Options {
            top: 5,
            include_excluded: false,
            now: passend::parse_now("2025-12-10").unwrap(),
        };
        let (list, vacancies) =
            passend::matcher::shortlist(&res_cand, &index, &res, &opts).unwrap();
        let snaps: Vec<(String, String)> = vacancies
            .iter()
            .map(|v| (v.posting.id.clone(), serde_json::to_string(v).unwrap()))
            .collect();
        store
            .save_shortlist(&list, res_cand.fml_date, &snaps)
            .unwrap();
    }
    // serve from a read-only index, as `passend serve` does
    drop(index);
    let index = VacancyIndex::open_existing(&dir.path().join("index")).unwrap();
    let conn = store.connection();
    let anna = passend::web::auth::add_coach(conn, "anna", PASSWORD, false).unwrap();
    let bert = passend::web::auth::add_coach(conn, "bert", PASSWORD, false).unwrap();
    let admin = passend::web::auth::add_coach(conn, "root", PASSWORD, true).unwrap();
    let _ = admin;
    for (file, owner, coach) in [
        ("demo-k01.toml", anna, "anna"),
        ("demo-k02.toml", bert, "bert"),
    ] {
        let text = demo_candidate(file);
        let cand = passend::candidate::parse(&text, file, &res.catalogue).unwrap();
        let user = passend::web::User {
            id: owner,
            name: coach.into(),
            role: "coach".into(),
            csrf: String::new(),
        };
        passend::web::db::save_candidate(conn, &user, owner, &text, &cand, true, now).unwrap();
    }
    let state = Arc::new(
        AppState::new(
            store,
            Some(index),
            res,
            ServeOptions {
                secure_cookies: secure,
                now: Some(now),
            },
        )
        .unwrap(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let served = state.clone();
    tokio::spawn(async move {
        passend::web::serve(listener, served, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    Server {
        base,
        state,
        dir,
        shutdown: Some(tx),
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap()
}

/// A signed-in client: the session cookie and the CSRF token.
#[derive(Clone)]
pub struct Session {
    pub base: String,
    pub cookie: String,
    pub csrf: String,
    pub http: reqwest::Client,
}

pub async fn login(server: &Server, name: &str) -> Session {
    let http = client();
    let r = http
        .post(format!("{}/api/login", server.base))
        .json(&serde_json::json!({"name": name, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "login {name}");
    let cookie = r
        .headers()
        .get(SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let body: Value = r.json().await.unwrap();
    Session {
        base: server.base.clone(),
        cookie,
        csrf: body["csrf"].as_str().unwrap().to_string(),
        http,
    }
}

impl Session {
    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
    }
    pub fn send(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .header("x-csrf-token", &self.csrf)
    }
    pub fn post_json(&self, path: &str, body: &Value) -> reqwest::RequestBuilder {
        self.send(reqwest::Method::POST, path).json(body)
    }
    /// A form post with the session's CSRF token added.
    pub fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::RequestBuilder {
        let mut all: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(all)
            .finish();
        self.http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    }
}
