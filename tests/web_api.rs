//! The coach API over real HTTP: sign-in, sessions, CSRF, rate limiting, candidates (TOML
//! import/export with the same rules as `passend check`), search, actions, evidence export and
//! the audit log. A real server on 127.0.0.1:0, a real SQLite file, a real index.

mod web_common;

use reqwest::Method;
use serde_json::{Value, json};
use web_common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_cookie_and_rate_limit() {
    let server = start(false).await;
    let http = client();
    let url = format!("{}/api/login", server.base);
    // wrong password: 422 with a Dutch message on the password field
    let r = http
        .post(&url)
        .json(&json!({"name": "anna", "password": "fout"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["fields"][0]["field"], "wachtwoord");
    assert!(body["error"].as_str().unwrap().contains("klopt niet"));
    // a good sign-in: the cookie is HttpOnly and SameSite=Strict, not Secure on plain http
    let r = http
        .post(&url)
        .json(&json!({"name": "anna", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("passend_sessie="), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert!(!cookie.contains("Secure"));
    // five failures lock the account from this address, even for the right password
    for _ in 0..5 {
        let r = http
            .post(&url)
            .json(&json!({"name": "bert", "password": "fout"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
    }
    let r = http
        .post(&url)
        .json(&json!({"name": "bert", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    // a sign-in posted from another site is refused before the password is looked at
    let r = http
        .post(&url)
        .header("origin", "https://evil.example")
        .json(&json!({"name": "root", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // other accounts are not affected
    let r = http
        .post(&url)
        .json(&json!({"name": "root", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_cookie_and_logout() {
    let server = start(true).await;
    let r = client()
        .post(format!("{}/api/login", server.base))
        .json(&json!({"name": "anna", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("; Secure")
    );
    let s = login(&server, "anna").await;
    assert_eq!(s.get("/api/me").send().await.unwrap().status(), 200);
    // logout needs the CSRF token
    let r = s
        .http
        .post(format!("{}/api/logout", s.base))
        .header("cookie", &s.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = s.send(Method::POST, "/api/logout").send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(s.get("/api/me").send().await.unwrap().status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_export_is_lossless_and_validated() {
    let server = start(false).await;
    let s = login(&server, "anna").await;
    let text = demo_candidate("demo-k03.toml");
    // without the CSRF header nothing is created
    let r = s
        .http
        .post(format!("{}/api/candidates", s.base))
        .header("cookie", &s.cookie)
        .json(&json!({"toml": text}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = s
        .post_json("/api/candidates", &json!({"toml": text}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // the exported TOML is the imported text, byte for byte
    let exported = s
        .get(&format!("/api/candidates/{id}/toml"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(exported, text);
    // importing the same id twice is refused
    let r = s
        .post_json("/api/candidates", &json!({"toml": text}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    // an out-of-range FML code: the same rule as the TOML import, nothing saved
    let bad = text.replace("[fml]\n", "[fml]\nlifting = 9\n");
    let bad = if bad.contains("lifting = 9") {
        bad
    } else {
        format!("{text}\n[fml]\nlifting = 9\n")
    };
    let r = s
        .send(Method::PUT, &format!("/api/candidates/{id}"))
        .json(&json!({"toml": bad}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["fields"][0]["field"]
            .as_str()
            .unwrap()
            .starts_with("fml"),
        "{body}"
    );
    assert!(
        body["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("FML-item"),
        "{body}"
    );
    let now: Value = s
        .get(&format!("/api/candidates/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        now["toml"], text,
        "a refused update leaves the stored profile alone"
    );
    // the id in the body must be the id in the path
    let other = text.replacen(&format!("id = \"{id}\""), "id = \"iemand-anders\"", 1);
    let r = s
        .send(Method::PUT, &format!("/api/candidates/{id}"))
        .json(&json!({"toml": other}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_never_returns_excluded_work() {
    let server = start(false).await;
    let s = login(&server, "anna").await;
    let list: Value = s
        .get("/api/candidates/demo-k01/search")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["mode"], "shortlist");
    let hits = list["hits"].as_array().unwrap();
    assert!(!hits.is_empty(), "{list}");
    assert!(hits.iter().all(|h| h["verdict"] != "exclude"));
    // free text over every vacancy: the warehouse jobs (lifting) stay out for this candidate
    let found: Value = s
        .get("/api/candidates/demo-k01/search?q=magazijn")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["mode"], "zoeken");
    for h in found["hits"].as_array().unwrap() {
        assert_ne!(h["verdict"], "exclude");
        let v: Value = s
            .get(&format!(
                "/api/candidates/demo-k01/vacancy?id={}",
                h["id"].as_str().unwrap()
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_ne!(v["verdict"], "exclude");
    }
    // the filters narrow: a 10-minute radius leaves fewer (or equal) hits than none
    let all: Value = s
        .get("/api/candidates/demo-k01/search?q=medewerker")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let near: Value = s
        .get("/api/candidates/demo-k01/search?q=medewerker&radius=10")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(near["hits"].as_array().unwrap().len() <= all["hits"].as_array().unwrap().len());
    for h in near["hits"].as_array().unwrap() {
        if let Some(t) = h["travel_minutes"].as_u64() {
            assert!(t <= 10);
        }
    }
    // bad filters: a Dutch message per field
    let r = s
        .get("/api/candidates/demo-k01/search?radius=ver&hours=100")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["radius", "hours"]);
}

/// A vacancy of the index that the matcher excludes for demo-k01 (there is at least one: the
/// demo site has warehouse work with heavy lifting).
async fn excluded_vacancy(s: &Session) -> String {
    for n in 1..=40 {
        let id = format!("demo-{n:03}");
        let r = s
            .get(&format!("/api/candidates/demo-k01/vacancy?id={id}"))
            .send()
            .await
            .unwrap();
        if r.status() == 200 {
            let v: Value = r.json().await.unwrap();
            if v["verdict"] == "exclude" {
                return id;
            }
        }
    }
    panic!("no excluded vacancy for demo-k01 in the demo data");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_export_and_audit() {
    let server = start(false).await;
    let s = login(&server, "anna").await;
    let list: Value = s
        .get("/api/candidates/demo-k01/search")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let hits = list["hits"].as_array().unwrap();
    let pass = hits
        .iter()
        .find(|h| h["verdict"] == "pass")
        .expect("a passing vacancy");
    let vid = pass["id"].as_str().unwrap();
    let post = |body: Value| {
        s.post_json("/api/candidates/demo-k01/actions", &body)
            .send()
    };

    // missing channel and contact on an application: one Dutch message per field, nothing saved
    let r = post(json!({"vacancy_id": vid, "kind": "gesolliciteerd", "date": "2025-12-01"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["channel", "contact"]);
    // a future date for an application
    let r = post(
        json!({"vacancy_id": vid, "kind": "gesolliciteerd", "date": "2026-01-05",
                        "channel": "e-mail", "contact": "J. Bakker"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    // an excluded vacancy cannot be proposed
    let excl = excluded_vacancy(&s).await;
    let r = post(
        json!({"vacancy_id": excl, "kind": "voorgesteld", "date": "2025-12-01",
                        "motivation": "toch proberen"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("past niet"),
        "{body}"
    );
    // a signal needs the coach's motivation
    if let Some(sig) = hits.iter().find(|h| h["verdict"] == "signal") {
        let r = post(json!({"vacancy_id": sig["id"], "kind": "voorgesteld", "date": "2025-12-01"}))
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["fields"][0]["field"], "motivation");
        let r = post(
            json!({"vacancy_id": sig["id"], "kind": "voorgesteld", "date": "2025-12-01",
                            "motivation": "Werkgever bevestigt: geen tilwerk."}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 201);
    }
    // the good path
    for body in [
        json!({"vacancy_id": vid, "kind": "voorgesteld", "date": "2025-12-02", "motivation": "Past bij richting"}),
        json!({"vacancy_id": vid, "kind": "gesolliciteerd", "date": "2025-12-03", "channel": "e-mail", "contact": "J. Bakker"}),
        json!({"vacancy_id": vid, "kind": "afgewezen", "date": "2025-12-15", "reason": "andere kandidaat gekozen"}),
    ] {
        let r = post(body).await.unwrap();
        assert_eq!(r.status(), 201);
    }
    let actions: Value = s
        .get("/api/candidates/demo-k01/actions")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["vacancy_id"] == vid)
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["voorgesteld", "gesolliciteerd", "afgewezen"]);

    // CSV per period
    let csv = s
        .get("/api/candidates/demo-k01/export.csv?van=2025-12-03&tot=2025-12-10")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = csv.text().await.unwrap();
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "one application and one shortlist: {csv}");
    assert_eq!(&rows[1][1], "2025-12-10");
    assert_eq!(&rows[1][2], "Shortlist gemaakt");
    assert_eq!(&rows[0][1], "2025-12-03");
    assert_eq!(&rows[0][2], "Gesolliciteerd");
    assert_eq!(&rows[0][6], "e-mail");
    assert_eq!(&rows[0][7], "J. Bakker");
    assert_eq!(&rows[0][4], pass["title"].as_str().unwrap());
    let r = s
        .get("/api/candidates/demo-k01/export.csv?van=2025-12-10&tot=2025-12-01")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    // the printable report lists the application
    let html = s
        .get("/kandidaten/demo-k01/verslag?van=2025-12-01&tot=2025-12-31")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Voortgangsverslag re-integratie tweede spoor"));
    assert!(html.contains("J. Bakker") && html.contains("andere kandidaat gekozen"));

    // the audit log: views and changes of restrictions, with item keys but no notes
    let html = s.get("/kandidaten/demo-k01/fml").send().await.unwrap();
    assert_eq!(html.status(), 200);
    let r = s
        .post_form(
            "/kandidaten/demo-k01/fml",
            &[
                ("fml_date", "2025-12-08"),
                ("item.lifting", "3"),
                ("note.lifting", "geheim-notitie"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let audit: Value = s
        .get("/api/candidates/demo-k01/audit")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = audit.to_string();
    assert!(
        text.contains("beperkingen bekeken (FML-formulier)"),
        "{text}"
    );
    assert!(text.contains("beperkingen gewijzigd"), "{text}");
    assert!(text.contains("lifting"), "{text}");
    assert!(
        !text.contains("geheim-notitie"),
        "no health data in the audit detail"
    );
    // the form replaced the whole FML: only lifting is left, with its note
    let c: Value = s
        .get("/api/candidates/demo-k01")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = c["candidate"]["restrictions"].as_array().unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["item"], "lifting");
    assert_eq!(r[0]["value"], 3);
    assert_eq!(r[0]["note"], "geheim-notitie");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_show_dutch_messages_per_field() {
    let server = start(false).await;
    let s = login(&server, "anna").await;
    // profile form with several mistakes: 422, each message shown, nothing saved
    let r = s
        .post_form(
            "/kandidaten/nieuw",
            &[
                ("id", "k 1"),
                ("email", "geen-adres"),
                ("postcode", "12"),
                ("hours_min", "30"),
                ("hours_max", "20"),
                ("direction", "0999"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    for field in ["id", "email", "postcode", "hours_max", "direction"] {
        assert!(
            html.contains(&format!("data-field=\"{field}\"")),
            "no message for {field}"
        );
    }
    assert!(html.contains("Geen Nederlandse postcode"));
    // a good one is created with the signed-in coach as owner, directions from the vocabulary
    let r = s
        .post_form(
            "/kandidaten/nieuw",
            &[
                ("id", "k-0100"),
                ("name", "Test Persoon"),
                ("first_sick_day", "2025-01-13"),
                ("postcode", "3531"),
                ("hours_min", "16"),
                ("hours_max", "24"),
                ("direction", "4110"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let c: Value = s
        .get("/api/candidates/k-0100")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(c["coach"], "anna");
    assert_eq!(c["candidate"]["directions"][0]["isco"], "4110");
    assert_eq!(c["candidate"]["hours"]["max"], 24.0);
    // the timeline: week 49 on 2025-12-20 (341 days in), week 52 due next
    let t: Value = s
        .get("/api/candidates/k-0100/timeline")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(t["timeline"]["week"], 49);
    assert_eq!(t["timeline"]["next"]["week"], 52);
    // a form without the CSRF token is refused
    let r = s
        .http
        .post(format!("{}/kandidaten/k-0100/fml", s.base))
        .header("cookie", &s.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("item.lifting=1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_lists_the_api() {
    let server = start(false).await;
    let doc: Value = client()
        .get(format!("{}/api/openapi.json", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for p in [
        "/api/login",
        "/api/candidates",
        "/api/candidates/{id}",
        "/api/candidates/{id}/search",
        "/api/candidates/{id}/actions",
        "/api/candidates/{id}/export.csv",
        "/api/candidates/{id}/audit",
    ] {
        assert!(doc["paths"].get(p).is_some(), "{p} missing");
    }
}

/// The FML form as a browser submits it (every field, as rendered) changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fml_form_resubmitted_unchanged_keeps_the_fml() {
    let server = start(false).await;
    let s = login(&server, "anna").await;
    let before: Value = s
        .get("/api/candidates/demo-k01")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let html = s
        .get("/kandidaten/demo-k01/fml")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("value=\"none\""),
        "empty fields render empty"
    );
    let doc = scraper::Html::parse_document(&html);
    let mut fields: Vec<(String, String)> = vec![];
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    for input in doc.select(&sel("#fml-form input")) {
        let e = input.value();
        let name = e.attr("name").unwrap_or("").to_string();
        if name.is_empty() || name == "csrf" {
            continue;
        }
        if e.attr("type") == Some("checkbox") && e.attr("checked").is_none() {
            continue;
        }
        fields.push((name, e.attr("value").unwrap_or("").to_string()));
    }
    for select in doc.select(&sel("#fml-form select")) {
        let name = select.value().attr("name").unwrap().to_string();
        let chosen = select
            .select(&sel("option[selected]"))
            .next()
            .and_then(|o| o.value().attr("value"))
            .unwrap_or("")
            .to_string();
        fields.push((name, chosen));
    }
    assert!(fields.len() > 50, "the form covers the catalogue");
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = s
        .post_form("/kandidaten/demo-k01/fml", &pairs)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let after: Value = s
        .get("/api/candidates/demo-k01")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        after["candidate"]["restrictions"],
        before["candidate"]["restrictions"]
    );
    assert_eq!(
        after["candidate"]["fml_date"],
        before["candidate"]["fml_date"]
    );
}

/// Vacancies committed to the index by another writer (a crawl) show up after a reload,
/// without restarting the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_vacancies_appear_after_index_reload() {
    let server = start(false).await;
    let s = login(&server, "anna").await;
    let path = "/api/candidates/demo-k01/vacancy?id=demo-new-1";
    assert_eq!(s.get(path).send().await.unwrap().status(), 404);
    {
        let text = std::fs::read_to_string(root().join("config/demo/vacancies.jsonl")).unwrap();
        let (postings, _) = passend::pipeline::read_jsonl(&text);
        let mut p = postings
            .into_iter()
            .find(|p| p.title.contains("Administratief"))
            .unwrap();
        p.id = "demo-new-1".into();
        p.title = "Administratief medewerker debiteuren".into();
        let res = passend::resources::Resources::load(Some(&root().join("config")), None).unwrap();
        let store = passend::store::Store::open(&server.dir.path().join("passend.db")).unwrap();
        let mut index =
            passend::index::VacancyIndex::open(&server.dir.path().join("index")).unwrap();
        let mut report = passend::pipeline::IngestReport::default();
        let mut pipe = passend::pipeline::Pipeline {
            res: &res,
            index: &mut index,
            store: &store,
            now: passend::parse_now("2025-12-19").unwrap(),
        };
        pipe.take(p, "crawl", &mut report).unwrap();
        pipe.commit().unwrap();
    }
    assert!(
        server
            .state
            .reload_index(&server.dir.path().join("index"))
            .unwrap()
    );
    let r = s.get(path).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["vacancy"]["posting"]["title"],
        "Administratief medewerker debiteuren"
    );
}
