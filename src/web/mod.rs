//! The coach web app and JSON API (`passend serve`): search passend werk for a candidate and keep
//! the Poortwachter evidence as a by-product of the daily work.
//!
//! Why it exists: coaches work in a browser. They open a candidate, edit the FML, search passend
//! werk, propose vacancies, record applications and export the trail for the
//! re-integratieverslag. Data enters as HTTP requests (forms, JSON, candidate TOML) from signed-in
//! coaches; candidates are validated by [`crate::candidate::parse`] (the same rules as the TOML
//! import), vacancies are read from the index and judged by the matcher (never re-judged here).
//! Data leaves as server-rendered Dutch HTML, JSON, CSV and rows in the SQLite store (tables
//! `web_*`, migration 4). It sits at the "deliver" end of the chain and never writes the index.
//! No health data is logged: restrictions and notes only reach the store and the coach's screen,
//! and every view or change of them is written to the audit log (`web_audit`).

pub mod api;
pub mod auth;
pub mod cli;
pub mod db;
pub mod export;
pub mod form;
pub mod pages;
pub mod search;
pub mod timeline;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};

use crate::index::VacancyIndex;
use crate::resources::Resources;
use crate::store::Store;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "passend_sessie";

/// How the server is run.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Mark the session cookie `Secure` (off only for plain-http tests on 127.0.0.1).
    pub secure_cookies: bool,
    /// A fixed "now" (the CLI's `--now`); `None` means the clock.
    pub now: Option<DateTime<Utc>>,
}

/// Everything a request handler may use.
pub struct AppState {
    pub store: Mutex<Store>,
    /// The vacancy index (read only); swapped by [`AppState::reload_index`] so vacancies a
    /// crawl added in another process show up without a restart.
    index: std::sync::RwLock<Option<Arc<VacancyIndex>>>,
    pub res: Resources,
    pub opts: ServeOptions,
    pub templates: minijinja::Environment<'static>,
    /// Occupation vocabulary for the direction picker: (isco, label), sorted by label.
    pub occupations: Vec<(String, String)>,
}

impl AppState {
    pub fn new(
        store: Store,
        index: Option<VacancyIndex>,
        res: Resources,
        opts: ServeOptions,
    ) -> anyhow::Result<AppState> {
        let mut occupations: Vec<(String, String)> = (0..10_000)
            .map(|n| format!("{n:04}"))
            .filter(|c| res.vocabulary.known_group(c))
            .map(|c| {
                let l = res.vocabulary.label(&c);
                (c, l)
            })
            .collect();
        occupations.sort_by_key(|a| a.1.to_lowercase());
        Ok(AppState {
            store: Mutex::new(store),
            index: std::sync::RwLock::new(index.map(Arc::new)),
            res,
            opts,
            templates: pages::templates()?,
            occupations,
        })
    }

    /// The current index, if there is one.
    pub fn index(&self) -> Option<Arc<VacancyIndex>> {
        self.index.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Open the index in `dir` again (it sees every commit made since); no-op when absent.
    pub fn reload_index(&self, dir: &std::path::Path) -> anyhow::Result<bool> {
        if !dir.exists() {
            return Ok(false);
        }
        let fresh = VacancyIndex::open_existing(dir)?;
        *self.index.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(fresh));
        Ok(true)
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.opts.now.unwrap_or_else(Utc::now)
    }

