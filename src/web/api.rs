//! The JSON API under `/api/` (described by `/api/openapi.json`) and the operations the HTML
//! pages share with it. JSON requests from signed-in coaches come in; JSON, CSV and TOML go out.
//! Unsafe methods need the session's CSRF token in the `X-CSRF-Token` header.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::form::{self, Fields};
use super::search;
use super::{ApiFail, ApiUser, AppState, Fail, Shared, User, auth, db, export, timeline};
use crate::matcher;
use crate::model::{Vacancy, Verdict};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
        .route("/api/me", get(me))
        .route("/api/fml", get(fml))
        .route("/api/occupations", get(occupations))
        .route("/api/candidates", get(list).post(create))
        .route("/api/candidates/{id}", get(show).put(update))
        .route("/api/candidates/{id}/toml", get(toml_export))
        .route("/api/candidates/{id}/timeline", get(timeline_json))
        .route("/api/candidates/{id}/search", get(search_json))
        .route("/api/candidates/{id}/vacancy", get(vacancy_json))
        .route(
            "/api/candidates/{id}/actions",
            get(actions_json).post(action_create),
        )
        .route("/api/candidates/{id}/export.csv", get(export_csv))
        .route("/api/candidates/{id}/audit", get(audit_json))
}

// ---- operations shared with the pages ----

/// Create (import) a candidate from TOML text. The owner is the signed-in coach; an admin
/// importing a file whose `coach` names an existing coach gives it to that coach.
pub fn create_candidate(state: &AppState, user: &User, text: &str) -> Result<String, Fail> {
    let cand = form::parse_candidate(text, &state.res.catalogue).map_err(Fail::Invalid)?;
    let store = state.db();
    let conn = store.connection();
    let owner = match (&cand.coach, user.is_admin()) {
        (Some(c), true) => db::coach_id(conn, c)?.unwrap_or(user.id),
        _ => user.id,
    };
    db::save_candidate(conn, user, owner, text, &cand, true, state.now())?;
    Ok(cand.id)
}

/// Replace a candidate's TOML (after the same checks as an import).
pub fn update_candidate(state: &AppState, user: &User, id: &str, text: &str) -> Result<(), Fail> {
    let cand = form::parse_candidate(text, &state.res.catalogue).map_err(Fail::Invalid)?;
    let store = state.db();
    let conn = store.connection();
    let row = db::authorized(conn, user, id)?;
    if cand.id != id {
        return Err(Fail::Invalid(vec![super::field_error(
            "id",
            format!(
                "Het id in het profiel («{}») hoort «{id}» te zijn.",
                cand.id
            ),
        )]));
    }
    db::save_candidate(conn, user, row.coach_id, text, &cand, false, state.now())
}

/// A vacancy from the index with the matcher's judgement for this candidate.
pub fn judged_vacancy(
    state: &AppState,
    cand: &crate::model::Candidate,
    vacancy_id: &str,
) -> Result<(Vacancy, matcher::Judgement), Fail> {
    let index = state.index().ok_or(Fail::NotFound)?;
    let v = index.get(vacancy_id)?.ok_or(Fail::NotFound)?;
    let home = matcher::home_place(cand, &state.res);
    let j = matcher::judge(cand, &v, &state.res, home.as_ref(), state.now());
    Ok((v, j))
}

/// Record one action on a vacancy (one transaction).
pub fn record_action(state: &AppState, user: &User, id: &str, f: &Fields) -> Result<i64, Fail> {
    let row = {
        let store = state.db();
        db::authorized(store.connection(), user, id)?
    };
    let vid = f.get("vacancy_id").unwrap_or("");
    let found = if vid.is_empty() {
        None
    } else {
        match judged_vacancy(state, &row.candidate, vid) {
            Ok(x) => Some(x),
            Err(Fail::NotFound) => None,
            Err(e) => return Err(e),
        }
    };
    let verdict = found
        .as_ref()
        .map(|(_, j)| j.verdict)
        .unwrap_or(Verdict::Signal);
    let mut action = form::validate_action(f, verdict, state.now()).map_err(Fail::Invalid)?;
    let Some((v, j)) = found else {
        return Err(Fail::Invalid(vec![super::field_error(
            "vacancy_id",
            "Deze vacature staat niet in de index.",
        )]));
    };
    action.vacancy_id = v.posting.id.clone();
    let verdict = serde_json::to_value(j.verdict)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let store = state.db();
    db::insert_action(
        store.connection(),
        user,
        id,
        &action,
        &verdict,
        &v,
        state.now(),
    )
}

