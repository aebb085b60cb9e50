//! No health data in application logs: with every log level switched on, a coach's day in the
//! web app (FML edit with a note, views, search, vacancy, action, export) leaves neither the
//! physician's note nor restriction codes in the log output.

mod web_common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use web_common::*;

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_data_never_reaches_the_log() {
    let buf = Buf::default();
    let writer = buf.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .init();
    tracing::info!("log capture works");
    let server = start(false).await;
    let s = login(&server, "anna").await;
    let note = "NOTITIE-ARTS-rugklachten-7731";
    let r = s
        .post_form(
            "/kandidaten/demo-k01/fml",
            &[
                ("item.lifting", "3"),
                ("note.lifting", note),
                // and one invalid field, so the error path runs too
                ("note.carrying", note),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = s
        .post_form(
            "/kandidaten/demo-k01/fml",
            &[("item.lifting", "3"), ("note.lifting", note)],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    for path in [
        "/kandidaten/demo-k01",
        "/kandidaten/demo-k01/fml",
        "/api/candidates/demo-k01",
        "/kandidaten/demo-k01/zoeken?q=administratief",
        "/api/candidates/demo-k01/search",
        "/kandidaten/demo-k01/verslag",
        "/kandidaten/demo-k01/bewijs.csv",
        "/api/candidates/demo-k01/audit",
    ] {
        assert_eq!(s.get(path).send().await.unwrap().status(), 200, "{path}");
    }
    let log = String::from_utf8_lossy(&buf.0.lock().unwrap()).to_string();
    assert!(
        log.contains("log capture works"),
        "the capture itself works"
    );
    assert!(!log.contains(note), "the physician's note was logged");
    assert!(!log.contains("lifting"), "a restriction item was logged");
    assert!(
        !log.contains("sterk beperkt"),
        "a restriction code label was logged"
    );
}
