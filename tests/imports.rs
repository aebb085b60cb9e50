//! Imports: ESCO / CompetentNL labels and GeoNames postcodes go into the data folder and change
//! what analysis and matching know, without touching config/.

use std::path::Path;
use std::process::Command;

fn passend(data: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_passend"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("run passend")
}

#[test]
fn esco_and_competentnl_labels_extend_the_vocabulary() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let esco = tmp.path().join("esco.csv");
    // an invented occupation label, so only the import can teach it
    std::fs::write(
        &esco,
        "conceptType,conceptUri,iscoGroup,preferredLabel,altLabels\nOccupation,u1,7126,zwembadtechnicus,\"bassinmonteur\nzwembadmonteur\"\nOccupation,u2,,zonder code,\nOccupation,u3,962,klusjesdoener,\n",
    )
    .unwrap();
    let cnl = tmp.path().join("cnl.csv");
    std::fs::write(&cnl, "id,occupation_uri,pref_label,label,label_type,source\n1,c1,Zwembadtechnicus,Zwembadtechnicus,prefLabel,x\n2,c1,Zwembadtechnicus,Badmeestertechnicus,altLabel,x\n3,c2,Onbekend,Fluitketelstemmer,prefLabel,x\n").unwrap();
    let out = passend(
        &data,
        &[
            "taxonomy",
            "import",
            "--esco",
            esco.to_str().unwrap(),
            "--competentnl",
            cnl.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reports[0]["skipped"]["no 4-digit ISCO group"], 1);
    assert_eq!(reports[1]["skipped"]["occupation not linked to ISCO"], 1);

    let posting = r#"{"@type":"JobPosting","identifier":"z1","title":"Badmeestertechnicus","description":"Onderhoud van zwembaden."}"#;
    let analyse = |data: &Path| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_passend"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .arg("--data")
            .arg(data)
            .args(["analyze", "--json"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(posting.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let with = analyse(&data);
    assert_eq!(with["occupations"][0]["isco"], "7126", "{with}");
    let without = analyse(&tmp.path().join("empty"));
    assert_ne!(
        without["occupations"].get(0).map(|o| o["isco"].clone()),
        Some(serde_json::json!("7126"))
    );
}

#[test]
fn geonames_postcodes_give_postcode_precision() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let nl = tmp.path().join("NL.txt");
    std::fs::write(&nl, "NL\t3511\tUtrecht\tUtrecht\t09\tUtrecht\t0344\t\t\t52.0925\t5.1172\t6\nNL\t3511\tUtrecht\tdup\t\t\t\t\t\t52.0\t5.0\t6\nbroken line\n").unwrap();
    let out = passend(&data, &["geo", "import", nl.to_str().unwrap(), "--json"]);
    assert!(out.status.success());
    let rep: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rep["written"], 1);
    assert_eq!(rep["skipped"]["fewer than 11 columns"], 1);
    let res = passend::resources::Resources::load(None, Some(&data)).unwrap();
    let p = res.gazetteer.postcode("3511 AB", None).unwrap();
    assert_eq!(p.precision, "postcode");
    assert!((p.lat - 52.0925).abs() < 1e-6);
    let bare = passend::resources::Resources::embedded().unwrap();
    assert_eq!(
        bare.gazetteer.postcode("3511", None).unwrap().precision,
        "area"
    );
}
