//! Issue 11: what a hostile client tries against sign-in, registration and the public
//! register, and what holds. Each test failed on the code before the fix.

use std::net::IpAddr;

use diesel::connection::SimpleConnection;
use futures_util::future::join_all;
use gi_registry::domain::uscc::check_character;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::crash::start_binary;
use crate::helpers::{
    registration, spawn_app, spawn_with, test_settings, Cast, Reply, TestApp, TestDatabase,
    PASSWORD,
};

/// A valid synthetic credit code for the n-th enterprise of a test.
fn uscc(n: usize) -> String {
    let first17 = format!("91441881MC{n:07}");
    format!("{first17}{}", check_character(&first17).expect("alphabet"))
}

/// A client whose connections come from `ip` (any 127.x.y.z reaches the loopback server):
/// a second address without trusting any forwarded header.
fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().expect("ip"))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

async fn post_from(client: &reqwest::Client, url: String, body: &Value) -> Reply {
    Reply::read(client.post(url).json(body).send().await.expect("sent")).await
}

async fn login_from(
    app: &TestApp,
    client: &reqwest::Client,
    username: &str,
    password: &str,
) -> Reply {
    post_from(
        client,
        app.url("/api/v1/auth/login"),
        &json!({"username": username, "password": password}),
    )
    .await
}

fn retry_after(reply: &Reply) -> u64 {
    reply
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("Retry-After on {}: {}", reply.status, reply.text))
}

#[tokio::test]
async fn forty_simultaneous_guesses_are_counted_before_any_is_checked() {
    let db = TestDatabase::create();
    let mut settings = test_settings(&db);
    // Enough hashing places for all forty: here the throttle alone must hold them back.
    settings.password_hash_slots = 64;
    let app = spawn_with(db, settings).await;
    app.producer("target", &uscc(1)).await;
    let replies = join_all((0..40).map(|_| app.login("target", "wrong-password-1"))).await;
    let checked = replies.iter().filter(|r| r.status == 401).count();
    let refused: Vec<&Reply> = replies.iter().filter(|r| r.status == 429).collect();
    assert!(checked <= 5, "{checked} guesses were checked");
    assert_eq!(checked + refused.len(), 40);
    for reply in refused {
        assert!(retry_after(reply) > 0);
    }
    // The burst's lock stands: even the right password from this address waits.
    let after = app.login("target", PASSWORD).await;
    after.assert_problem(429);
    assert!(retry_after(&after) > 60);
}

/// Makes every write to the throttle table fail, as a full disk would.
fn refuse_throttle_writes(app: &TestApp) -> &'static str {
    if app.db.is_postgres() {
        "CREATE FUNCTION refuse_count() RETURNS trigger AS $$
         BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql;
         CREATE TRIGGER refuse_insert BEFORE INSERT OR UPDATE ON login_throttle
         FOR EACH ROW EXECUTE FUNCTION refuse_count();"
    } else {
        "CREATE TRIGGER refuse_insert BEFORE INSERT ON login_throttle
         BEGIN SELECT RAISE(ABORT, 'disk full'); END;
         CREATE TRIGGER refuse_update BEFORE UPDATE ON login_throttle
         BEGIN SELECT RAISE(ABORT, 'disk full'); END;"
    }
}

#[tokio::test]
async fn a_guess_that_cannot_be_counted_is_not_checked_but_refused_with_503() {
    let app = spawn_app().await;
    app.producer("target", &uscc(1)).await;
    let sql = refuse_throttle_writes(&app);
    app.state
        .run(move |conn| Ok(conn.batch_execute(sql)?))
        .await
        .expect("trigger");
    // The right password: had it been checked, it would have signed in.
    let reply = app.login("target", PASSWORD).await;
    reply.assert_problem(503);
    assert!(retry_after(&reply) >= 1);
    assert!(!reply.text.contains("disk full"), "{}", reply.text);
}

#[tokio::test]
async fn the_current_password_of_a_password_change_is_limited_like_a_sign_in() {
    let app = spawn_app().await;
    let (token, _) = app.producer("changer", &uscc(1)).await;
    let guess = |n: usize| json!({"current_password": format!("guess-number-{n}"), "new_password": "a-new-tea-garden-2027"});
    for n in 0..5 {
        let reply = app
            .post("/api/v1/auth/password", Some(&token), &guess(n))
            .await;
        reply.assert_problem(422);
        assert_eq!(reply.error_fields(), vec!["current_password"]);
    }
    let sixth = app
        .post("/api/v1/auth/password", Some(&token), &guess(5))
        .await;
    sixth.assert_problem(429);
    assert!(retry_after(&sixth) > 0);
    let right = json!({"current_password": PASSWORD, "new_password": "a-new-tea-garden-2027"});
    app.post("/api/v1/auth/password", Some(&token), &right)
        .await
        .assert_problem(429);
}

