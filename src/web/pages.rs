//! The server-rendered Dutch web UI: sign-in, candidates, profile and FML forms, "Zoek passend
//! werk", a vacancy with its evidence and the action form, and the printable spoor-2 report.
//! Form posts come in (each carries the session's CSRF token); HTML rendered from the templates
//! in `src/web/templates/` goes out. Failed checks re-render the form with a message per field.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use minijinja::value::Serde;
use serde::Deserialize;
use serde_json::{Value, json};

use super::form::{self, Fields};
use super::{
    AppState, Fail, FieldError, PageFail, PageUser, Shared, User, api, auth, db, export, search,
    timeline,
};
use crate::fml::ItemKind;
use crate::model::{Candidate, RestrictionValue};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(index))
        .route("/login", get(login_page).post(login_post))
        .route("/kandidaten/nieuw", get(new_page).post(new_post))
        .route("/kandidaten/import", axum::routing::post(import_post))
        .route("/kandidaten/{id}", get(candidate_page))
        .route(
            "/kandidaten/{id}/profiel",
            get(profile_page).post(profile_post),
        )
        .route("/kandidaten/{id}/fml", get(fml_page).post(fml_post))
        .route("/kandidaten/{id}/zoeken", get(search_page))
        .route("/kandidaten/{id}/vacature", get(vacancy_page))
        .route("/kandidaten/{id}/acties", axum::routing::post(action_post))
        .route("/kandidaten/{id}/verslag", get(report_page))
        .route("/kandidaten/{id}/bewijs.csv", get(csv_download))
}

pub fn templates() -> anyhow::Result<minijinja::Environment<'static>> {
    let mut env = minijinja::Environment::new();
    // `none` renders as nothing (an empty form field), not as the text "none"
    env.set_formatter(|out, state, value| {
        if value.is_none() {
            Ok(())
        } else {
            minijinja::escape_formatter(out, state, value)
        }
    });
    // 32.0 → "32", 24.5 → "24,5" (Dutch decimal comma)
    env.add_filter("num", |v: f64| {
        if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}").replace('.', ",")
        }
    });
    for (name, src) in [
        ("layout.html", include_str!("templates/layout.html")),
        ("login.html", include_str!("templates/login.html")),
        ("index.html", include_str!("templates/index.html")),
        ("profile.html", include_str!("templates/profile.html")),
        ("fml.html", include_str!("templates/fml.html")),
        ("candidate.html", include_str!("templates/candidate.html")),
        ("search.html", include_str!("templates/search.html")),
        ("vacancy.html", include_str!("templates/vacancy.html")),
        ("report.html", include_str!("templates/report.html")),
    ] {
        env.add_template(name, src)?;
    }
    Ok(env)
}

/// A minimal error page (no template, so it cannot fail).
pub fn error_html(message: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Fout · passend</title>\
         <link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main><h1>Dat lukte niet</h1>\
         <p class=\"errors\">{}</p><p><a href=\"/\">Terug naar de kandidaten</a></p></main></body></html>",
        html_escape::encode_text(message)
    ))
}

fn render(
    state: &AppState,
    name: &str,
    user: Option<&User>,
    mut ctx: Value,
) -> Result<Html<String>, Fail> {
    if let Some(u) = user {
        ctx["user"] = json!({"name": u.name, "role": u.role});
        ctx["csrf"] = json!(u.csrf);
    }
    let t = state
        .templates
        .get_template(name)
        .map_err(|e| Fail::Internal(e.to_string()))?;
    t.render(Serde(&ctx))
        .map(Html)
        .map_err(|e| Fail::Internal(format!("{e:#}")))
}

fn check_form_csrf(user: &User, f: &Fields) -> Result<(), Fail> {
    super::check_csrf(user, f.get("csrf"))
}

