//! The `serve` and `coach add` commands: open the data folder (SQLite store, read-only use of
//! the vacancy index), then run the server or create an account. The password for a new
//! account comes from `$PASSEND_PASSWORD` or the first line of stdin, never from arguments.

use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{AppState, ServeOptions};
use crate::index::VacancyIndex;
use crate::resources::Resources;
use crate::store::Store;

/// How often the server reopens the vacancy index.
pub const RELOAD_SECS: u64 = 60;

pub fn serve(
    data: &Path,
    res: Resources,
    addr: &str,
    secure_cookies: bool,
    now: Option<DateTime<Utc>>,
) -> anyhow::Result<()> {
    let store = Store::open(&data.join("passend.db"))?;
    let index_dir = data.join("index");
    let index = if index_dir.exists() {
        Some(VacancyIndex::open_existing(&index_dir)?)
    } else {
        eprintln!(
            "passend serve: no index in {} yet; search shows nothing until `passend ingest` or `passend crawl` ran",
            index_dir.display()
        );
        None
    };
    let state = Arc::new(AppState::new(
        store,
        index,
        res,
        ServeOptions {
            secure_cookies,
            now,
        },
    )?);
    let rt = tokio::runtime::Runtime::new()?;
    // pick up vacancies that `passend crawl` / `passend run` committed meanwhile
    let refresher = state.clone();
    rt.spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(RELOAD_SECS));
        tick.tick().await;
        loop {
            tick.tick().await;
            let (st, dir) = (refresher.clone(), index_dir.clone());
            let done = tokio::task::spawn_blocking(move || st.reload_index(&dir)).await;
            if let Ok(Err(e)) = done {
                tracing::warn!("web: cannot reopen the vacancy index: {e:#}");
            }
        }
    });
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
        eprintln!("passend serve: http://{}/", listener.local_addr()?);
        super::serve(listener, state, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
    })
}

pub fn coach_add(data: &Path, name: &str, admin: bool) -> anyhow::Result<()> {
    let password = match std::env::var("PASSEND_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    let store = Store::open(&data.join("passend.db"))?;
    super::auth::add_coach(store.connection(), name, &password, admin)?;
    println!(
        "coach `{name}` added{}",
        if admin { " (admin)" } else { "" }
    );
    Ok(())
}
