//! The authorization matrix: every endpoint × coach A (owner), coach B (another coach), admin,
//! anonymous. A coach sees and changes only their own candidates; an admin sees all; anonymous
//! requests get 401 (API) or a redirect to the sign-in page (HTML). Real HTTP on 127.0.0.1:0.

mod web_common;

use reqwest::Method;
use serde_json::{Value, json};
use web_common::*;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Owner,
    Other,
    Admin,
    Anonymous,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// 2xx
    Ok,
    /// 303 to the page (form posts)
    Redirect,
    Status(u16),
}

struct Row {
    method: Method,
    path: &'static str,
    /// JSON body, form fields, or nothing
    body: Body,
    html: bool,
    owner: Expect,
}

enum Body {
    None,
    Json(fn() -> Value),
    Form(&'static [(&'static str, &'static str)]),
}

fn action_body() -> Value {
    json!({"vacancy_id": "demo-023", "kind": "gesprek", "date": "2025-12-18", "motivation": "gesprek gepland"})
}

fn k01_toml() -> Value {
    json!({"toml": demo_candidate("demo-k01.toml")})
}

fn rows() -> Vec<Row> {
    use Body::*;
    use Expect::*;
    let r = |method: Method, path: &'static str, body: Body, html: bool, owner: Expect| Row {
        method,
        path,
        body,
        html,
        owner,
    };
    vec![
        r(Method::GET, "/api/candidates/demo-k01", None, false, Ok),
        r(
            Method::PUT,
            "/api/candidates/demo-k01",
            Json(k01_toml),
            false,
            Ok,
        ),
        r(
            Method::GET,
            "/api/candidates/demo-k01/toml",
            None,
            false,
            Ok,
        ),
        r(
            Method::GET,
            "/api/candidates/demo-k01/timeline",
            None,
            false,
            Ok,
        ),
        r(
            Method::GET,
            "/api/candidates/demo-k01/search",
            None,
            false,
            Ok,
        ),
        r(
            Method::GET,
            "/api/candidates/demo-k01/search?q=administratief",
            None,
            false,
            Ok,
        ),
        r(
            Method::GET,
            "/api/candidates/demo-k01/vacancy?id=demo-023",
            None,
            false,
            Ok,
        ),
        r(
            Method::GET,
            "/api/candidates/demo-k01/actions",
            None,
            false,
            Ok,
        ),
        r(
            Method::POST,
            "/api/candidates/demo-k01/actions",
            Json(action_body),
            false,
            Ok,
        ),
        r(
            Method::GET,
            "/api/candidates/demo-k01/export.csv",
            None,
            false,
            Ok,
        ),
        r(
            Method::GET,
            "/api/candidates/demo-k01/audit",
            None,
            false,
            Ok,
        ),
        r(Method::GET, "/kandidaten/demo-k01", None, true, Ok),
        r(Method::GET, "/kandidaten/demo-k01/profiel", None, true, Ok),
        r(
            Method::POST,
            "/kandidaten/demo-k01/profiel",
            Form(&[
                ("name", "Kevin Verhoef"),
                ("postcode", "3437"),
                ("direction", "4321"),
            ]),
            true,
            Redirect,
        ),
        r(Method::GET, "/kandidaten/demo-k01/fml", None, true, Ok),
        r(
            Method::POST,
            "/kandidaten/demo-k01/fml",
            Form(&[("item.lifting", "2"), ("item.carrying", "2")]),
            true,
            Redirect,
        ),
        r(Method::GET, "/kandidaten/demo-k01/zoeken", None, true, Ok),
        r(
            Method::GET,
            "/kandidaten/demo-k01/zoeken?q=planner&radius=60",
            None,
            true,
            Ok,
        ),
        r(
            Method::GET,
            "/kandidaten/demo-k01/vacature?id=demo-023",
            None,
            true,
            Ok,
        ),
        r(
            Method::POST,
            "/kandidaten/demo-k01/acties",
            Form(&[
                ("vacancy_id", "demo-023"),
                ("kind", "gesprek"),
                ("date", "2025-12-19"),
            ]),
            true,
            Ok,
        ),
        r(Method::GET, "/kandidaten/demo-k01/verslag", None, true, Ok),
        r(
            Method::GET,
            "/kandidaten/demo-k01/bewijs.csv",
            None,
            true,
            Ok,
        ),
    ]
}

fn expected(row: &Row, who: Who) -> Expect {
    match who {
        Who::Owner | Who::Admin => row.owner,
        Who::Other => Expect::Status(403),
        Who::Anonymous if row.html => Expect::Status(303),
        Who::Anonymous => Expect::Status(401),
    }
}