fn candidate_summary(r: &db::CandidateRow) -> Value {
    json!({
        "id": r.id,
        "name": r.candidate.name,
        "coach": r.coach_name,
        "first_sick_day": r.candidate.first_sick_day,
        "updated_at": r.updated_at,
    })
}

fn authorized_row(state: &AppState, user: &User, id: &str) -> Result<db::CandidateRow, Fail> {
    let store = state.db();
    db::authorized(store.connection(), user, id)
}

fn audit(state: &AppState, user: &User, id: &str, action: &str) -> Result<(), Fail> {
    let store = state.db();
    db::audit(store.connection(), user, id, action, "", state.now())?;
    Ok(())
}

// ---- handlers ----

#[derive(Deserialize)]
struct LoginBody {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

async fn login(
    State(state): State<Shared>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Json(body): Json<LoginBody>,
) -> Result<Response, ApiFail> {
    // argon2 takes a while: off the async workers
    let st = state.clone();
    let ip = addr.ip().to_string();
    let (token, user) = tokio::task::spawn_blocking(move || {
        auth::login(&st.store, &body.name, &body.password, &ip, st.now())
    })
    .await
    .map_err(|e| Fail::Internal(e.to_string()))??;
    let cookie = super::session_cookie(&state, Some(&token));
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(json!({"name": user.name, "role": user.role, "csrf": user.csrf})),
    )
        .into_response())
}

async fn logout(
    State(state): State<Shared>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
) -> Result<Response, ApiFail> {
    super::check_csrf(&user, super::csrf_header(&headers))?;
    if let Some(t) = super::cookie_value(&headers, super::SESSION_COOKIE) {
        db::delete_session(state.db().connection(), &t)?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, super::session_cookie(&state, None))],
    )
        .into_response())
}

async fn me(ApiUser(user): ApiUser) -> Json<Value> {
    Json(json!({"name": user.name, "role": user.role, "csrf": user.csrf}))
}

async fn fml(State(state): State<Shared>, ApiUser(_): ApiUser) -> Json<Value> {
    let items: Vec<Value> = state
        .res
        .catalogue
        .items()
        .iter()
        .map(|i| {
            json!({"key": i.key, "id": i.id, "rubric": i.rubric, "kind": i.kind, "label": i.label,
                   "codes": i.codes.iter().map(|c| json!({"value": c.value, "label": c.label})).collect::<Vec<_>>()})
        })
        .collect();
    Json(json!({"version": state.res.catalogue.version, "items": items}))
}

async fn occupations(State(state): State<Shared>, ApiUser(_): ApiUser) -> Json<Value> {
    Json(json!(
        state
            .occupations
            .iter()
            .map(|(c, l)| json!({"isco": c, "label": l}))
            .collect::<Vec<_>>()
    ))
}

async fn list(State(state): State<Shared>, ApiUser(user): ApiUser) -> Result<Json<Value>, ApiFail> {
    let store = state.db();
    let rows = db::list_candidates(store.connection(), &user)?;
    Ok(Json(json!(
        rows.iter().map(candidate_summary).collect::<Vec<_>>()
    )))
}

#[derive(Deserialize)]
struct TomlBody {
    toml: String,
}

async fn create(
    State(state): State<Shared>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    Json(body): Json<TomlBody>,
) -> Result<Response, ApiFail> {
    super::check_csrf(&user, super::csrf_header(&headers))?;
    let id = create_candidate(&state, &user, &body.toml)?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))).into_response())
}

