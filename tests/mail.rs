//! The nightly mail end to end: vacancies ingested through the real pipeline into a real index
//! and SQLite file, `passend mail` run as a process against a real SMTP server on 127.0.0.1.
//! Covers content and headers, multipart, unsubscribe, the server down then up, a transient
//! rejection retried after backoff, a process killed mid-run, and the next night.

mod support;

use std::path::PathBuf;
use std::process::{Command, Output};

use mailparse::{MailHeaderMap, ParsedMail};
use passend::mail::outbox;
use passend::store::Store;
use serde_json::{Value, json};
use support::smtp::{SmtpServer, closed_port};

const COACH: &str = "anna.coach@bureau.example";
const NOTE: &str = "GEHEIM-ARTSNOTITIE";

fn posting(
    id: &str,
    title: &str,
    employer: &str,
    ll: (f64, f64),
    place: &str,
    desc: &str,
    date: &str,
) -> String {
    json!({"@context": "https://schema.org", "@type": "JobPosting",
           "identifier": {"@type": "PropertyValue", "name": "t", "value": id},
           "url": format!("https://werk.example/{id}"), "title": title, "description": desc,
           "datePosted": date,
           "hiringOrganization": {"@type": "Organization", "name": employer},
           "jobLocation": {"@type": "Place", "address": {"addressLocality": place, "addressCountry": "NL"},
                           "geo": {"latitude": ll.0, "longitude": ll.1}}})
    .to_string()
}

const OFFICE: &str = "<p>Je verwerkt facturen en boekingen in ons ERP-systeem en beantwoordt vragen van collega's. Je werkt veel met Excel. 24 tot 32 uur per week.</p>";

fn night1() -> Vec<String> {
    vec![
        posting(
            "adm-1",
            "Administratief medewerker",
            "Boekhuis B.V.",
            (52.09, 5.12),
            "Utrecht",
            OFFICE,
            "2026-11-20",
        ),
        posting(
            "adm-2",
            "Administratief medewerker",
            "Telwerk",
            (52.03, 5.16),
            "Houten",
            "<p>Je boekt facturen, maakt offertes en houdt de debiteuren bij. 20 uur per week.</p>",
            "2026-11-21",
        ),
        posting(
            "mag-1",
            "Magazijnmedewerker",
            "Van Dijk Logistiek",
            (52.05, 5.10),
            "Nieuwegein",
            "<p>Je pakt orders in het magazijn. Je tilt regelmatig dozen tot 25 kg. 40 uur per week.</p>",
            "2026-11-20",
        ),
    ]
}

fn night2() -> Vec<String> {
    vec![posting(
        "adm-3",
        "Administratief medewerker",
        "Kantoor Zeist",
        (52.09, 5.23),
        "Zeist",
        "<p>Je verwerkt inkoopfacturen en archiveert dossiers. 24 uur per week.</p>",
        "2026-11-23",
    )]
}

/// A test world: data folder, candidate folder, config pointing at an SMTP port.
struct World {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    data: PathBuf,
    cands: PathBuf,
    config: PathBuf,
}

