//! Issue 11 items 6, 9 (body deadline, absurd codes), 10 (`next=`, owner-only files,
//! `no-store`) and 11 (the command line): what a hostile client sends in headers, paths and
//! slow bodies cannot steer what the public sees, nor hold the service.

use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::header::{CACHE_CONTROL, HOST, LOCATION, SET_COOKIE};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{
    draft_body, registration, spawn_app, spawn_with, test_settings, url_of, TestApp, TestDatabase,
    PASSWORD, PDF,
};

const BINARY: &str = env!("CARGO_BIN_EXE_gi-registry");
const CODE: &str = "91441881MA4WTEA03K";

fn qr_of(address: &str) -> String {
    qrcode::QrCode::with_error_correction_level(address, qrcode::EcLevel::M)
        .expect("encodes")
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build()
}

/// A request dressed up as an attacker would: another host, forwarded from elsewhere.
fn hostile(app: &TestApp, path: &str) -> reqwest::RequestBuilder {
    app.client
        .get(app.url(path))
        .header(HOST, "evil.example")
        .header("X-Forwarded-Host", "evil.example")
        .header("X-Forwarded-Proto", "https")
        .header("X-Forwarded-For", "203.0.113.66")
        .header(
            "Forwarded",
            "for=203.0.113.66;host=evil.example;proto=https",
        )
}