async fn show(
    State(state): State<Shared>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiFail> {
    let row = authorized_row(&state, &user, &id)?;
    audit(&state, &user, &id, "beperkingen bekeken (API)")?;
    Ok(Json(json!({
        "id": row.id,
        "coach": row.coach_name,
        "updated_at": row.updated_at,
        "candidate": row.candidate,
        "toml": row.toml,
    })))
}

async fn update(
    State(state): State<Shared>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<TomlBody>,
) -> Result<Json<Value>, ApiFail> {
    super::check_csrf(&user, super::csrf_header(&headers))?;
    update_candidate(&state, &user, &id, &body.toml)?;
    Ok(Json(json!({"id": id})))
}

async fn toml_export(
    State(state): State<Shared>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, ApiFail> {
    let row = authorized_row(&state, &user, &id)?;
    audit(&state, &user, &id, "profiel geëxporteerd (TOML)")?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/toml; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.toml\"", row.id),
            ),
        ],
        row.toml,
    )
        .into_response())
}

async fn timeline_json(
    State(state): State<Shared>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiFail> {
    let row = authorized_row(&state, &user, &id)?;
    let t = row
        .candidate
        .first_sick_day
        .map(|d| timeline::timeline(d, state.now().date_naive()));
    Ok(Json(json!({"candidate": id, "timeline": t})))
}

async fn search_json(
    State(state): State<Shared>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    Query(p): Query<search::Params>,
) -> Result<Json<Value>, ApiFail> {
    let row = authorized_row(&state, &user, &id)?;
    let f = search::validate(&p).map_err(Fail::Invalid)?;
    let out = search::run(&state, &row.candidate, &f)?;
    Ok(Json(json!(out)))
}

#[derive(Deserialize)]
struct VacancyQuery {
    #[serde(default)]
    id: String,
}

async fn vacancy_json(
    State(state): State<Shared>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    Query(q): Query<VacancyQuery>,
) -> Result<Json<Value>, ApiFail> {
    let row = authorized_row(&state, &user, &id)?;
    let (v, j) = judged_vacancy(&state, &row.candidate, &q.id)?;
    Ok(Json(json!({
        "vacancy": v,
        "verdict": j.verdict,
        "verdict_label": j.verdict.dutch(),
        "reasons": j.reasons,
        "travel_minutes": j.travel_minutes,
    })))
}

async fn actions_json(
    State(state): State<Shared>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiFail> {
    let store = state.db();
    db::authorized(store.connection(), &user, &id)?;
    Ok(Json(json!(db::actions(
        store.connection(),
        &id,
        None,
        None
    )?)))
}

async fn action_create(
    State(state): State<Shared>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<serde_json::Map<String, Value>>,
) -> Result<Response, ApiFail> {
    super::check_csrf(&user, super::csrf_header(&headers))?;
    let fields = Fields(
        body.into_iter()
            .map(|(k, v)| {
                let s = match v {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                (k, s)
            })
            .collect(),
    );
    let aid = record_action(&state, &user, &id, &fields)?;
    Ok((StatusCode::CREATED, Json(json!({"id": aid}))).into_response())
}

async fn export_csv(
    State(state): State<Shared>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    Query(p): Query<export::Period>,
) -> Result<Response, ApiFail> {
    csv_response(&state, &user, &id, &p).map_err(ApiFail)
}

/// The CSV download (shared with the page route).
pub fn csv_response(
    state: &AppState,
    user: &User,
    id: &str,
    p: &export::Period,
) -> Result<Response, Fail> {
    let (from, to) = export::validate_period(p).map_err(Fail::Invalid)?;
    let store = state.db();
    let conn = store.connection();
    db::authorized(conn, user, id)?;
    let actions = db::actions(conn, id, from, to)?;
    let lists = db::shortlists(conn, id, from, to)?;
    db::audit(conn, user, id, "bewijs geëxporteerd (CSV)", "", state.now())?;
    let body = export::csv(id, &actions, &lists)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"bewijs-{id}.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}

async fn audit_json(
    State(state): State<Shared>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiFail> {
    let store = state.db();
    db::authorized(store.connection(), &user, &id)?;
    Ok(Json(json!(db::audit_entries(store.connection(), &id)?)))
}
