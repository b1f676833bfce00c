//! The test harness: each test gets its own database (a SQLite file, or a fresh PostgreSQL
//! database when TEST_DATABASE_URL is set, dropped afterwards) and its own server on a random
//! port, reached over real HTTP.

use std::path::PathBuf;

use chrono::Utc;
use diesel::connection::SimpleConnection;
use gi_registry::clock::Clock;
use gi_registry::config::Settings;
use gi_registry::db::DatabaseTarget;
use gi_registry::service::ServiceState;
use gi_registry::startup::Application;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tempfile::TempDir;

/// A database for one test. PostgreSQL databases are dropped when this is dropped.
pub struct TestDatabase {
    pub target: DatabaseTarget,
    pub dir: TempDir,
    postgres: Option<(String, String)>,
}

/// `postgres://user@host:port` without any database path.
fn postgres_server(url: &str) -> String {
    let (scheme, rest) = url
        .split_once("://")
        .expect("TEST_DATABASE_URL has a scheme");
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    format!("{scheme}://{authority}")
}

pub fn test_postgres_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

impl TestDatabase {
    pub fn create() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        match test_postgres_url() {
            Some(url) => {
                let server = postgres_server(&url);
                let name = format!("gi_test_{}", uuid::Uuid::now_v7().simple());
                let mut admin = gi_registry::db::establish_postgres(&format!("{server}/postgres"))
                    .expect("TEST_DATABASE_URL must reach a PostgreSQL server");
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                let target = DatabaseTarget::Postgres(format!("{server}/{name}"));
                Self {
                    target,
                    dir,
                    postgres: Some((server, name)),
                }
            }
            None => {
                let target = DatabaseTarget::Sqlite(dir.path().join("test.db"));
                Self {
                    target,
                    dir,
                    postgres: None,
                }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// Makes the database stop answering: PostgreSQL's is dropped, SQLite's file deleted.
    pub fn break_it(&self) {
        match (&self.postgres, &self.target) {
            (Some((server, name)), _) => {
                let mut admin = gi_registry::db::establish_postgres(&format!("{server}/postgres"))
                    .expect("admin");
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .expect("drop");
            }
            (None, DatabaseTarget::Sqlite(path)) => {
                for suffix in ["", "-wal", "-shm"] {
                    let file = PathBuf::from(format!("{}{suffix}", path.display()));
                    let _ = std::fs::remove_file(&file);
                }
            }
            (None, DatabaseTarget::Postgres(_)) => unreachable!(),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.postgres {
            if let Ok(mut admin) =
                gi_registry::db::establish_postgres(&format!("{server}/postgres"))
            {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// The `DATABASE_URL` a separate process needs to open this test's database.
pub fn url_of(database: &TestDatabase) -> String {
    match &database.target {
        DatabaseTarget::Postgres(url) => url.clone(),
        DatabaseTarget::Sqlite(path) => format!("sqlite://{}", path.display()),
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: ServiceState,
    pub clock: Clock,
    pub db: TestDatabase,
}

pub fn test_settings(db: &TestDatabase) -> Settings {
    Settings::for_data_dir(db.dir.path().join("data"), db.target.clone())
}

pub async fn spawn_app() -> TestApp {
    let db = TestDatabase::create();
    let settings = test_settings(&db);
    spawn_with(db, settings).await
}

pub async fn spawn_with(db: TestDatabase, settings: Settings) -> TestApp {
    if std::env::var("TEST_LOG").is_ok() {
        // The first test's guard keeps the log thread for the whole test binary.
        static LOG: std::sync::OnceLock<Option<tracing_appender::non_blocking::WorkerGuard>> =
            std::sync::OnceLock::new();
        LOG.get_or_init(|| gi_registry::telemetry::init(gi_registry::config::LogFormat::Human));
    }
    let clock = Clock::fixed(Utc::now());
    let application = Application::build(settings, clock.clone())
        .await
        .expect("application builds");
    let port = application.port();
    let state = application.state().clone();
    tokio::spawn(application.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client,
        state,
        clock,
        db,
    }
}

/// An app whose `/metrics` anyone may read (`GI_METRICS_PUBLIC`).
pub async fn spawn_app_with_public_metrics() -> TestApp {
    let db = TestDatabase::create();
    let mut settings = test_settings(&db);
    settings.metrics_public = true;
    spawn_with(db, settings).await
}

/// The value of the unlabelled series `name` in a `/metrics` text.
pub fn metric_value(metrics: &str, name: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in: {metrics}"))
}

/// A response read whole: status, headers, and the body as JSON when it is JSON.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Reply {
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            text,
            json,
        }
    }

    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The fields named in a validation problem.
    pub fn error_fields(&self) -> Vec<String> {
        self.json["errors"]
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn assert_problem(&self, status: u16) -> &Self {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        assert!(
            self.content_type().starts_with("application/problem+json"),
            "content type {}",
            self.content_type()
        );
        assert_eq!(self.json["status"], status);
        assert!(
            self.json["type"].is_string()
                && self.json["title"].is_string()
                && self.json["detail"].is_string()
        );
        self
    }
}

pub const PASSWORD: &str = "tea-garden-2026";

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        Reply::read(request.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.request(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        self.request(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        self.request(Method::PATCH, path, token, Some(body)).await
    }

    pub fn initial_admin_password(&self) -> String {
        let path = self.state.settings.data_dir.join("initial-admin-password");
        std::fs::read_to_string(path)
            .expect("initial admin password file")
            .trim()
            .to_owned()
    }

    pub async fn login(&self, username: &str, password: &str) -> Reply {
        self.post(
            "/api/v1/auth/login",
            None,
            &json!({"username": username, "password": password}),
        )
        .await
    }

    pub async fn token_for(&self, username: &str, password: &str) -> String {
        let reply = self.login(username, password).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "login {username}: {}",
            reply.text
        );
        reply.json["access_token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    pub async fn admin_token(&self) -> String {
        self.token_for("admin", &self.initial_admin_password())
            .await
    }

    /// Creates a staff account through the admin API and signs it in.
    pub async fn staff_token(&self, username: &str, role: &str) -> String {
        let admin = self.admin_token().await;
        let body = json!({"username": username, "password": PASSWORD, "role": role, "display_name": username});
        let reply = self.post("/api/v1/admin/users", Some(&admin), &body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        self.token_for(username, PASSWORD).await
    }

    /// Registers a producer and signs it in; returns the token and the registration reply.
    pub async fn producer(&self, username: &str, uscc: &str) -> (String, Value) {
        let reply = self
            .post("/api/v1/auth/register", None, &registration(username, uscc))
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        (self.token_for(username, PASSWORD).await, reply.json)
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: &Value) -> Reply {
        self.request(Method::PUT, path, token, Some(body)).await
    }

    /// One number a query gives (`SELECT … AS n`), read through the service's own pool.
    pub async fn query_number(&self, sql: &'static str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Number {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        self.state
            .run(move |conn| {
                let rows: Vec<Number> = diesel::RunQueryDsl::load(diesel::sql_query(sql), conn)?;
                Ok(rows[0].n)
            })
            .await
            .expect("number")
    }

    pub async fn count_rows(&self, table: &'static str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        self.state
            .run(move |conn| {
                let rows: Vec<Count> = diesel::RunQueryDsl::load(
                    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}")),
                    conn,
                )?;
                Ok(rows[0].n)
            })
            .await
            .expect("count")
    }
}

pub fn registration(username: &str, uscc: &str) -> Value {
    json!({
        "username": username,
        "password": PASSWORD,
        "enterprise": {
            "uscc": uscc,
            "name": format!("英德市{username}茶业有限公司"),
            "legal_representative": "陈明",
            "address": "英德市英红镇茶园路8号",
            "town": "英红镇",
            "contact_name": "黄丽",
            "contact_phone": "0763-2288000",
            "email": "contact@example.cn"
        }
    })
}

/// The smallest bytes each accepted document type starts with.
pub const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
pub const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, b'I', b'H', b'D', b'R',
];

pub fn draft_body(product: &str, basis: &str, town: &str) -> Value {
    let mut body = json!({
        "product_code": product,
        "basis": basis,
        "production_town": town,
        "production_address": "英德市英红镇茶园路8号",
        "area_mu": 120.5,
        "annual_output_kg": 8000,
        "description": "高山红茶园"
    });
    if basis != "gi_product" {
        body["trademark_reg_no"] = json!("第12345678号");
    }
    body
}

impl TestApp {
    pub async fn upload(
        &self,
        token: &str,
        application_id: &str,
        kind: &str,
        filename: &str,
        bytes: &[u8],
    ) -> Reply {
        let form = reqwest::multipart::Form::new()
            .text("kind", kind.to_owned())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(filename.to_owned()),
            );
        let response = self
            .client
            .post(self.url(&format!(
                "/api/v1/applications/{application_id}/attachments"
            )))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("upload sent");
        Reply::read(response).await
    }

    pub async fn action(
        &self,
        token: &str,
        application_id: &str,
        action: &str,
        body: Value,
    ) -> Reply {
        self.post(
            &format!("/api/v1/applications/{application_id}/{action}"),
            Some(token),
            &body,
        )
        .await
    }

    /// A draft of Yingde black tea with every required document, ready to submit.
    pub async fn complete_draft(&self, producer: &str) -> String {
        self.complete_draft_of(producer, "yingde-black-tea", "英红镇")
            .await
    }

    /// A complete draft of `product` made in `town`, on the GI-product basis.
    pub async fn complete_draft_of(&self, producer: &str, product: &str, town: &str) -> String {
        let body = draft_body(product, "gi_product", town);
        let reply = self
            .post("/api/v1/applications", Some(producer), &body)
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        let id = reply.json["id"].as_str().expect("id").to_owned();
        for kind in ["application_form", "business_license", "test_report"] {
            let uploaded = self
                .upload(producer, &id, kind, &format!("{kind}.pdf"), PDF)
                .await;
            assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text);
        }
        id
    }
}

/// The cast of one workflow test: a producer, a second producer, a reviewer, two approvers.
#[derive(Clone)]
pub struct Cast {
    pub producer: String,
    pub other_producer: String,
    pub reviewer: String,
    pub approver: String,
    pub second_approver: String,
    pub admin: String,
}

impl Cast {
    pub async fn assemble(app: &TestApp) -> Self {
        let (producer, _) = app.producer("hongqi", "91441881MA4WTEA03K").await;
        let (other_producer, _) = app.producer("xiniu-coop", "93441881MA52BM702T").await;
        Self {
            producer,
            other_producer,
            reviewer: app.staff_token("li.reviewer", "reviewer").await,
            approver: app.staff_token("wang.approver", "approver").await,
            second_approver: app.staff_token("zhao.approver", "approver").await,
            admin: app.admin_token().await,
        }
    }
}

impl TestApp {
    /// Takes a complete draft to `recommended`, recommended by `recommender`.
    pub async fn recommended_application(&self, cast: &Cast, recommender: &str) -> String {
        let id = self.complete_draft(&cast.producer).await;
        self.take_to_recommended(cast, &cast.producer, &id, recommender)
            .await;
        id
    }

    /// Submits a complete draft of `producer` and takes it to `recommended`.
    pub async fn take_to_recommended(
        &self,
        cast: &Cast,
        producer: &str,
        id: &str,
        recommender: &str,
    ) {
        self.expect_ok(self.action(producer, id, "submit", json!({})).await);
        self.expect_ok(self.action(&cast.reviewer, id, "accept", json!({})).await);
        let report = self
            .upload(
                &cast.reviewer,
                id,
                "origin_verification_report",
                "产地核验报告.pdf",
                PDF,
            )
            .await;
        assert_eq!(report.status, StatusCode::CREATED, "{}", report.text);
        self.expect_ok(
            self.action(recommender, id, "recommend", json!({"comment": "符合要求"}))
                .await,
        );
    }

    /// Grants `producer` a right to `product` made in `town`; returns the approved application.
    pub async fn grant(&self, cast: &Cast, producer: &str, product: &str, town: &str) -> Value {
        let id = self.complete_draft_of(producer, product, town).await;
        self.take_to_recommended(cast, producer, &id, &cast.reviewer)
            .await;
        let body =
            json!({"announcement_no": "英市监公告〔2026〕3号", "announcement_date": "2026-11-03"});
        self.expect_ok(self.action(&cast.approver, &id, "approve", body).await)
            .json
    }

    pub fn expect_ok(&self, reply: Reply) -> Reply {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        reply
    }
}
