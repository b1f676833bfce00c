//! Crash safety: the real binary is killed with SIGKILL in the middle of a stream of
//! registrations, submissions and approvals, then restarted on the same database. Every
//! request that had been answered 2xx is still there, every application's journal ends in
//! its status, and the hash chain is intact.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gi_registry::domain::uscc::check_character;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{draft_body, url_of, TestDatabase, PASSWORD, PDF};

const BINARY: &str = env!("CARGO_BIN_EXE_gi-registry");

/// The real binary, killed when dropped.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port()
}

async fn start(database: &TestDatabase) -> Server {
    // The stream registers far more enterprises than one address may in an hour.
    start_binary(database, &[("GI_REGISTRATIONS_PER_HOUR", "100000")]).await
}

/// Starts the real binary on `database` with `extra_env`, and waits until it is ready.
pub(crate) async fn start_binary(database: &TestDatabase, extra_env: &[(&str, &str)]) -> Server {
    start_binary_logging_to(database, extra_env, Stdio::null()).await
}

/// [`start_binary`] with the service's log going to `stderr` (`RUST_LOG` may be overridden
/// in `extra_env`).
pub(crate) async fn start_binary_logging_to(
    database: &TestDatabase,
    extra_env: &[(&str, &str)],
    stderr: Stdio,
) -> Server {
    let port = free_port();
    let child = Command::new(BINARY)
        .env("RUST_LOG", "error")
        .envs(extra_env.iter().copied())
        .env("GI_DATA_DIR", database.dir.path().join("data"))
        .env("DATABASE_URL", url_of(database))
        .env("GI_BIND", format!("127.0.0.1:{port}"))
        .env_remove("GI_JWT_SECRET")
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("binary starts");
    // From here the server is reaped on every path, panics included.
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = Client::new();
    for _ in 0..200 {
        let ready = client.get(format!("{}/readyz", server.base)).send().await;
        if ready.is_ok_and(|r| r.status() == 200) {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the service did not become ready");
}

impl Server {
    /// SIGKILL: no shutdown, no flush — the crash under test.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What the service acknowledged with a 2xx answer before the crash.
#[derive(Default)]
struct Acknowledged {
    registered: Vec<String>,
    /// application id → the last status an answer confirmed
    applications: HashMap<String, String>,
}

struct Driver {
    client: Client,
    base: String,
    reviewer: String,
    approver: String,
    acks: Arc<Mutex<Acknowledged>>,
}

impl Driver {
    async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Option<Value> {
        let mut request = self.client.post(format!("{}{path}", self.base)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.ok()?;
        if !response.status().is_success() {
            return None;
        }
        response.json().await.ok()
    }

    async fn upload(&self, token: &str, id: &str, kind: &str) -> Option<()> {
        let form = reqwest::multipart::Form::new()
            .text("kind", kind.to_owned())
            .part(
                "file",
                reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("doc.pdf"),
            );
        let response = self
            .client
            .post(format!(
                "{}/api/v1/applications/{id}/attachments",
                self.base
            ))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .ok()?;
        (response.status() == StatusCode::CREATED).then_some(())
    }

    fn ack(&self, id: &str, status: &str) {
        if let Ok(mut acks) = self.acks.lock() {
            acks.applications.insert(id.to_owned(), status.to_owned());
        }
    }

    async fn act(&self, token: &str, id: &str, action: &str, body: Value) -> Option<()> {
        let reply = self
            .post(
                &format!("/api/v1/applications/{id}/{action}"),
                Some(token),
                body,
            )
            .await?;
        self.ack(id, reply["status"].as_str()?);
        Some(())
    }

    /// One producer's whole story; stops at the first request the dead server cannot answer.
    async fn story(&self, n: usize) -> Option<()> {
        let first17 = format!("91441881MA{n:07}");
        let uscc = format!("{first17}{}", check_character(&first17)?);
        let username = format!("crash{n}");
        self.post(
            "/api/v1/auth/register",
            None,
            crate::helpers::registration(&username, &uscc),
        )
        .await?;
        if let Ok(mut acks) = self.acks.lock() {
            acks.registered.push(username.clone());
        }
        let login = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"username": username, "password": PASSWORD}),
            )
            .await?;
        let token = login["access_token"].as_str()?.to_owned();
        let draft = self
            .post(
                "/api/v1/applications",
                Some(&token),
                draft_body("yingde-black-tea", "gi_product", "英红镇"),
            )
            .await?;
        let id = draft["id"].as_str()?.to_owned();
        self.ack(&id, "draft");
        for kind in ["application_form", "business_license", "test_report"] {
            self.upload(&token, &id, kind).await?;
        }
        self.act(&token, &id, "submit", json!({})).await?;
        self.act(&self.reviewer, &id, "accept", json!({})).await?;
        self.upload(&self.reviewer, &id, "origin_verification_report")
            .await?;
        self.act(&self.reviewer, &id, "recommend", json!({}))
            .await?;
        let approval =
            json!({"announcement_no": "英市监公告〔2026〕9号", "announcement_date": "2026-11-27"});
        self.act(&self.approver, &id, "approve", approval).await
    }
}

/// The status one step further along the happy path (a request may have committed without
/// its answer arriving before the kill).
fn next_status(status: &str) -> &str {
    match status {
        "draft" => "submitted",
        "submitted" => "under_review",
        "under_review" => "recommended",
        "recommended" => "approved",
        other => other,
    }
}

async fn token(client: &Client, base: &str, username: &str, password: &str) -> String {
    let reply: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    reply["access_token"].as_str().expect("token").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sigkill_mid_stream_loses_no_acknowledged_write_and_leaves_the_journal_whole() {
    let database = TestDatabase::create();
    let mut server = start(&database).await;
    let client = Client::new();
    let admin_password = std::fs::read_to_string(
        database
            .dir
            .path()
            .join("data")
            .join("initial-admin-password"),
    )
    .expect("admin password");
    let admin = token(&client, &server.base, "admin", admin_password.trim()).await;
    for (name, role) in [
        ("crash.reviewer", "reviewer"),
        ("crash.approver", "approver"),
    ] {
        let created = client
            .post(format!("{}/api/v1/admin/users", server.base))
            .bearer_auth(&admin)
            .json(&json!({"username": name, "password": PASSWORD, "role": role}))
            .send()
            .await
            .expect("create staff");
        assert_eq!(created.status(), 201);
    }
    let acks = Arc::new(Mutex::new(Acknowledged::default()));
    let driver = Arc::new(Driver {
        reviewer: token(&client, &server.base, "crash.reviewer", PASSWORD).await,
        approver: token(&client, &server.base, "crash.approver", PASSWORD).await,
        client: client.clone(),
        base: server.base.clone(),
        acks: acks.clone(),
    });

    let workers: Vec<_> = (0..4)
        .map(|worker| {
            let driver = driver.clone();
            tokio::spawn(async move {
                for i in 0.. {
                    if driver.story(worker * 100_000 + i).await.is_none() {
                        break;
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    server.kill();
    for worker in workers {
        worker.await.expect("worker");
    }

    let server = start(&database).await;
    let reviewer = token(&client, &server.base, "crash.reviewer", PASSWORD).await;
    let acks = std::mem::take(&mut *acks.lock().expect("acks"));
    assert!(
        acks.registered.len() >= 4,
        "the stream ran before the kill: {}",
        acks.registered.len()
    );
    // A registration that holds no right is not public: its account signing in shows it kept.
    for username in &acks.registered {
        let found = client
            .post(format!("{}/api/v1/auth/login", server.base))
            .json(&json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .expect("login");
        assert_eq!(
            found.status(),
            200,
            "registration of {username} was acknowledged and must survive"
        );
    }
    for (id, acknowledged) in &acks.applications {
        let view: Value = client
            .get(format!("{}/api/v1/applications/{id}", server.base))
            .bearer_auth(&reviewer)
            .send()
            .await
            .expect("read")
            .json()
            .await
            .expect("json");
        let status = view["status"].as_str().expect("status");
        assert!(
            status == acknowledged || status == next_status(acknowledged),
            "{id}: acknowledged {acknowledged}, found {status}"
        );
        let last = view["history"]
            .as_array()
            .and_then(|h| h.iter().rev().find(|e| e["to_status"].is_string()))
            .expect("history");
        assert_eq!(
            last["to_status"], status,
            "{id}: the journal ends in the status"
        );
        if status == "approved" {
            assert!(
                view["registry_no"].is_string(),
                "{id}: approved with its authorization"
            );
        }
    }
    let check = Command::new(BINARY)
        .arg("verify-journal")
        .env("GI_DATA_DIR", database.dir.path().join("data"))
        .env("DATABASE_URL", url_of(&database))
        .output()
        .expect("verify-journal runs");
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(String::from_utf8_lossy(&check.stdout).starts_with("journal intact"));
}
