//! The coach's day in a real browser (headless Chromium via chromedriver): sign in, edit an
//! FML, search passend werk, propose a vacancy, record an application, open the spoor-2 report
//! and export the CSV. Screenshots are kept in target/test-output/. Skips with a message when
//! Chromium or chromedriver is absent (scripts/setup.sh installs both).

mod browser;
mod web_common;

use std::path::PathBuf;

use web_common::*;

fn out_dir() -> PathBuf {
    root().join("target/test-output")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coach_flow_in_chromium() {
    let (chromium, driver) = match browser::tools() {
        Ok(t) => t,
        Err(why) => {
            eprintln!("SKIPPED coach_flow_in_chromium: {why}");
            return;
        }
    };
    let server = start(false).await;
    let b = browser::Browser::start(&chromium, &driver).await;
    let base = &server.base;

    // sign in: a wrong password first (Dutch message), then the right one
    b.goto(&format!("{base}/kandidaten/demo-k01")).await;
    b.wait_url("/login").await;
    b.type_text("#name", "anna").await;
    b.type_text("#password", "verkeerd").await;
    b.click("#login").await;
    b.find(".errors").await;
    assert!(
        b.body_text()
            .await
            .contains("Naam of wachtwoord klopt niet")
    );
    b.type_text("#password", PASSWORD).await;
    b.click("#login").await;
    b.find("table.list").await;
    assert!(b.body_text().await.contains("Kevin Verhoef"));
    b.screenshot(&out_dir().join("web-01-kandidaten.png")).await;

    // edit the FML: lifting to the most restricted code, with the physician's note
    b.goto(&format!("{base}/kandidaten/demo-k01")).await;
    b.click("#fml-edit").await;
    b.find("#fml-form").await;
    b.click("select[name='item.lifting'] option[value='3']")
        .await;
    b.clear("input[name='note.lifting']").await;
    b.type_text("input[name='note.lifting']", "niet tillen")
        .await;
    b.screenshot(&out_dir().join("web-02-fml.png")).await;
    b.click("#fml-save").await;
    b.find("#zoek").await;
    let text = b.body_text().await;
    assert!(
        text.contains("niet tillen"),
        "the note is shown on the candidate page"
    );

    // search passend werk with free text
    b.click("#zoek").await;
    b.find("#search-form").await;
    b.type_text("#q", "administratief").await;
    b.click("#search-go").await;
    b.wait_url("q=administratief").await;
    b.find("#hits li").await;
    let text = b.body_text().await;
    assert!(!text.contains("past niet"), "excluded work is never listed");
    b.screenshot(&out_dir().join("web-03-zoeken.png")).await;
    b.click("#hits li a.title").await;
    b.find("#action-form").await;

    // propose it (with a motivation, needed when the verdict is "navragen")
    b.click("#kind option[value='voorgesteld']").await;
    b.type_text("#motivation", "Besproken met kandidaat; zittend werk past.")
        .await;
    b.click("#action-save").await;
    b.find(".flash").await;
    assert!(b.body_text().await.contains("Vastgelegd: Voorgesteld"));
    b.screenshot(&out_dir().join("web-04-vacature.png")).await;

    // record the application: channel and contact appear for this step
    b.click("#kind option[value='gesolliciteerd']").await;
    b.clear("#motivation").await;
    b.type_text("#channel", "e-mail").await;
    b.type_text("#contact", "mevrouw De Wit").await;
    b.click("#action-save").await;
    b.find(".flash").await;
    assert!(b.body_text().await.contains("Vastgelegd: Gesolliciteerd"));

    // the spoor-2 report and the CSV export
    b.goto(&format!("{base}/kandidaten/demo-k01/verslag")).await;
    b.find("#report-actions").await;
    let text = b.body_text().await;
    assert!(text.contains("mevrouw De Wit"), "{text}");
    assert!(text.contains("Besproken met kandidaat"));
    b.screenshot(&out_dir().join("web-05-verslag.png")).await;
    let cookie = b.cookie("passend_sessie").await.expect("session cookie");
    let csv = client()
        .get(format!("{base}/kandidaten/demo-k01/bewijs.csv"))
        .header("cookie", format!("passend_sessie={cookie}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("Gesolliciteerd") && csv.contains("mevrouw De Wit"),
        "{csv}"
    );
    std::fs::write(out_dir().join("web-06-bewijs.csv"), csv).unwrap();
}