async fn call(
    server: &Server,
    who: Who,
    sessions: &[(Who, Session)],
    row: &Row,
) -> reqwest::Response {
    let anon = client();
    let url = format!("{}{}", server.base, row.path);
    let mut req = match sessions.iter().find(|(w, _)| *w == who) {
        Some((_, s)) => s.send(row.method.clone(), row.path),
        None => anon.request(row.method.clone(), &url),
    };
    let csrf = sessions
        .iter()
        .find(|(w, _)| *w == who)
        .map(|(_, s)| s.csrf.clone())
        .unwrap_or_default();
    req = match &row.body {
        Body::None => req,
        Body::Json(f) => req.json(&f()),
        Body::Form(fields) => {
            let mut all = vec![("csrf", csrf.as_str())];
            all.extend_from_slice(fields);
            let body: String = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(all)
                .finish();
            req.header("content-type", "application/x-www-form-urlencoded")
                .body(body)
        }
    };
    req.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_for_every_role() {
    let server = start(false).await;
    let sessions = vec![
        (Who::Owner, login(&server, "anna").await),
        (Who::Other, login(&server, "bert").await),
        (Who::Admin, login(&server, "root").await),
    ];
    let mut failures = vec![];
    let mut checked = 0;
    for row in rows() {
        for who in [Who::Anonymous, Who::Other, Who::Owner, Who::Admin] {
            let want = expected(&row, who);
            let res = call(&server, who, &sessions, &row).await;
            let status = res.status().as_u16();
            let location = res
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or("")
                .to_string();
            let body = res.text().await.unwrap_or_default();
            let ok = match want {
                Expect::Ok => (200..300).contains(&status),
                Expect::Redirect => status == 303 && location.starts_with("/kandidaten/demo-k01"),
                Expect::Status(303) => status == 303 && location == "/login",
                Expect::Status(403) => status == 403 && body.contains("geen toegang"),
                Expect::Status(s) => status == s,
            };
            checked += 1;
            if !ok {
                failures.push(format!(
                    "{} {} as {who:?}: want {want:?}, got {status} {location} {}",
                    row.method,
                    row.path,
                    body.chars().take(200).collect::<String>()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} cells wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_and_catalogue_endpoints() {
    let server = start(false).await;
    let anna = login(&server, "anna").await;
    let bert = login(&server, "bert").await;
    let root = login(&server, "root").await;
    let ids = |v: Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    let list = |s: &Session| s.get("/api/candidates").send();
    assert_eq!(
        ids(list(&anna).await.unwrap().json().await.unwrap()),
        ["demo-k01"]
    );
    assert_eq!(
        ids(list(&bert).await.unwrap().json().await.unwrap()),
        ["demo-k02"]
    );
    let mut all = ids(list(&root).await.unwrap().json().await.unwrap());
    all.sort();
    assert_eq!(all, ["demo-k01", "demo-k02"]);
    // the HTML list shows the same split
    let html = anna.get("/").send().await.unwrap().text().await.unwrap();
    assert!(html.contains("demo-k01") && !html.contains("demo-k02"));
    // anonymous: 401 on every API read, the sign-in page for HTML
    for p in ["/api/candidates", "/api/me", "/api/fml", "/api/occupations"] {
        let r = client()
            .get(format!("{}{p}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{p}");
        for s in [&anna, &bert, &root] {
            assert_eq!(s.get(p).send().await.unwrap().status(), 200, "{p}");
        }
    }
    for p in ["/", "/kandidaten/nieuw"] {
        let r = client()
            .get(format!("{}{p}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{p}");
    }
    // creating for yourself works for every coach; a coach cannot overwrite another's id
    let text = demo_candidate("demo-k02.toml");
    let r = anna
        .post_json("/api/candidates", &json!({"toml": text}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422, "demo-k02 exists (bert's)");
    // an admin import goes to the coach named in the file
    let text = demo_candidate("demo-k03.toml").replace("coach = \"anna\"", "coach = \"bert\"");
    let r = root
        .post_json("/api/candidates", &json!({"toml": text}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let bert_ids = ids(list(&bert).await.unwrap().json().await.unwrap());
    assert!(bert_ids.contains(&"demo-k03".to_string()), "{bert_ids:?}");
    let r = anna.get("/api/candidates/demo-k03").send().await.unwrap();
    assert_eq!(r.status(), 403);
    // unknown candidate: 404 for everyone signed in
    assert_eq!(
        anna.get("/api/candidates/nobody")
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}
