//! A real SMTP server on 127.0.0.1 for tests (mailin-embedded), recording every message it
//! accepts. It models a mailbox that de-duplicates on Message-ID, as Gmail does, next to the
//! raw list of transmissions, so tests can tell "sent twice" from "shown twice".

use std::net::{IpAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use mailin_embedded::response::{self, Response};
use mailin_embedded::{Handler, Server, SslConfig};

#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

impl Received {
    pub fn parsed(&self) -> mailparse::ParsedMail<'_> {
        mailparse::parse_mail(&self.data).expect("received mail parses")
    }

    pub fn header(&self, name: &str) -> Option<String> {
        use mailparse::MailHeaderMap;
        self.parsed().headers.get_first_value(name)
    }

    pub fn message_id(&self) -> String {
        self.header("Message-ID").unwrap_or_default()
    }
}

#[derive(Clone)]
struct Sink {
    got: Arc<Mutex<Vec<Received>>>,
    /// Answer `421` (try later, closing) to this many messages before accepting any.
    reject: Arc<AtomicUsize>,
    /// Answer `451` to this many messages and then stop answering on that connection
    /// (mailin stays in its data state): a server that hangs mid-exchange.
    stall: Arc<AtomicUsize>,
    from: String,
    to: Vec<String>,
    buf: Vec<u8>,
}

impl Handler for Sink {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.from = from.to_string();
        self.to = to.to_vec();
        self.buf.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.buf.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let left = self.reject.load(Ordering::SeqCst);
        if left > 0 {
            self.reject.store(left - 1, Ordering::SeqCst);
            return response::NO_SERVICE;
        }
        let left = self.stall.load(Ordering::SeqCst);
        if left > 0 {
            self.stall.store(left - 1, Ordering::SeqCst);
            return response::INTERNAL_ERROR;
        }
        self.got.lock().unwrap().push(Received {
            from: self.from.clone(),
            to: self.to.clone(),
            data: std::mem::take(&mut self.buf),
        });
        response::OK
    }

    fn helo(&mut self, _ip: IpAddr, _domain: &str) -> Response {
        response::OK
    }
}

pub struct SmtpServer {
    pub port: u16,
    got: Arc<Mutex<Vec<Received>>>,
    reject: Arc<AtomicUsize>,
    stall: Arc<AtomicUsize>,
}

impl SmtpServer {
    /// A server on a free loopback port.
    pub fn start() -> SmtpServer {
        Self::start_on(TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0"))
    }

    /// A server on the given listener (to bring a "down" port up).
    pub fn start_on(listener: TcpListener) -> SmtpServer {
        let port = listener.local_addr().unwrap().port();
        let got = Arc::new(Mutex::new(vec![]));
        let reject = Arc::new(AtomicUsize::new(0));
        let stall = Arc::new(AtomicUsize::new(0));
        let sink = Sink {
            got: got.clone(),
            reject: reject.clone(),
            stall: stall.clone(),
            from: String::new(),
            to: vec![],
            buf: vec![],
        };
        let mut server = Server::new(sink);
        server
            .with_name("localhost")
            .with_ssl(SslConfig::None)
            .expect("no ssl")
            .with_num_threads(2)
            .with_tcp_listener(listener);
        // mailin-embedded has no shutdown: the thread lives until the test process ends
        std::thread::spawn(move || {
            let _ = server.serve();
        });
        SmtpServer {
            port,
            got,
            reject,
            stall,
        }
    }

    /// Answer the next `n` messages with a transient failure (421, connection closed).
    pub fn reject_next(&self, n: usize) {
        self.reject.store(n, Ordering::SeqCst);
    }

    /// Answer the next `n` messages with 451 and then hang that connection.
    pub fn stall_next(&self, n: usize) {
        self.stall.store(n, Ordering::SeqCst);
    }

    /// Every accepted transmission, duplicates included.
    pub fn transmissions(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// The mailbox as a reader sees it: one message per Message-ID.
    pub fn mailbox(&self) -> Vec<Received> {
        let mut seen = std::collections::HashSet::new();
        self.transmissions()
            .into_iter()
            .filter(|m| seen.insert(m.message_id()))
            .collect()
    }
}

/// A loopback port with nothing listening on it (bound, then released).
pub fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}
