//! `passend coach add`: the password comes from $PASSEND_PASSWORD or stdin, only its argon2
//! hash is stored, short passwords and duplicate names are refused.

use std::io::Write;
use std::process::{Command, Stdio};

fn passend(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_passend"));
    // run inside the temp dir: built-in defaults, no config/passend.toml of the tree
    c.current_dir(dir).arg("--data").arg(dir.join("data"));
    c.env_remove("PASSEND_PASSWORD");
    c
}

#[test]
fn coach_add_from_env_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let out = passend(dir.path())
        .args(["coach", "add", "anna", "--admin"])
        .env("PASSEND_PASSWORD", "een-lang-wachtwoord")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut child = passend(dir.path())
        .args(["coach", "add", "bert"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"nog-een-lang-wachtwoord\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // too short, and a duplicate name
    let out = passend(dir.path())
        .args(["coach", "add", "carla"])
        .env("PASSEND_PASSWORD", "kort")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 10"));
    let out = passend(dir.path())
        .args(["coach", "add", "anna"])
        .env("PASSEND_PASSWORD", "een-lang-wachtwoord")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));

    let store = passend::store::Store::open(&dir.path().join("data/passend.db")).unwrap();
    let rows: Vec<(String, String, String)> = store
        .connection()
        .prepare("SELECT name, role, password_hash FROM web_coaches ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].0.as_str(), rows[0].1.as_str()), ("anna", "admin"));
    assert_eq!((rows[1].0.as_str(), rows[1].1.as_str()), ("bert", "coach"));
    assert!(rows[0].2.starts_with("$argon2id$"));
    assert!(!rows[1].2.contains("nog-een-lang-wachtwoord"));
    assert!(passend::web::auth::verify_password(
        "nog-een-lang-wachtwoord",
        &rows[1].2
    ));
    assert!(!passend::web::auth::verify_password("fout", &rows[1].2));
}