fn cand_url(id: &str) -> String {
    format!("/kandidaten/{}", urlencode(id))
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

// ---- sign-in ----

async fn login_page(State(state): State<Shared>, headers: HeaderMap) -> Result<Response, PageFail> {
    if super::current_user(&state, &headers)?.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    Ok(render(&state, "login.html", None, json!({"name": ""}))?.into_response())
}

async fn login_post(
    State(state): State<Shared>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, PageFail> {
    let f = Fields(f);
    let name = f.get("name").unwrap_or("").to_string();
    let st = state.clone();
    let ip = addr.ip().to_string();
    let password = f.get("password").unwrap_or("").to_string();
    let login_name = name.clone();
    let result = tokio::task::spawn_blocking(move || {
        auth::login(&st.store, &login_name, &password, &ip, st.now())
    })
    .await
    .map_err(|e| Fail::Internal(e.to_string()))?;
    match result {
        Ok((token, _)) => Ok((
            [(header::SET_COOKIE, super::session_cookie(&state, Some(&token)))],
            Redirect::to("/"),
        )
            .into_response()),
        Err(Fail::Invalid(errors)) => Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            render(&state, "login.html", None, json!({"name": name, "errors": errors}))?,
        )
            .into_response()),
        Err(Fail::TooManyAttempts) => Ok((
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            render(
                &state,
                "login.html",
                None,
                json!({"name": name, "errors": [{"field": "name", "message": Fail::TooManyAttempts.dutch()}]}),
            )?,
        )
            .into_response()),
        Err(e) => Err(PageFail(e)),
    }
}

pub async fn logout(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, PageFail> {
    let f = Fields(f);
    let user = super::current_user(&state, &headers)?.ok_or(Fail::Unauthenticated)?;
    check_form_csrf(&user, &f)?;
    if let Some(t) = super::cookie_value(&headers, super::SESSION_COOKIE) {
        db::delete_session(state.db().connection(), &t)?;
    }
    Ok((
        [(header::SET_COOKIE, super::session_cookie(&state, None))],
        Redirect::to("/login"),
    )
        .into_response())
}

// ---- candidates ----

fn index_ctx(state: &AppState, user: &User) -> Result<Value, Fail> {
    let rows = {
        let store = state.db();
        db::list_candidates(store.connection(), user)?
    };
    let today = state.now().date_naive();
    let list: Vec<Value> = rows
        .iter()
        .map(|r| {
            let t = r
                .candidate
                .first_sick_day
                .map(|d| timeline::timeline(d, today));
            json!({"id": r.id, "name": r.candidate.name, "coach": r.coach_name,
                   "week": t.as_ref().map(|t| t.week), "next": t.and_then(|t| t.next)})
        })
        .collect();
    Ok(json!({"candidates": list, "toml": ""}))
}

async fn index(
    State(state): State<Shared>,
    PageUser(user): PageUser,
) -> Result<Html<String>, PageFail> {
    let ctx = index_ctx(&state, &user)?;
    Ok(render(&state, "index.html", Some(&user), ctx)?)
}

async fn import_post(
    State(state): State<Shared>,
    PageUser(user): PageUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, PageFail> {
    let f = Fields(f);
    check_form_csrf(&user, &f)?;
    let text =
        f.0.iter()
            .find(|(k, _)| k == "toml")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
    match api::create_candidate(&state, &user, &text) {
        Ok(id) => Ok(Redirect::to(&cand_url(&id)).into_response()),
        Err(Fail::Invalid(errors)) => {
            let mut ctx = index_ctx(&state, &user)?;
            ctx["errors"] = json!(errors);
            ctx["toml"] = json!(text);
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                render(&state, "index.html", Some(&user), ctx)?,
            )
                .into_response())
        }
        Err(e) => Err(PageFail(e)),
    }
}