#[tokio::test]
async fn a_stranger_guessing_from_elsewhere_does_not_lock_the_owner_out() {
    let app = spawn_app().await;
    app.producer("owner", &uscc(1)).await;
    let stranger = client_from("127.0.0.2");
    let mut statuses = Vec::new();
    for n in 0..10 {
        let reply = login_from(&app, &stranger, "owner", &format!("guess-number-{n}")).await;
        statuses.push(reply.status.as_u16());
    }
    assert_eq!(&statuses[..5], &[401; 5]);
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    // The owner, from the office's own address, signs in.
    let owner = app.login("owner", PASSWORD).await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.text);
    // And the stranger's pair stays locked, the right password or not.
    login_from(&app, &stranger, "owner", PASSWORD)
        .await
        .assert_problem(429);
}

#[tokio::test]
async fn a_failed_sign_in_says_wrong_user_name_or_password() {
    let app = spawn_app().await;
    app.producer("owner", &uscc(1)).await;
    for (username, password) in [("owner", "not-the-password"), ("nobody", PASSWORD)] {
        let reply = app.login(username, password).await;
        reply.assert_problem(401);
        assert_eq!(reply.json["detail"], "Wrong user name or password.");
    }
    let zh = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("accept-language", "zh-CN")
        .json(&json!({"username": "owner", "password": "not-the-password"}))
        .send()
        .await
        .expect("sent");
    let zh = Reply::read(zh).await;
    assert_eq!(zh.json["detail"], "用户名或密码错误。");
}

#[tokio::test]
async fn signing_out_ends_that_session_at_once_and_no_other() {
    let app = spawn_app().await;
    app.producer("owner", &uscc(1)).await;
    let phone = app.token_for("owner", PASSWORD).await;
    let desk = app.token_for("owner", PASSWORD).await;
    let out = app
        .post("/api/v1/auth/logout", Some(&phone), &json!({}))
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{}", out.text);
    app.get("/api/v1/me", Some(&phone))
        .await
        .assert_problem(401);
    app.post("/api/v1/auth/logout", Some(&phone), &json!({}))
        .await
        .assert_problem(401);
    assert_eq!(app.get("/api/v1/me", Some(&desk)).await.status, 200);
}

#[tokio::test]
async fn registrations_are_limited_per_address_and_a_refused_one_writes_nothing() {
    let app = spawn_app().await;
    for n in 0..10 {
        let reply = app
            .post(
                "/api/v1/auth/register",
                None,
                &registration(&format!("maker{n}"), &uscc(n)),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{n}: {}", reply.text);
    }
    let eleventh = app
        .post(
            "/api/v1/auth/register",
            None,
            &registration("maker10", &uscc(10)),
        )
        .await;
    eleventh.assert_problem(429);
    assert!(retry_after(&eleventh) > 0);
    assert_eq!(app.count_rows("enterprises").await, 10);
    // Another address is not held back by this one.
    let other = post_from(
        &client_from("127.0.0.3"),
        app.url("/api/v1/auth/register"),
        &registration("maker10", &uscc(10)),
    )
    .await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text);
}

#[tokio::test]
async fn expired_throttle_rows_are_purged() {
    let app = spawn_app().await;
    for n in 0..30 {
        let client = client_from(&format!("127.0.2.{}", n + 1));
        login_from(&app, &client, &format!("nobody{n}"), "wrong-password-1")
            .await
            .assert_problem(401);
    }
    // Three keys per guess: the pair, the address, the account.
    assert_eq!(app.count_rows("login_throttle").await, 90);
    app.clock.set(app.clock.now() + chrono::Duration::hours(2));
    app.login("nobody-later", "wrong-password-1")
        .await
        .assert_problem(401);
    assert_eq!(app.count_rows("login_throttle").await, 3);
}