impl World {
    fn new(port: u16, allow_signals: bool) -> World {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let data = root.join("data");
        let cands = root.join("candidates");
        std::fs::create_dir_all(&cands).unwrap();
        std::fs::write(
            cands.join("a.toml"),
            format!(
                r#"
id = "k-a"
name = "Sanne Jansen"
email = "sanne@example.nl"
coach = "anna"
[home]
place = "Utrecht"
max_travel_minutes = 45
[hours]
per_week = {{ min = 16, max = 32 }}
[profile]
skills = ["Excel", "facturen"]
[[direction]]
label = "Administratief medewerker"
isco = "4110"
[[direction]]
label = "Magazijnmedewerker"
isco = "9333"
[fml]
lifting = 2
[fml.notes]
lifting = "{NOTE} max 5 kg"
"#
            ),
        )
        .unwrap();
        std::fs::write(
            cands.join("b.toml"),
            r#"
id = "k-b"
name = "Joost de Vries"
email = "joost@example.nl"
coach = "onbekend"
[home]
place = "Utrecht"
[[direction]]
label = "Administratief medewerker"
isco = "4110"
"#,
        )
        .unwrap();
        std::fs::write(
            cands.join("c.toml"),
            r#"
id = "k-c"
[home]
place = "Utrecht"
[[direction]]
label = "Administratief medewerker"
isco = "4110"
"#,
        )
        .unwrap();
        // the occupation labels the test postings use, as an import on top of the embedded
        // vocabulary (so the test does not depend on how large that vocabulary is)
        std::fs::create_dir_all(data.join("imports")).unwrap();
        std::fs::write(
            passend::resources::imported_occupations_path(&data),
            "4110\tAdministratief medewerker\n9333\tMagazijnmedewerker\n",
        )
        .unwrap();
        let config = root.join("passend.toml");
        std::fs::write(
            &config,
            format!(
                r#"
[mail]
from = "passend <noreply@bureau.example>"
base_url = "https://passend.bureau.example/"
top = 5
allow_signals = {allow_signals}
candidates = "{}"
[mail.smtp]
host = "127.0.0.1"
port = {port}
tls = "none"
timeout_secs = 5
[mail.coaches]
anna = "{COACH}"
"#,
                cands.display()
            ),
        )
        .unwrap();
        World {
            _tmp: tmp,
            root,
            data,
            cands,
            config,
        }
    }

    fn passend(&self, now: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_passend"));
        c.current_dir(&self.root)
            .arg("--config")
            .arg(&self.config)
            .arg("--data")
            .arg(&self.data)
            .args(["--now", now])
            .args(args)
            .env_remove("PASSEND_SMTP_USER")
            .env_remove("PASSEND_SMTP_PASSWORD")
            .env_remove(passend::mail::ENV_CRASH_AFTER);
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().expect("run passend")
    }

