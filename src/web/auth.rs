//! Sign-in for coaches: argon2 password hashes, random session and CSRF tokens, login rate
//! limiting. Passwords enter from the sign-in form, the JSON API or `passend coach add`; only
//! their argon2 hashes leave (into `web_coaches`). Nothing here logs a password or a token.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{Fail, User, db};

/// Session lifetime.
pub const SESSION_HOURS: i64 = 12;
/// At most this many failed sign-ins per account and address ...
pub const MAX_FAILURES: i64 = 5;
/// ... within this many minutes.
pub const FAILURE_WINDOW_MINUTES: i64 = 15;
/// Shortest password accepted for a new account.
pub const MIN_PASSWORD_LEN: usize = 10;

/// A random token: 32 bytes as hex.
pub fn random_token() -> String {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).expect("the OS random source works");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no random source: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("cannot hash password: {e}"))?
        .to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Create a coach account (the `passend coach add` command).
pub fn add_coach(
    conn: &Connection,
    name: &str,
    password: &str,
    admin: bool,
) -> anyhow::Result<i64> {
    let name = name.trim();
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || "._-@".contains(c))
    {
        anyhow::bail!(
            "coach name `{name}`: use 1–64 letters, digits, '.', '_', '-' or '@' (no spaces)"
        );
    }
    if password.chars().count() < MIN_PASSWORD_LEN {
        anyhow::bail!("the password needs at least {MIN_PASSWORD_LEN} characters");
    }
    let hash = hash_password(password)?;
    conn.execute(
        "INSERT INTO web_coaches (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            name,
            if admin { "admin" } else { "coach" },
            hash,
            Utc::now().to_rfc3339()
        ],
    )
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            anyhow::anyhow!("a coach named `{name}` already exists")
        }
        e => e.into(),
    })?;
    Ok(conn.last_insert_rowid())
}

/// Check a sign-in and open a session: returns (session token, user). The store is locked only
/// for the queries, not while argon2 verifies the password.
pub fn login(
    store: &std::sync::Mutex<crate::store::Store>,
    name: &str,
    password: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<(String, User), Fail> {
    let lock = || store.lock().unwrap_or_else(|p| p.into_inner());
    let name = name.trim();
    let since = (now - Duration::minutes(FAILURE_WINDOW_MINUTES)).to_rfc3339();
    let row: Option<(i64, String, String)> = {
        let st = lock();
        let conn = st.connection();
        let failures: i64 = conn.query_row(
            "SELECT COUNT(*) FROM web_login_failures WHERE account = ?1 AND ip = ?2 AND at > ?3",
            params![name, ip, since],
            |r| r.get(0),
        )?;
        if failures >= MAX_FAILURES {
            return Err(Fail::TooManyAttempts);
        }
        conn.query_row(
            "SELECT id, role, password_hash FROM web_coaches WHERE name = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
    };
    // Verify against a dummy hash for unknown accounts so timing does not tell them apart.
    let ok = match &row {
        Some((_, _, hash)) => verify_password(password, hash),
        None => {
            let _ = verify_password(password, DUMMY_HASH);
            false
        }
    };
    let st = lock();
    let conn: &Connection = st.connection();
    let Some((id, role, _)) = row.filter(|_| ok) else {
        conn.execute(
            "INSERT INTO web_login_failures (account, ip, at) VALUES (?1, ?2, ?3)",
            params![name, ip, now.to_rfc3339()],
        )?;
        return Err(Fail::Invalid(vec![super::field_error(
            "wachtwoord",
            "Naam of wachtwoord klopt niet.",
        )]));
    };
    conn.execute(
        "DELETE FROM web_login_failures WHERE account = ?1 AND ip = ?2",
        params![name, ip],
    )?;
    let token = random_token();
    let csrf = random_token();
    db::create_session(conn, &token, id, &csrf, now)?;
    Ok((
        token,
        User {
            id,
            name: name.to_string(),
            role,
            csrf,
        },
    ))
}

/// argon2 hash of a random string, for constant-ish timing on unknown accounts.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YtZ0S1vJ1xXW1rsBXeeUaRkq6X2I0ZC0X3QmYx0cKQ8";