async fn text_of(request: reqwest::RequestBuilder) -> (u16, String) {
    let response = request.send().await.expect("sent");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

// ---------------------------------------------------------------- item 6

#[tokio::test]
async fn qr_codes_carry_the_public_url_and_pages_no_header_whatever_the_host_headers_say() {
    let db = TestDatabase::create();
    let mut settings = test_settings(&db);
    settings.public_url = Some("https://gi.yingde.example".into());
    let app = spawn_with(db, settings).await;

    let (status, svg) = text_of(hostile(&app, &format!("/verify/{CODE}/qr.svg"))).await;
    assert_eq!(status, 200);
    assert_eq!(
        svg,
        qr_of(&format!("https://gi.yingde.example/verify/{CODE}"))
    );

    let (_, page) = text_of(hostile(&app, &format!("/verify/{CODE}"))).await;
    assert!(!page.contains("evil.example"), "no header reaches the page");
}

#[tokio::test]
async fn without_a_public_url_links_use_the_listen_address_never_a_host_header() {
    let app = spawn_app().await;
    let (status, svg) = text_of(hostile(&app, &format!("/verify/{CODE}/qr.svg"))).await;
    assert_eq!(status, 200);
    assert_eq!(svg, qr_of(&format!("{}/verify/{CODE}", app.address)));
    assert_ne!(svg, qr_of(&format!("https://evil.example/verify/{CODE}")));
    assert_ne!(svg, qr_of(&format!("http://evil.example/verify/{CODE}")));

    let (_, page) = text_of(hostile(&app, &format!("/verify/{CODE}"))).await;
    assert!(!page.contains("evil.example"));
}

/// Fails to sign in as a new unknown user each time (so no account lock ever counts), with a
/// forwarded client address of `forwarded(i)`; returns the statuses.
async fn failed_logins(
    app: &TestApp,
    count: usize,
    forwarded: impl Fn(usize) -> String,
) -> Vec<u16> {
    let mut statuses = Vec::new();
    for i in 0..count {
        let response = app
            .client
            .post(app.url("/api/v1/auth/login"))
            .header("X-Forwarded-For", forwarded(i))
            .json(&json!({"username": format!("nobody{i}"), "password": "wrong-password-1"}))
            .send()
            .await
            .expect("sent");
        statuses.push(response.status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn forwarded_for_from_an_untrusted_peer_does_not_change_the_throttle_key() {
    let app = spawn_app().await;
    let statuses = failed_logins(&app, 40, |i| format!("198.51.100.{}", i + 1)).await;
    assert!(
        statuses.contains(&429),
        "the peer address is locked however X-Forwarded-For varies: {statuses:?}"
    );
}

#[tokio::test]
async fn forwarded_for_from_a_trusted_proxy_names_the_client() {
    let db = TestDatabase::create();
    let mut settings = test_settings(&db);
    settings.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
    let app = spawn_with(db, settings).await;
    // Forty clients behind the proxy, one failure each: nobody is locked.
    let statuses = failed_logins(&app, 40, |i| format!("9.9.9.9, 198.51.100.{}", i + 1)).await;
    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    // One client behind it failing again and again is.
    let statuses = failed_logins(&app, 40, |_| "9.9.9.9, 198.51.100.200".to_owned()).await;
    assert!(statuses.contains(&429), "{statuses:?}");
}

async fn csrf_cookie_of(app: &TestApp, proto: &str) -> String {
    let response = app
        .client
        .get(app.url("/login"))
        .header("X-Forwarded-Proto", proto)
        .send()
        .await
        .expect("sent");
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("gi_csrf="))
        .expect("a CSRF cookie")
        .to_owned()
}

#[tokio::test]
async fn forwarded_proto_counts_only_from_a_trusted_proxy() {
    let app = spawn_app().await;
    let cookie = csrf_cookie_of(&app, "https").await;
    assert!(!cookie.contains("Secure"), "{cookie}");

    let db = TestDatabase::create();
    let mut settings = test_settings(&db);
    settings.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
    let proxied = spawn_with(db, settings).await;
    assert!(csrf_cookie_of(&proxied, "https").await.contains("Secure"));
    assert!(!csrf_cookie_of(&proxied, "http").await.contains("Secure"));
}

// ------------------------------------------------------- the real binary

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port()
}

/// The binary, killed when dropped.
struct Served {
    child: Child,
    base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn command(database: &TestDatabase) -> Command {
    let mut command = Command::new(BINARY);
    command
        .env_remove("GI_DATA_DIR")
        .env_remove("GI_BIND")
        .env_remove("GI_JWT_SECRET")
        .env_remove("GI_PUBLIC_URL")
        .env_remove("GI_TRUSTED_PROXIES")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null());
    if database.is_postgres() {
        command.env("DATABASE_URL", url_of(database));
    } else {
        command.env_remove("DATABASE_URL");
    }
    command
}

async fn serve(mut command: Command, port: u16) -> Served {
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let served = Served {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    for _ in 0..400 {
        let ready = client.get(format!("{}/readyz", served.base)).send().await;
        if ready.is_ok_and(|r| r.status() == 200) {
            return served;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the service did not become ready on {}", served.base);
}

#[tokio::test]
async fn options_stand_before_or_after_the_subcommand() {
    for before in [false, true] {
        let database = TestDatabase::create();
        let data_dir = database
            .dir
            .path()
            .join(if before { "before" } else { "after" });
        let port = free_port();
        let bind = format!("127.0.0.1:{port}");
        let data = data_dir.display().to_string();
        let options = ["--bind", bind.as_str(), "--data-dir", data.as_str()];
        let mut args: Vec<&str> = Vec::new();
        if before {
            args.extend(options);
            args.push("serve");
        } else {
            args.push("serve");
            args.extend(options);
        }
        let mut command = command(&database);
        command.args(&args);
        let served = serve(command, port).await;
        assert!(
            data_dir.join("jwt-secret").exists(),
            "{args:?}: the data directory is the one given"
        );
        if !database.is_postgres() {
            assert!(data_dir.join("gi-registry.db").exists(), "{args:?}");
        }
        drop(served);
    }
}

#[test]
fn an_invalid_trusted_proxy_list_refuses_to_start_with_one_clear_line() {
    let database = TestDatabase::create();
    let output = command(&database)
        .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
        .arg(database.dir.path().join("data"))
        .env("GI_TRUSTED_PROXIES", "10.0.0.1, 10.0.0.0/33")
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("GI_TRUSTED_PROXIES") && lines[0].contains("10.0.0.0/33"),
        "{}",
        lines[0]
    );
}

/// Every path under `dir` with a group or other permission bit.
fn open_to_others(dir: &std::path::Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).expect("metadata");
        if meta.permissions().mode() & 0o077 != 0 {
            found.push(format!(
                "{} {:o}",
                path.display(),
                meta.permissions().mode() & 0o777
            ));
        }
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path).expect("dir") {
                stack.push(entry.expect("entry").path());
            }
        }
    }
    found
}