/// Peak resident memory of a process, in KiB (`VmHWM` of /proc).
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_storm_of_sign_ins_is_bounded_in_memory_and_verify_keeps_answering() {
    let database = TestDatabase::create();
    let server = start_binary(&database, &[]).await;
    let url = format!("{}/api/v1/auth/login", server.base);
    // 150 sign-ins at once, each from its own address, so no throttle stands in for the bound.
    let storm = join_all((0..150).map(|n| {
        let client = client_from(&format!("127.0.3.{}", n + 1));
        let url = url.clone();
        async move {
            post_from(
                &client,
                url,
                &json!({"username": format!("visitor{n}"), "password": "a-guess-of-mine"}),
            )
            .await
        }
    }));
    let verify_url = format!("{}/api/v1/public/verify/91110000600037341L", server.base);
    let verify = async {
        let client = reqwest::Client::new();
        let mut answers = Vec::new();
        for _ in 0..20 {
            let reply = client
                .get(&verify_url)
                .send()
                .await
                .expect("verify answers");
            answers.push(reply.status().as_u16());
        }
        answers
    };
    let (replies, verify_answers) = tokio::join!(storm, verify);
    let busy: Vec<&Reply> = replies.iter().filter(|r| r.status == 503).collect();
    assert!(!busy.is_empty(), "no sign-in was turned away");
    for reply in &busy {
        reply.assert_problem(503);
        assert!(retry_after(reply) >= 1);
    }
    assert!(
        replies.iter().all(|r| r.status == 401 || r.status == 503),
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(
        verify_answers.iter().all(|s| *s == 404),
        "{verify_answers:?}"
    );
    let peak_mib = peak_rss_kib(server.child.id()) / 1024;
    assert!(peak_mib < 300, "peak RSS {peak_mib} MiB");
    println!(
        "peak RSS under 150 concurrent sign-ins: {peak_mib} MiB, {} turned away",
        busy.len()
    );
}

#[tokio::test]
async fn an_enterprise_that_never_held_a_right_is_not_in_the_public_register() {
    let app = spawn_app().await;
    let (_, squat) = app.producer("squatter", "91110000600037341L").await;
    let name = squat["enterprise"]["name"]
        .as_str()
        .expect("name")
        .to_owned();
    app.get("/api/v1/public/verify/91110000600037341L", None)
        .await
        .assert_problem(404);
    let page = app
        .client
        .get(app.url("/verify/91110000600037341L"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 404);
    assert!(!page.text().await.expect("html").contains(&name));
    let search = app
        .get(
            &format!(
                "/api/v1/public/authorized-users?q={}&status=suspended",
                "91110000600037341L"
            ),
            None,
        )
        .await;
    assert!(!search.text.contains(&name), "{}", search.text);
}

#[tokio::test]
async fn staff_release_a_squatted_credit_code_so_the_real_owner_can_register() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let (squatter, squat) = app.producer("squatter", "91110000600037341L").await;
    let enterprise = squat["enterprise"]["id"].as_str().expect("id").to_owned();
    // A draft is nothing past a draft.
    let draft = app
        .post(
            "/api/v1/applications",
            Some(&squatter),
            &crate::helpers::draft_body("yingde-black-tea", "gi_product", "英红镇"),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.text);
    let path = format!("/api/v1/enterprises/{enterprise}/release");
    app.post(&path, Some(&cast.producer), &json!({}))
        .await
        .assert_problem(403);
    app.post(&path, None, &json!({})).await.assert_problem(401);
    let journal_before = app.count_rows("journal_events").await;
    let released = app.post(&path, Some(&cast.reviewer), &json!({})).await;
    assert_eq!(released.status, StatusCode::OK, "{}", released.text);
    assert_eq!(released.json["released_uscc"], "91110000600037341L");
    assert_eq!(app.count_rows("journal_events").await, journal_before + 1);
    // The squatter's account is closed; the code is free for its owner.
    app.get("/api/v1/me", Some(&squatter))
        .await
        .assert_problem(401);
    let owner = app
        .post(
            "/api/v1/auth/register",
            None,
            &registration("real-owner", "91110000600037341L"),
        )
        .await;
    assert_eq!(owner.status, StatusCode::CREATED, "{}", owner.text);
    app.post(&path, Some(&cast.reviewer), &json!({}))
        .await
        .assert_problem(409);
    app.post(
        "/api/v1/enterprises/no-such-id/release",
        Some(&cast.reviewer),
        &json!({}),
    )
    .await
    .assert_problem(404);
}

#[tokio::test]
async fn a_code_with_an_application_past_draft_cannot_be_released() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let id = app.complete_draft(&cast.producer).await;
    app.expect_ok(app.action(&cast.producer, &id, "submit", json!({})).await);
    let me = app.get("/api/v1/me", Some(&cast.producer)).await;
    let enterprise = me.json["enterprise"]["id"].as_str().expect("id").to_owned();
    let journal_before = app.count_rows("journal_events").await;
    app.post(
        &format!("/api/v1/enterprises/{enterprise}/release"),
        Some(&cast.reviewer),
        &json!({}),
    )
    .await
    .assert_problem(409);
    assert_eq!(app.count_rows("journal_events").await, journal_before);
    assert_eq!(
        app.get("/api/v1/me", Some(&cast.producer)).await.status,
        200
    );
}

#[tokio::test]
async fn required_text_is_trimmed_before_its_length_counts_and_names_refuse_bidi_characters() {
    let app = spawn_app().await;
    let mut body = registration("blank", &uscc(1));
    body["enterprise"]["legal_representative"] = json!("   ");
    body["enterprise"]["contact_name"] = json!("\u{3000}\t");
    body["enterprise"]["name"] = json!("英德市\u{202E}司公限有业茶");
    let reply = app.post("/api/v1/auth/register", None, &body).await;
    reply.assert_problem(422);
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            "enterprise.contact_name",
            "enterprise.legal_representative",
            "enterprise.name"
        ]
    );
    assert_eq!(app.count_rows("enterprises").await, 0);
}