/// Form values of a candidate for the profile form.
fn profile_values(c: &Candidate) -> Value {
    json!({
        "id": c.id, "name": c.name, "email": c.email, "first_sick_day": c.first_sick_day,
        "postcode": c.home.postcode, "place": c.home.place,
        "max_travel_minutes": c.home.max_travel_minutes,
        "hours_min": c.hours.map(|h| h.min), "hours_max": c.hours.map(|h| h.max),
        "education": c.education, "skills": c.skills.join(", "),
        "licences": c.licences.join(", "), "languages": c.languages.join(", "),
        "directions": c.directions.iter().map(|d| d.isco.clone()).collect::<Vec<_>>(),
    })
}

fn form_values(f: &Fields) -> Value {
    let mut v = serde_json::Map::new();
    for (k, val) in &f.0 {
        if k != "direction" && k != "csrf" {
            v.insert(k.clone(), json!(val));
        }
    }
    v.insert("directions".into(), json!(f.all("direction")));
    Value::Object(v)
}

fn profile_ctx(
    state: &AppState,
    id: &str,
    is_new: bool,
    values: Value,
    errors: &[FieldError],
) -> Value {
    json!({
        "id": id, "is_new": is_new, "v": values, "errors": errors,
        "action": if is_new { "/kandidaten/nieuw".to_string() } else { format!("{}/profiel", cand_url(id)) },
        "education_levels": crate::candidate::EDUCATION_LEVELS,
        "occupations": state.occupations,
    })
}

async fn new_page(
    State(state): State<Shared>,
    PageUser(user): PageUser,
) -> Result<Html<String>, PageFail> {
    Ok(render(
        &state,
        "profile.html",
        Some(&user),
        profile_ctx(&state, "", true, json!({"directions": []}), &[]),
    )?)
}

fn occupation_label(state: &AppState) -> impl Fn(&str) -> Option<String> + '_ {
    |code: &str| {
        state
            .res
            .vocabulary
            .known_group(code)
            .then(|| state.res.vocabulary.label(code))
    }
}

async fn new_post(
    State(state): State<Shared>,
    PageUser(user): PageUser,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, PageFail> {
    let f = Fields(f);
    check_form_csrf(&user, &f)?;
    let result = form::apply_profile("", &f, true, &user.name, &occupation_label(&state))
        .map_err(Fail::Invalid)
        .and_then(|text| api::create_candidate(&state, &user, &text));
    match result {
        Ok(id) => Ok(Redirect::to(&cand_url(&id)).into_response()),
        Err(Fail::Invalid(errors)) => Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            render(
                &state,
                "profile.html",
                Some(&user),
                profile_ctx(&state, "", true, form_values(&f), &errors),
            )?,
        )
            .into_response()),
        Err(e) => Err(PageFail(e)),
    }
}

fn load(state: &AppState, user: &User, id: &str) -> Result<db::CandidateRow, Fail> {
    let store = state.db();
    db::authorized(store.connection(), user, id)
}

fn action_rows(actions: &[db::Action]) -> Vec<Value> {
    actions
        .iter()
        .map(|a| {
            let mut v = json!(a);
            v["kind_label"] = json!(form::action_label(&a.kind));
            v["verdict_label"] = json!(export::verdict_dutch(&a.verdict));
            v
        })
        .collect()
}

fn restriction_value(state: &AppState, item: &str, v: &RestrictionValue) -> String {
    let Some(it) = state.res.catalogue.get(item) else {
        return format!("{v:?}");
    };
    match v {
        RestrictionValue::Code(c) => format!("{c} · {}", it.code_label(*c)),
        RestrictionValue::Flags(fs) if fs.is_empty() => it.code_label(0).to_string(),
        RestrictionValue::Flags(fs) => fs
            .iter()
            .map(|f| it.code_label(*f).to_string())
            .collect::<Vec<_>>()
            .join("; "),
    }
}