    fn ingest(&self, lines: &[String], now: &str) {
        let f = self.root.join(format!("v-{now}.jsonl"));
        std::fs::write(&f, lines.join("\n")).unwrap();
        let out = self.passend(now, &["ingest", f.to_str().unwrap()], &[]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `passend mail --json`; the run report.
    fn mail(&self, now: &str) -> Value {
        self.mail_env(now, &[])
    }

    fn mail_env(&self, now: &str, env: &[(&str, &str)]) -> Value {
        let out = self.passend(now, &["mail", "--json"], env);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("report JSON")
    }

    fn store(&self) -> Store {
        Store::open(&self.data.join("passend.db")).unwrap()
    }

    fn states(&self) -> Vec<(String, String)> {
        outbox::outbox_rows(&self.store())
            .unwrap()
            .into_iter()
            .map(|r| (r.candidate, r.state))
            .collect()
    }
}

fn part<'a>(m: &'a ParsedMail<'a>, mime: &str) -> Option<&'a ParsedMail<'a>> {
    if m.ctype.mimetype == mime {
        return Some(m);
    }
    m.subparts.iter().find_map(|p| part(p, mime))
}

fn body(m: &ParsedMail<'_>, mime: &str) -> String {
    part(m, mime)
        .unwrap_or_else(|| panic!("no {mime} part"))
        .get_body()
        .unwrap()
}

fn for_candidate(msgs: &[support::smtp::Received], addr: &str) -> Vec<support::smtp::Received> {
    msgs.iter()
        .filter(|m| m.to.iter().any(|t| t.contains(addr)))
        .cloned()
        .collect()
}

/// Vacancy ids linked from a mail (`https://werk.example/{id}`), in order.
fn linked_ids(text: &str) -> Vec<String> {
    text.split("https://werk.example/")
        .skip(1)
        .map(|s| {
            s.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect()
        })
        .collect()
}

#[test]
fn mail_has_content_headers_multipart_and_a_working_unsubscribe_link() {
    let smtp = SmtpServer::start();
    let w = World::new(smtp.port, true);
    w.ingest(&night1(), "2026-11-23");
    let report = w.mail("2026-11-23T05:00:00Z");
    assert_eq!(report["run_date"], "2026-11-23");
    assert_eq!(report["candidates"], 3);
    assert_eq!(report["queued"], 2, "{report}");
    assert_eq!(report["sent"], 2, "{report}");
    assert_eq!(report["failed"], 0);
    assert_eq!(report["pending"], 0);
    assert_eq!(
        report["skipped_by_reason"]["geen e-mailadres"], 1,
        "{report}"
    );

    let got = smtp.transmissions();
    assert_eq!(got.len(), 2);
    let a = &for_candidate(&got, "sanne@example.nl")[0];
    assert_eq!(a.to, vec!["sanne@example.nl".to_string()]);
    assert_eq!(a.from, "noreply@bureau.example");
    let m = a.parsed();
    let h = |n: &str| m.headers.get_first_value(n).unwrap_or_default();
    assert!(
        h("From").contains("noreply@bureau.example"),
        "{}",
        h("From")
    );
    assert!(h("To").contains("Sanne Jansen") && h("To").contains("sanne@example.nl"));
    assert!(
        h("Reply-To").contains(COACH),
        "coach is the reply-to: {}",
        h("Reply-To")
    );
    assert!(
        h("Subject").starts_with("Passend werk: "),
        "{}",
        h("Subject")
    );
    assert_eq!(h("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click");
    assert_eq!(h("Auto-Submitted"), "auto-generated");
    // the Message-ID is the one stored in the outbox (what a re-send would reuse)
    let rows = outbox::outbox_rows(&w.store()).unwrap();
    let row_a = rows.iter().find(|r| r.candidate == "k-a").unwrap();
    assert_eq!(h("Message-ID"), row_a.message_id);
    assert_eq!(row_a.state, "sent");
    // multipart/alternative with a Dutch text and an HTML part
    assert_eq!(m.ctype.mimetype, "multipart/alternative");
    let text = body(&m, "text/plain");
    let html = body(&m, "text/html");
    assert!(text.starts_with("Beste Sanne Jansen,"), "{text}");
    assert!(text.contains("Administratief medewerker"), "{text}");
    assert!(text.contains("Boekhuis B.V. · Utrecht"), "{text}");
    assert!(
        text.contains("Ongeveer ") && text.contains(" minuten reizen · "),
        "{text}"
    );
    assert!(text.contains("24–32 uur per week"), "{text}");
    assert!(
        text.contains("Waarom: Past bij je beroepsrichting Administratief medewerker"),
        "{text}"
    );
    assert!(text.contains("Excel"), "skills named in the reason: {text}");
    assert!(html.contains("name=\"viewport\""), "readable on a phone");
    assert!(html.contains("Boekhuis B.V.") && html.contains("max-width:600px"));
    // the 25 kg warehouse job conflicts with lifting code 2: never mailed
    let ids = linked_ids(&text);
    assert!(ids.contains(&"adm-1".to_string()), "{ids:?}");
    assert!(
        !ids.contains(&"mag-1".to_string()),
        "excluded vacancy mailed: {text}"
    );
    // no health information: no FML, no restriction, no physician's note
    for part in [&text, &html] {
        for bad in [NOTE, "FML", "beperk", "tillen", "5 kg", "lifting"] {
            assert!(
                !part.contains(bad),
                "health information `{bad}` in mail: {part}"
            );
        }
    }
    // the other candidate has no coach address: reply-to falls back to the sender
    let b = for_candidate(&got, "joost@example.nl")[0].clone();
    assert!(
        b.parsed()
            .headers
            .get_first_value("Reply-To")
            .unwrap()
            .contains("noreply@bureau.example")
    );

    // every mailed vacancy is a logged proposal with the Message-ID as reference
    let acts = outbox::activities(&w.store(), "k-a").unwrap();
    let mut act_ids: Vec<String> = acts.iter().map(|a| a.vacancy_id.clone()).collect();
    act_ids.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(act_ids, want);
    assert!(acts.iter().all(|a| a.kind == "voorgesteld"
        && a.channel == "mail"
        && a.reference.as_deref() == Some(row_a.message_id.as_str())));

    // the unsubscribe link carries a token that works, in both parts and the header
    let unsub = h("List-Unsubscribe");
    let url = unsub.trim_matches(|c| c == '<' || c == '>');
    assert!(
        url.starts_with("https://passend.bureau.example/afmelden/"),
        "{unsub}"
    );
    assert!(text.contains(url) && html.contains(url));
    let token = url.rsplit('/').next().unwrap();
    assert!(token.len() >= 32);
    let bad = w.passend("2026-11-23", &["unsubscribe", "nonsense"], &[]);
    assert!(!bad.status.success());
    let out = w.passend("2026-11-23", &["unsubscribe", token], &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(outbox::is_unsubscribed(&w.store(), "k-a").unwrap());
    assert!(!outbox::is_unsubscribed(&w.store(), "k-b").unwrap());
    // next night there is news, but k-a unsubscribed: only k-b gets it
    w.ingest(&night2(), "2026-11-24");
    let report = w.mail("2026-11-24T05:00:00Z");
    assert_eq!(report["skipped_by_reason"]["afgemeld"], 1, "{report}");
    assert_eq!(report["sent"], 1, "{report}");
    assert_eq!(
        for_candidate(&smtp.transmissions(), "sanne@example.nl").len(),
        1
    );
}

#[test]
fn next_night_brings_only_new_vacancies_and_a_rerun_sends_nothing() {
    let smtp = SmtpServer::start();
    let w = World::new(smtp.port, true);
    w.ingest(&night1(), "2026-11-23");
    w.mail("2026-11-23T05:00:00Z");
    let first = body(
        &for_candidate(&smtp.transmissions(), "sanne@example.nl")[0].parsed(),
        "text/plain",
    );
    let first_ids = linked_ids(&first);
    assert!(!first_ids.is_empty());

    // the same night again (a re-run, or the doubled hour of the autumn DST night): nothing
    let report = w.mail("2026-11-23T06:30:00Z");
    assert_eq!(report["sent"], 0, "{report}");
    assert_eq!(
        report["skipped_by_reason"]["vandaag al gemaild"], 2,
        "{report}"
    );
    assert_eq!(smtp.transmissions().len(), 2);

    // next night: one new vacancy; the old ones are not repeated
    w.ingest(&night2(), "2026-11-24");
    let report = w.mail("2026-11-24T05:00:00Z");
    assert_eq!(report["sent"], 2, "{report}");
    let second = for_candidate(&smtp.transmissions(), "sanne@example.nl");
    assert_eq!(second.len(), 2);
    let ids = linked_ids(&body(&second[1].parsed(), "text/plain"));
    assert_eq!(ids, vec!["adm-3".to_string()]);
    assert!(
        second[1]
            .header("Subject")
            .unwrap()
            .contains("1 nieuwe vacature")
    );
    assert_ne!(second[0].message_id(), second[1].message_id());

    // the night after: nothing new, no mail
    let report = w.mail("2026-11-25T05:00:00Z");
    assert_eq!(report["sent"], 0);
    assert_eq!(report["skipped_by_reason"]["niets nieuws"], 2, "{report}");
    assert_eq!(smtp.transmissions().len(), 4);

    // the evidence: every vacancy proposed exactly once
    let acts = outbox::activities(&w.store(), "k-a").unwrap();
    let mut got: Vec<String> = acts.iter().map(|a| a.vacancy_id.clone()).collect();
    let n = got.len();
    got.sort();
    got.dedup();
    assert_eq!(got.len(), n, "a vacancy was proposed twice: {acts:?}");
    assert_eq!(n, first_ids.len() + 1);
}

#[test]
fn smtp_down_delays_mail_but_loses_none() {
    let port = closed_port();
    let w = World::new(port, true);
    w.ingest(&night1(), "2026-11-23");
    let report = w.mail("2026-11-23T05:00:00Z");
    assert_eq!(report["queued"], 2, "{report}");
    assert_eq!(report["sent"], 0);
    assert_eq!(
        report["failed"], 1,
        "an unreachable server is tried once per run: {report}"
    );
    assert_eq!(report["pending"], 2);
    let rows = outbox::outbox_rows(&w.store()).unwrap();
    assert!(rows.iter().all(|r| r.state == "pending"));
    assert!(
        rows.iter()
            .any(|r| r.last_error.is_some() && r.attempts == 1)
    );

    // the server comes up on the same port; the next run delivers everything once
    let smtp = SmtpServer::start_on(std::net::TcpListener::bind(("127.0.0.1", port)).unwrap());
    let report = w.mail("2026-11-23T06:00:00Z");
    assert_eq!(report["sent"], 2, "{report}");
    assert_eq!(report["pending"], 0);
    assert_eq!(smtp.transmissions().len(), 2);
    assert_eq!(
        for_candidate(&smtp.transmissions(), "sanne@example.nl").len(),
        1
    );
    assert_eq!(
        for_candidate(&smtp.transmissions(), "joost@example.nl").len(),
        1
    );
    assert!(w.states().iter().all(|(_, s)| s == "sent"));
    assert!(!outbox::activities(&w.store(), "k-a").unwrap().is_empty());
}

#[test]
fn the_daemon_retries_queued_mail_between_nights() {
    let port = closed_port();
    let w = World::new(port, true);
    w.ingest(&night1(), "2026-11-23");
    assert_eq!(w.mail("2026-11-23T05:00:00Z")["pending"], 2);
    let smtp = SmtpServer::start_on(std::net::TcpListener::bind(("127.0.0.1", port)).unwrap());
    let mut cfg = passend::config::Config::load(&w.config, true).unwrap().mail;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let at = |s: &str| passend::parse_now(s).unwrap();
    let r = rt
        .block_on(passend::mail::send_queued(
            &cfg,
            &w.data,
            at("2026-11-23T05:10:00Z"),
        ))
        .unwrap();
    assert_eq!((r.sent, r.pending, r.queued), (2, 0, 0), "{r:?}");
    assert_eq!(smtp.transmissions().len(), 2);
    // nothing left: a second retry does not touch the server
    let r = rt
        .block_on(passend::mail::send_queued(
            &cfg,
            &w.data,
            at("2026-11-23T05:15:00Z"),
        ))
        .unwrap();
    assert_eq!(r.sent, 0);
    assert_eq!(smtp.transmissions().len(), 2);
    // `passend run` gets the nightly job and the retry only when mail is enabled
    let res = std::sync::Arc::new(passend::resources::Resources::embedded().unwrap());
    let mut d = passend::crawl::daemon::Daemon::new();
    assert!(!passend::mail::add_jobs(&mut d, &cfg, res.clone(), w.data.clone()).unwrap());
    assert!(d.job_names().is_empty());
    cfg.enabled = true;
    assert!(passend::mail::add_jobs(&mut d, &cfg, res, w.data.clone()).unwrap());
    assert_eq!(
        d.job_names(),
        vec!["mail".to_string(), "mail retry".to_string()]
    );
}

#[test]
fn a_transient_rejection_is_retried_after_backoff() {
    let smtp = SmtpServer::start();
    smtp.reject_next(1);
    let w = World::new(smtp.port, true);
    w.ingest(&night1(), "2026-11-23");
    let report = w.mail("2026-11-23T05:00:00Z");
    assert_eq!(report["failed"], 1, "{report}");
    assert_eq!(report["sent"], 1, "the other mail still goes: {report}");
    assert!(
        report["errors"][0].as_str().unwrap().contains("421"),
        "{report}"
    );
    let rows = outbox::outbox_rows(&w.store()).unwrap();
    let waiting = rows.iter().find(|r| r.state == "pending").unwrap();
    assert_eq!(waiting.next_attempt_at, "2026-11-23T05:05:00Z");
    // before the backoff has passed nothing is retried
    let report = w.mail("2026-11-23T05:03:00Z");
    assert_eq!(report["sent"], 0, "{report}");
    assert_eq!(report["pending"], 1);
    let report = w.mail("2026-11-23T05:06:00Z");
    assert_eq!(report["sent"], 1, "{report}");
    assert_eq!(smtp.transmissions().len(), 2);
    assert_eq!(smtp.mailbox().len(), 2);
    let rows = outbox::outbox_rows(&w.store()).unwrap();
    assert!(rows.iter().all(|r| r.state == "sent"));
    assert_eq!(rows.iter().map(|r| r.attempts).max(), Some(2));
}

#[test]
fn a_server_that_stops_answering_does_not_hang_the_run() {
    let smtp = SmtpServer::start();
    smtp.stall_next(1);
    let w = World::new(smtp.port, true);
    let cfg = std::fs::read_to_string(&w.config)
        .unwrap()
        .replace("timeout_secs = 5", "timeout_secs = 1");
    std::fs::write(&w.config, cfg).unwrap();
    w.ingest(&night1(), "2026-11-23");
    let report = w.mail("2026-11-23T05:00:00Z");
    assert_eq!(report["sent"], 0, "{report}");
    assert_eq!(report["failed"], 1, "{report}");
    assert_eq!(report["pending"], 2, "nothing lost: {report}");
    let report = w.mail("2026-11-23T06:00:00Z");
    assert_eq!(report["sent"], 2, "{report}");
    assert_eq!(smtp.mailbox().len(), 2);
}

#[test]
fn killed_after_composing_then_restarted_sends_each_mail_exactly_once() {
    let smtp = SmtpServer::start();
    let w = World::new(smtp.port, true);
    w.ingest(&night1(), "2026-11-23");
    let out = w.passend(
        "2026-11-23T05:00:00Z",
        &["mail", "--json"],
        &[(passend::mail::ENV_CRASH_AFTER, "0")],
    );
    assert_eq!(out.status.code(), Some(86), "the crash hook fired");
    assert_eq!(smtp.transmissions().len(), 0);
    assert_eq!(
        w.states().len(),
        2,
        "both mails were in the outbox before the crash"
    );
    let report = w.mail("2026-11-23T05:01:00Z");
    assert_eq!(report["queued"], 0, "the idempotency key holds: {report}");
    assert_eq!(report["sent"], 2, "{report}");
    assert_eq!(
        smtp.transmissions().len(),
        2,
        "no duplicate transmission at all"
    );
    assert!(w.states().iter().all(|(_, s)| s == "sent"));
}

#[test]
fn killed_between_send_and_record_then_restarted_loses_nothing_and_shows_nothing_twice() {
    let smtp = SmtpServer::start();
    let w = World::new(smtp.port, true);
    w.ingest(&night1(), "2026-11-23");
    let out = w.passend(
        "2026-11-23T05:00:00Z",
        &["mail", "--json"],
        &[(passend::mail::ENV_CRASH_AFTER, "1")],
    );
    assert_eq!(out.status.code(), Some(86));
    // the server took the first mail, but the process died before recording it
    assert_eq!(smtp.transmissions().len(), 1);
    let mut states: Vec<String> = w.states().into_iter().map(|(_, s)| s).collect();
    states.sort();
    assert_eq!(states, vec!["pending", "sending"]);
    assert!(
        outbox::activities(&w.store(), "k-a").unwrap().is_empty()
            && outbox::activities(&w.store(), "k-b").unwrap().is_empty()
    );

    let report = w.mail("2026-11-23T05:01:00Z");
    assert_eq!(report["sent"], 2, "{report}");
    let tx = smtp.transmissions();
    // the interrupted mail went again, byte for byte with the same Message-ID ...
    assert_eq!(tx.len(), 3);
    assert_eq!(tx[0].data, tx[1].data, "re-send is identical");
    // ... so the mailbox shows each candidate's mail once, and none is missing
    let mailbox = smtp.mailbox();
    assert_eq!(mailbox.len(), 2);
    assert_eq!(for_candidate(&mailbox, "sanne@example.nl").len(), 1);
    assert_eq!(for_candidate(&mailbox, "joost@example.nl").len(), 1);
    // the evidence trail has each proposal once
    for c in ["k-a", "k-b"] {
        let acts = outbox::activities(&w.store(), c).unwrap();
        assert!(!acts.is_empty());
        let mut ids: Vec<&str> = acts.iter().map(|a| a.vacancy_id.as_str()).collect();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "{acts:?}");
    }
    // and a later run sends nothing more
    let report = w.mail("2026-11-23T07:00:00Z");
    assert_eq!(report["sent"], 0);
    assert_eq!(smtp.transmissions().len(), 3);
}

#[test]
fn dry_run_writes_eml_files_and_queues_nothing() {
    let w = World::new(closed_port(), true);
    w.ingest(&night1(), "2026-11-23");
    let out_dir = w.root.join("preview");
    let out = w.passend(
        "2026-11-23T05:00:00Z",
        &[
            "mail",
            "--dry-run",
            "--out",
            out_dir.to_str().unwrap(),
            "--json",
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["written"].as_array().unwrap().len(), 2, "{report}");
    let eml = std::fs::read(out_dir.join("k-a-2026-11-23.eml")).unwrap();
    let m = mailparse::parse_mail(&eml).unwrap();
    assert_eq!(m.ctype.mimetype, "multipart/alternative");
    assert!(body(&m, "text/plain").contains("Administratief medewerker"));
    assert!(outbox::outbox_rows(&w.store()).unwrap().is_empty());
    // a real run afterwards still has everything to send
    let report = w.mail("2026-11-23T05:00:00Z");
    assert_eq!(report["queued"], 2, "{report}");
}

#[test]
fn signal_vacancies_are_mailed_only_when_the_coach_allows_it() {
    let smtp = SmtpServer::start();
    let w = World::new(smtp.port, false);
    // office work is fine for this candidate, but at most 28 hours: adm-1 (24–32 h) becomes a
    // signal ("afspraken over uren navragen"), the others pass
    let a = std::fs::read_to_string(w.cands.join("a.toml"))
        .unwrap()
        .replace("max = 32", "max = 28")
        .replace(
            "lifting = 2\n",
            "lifting = 2\nkeyboard_mouse = 0\nsitting_workday = 0\n",
        );
    std::fs::write(w.cands.join("a.toml"), a).unwrap();
    w.ingest(&night1(), "2026-11-23");
    w.ingest(&night2(), "2026-11-23");
    // what the matcher says, through the CLI contract
    let out = w.passend(
        "2026-11-23T05:00:00Z",
        &[
            "shortlist",
            "--candidate",
            w.cands.join("a.toml").to_str().unwrap(),
            "--json",
            "--no-record",
            "--top",
            "50",
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_verdict = |v: &str| -> Vec<String> {
        list["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["verdict"] == v)
            .map(|r| r["vacancy"]["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (pass, signal) = (by_verdict("pass"), by_verdict("signal"));
    assert!(
        !pass.is_empty() && !signal.is_empty(),
        "test data gives both verdicts: {list}"
    );
    assert!(signal.contains(&"adm-1".to_string()), "{list}");
    w.mail("2026-11-23T05:00:00Z");
    let mailed: Vec<String> = for_candidate(&smtp.transmissions(), "sanne@example.nl")
        .iter()
        .flat_map(|m| linked_ids(&body(&m.parsed(), "text/plain")))
        .collect();
    let mut want = pass.clone();
    want.sort();
    let mut got = mailed.clone();
    got.sort();
    assert_eq!(
        got, want,
        "only `pass` vacancies without the coach's permission (signal: {signal:?})"
    );

    // with permission for this candidate, the signal ones come the next night, with a note
    let cfg = std::fs::read_to_string(&w.config).unwrap().replace(
        "allow_signals = false",
        "allow_signals = false\nsignals_for = [\"k-a\"]",
    );
    std::fs::write(&w.config, cfg).unwrap();
    w.mail("2026-11-24T05:00:00Z");
    let later = for_candidate(&smtp.transmissions(), "sanne@example.nl");
    assert_eq!(later.len(), 2);
    let last = body(&later.last().unwrap().parsed(), "text/plain");
    let mut ids = linked_ids(&last);
    ids.sort();
    let mut want = signal.clone();
    want.sort();
    assert_eq!(ids, want);
    assert!(
        last.contains("Bespreek deze vacature eerst met je coach"),
        "{last}"
    );
    assert!(
        !last.contains("hoogstens") && !last.contains("28 uur"),
        "no limits of the candidate: {last}"
    );
}

#[test]
fn mail_config_mistakes_name_the_key() {
    let w = World::new(closed_port(), true);
    let cfg = std::fs::read_to_string(&w.config)
        .unwrap()
        .replace("top = 5", "top = 5\nschedule = \"elke nacht\"");
    std::fs::write(&w.config, cfg).unwrap();
    let out = w.passend("2026-11-23", &["mail"], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("mail.schedule") && err.contains("passend.toml"),
        "{err}"
    );
}

#[test]
fn run_mail_can_be_spawned_by_the_daemon() {
    fn is_send<T: Send>(_: &T) {}
    let res = passend::resources::Resources::embedded().unwrap();
    let cfg = passend::mail::MailConfig::default();
    let tmp = tempfile::tempdir().unwrap();
    let job = passend::mail::MailJob {
        cfg: &cfg,
        res: &res,
        data: tmp.path(),
        candidates: tmp.path(),
        now: chrono::Utc::now(),
        dry_run: None,
        crash_after: None,
    };
    let fut = passend::mail::run_mail(&job);
    is_send(&fut);
    drop(fut);
}

/// The HTML part rendered by headless Chromium at a phone's width; the screenshot is kept as
/// test output in `target/tmp/mail-phone.png`. Skipped when Chromium is not installed.
#[test]
fn html_mail_renders_in_headless_chromium_at_phone_width() {
    let Some(chromium) = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    else {
        eprintln!("skipped: no chromium on this machine");
        return;
    };
    let w = World::new(closed_port(), true);
    w.ingest(&night1(), "2026-11-23");
    let out_dir = w.root.join("preview");
    let out = w.passend(
        "2026-11-23T05:00:00Z",
        &["mail", "--dry-run", "--out", out_dir.to_str().unwrap()],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let eml = std::fs::read(out_dir.join("k-a-2026-11-23.eml")).unwrap();
    let html = body(&mailparse::parse_mail(&eml).unwrap(), "text/html");
    let page = w.root.join("mail.html");
    std::fs::write(&page, &html).unwrap();
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mail-phone.png");
    let _ = std::fs::remove_file(&shot);
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--window-size=390,844",
        ])
        .arg(format!(
            "--user-data-dir={}",
            w.root.join("chromium").display()
        ))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // bounded: at most 90 s
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let png = std::fs::read(&shot).expect("chromium wrote a screenshot");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    assert_eq!(width, 390, "rendered at phone width");
    assert!(
        png.len() > 5_000,
        "the screenshot has content ({} bytes)",
        png.len()
    );
    eprintln!("screenshot: {}", shot.display());
}
