//! A real SMTP server for the tests: `tests/support/smtp_sink.py` (aiosmtpd from PyPI, in
//! `target/smtp-venv`, installed by `.ci/run`) on a free port, each message it receives one
//! JSON file in a directory. It can be stopped and started again on the same port, for the
//! test of a server that is down. Under CI a missing aiosmtpd fails the test, never skips it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

fn python() -> Option<PathBuf> {
    let python = std::env::var("SMTP_SINK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/smtp-venv/bin/python")
        });
    if python.exists() {
        return Some(python);
    }
    assert!(
        std::env::var("CI").is_err(),
        "CI must provide aiosmtpd in target/smtp-venv (see .ci/run)"
    );
    eprintln!("mail test skipped: install aiosmtpd in target/smtp-venv to run it");
    None
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port()
}

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub message_id: String,
    pub subject: String,
    pub body: String,
}

pub struct SmtpServer {
    python: PathBuf,
    pub port: u16,
    dir: tempfile::TempDir,
    process: Option<Child>,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

impl SmtpServer {
    /// A running server on a free port, or None where aiosmtpd is not installed (not CI).
    pub async fn start() -> Option<Self> {
        let mut server = Self::stopped()?;
        server.resume().await;
        Some(server)
    }

    /// A server on a free port that is not running yet: mail to it fails until
    /// [`SmtpServer::resume`].
    pub fn stopped() -> Option<Self> {
        Some(Self {
            python: python()?,
            port: free_port(),
            dir: tempfile::tempdir().expect("mail dir"),
            process: None,
        })
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Starts (again) on the same port and waits until it answers.
    pub async fn resume(&mut self) {
        assert!(self.process.is_none(), "already running");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let child = Command::new(&self.python)
            .arg(script)
            .arg(self.port.to_string())
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the SMTP server starts");
        self.process = Some(child);
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the SMTP server did not start");
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.process.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<Mail> {
        let mut mails = Vec::new();
        let entries = std::fs::read_dir(self.dir.path()).expect("mail dir");
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("mail file");
            let record: Value = serde_json::from_str(&text).expect("mail json");
            mails.push(Mail {
                to: record["rcpt_tos"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|t| t.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
                message_id: record["message_id"].as_str().unwrap_or("").to_owned(),
                subject: record["subject"].as_str().unwrap_or("").to_owned(),
                body: record["body"].as_str().unwrap_or("").to_owned(),
            });
        }
        mails
    }

    /// Waits until `enough` holds of the messages received, or panics after `within`.
    pub async fn wait_for(&self, within: Duration, enough: impl Fn(&[Mail]) -> bool) -> Vec<Mail> {
        let started = std::time::Instant::now();
        loop {
            let mails = self.messages();
            if enough(&mails) {
                return mails;
            }
            assert!(
                started.elapsed() < within,
                "the mail expected did not arrive; received: {mails:#?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