async fn candidate_page(
    State(state): State<Shared>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
) -> Result<Html<String>, PageFail> {
    let (row, actions, audit) = {
        let store = state.db();
        let conn = store.connection();
        let row = db::authorized(conn, &user, &id)?;
        db::audit(conn, &user, &id, "beperkingen bekeken", "", state.now())?;
        (
            row,
            db::actions(conn, &id, None, None)?,
            db::audit_entries(conn, &id)?,
        )
    };
    let c = &row.candidate;
    let restrictions: Vec<Value> = c
        .restrictions
        .iter()
        .map(|r| {
            let it = state.res.catalogue.get(&r.item);
            json!({"id": it.map(|i| i.id.clone()), "label": it.map(|i| i.label.clone()).unwrap_or(r.item.clone()),
                   "value": restriction_value(&state, &r.item, &r.value), "note": r.note})
        })
        .collect();
    let t = c
        .first_sick_day
        .map(|d| timeline::timeline(d, state.now().date_naive()));
    Ok(render(
        &state,
        "candidate.html",
        Some(&user),
        json!({"c": c, "coach": row.coach_name, "timeline": t, "restrictions": restrictions,
               "actions": action_rows(&actions), "audit": audit}),
    )?)
}

async fn profile_page(
    State(state): State<Shared>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
) -> Result<Html<String>, PageFail> {
    let row = load(&state, &user, &id)?;
    Ok(render(
        &state,
        "profile.html",
        Some(&user),
        profile_ctx(&state, &id, false, profile_values(&row.candidate), &[]),
    )?)
}

async fn profile_post(
    State(state): State<Shared>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, PageFail> {
    let f = Fields(f);
    check_form_csrf(&user, &f)?;
    let row = load(&state, &user, &id)?;
    let result = form::apply_profile(&row.toml, &f, false, &user.name, &occupation_label(&state))
        .map_err(Fail::Invalid)
        .and_then(|text| api::update_candidate(&state, &user, &id, &text));
    match result {
        Ok(()) => Ok(Redirect::to(&cand_url(&id)).into_response()),
        Err(Fail::Invalid(errors)) => Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            render(
                &state,
                "profile.html",
                Some(&user),
                profile_ctx(&state, &id, false, form_values(&f), &errors),
            )?,
        )
            .into_response()),
        Err(e) => Err(PageFail(e)),
    }
}

/// The FML form context: catalogue items by rubric with the current (or submitted) values.
fn fml_ctx(
    state: &AppState,
    row: &db::CandidateRow,
    submitted: Option<&Fields>,
    errors: &[FieldError],
) -> Value {
    let c = &row.candidate;
    let mut rubrics: Vec<(String, Vec<Value>)> = vec![];
    for it in state.res.catalogue.items() {
        let (code, flags, note): (Option<u8>, Vec<u8>, Option<String>) = match submitted {
            Some(f) => (
                f.get(&format!("item.{}", it.key))
                    .and_then(|v| v.parse().ok()),
                f.all(&format!("flag.{}", it.key))
                    .iter()
                    .filter_map(|v| v.parse().ok())
                    .collect(),
                f.get(&format!("note.{}", it.key)).map(str::to_string),
            ),
            None => match c.restriction(&it.key) {
                None => (None, vec![], None),
                Some(r) => match &r.value {
                    RestrictionValue::Code(n) => (Some(*n), vec![], r.note.clone()),
                    RestrictionValue::Flags(fs) if fs.is_empty() => (None, vec![0], r.note.clone()),
                    RestrictionValue::Flags(fs) => (None, fs.clone(), r.note.clone()),
                },
            },
        };
        let codes: Vec<Value> = it
            .codes
            .iter()
            .map(|cd| {
                let checked = match it.kind {
                    ItemKind::Flags => flags.contains(&cd.value),
                    _ => code == Some(cd.value),
                };
                json!({"value": cd.value, "label": cd.label, "checked": checked})
            })
            .collect();
        let error = errors.iter().any(|e| {
            e.field == format!("item.{}", it.key)
                || e.field == format!("flag.{}", it.key)
                || e.field == format!("note.{}", it.key)
                || e.field == format!("fml.{}", it.key)
        });
        let v = json!({"key": it.key, "id": it.id, "label": it.label, "kind": it.kind,
                       "codes": codes, "note": note, "error": error});
        match rubrics.iter_mut().find(|(r, _)| *r == it.rubric) {
            Some((_, items)) => items.push(v),
            None => rubrics.push((it.rubric.clone(), vec![v])),
        }
    }
    let fml_date = match submitted {
        Some(f) => f.get("fml_date").map(str::to_string),
        None => c.fml_date.map(|d| d.to_string()),
    };
    json!({
        "id": row.id, "name": c.name, "fml_date": fml_date, "errors": errors,
        "rubrics": rubrics.into_iter().map(|(name, items)| json!({"name": name, "items": items})).collect::<Vec<_>>(),
    })
}

