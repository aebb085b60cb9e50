//! Data-driven candidate-profile tests: every file in tests/cases/candidates/ starts with
//! `# expect: ok` or `# expect-error: KEY | MESSAGE-FRAGMENT`. Adding a case is adding a file.

use std::path::Path;

use passend::candidate;
use passend::resources::Resources;

#[test]
fn candidate_cases() {
    let res = Resources::embedded().unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/candidates");
    let mut n = 0;
    let mut failures = vec![];
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let first = text.lines().next().unwrap_or("");
        let name = path.display().to_string();
        let result = candidate::parse(&text, &name, &res.catalogue);
        n += 1;
        if first.starts_with("# expect: ok") {
            if let Err(e) = result {
                failures.push(format!("{name}: expected ok, got {e}"));
            }
        } else if let Some(spec) = first.strip_prefix("# expect-error:") {
            let (key, frag) = spec.split_once('|').expect("KEY | FRAGMENT");
            match result {
                Ok(_) => failures.push(format!("{name}: expected an error, parsed fine")),
                Err(e) => {
                    let msg = e.to_string();
                    if e.key != key.trim()
                        || !e.message.contains(frag.trim())
                        || !msg.starts_with(&name)
                    {
                        failures.push(format!(
                            "{name}: expected `{}` with `{}`, got `{msg}`",
                            key.trim(),
                            frag.trim()
                        ));
                    }
                }
            }
        } else {
            failures.push(format!(
                "{name}: first line must be `# expect: ok` or `# expect-error: KEY | FRAGMENT`"
            ));
        }
    }
    assert!(n >= 15, "only {n} cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_spec_example_parses_to_the_right_values() {
    let res = Resources::embedded().unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/candidates/valid_full.toml");
    let c = candidate::load(&dir, &res.catalogue).unwrap();
    assert_eq!(c.id, "k-0042");
    assert_eq!(c.home.postcode.as_deref(), Some("3531"));
    assert_eq!(c.hours.unwrap().max, 24.0);
    assert_eq!(c.directions[1].isco, "3323");
    let lifting = c.restriction("lifting").unwrap();
    assert_eq!(lifting.value, passend::model::RestrictionValue::Code(2));
    assert_eq!(lifting.note.as_deref(), Some("max ~5 kg, niet frequent"));
    assert_eq!(
        c.restriction("time_of_day").unwrap().value,
        passend::model::RestrictionValue::Flags(vec![2])
    );
    assert!(
        c.restriction("walking_workday").is_none(),
        "absent items stay unknown"
    );
}

#[test]
fn a_missing_file_names_the_path() {
    let res = Resources::embedded().unwrap();
    let err = candidate::load(Path::new("/nonexistent/k.toml"), &res.catalogue)
        .unwrap_err()
        .to_string();
    assert!(err.contains("/nonexistent/k.toml"), "{err}");
}