#[tokio::test]
async fn the_data_directory_and_everything_the_service_keeps_in_it_is_owner_only() {
    let database = TestDatabase::create();
    let data_dir = database.dir.path().join("data");
    let port = free_port();
    let mut command = command(&database);
    command
        .arg("serve")
        .env("GI_BIND", format!("127.0.0.1:{port}"))
        .env("GI_DATA_DIR", &data_dir);
    let served = serve(command, port).await;

    // A producer registers and uploads a document, so the documents directory exists too.
    let client = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", served.base);
    let registered = client
        .post(url("/api/v1/auth/register"))
        .json(&registration("owner.only", CODE))
        .send()
        .await
        .expect("register");
    assert_eq!(registered.status(), 201);
    let login: serde_json::Value = client
        .post(url("/api/v1/auth/login"))
        .json(&json!({"username": "owner.only", "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let token = login["access_token"].as_str().expect("token");
    let draft: serde_json::Value = client
        .post(url("/api/v1/applications"))
        .bearer_auth(token)
        .json(&draft_body("yingde-black-tea", "gi_product", "英红镇"))
        .send()
        .await
        .expect("draft")
        .json()
        .await
        .expect("json");
    let id = draft["id"].as_str().expect("id");
    let form = reqwest::multipart::Form::new()
        .text("kind", "business_license")
        .part(
            "file",
            reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("licence.pdf"),
        );
    let uploaded = client
        .post(url(&format!("/api/v1/applications/{id}/attachments")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert!(uploaded.status().is_success(), "{}", uploaded.status());

    let names: Vec<String> = std::fs::read_dir(&data_dir)
        .expect("data dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().any(|n| n == "jwt-secret")
            && names.iter().any(|n| n == "initial-admin-password"),
        "{names:?}"
    );
    if !database.is_postgres() {
        assert!(names.iter().any(|n| n == "gi-registry.db-wal"), "{names:?}");
    }
    assert_eq!(open_to_others(&data_dir), Vec::<String>::new());
    drop(served);
}

// ---------------------------------------------------------------- item 9

/// Sends a request head announcing 1000 bytes of body, a few of them, then nothing more.
async fn trickle(app: &TestApp, head: &str) -> String {
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.write_all(b"{\"user").await.expect("a few bytes");
    let mut answer = Vec::new();
    // Far longer than the 1 s deadline under test: only a hang reaches it.
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the service still waits for the body");
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_gets_408() {
    let db = TestDatabase::create();
    let mut settings = test_settings(&db);
    settings.body_timeout = Duration::from_secs(1);
    let app = spawn_with(db, settings).await;

    let answer = trickle(
        &app,
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("content-type: application/problem+json"),
        "{answer}"
    );

    let page = trickle(
        &app,
        "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n",
    )
    .await;
    assert!(page.starts_with("HTTP/1.1 408"), "{page}");

    // A body that does arrive is read as before.
    let reply = app.login("nobody", "wrong-password-1").await;
    assert_eq!(reply.status, 401);
}

#[tokio::test]
async fn absurd_codes_are_not_found_never_a_server_error() {
    let app = spawn_app().await;
    let codes = [
        "A".repeat(65),
        "9".repeat(1000),
        "X".repeat(5000),
        "%0d%0aSet-Cookie:%20x=1".to_owned(),
        "%01%02%1b%5b31m".to_owned(),
        "%E2%80%AE%E2%80%8B".to_owned(),
        "..%2f..%2fetc%2fpasswd".to_owned(),
    ];
    for code in &codes {
        for path in [
            format!("/verify/{code}"),
            format!("/verify/{code}/qr.svg"),
            format!("/api/v1/public/verify/{code}"),
        ] {
            let response = app.client.get(app.url(&path)).send().await.expect("sent");
            let status = response.status().as_u16();
            assert!(
                status == 404 || status == 422,
                "{} → {status}",
                &path[..path.len().min(80)]
            );
            assert!(response
                .headers()
                .get_all(SET_COOKIE)
                .iter()
                .all(|c| !c.to_str().unwrap_or("").starts_with("x=")));
        }
    }
}

// --------------------------------------------------------------- item 10

/// The CSRF cookie and token of a fresh visit to the sign-in page.
/// A first visit to the sign-in page: its `gi_csrf` cookie and the form token bound to it.
async fn fresh_visit(app: &TestApp) -> (String, String) {
    let response = app
        .client
        .get(app.url("/login"))
        .send()
        .await
        .expect("sent");
    let cookie = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("gi_csrf="))
        .and_then(|c| c.split(';').next())
        .expect("csrf cookie")
        .to_owned();
    let html = response.text().await.expect("page");
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    (cookie, html[start..start + 64].to_owned())
}

async fn sign_in_with_next(app: &TestApp, next: &str) -> reqwest::Response {
    let (cookie, csrf) = fresh_visit(app).await;
    let body = format!("csrf={csrf}&username=next.tester&password={PASSWORD}&next={next}");
    app.client
        .post(app.url("/login"))
        .header("Cookie", format!("gi_csrf={cookie}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("sent")
}

#[tokio::test]
async fn next_only_ever_leads_to_a_plain_local_path() {
    let app = spawn_app().await;
    app.producer("next.tester", CODE).await;
    let kept = sign_in_with_next(&app, "%2Fapplications%3Fpage%3D2").await;
    assert_eq!(kept.status(), 303);
    assert_eq!(kept.headers()[LOCATION], "/applications?page=2");

    for next in [
        "%0d%0aSet-Cookie:x=1",
        "%2F%0d%0aSet-Cookie:x=1",
        "%2F%09%2Fevil.example",
        "//evil.example",
        "/\\evil.example",
        "%2F%5Cevil.example",
        "https://evil.example",
        "%2Fverify%2F%E8%8B%B1",
    ] {
        let response = sign_in_with_next(&app, next).await;
        assert_eq!(response.status(), 303, "next={next}");
        let location = response.headers()[LOCATION].to_str().expect("ascii");
        assert_eq!(location, "/applications", "next={next}");
        assert!(response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .all(|c| !c.to_str().unwrap_or("").starts_with("x=")));
    }
}

fn cache_control(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

#[tokio::test]
async fn private_answers_are_never_stored_and_public_ones_keep_their_caching() {
    let app = spawn_app().await;
    let (token, _) = app.producer("cache.tester", CODE).await;

    let me = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("sent");
    assert_eq!(me.status(), 200);
    assert!(
        cache_control(&me).contains("no-store"),
        "{}",
        cache_control(&me)
    );

    let (cookie, csrf) = fresh_visit(&app).await;
    let signed_in = app
        .client
        .post(app.url("/login"))
        .header("Cookie", format!("gi_csrf={cookie}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!(
            "csrf={csrf}&username=cache.tester&password={PASSWORD}"
        ))
        .send()
        .await
        .expect("sent");
    assert_eq!(signed_in.status(), 303);
    assert!(cache_control(&signed_in).contains("no-store"));
    let session = signed_in
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("gi_session="))
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_owned();

    let page = app
        .client
        .get(app.url("/applications"))
        .header("Cookie", format!("gi_session={session}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), 200);
    assert!(
        cache_control(&page).contains("no-store"),
        "{}",
        cache_control(&page)
    );

    let goal = app
        .client
        .get(app.url("/api/v1/public/goal"))
        .send()
        .await
        .expect("sent");
    assert_eq!(goal.status(), 200);
    assert!(
        !cache_control(&goal).contains("no-store"),
        "{}",
        cache_control(&goal)
    );
}