async fn fml_page(
    State(state): State<Shared>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
) -> Result<Html<String>, PageFail> {
    let row = {
        let store = state.db();
        let row = db::authorized(store.connection(), &user, &id)?;
        db::audit(
            store.connection(),
            &user,
            &id,
            "beperkingen bekeken (FML-formulier)",
            "",
            state.now(),
        )?;
        row
    };
    Ok(render(
        &state,
        "fml.html",
        Some(&user),
        fml_ctx(&state, &row, None, &[]),
    )?)
}

async fn fml_post(
    State(state): State<Shared>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, PageFail> {
    let f = Fields(f);
    check_form_csrf(&user, &f)?;
    let row = load(&state, &user, &id)?;
    let result = form::apply_fml(&row.toml, &f, &state.res.catalogue)
        .map_err(Fail::Invalid)
        .and_then(|text| api::update_candidate(&state, &user, &id, &text));
    match result {
        Ok(()) => Ok(Redirect::to(&cand_url(&id)).into_response()),
        Err(Fail::Invalid(errors)) => Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            render(
                &state,
                "fml.html",
                Some(&user),
                fml_ctx(&state, &row, Some(&f), &errors),
            )?,
        )
            .into_response()),
        Err(e) => Err(PageFail(e)),
    }
}

// ---- search, vacancy, actions ----

async fn search_page(
    State(state): State<Shared>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    Query(p): Query<search::Params>,
) -> Result<Response, PageFail> {
    let row = load(&state, &user, &id)?;
    let c = &row.candidate;
    let (out, errors) = match search::validate(&p) {
        Ok(f) => (Some(search::run(&state, c, &f)?), vec![]),
        Err(e) => (None, e),
    };
    let html = render(
        &state,
        "search.html",
        Some(&user),
        json!({"id": id, "name": c.name, "p": p, "directions": c.directions, "errors": errors,
               "mode": out.as_ref().map(|o| o.mode), "hits": out.as_ref().map(|o| &o.hits),
               "explanation": out.as_ref().map(|o| &o.explanation)}),
    )?;
    Ok(if errors.is_empty() {
        html.into_response()
    } else {
        (axum::http::StatusCode::UNPROCESSABLE_ENTITY, html).into_response()
    })
}

#[derive(Deserialize)]
struct VacancyQuery {
    #[serde(default)]
    id: String,
}

fn vacancy_ctx(
    state: &AppState,
    row: &db::CandidateRow,
    vacancy_id: &str,
    submitted: Option<&Fields>,
    errors: &[FieldError],
    flash: Option<&str>,
) -> Result<Value, Fail> {
    let (v, j) = api::judged_vacancy(state, &row.candidate, vacancy_id)?;
    let evidence: Vec<&str> = j
        .reasons
        .iter()
        .filter_map(|r| r.evidence.as_deref())
        .chain(v.analysis.demands.iter().map(|d| d.evidence.as_str()))
        .collect();
    let text_html = search::highlight(&v.analysis.text, &evidence);
    let actions: Vec<db::Action> = {
        let store = state.db();
        db::actions(store.connection(), &row.id, None, None)?
            .into_iter()
            .filter(|a| a.vacancy_id == v.posting.id)
            .collect()
    };
    let f = match submitted {
        Some(f) => form_values(f),
        None => {
            json!({"kind": if j.verdict == crate::model::Verdict::Exclude { "afgewezen" } else { "voorgesteld" }})
        }
    };
    Ok(json!({
        "id": row.id, "name": row.candidate.name, "v": v, "place": v.place_name(),
        "verdict": j.verdict, "verdict_label": j.verdict.dutch(), "reasons": j.reasons,
        "travel": j.travel_minutes, "text_html": text_html,
        // only http(s) links from crawled data (no javascript: or data: URLs)
        "source_url": v.posting.url.as_deref().filter(|u| u.starts_with("https://") || u.starts_with("http://")), "kinds": form::ACTION_KINDS,
        "today": state.now().date_naive().to_string(), "f": f, "errors": errors,
        "actions": action_rows(&actions), "flash": flash,
    }))
}