    pub fn db(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub type Shared = Arc<AppState>;

/// A signed-in coach.
#[derive(Debug, Clone, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: String,
    #[serde(skip)]
    pub csrf: String,
}

impl User {
    pub fn is_admin(&self) -> bool {
        self.role == "admin"
    }
}

/// One Dutch message for one field.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

pub fn field_error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

/// Why a request failed.
#[derive(Debug)]
pub enum Fail {
    Unauthenticated,
    Forbidden,
    NotFound,
    BadCsrf,
    TooManyAttempts,
    Invalid(Vec<FieldError>),
    Internal(String),
}

impl From<anyhow::Error> for Fail {
    fn from(e: anyhow::Error) -> Fail {
        Fail::Internal(format!("{e:#}"))
    }
}

impl From<rusqlite::Error> for Fail {
    fn from(e: rusqlite::Error) -> Fail {
        Fail::Internal(e.to_string())
    }
}

impl Fail {
    fn status(&self) -> StatusCode {
        match self {
            Fail::Unauthenticated => StatusCode::UNAUTHORIZED,
            Fail::Forbidden | Fail::BadCsrf => StatusCode::FORBIDDEN,
            Fail::NotFound => StatusCode::NOT_FOUND,
            Fail::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            Fail::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Fail::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn dutch(&self) -> String {
        match self {
            Fail::Unauthenticated => "U bent niet ingelogd.".into(),
            Fail::Forbidden => "U heeft geen toegang tot deze kandidaat.".into(),
            Fail::NotFound => "Niet gevonden.".into(),
            Fail::BadCsrf => {
                "Het formulier is verlopen of ongeldig (CSRF-controle). Laad de pagina opnieuw."
                    .into()
            }
            Fail::TooManyAttempts => {
                "Te veel mislukte inlogpogingen. Probeer het over 15 minuten opnieuw.".into()
            }
            Fail::Invalid(errs) => errs
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            Fail::Internal(_) => "Er ging iets mis op de server.".into(),
        }
    }
}

/// A failure answered as JSON (`/api/...`).
pub struct ApiFail(pub Fail);

impl<E: Into<Fail>> From<E> for ApiFail {
    fn from(e: E) -> ApiFail {
        ApiFail(e.into())
    }
}

impl IntoResponse for ApiFail {
    fn into_response(self) -> Response {
        if let Fail::Internal(msg) = &self.0 {
            tracing::error!("web api: {msg}");
        }
        let fields = match &self.0 {
            Fail::Invalid(e) => e.clone(),
            _ => vec![],
        };
        let body = serde_json::json!({ "error": self.0.dutch(), "fields": fields });
        (self.0.status(), axum::Json(body)).into_response()
    }
}

/// A failure answered as an HTML page (or a redirect to the sign-in page).
pub struct PageFail(pub Fail);

impl<E: Into<Fail>> From<E> for PageFail {
    fn from(e: E) -> PageFail {
        PageFail(e.into())
    }
}

impl IntoResponse for PageFail {
    fn into_response(self) -> Response {
        match &self.0 {
            Fail::Unauthenticated => Redirect::to("/login").into_response(),
            Fail::Internal(msg) => {
                tracing::error!("web page: {msg}");
                (self.0.status(), pages::error_html(&self.0.dutch())).into_response()
            }
            _ => (self.0.status(), pages::error_html(&self.0.dutch())).into_response(),
        }
    }
}

pub(crate) fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The signed-in coach of a request, if any.
pub fn current_user(state: &AppState, headers: &HeaderMap) -> Result<Option<User>, Fail> {
    let Some(token) = cookie_value(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let store = state.db();
    Ok(db::session_user(store.connection(), &token, state.now())?)
}

/// Extractor: a signed-in coach, for JSON endpoints (401 otherwise).
pub struct ApiUser(pub User);

impl FromRequestParts<Shared> for ApiUser {
    type Rejection = ApiFail;
    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, ApiFail> {
        match current_user(state, &parts.headers)? {
            Some(u) => Ok(ApiUser(u)),
            None => Err(ApiFail(Fail::Unauthenticated)),
        }
    }
}

/// Extractor: a signed-in coach, for HTML pages (redirect to /login otherwise).
pub struct PageUser(pub User);

impl FromRequestParts<Shared> for PageUser {
    type Rejection = PageFail;
    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, PageFail> {
        match current_user(state, &parts.headers)? {
            Some(u) => Ok(PageUser(u)),
            None => Err(PageFail(Fail::Unauthenticated)),
        }
    }
}

/// Check a CSRF token (form field or `X-CSRF-Token` header) against the session's.
pub fn check_csrf(user: &User, given: Option<&str>) -> Result<(), Fail> {
    match given {
        Some(g) if auth::constant_time_eq(g.as_bytes(), user.csrf.as_bytes()) => Ok(()),
        _ => Err(Fail::BadCsrf),
    }
}

pub fn csrf_header(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-csrf-token").and_then(|v| v.to_str().ok())
}

/// The `Set-Cookie` value for a new session (or an expired one to sign out).
pub fn session_cookie(state: &AppState, token: Option<&str>) -> String {
    let secure = if state.opts.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    match token {
        Some(t) => format!(
            "{SESSION_COOKIE}={t}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{secure}",
            auth::SESSION_HOURS * 3600
        ),
        None => format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{secure}"),
    }
}

async fn static_css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("static/app.css"),
    )
}

async fn static_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("static/app.js"),
    )
}

async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("static/openapi.json"),
    )
}

/// True when the request has no Origin header (non-browser clients) or one naming this host.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
    !host.is_empty() && origin_host == host
}

/// Security headers on every response.
async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    // Cross-site form posts (including a forged sign-in) are refused: a browser sends Origin on
    // unsafe requests, and it must be this server.
    if !req.method().is_safe() && !same_origin(req.headers()) {
        return (
            StatusCode::FORBIDDEN,
            axum::Json(serde_json::json!({"error": Fail::BadCsrf.dutch(), "fields": []})),
        )
            .into_response();
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::X_FRAME_OPTIONS,
        header::HeaderValue::from_static("DENY"),
    );
    h.insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(
            "default-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        ),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    res
}

/// The whole application.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/static/app.css", get(static_css))
        .route("/static/app.js", get(static_js))
        .route("/api/openapi.json", get(openapi))
        .merge(api::routes())
        .merge(pages::routes())
        .route("/healthz", get(|| async { "ok" }))
        .route("/logout", post(pages::logout))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(state)
}

/// Serve until the future `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Shared,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    Ok(())
}