async fn vacancy_page(
    State(state): State<Shared>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    Query(q): Query<VacancyQuery>,
) -> Result<Html<String>, PageFail> {
    let row = load(&state, &user, &id)?;
    let ctx = vacancy_ctx(&state, &row, &q.id, None, &[], None)?;
    Ok(render(&state, "vacancy.html", Some(&user), ctx)?)
}

async fn action_post(
    State(state): State<Shared>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Result<Response, PageFail> {
    let f = Fields(f);
    check_form_csrf(&user, &f)?;
    let row = load(&state, &user, &id)?;
    let vid = f.get("vacancy_id").unwrap_or("").to_string();
    match api::record_action(&state, &user, &id, &f) {
        Ok(_) => {
            let kind = form::action_label(f.get("kind").unwrap_or(""));
            let ctx = vacancy_ctx(
                &state,
                &row,
                &vid,
                None,
                &[],
                Some(&format!("Vastgelegd: {kind}.")),
            )?;
            Ok(render(&state, "vacancy.html", Some(&user), ctx)?.into_response())
        }
        Err(Fail::Invalid(errors)) => {
            let ctx = vacancy_ctx(&state, &row, &vid, Some(&f), &errors, None)?;
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                render(&state, "vacancy.html", Some(&user), ctx)?,
            )
                .into_response())
        }
        Err(e) => Err(PageFail(e)),
    }
}

// ---- evidence ----

async fn report_page(
    State(state): State<Shared>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    Query(p): Query<export::Period>,
) -> Result<Response, PageFail> {
    let (range, errors) = match export::validate_period(&p) {
        Ok(r) => (r, vec![]),
        Err(e) => ((None, None), e),
    };
    let (row, actions, lists) = {
        let store = state.db();
        let conn = store.connection();
        let row = db::authorized(conn, &user, &id)?;
        db::audit(
            conn,
            &user,
            &id,
            "voortgangsverslag bekeken",
            "",
            state.now(),
        )?;
        let a = db::actions(conn, &id, range.0, range.1)?;
        let l = db::shortlists(conn, &id, range.0, range.1)?;
        (row, a, l)
    };
    let c = &row.candidate;
    let t = c
        .first_sick_day
        .map(|d| timeline::timeline(d, state.now().date_naive()));
    let html = render(
        &state,
        "report.html",
        Some(&user),
        json!({"c": c, "coach": row.coach_name, "van": range.0, "tot": range.1,
               "today": state.now().date_naive().to_string(), "timeline": t,
               "fml_version": state.res.catalogue.version, "errors": errors,
               "summary": export::summary(&actions, &lists), "actions": action_rows(&actions),
               "shortlists": lists}),
    )?;
    Ok(if errors.is_empty() {
        html.into_response()
    } else {
        (axum::http::StatusCode::UNPROCESSABLE_ENTITY, html).into_response()
    })
}

async fn csv_download(
    State(state): State<Shared>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
    Query(p): Query<export::Period>,
) -> Result<Response, PageFail> {
    api::csv_response(&state, &user, &id, &p).map_err(PageFail)
}
