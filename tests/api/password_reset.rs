//! Issue 14: a way back in. A reset e-mail goes through a real SMTP server and its link works
//! once; the answer never tells whether the account exists; requests are throttled; a reset
//! ends every older session; staff issue a one-time reset at the service window.

use std::time::Duration;

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::json;

use crate::helpers::{spawn_app, spawn_with, test_settings, Cast, TestApp, TestDatabase, PASSWORD};
use crate::mailbox::{Mail, SmtpServer};

const NEW_PASSWORD: &str = "black-tea-harvest-2027";

async fn app_with_mail(smtp: &SmtpServer) -> TestApp {
    let db = TestDatabase::create();
    let mut settings = test_settings(&db);
    settings.smtp_url = Some(smtp.url());
    settings.mail_from = Some("英德市地理标志登记 <gi@example.gov.cn>".into());
    spawn_with(db, settings).await
}

/// The token in a reset e-mail's link.
fn token_in(mail: &Mail) -> String {
    let start = mail.body.find("/password-reset/").expect("a link") + "/password-reset/".len();
    mail.body[start..start + 64].to_owned()
}

/// A page form posted as a browser would: the visitor's CSRF cookie and the form's token.
async fn post_page_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let page = app.client.get(app.url(path)).send().await.expect("page");
    let cookie = page
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("gi_csrf="))
        .and_then(|v| v.split(';').next())
        .expect("a visitor cookie")
        .to_owned();
    let html = page.text().await.expect("html");
    let marker = "name=\"csrf\" value=\"";
    let at = html.find(marker).expect("a form") + marker.len();
    let csrf = html[at..at + 64].to_owned();
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.push(("csrf", &csrf));
    app.client
        .post(app.url(path))
        .header(COOKIE, cookie)
        .form(&form)
        .send()
        .await
        .expect("form sent")
}

#[tokio::test]
async fn a_reset_email_arrives_and_its_link_works_once_ending_every_older_session() {
    let Some(smtp) = SmtpServer::start().await else {
        return;
    };
    let app = app_with_mail(&smtp).await;
    let (old_token, _) = app.producer("hongqi", "91441881MA4WTEA03K").await;

    let asked = app
        .post(
            "/api/v1/auth/password-reset",
            None,
            &json!({"username": "HongQi "}),
        )
        .await;
    assert_eq!(asked.status, 202, "{}", asked.text);
    let mails = smtp
        .wait_for(Duration::from_secs(10), |m| !m.is_empty())
        .await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.to, ["contact@example.cn"]);
    assert!(mail.subject.contains("重置密码"), "{}", mail.subject);
    let link = format!("{}/password-reset/", app.address);
    assert!(mail.body.contains(&link), "{}", mail.body);
    let token = token_in(mail);
    // Only the token's hash is stored.
    let stored: i64 = app.count_rows("password_resets").await;
    assert_eq!(stored, 1);
    let raw_kept = app
        .state
        .run(move |conn| {
            #[derive(diesel::QueryableByName)]
            struct Hash {
                #[diesel(sql_type = diesel::sql_types::Text)]
                token_sha256: String,
            }
            let rows: Vec<Hash> = diesel::RunQueryDsl::load(
                diesel::sql_query("SELECT token_sha256 FROM password_resets"),
                conn,
            )?;
            Ok(rows[0].token_sha256.clone())
        })
        .await
        .expect("row");
    assert_ne!(raw_kept, token);

    // The link opens the page with the form.
    let page = app
        .client
        .get(app.url(&format!("/password-reset/{token}")))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    assert_eq!(
        page.headers()
            .get("referrer-policy")
            .and_then(|v| v.to_str().ok()),
        Some("no-referrer")
    );

    let set = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({"token": token, "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(set.status, 204, "{}", set.text);
    app.get("/api/v1/me", Some(&old_token))
        .await
        .assert_problem(401);
    app.login("hongqi", PASSWORD).await.assert_problem(401);
    assert_eq!(app.login("hongqi", NEW_PASSWORD).await.status, 200);

    let again = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({"token": token, "new_password": "another-password-2027"}),
        )
        .await;
    again.assert_problem(422);
    assert_eq!(again.error_fields(), ["token"]);
    assert_eq!(smtp.messages().len(), 1, "one request, one message");
}

#[tokio::test]
async fn the_pages_ask_for_a_link_and_set_the_new_password_with_it() {
    let Some(smtp) = SmtpServer::start().await else {
        return;
    };
    let app = app_with_mail(&smtp).await;
    app.producer("hongqi", "91441881MA4WTEA03K").await;

    let login = app
        .client
        .get(app.url("/login"))
        .send()
        .await
        .expect("login");
    assert!(login
        .text()
        .await
        .expect("html")
        .contains("href=\"/password-reset\""));
    let asked = post_page_form(&app, "/password-reset", &[("username", "hongqi")]).await;
    assert_eq!(asked.status(), 200);
    let said = asked.text().await.expect("html");
    assert!(said.contains("如果该账号存在并登记了电子邮箱"), "{said}");
    let mails = smtp
        .wait_for(Duration::from_secs(10), |m| !m.is_empty())
        .await;
    let token = token_in(&mails[0]);
    let path = format!("/password-reset/{token}");

    let mismatch = post_page_form(
        &app,
        &path,
        &[
            ("new_password", NEW_PASSWORD),
            ("password_confirmation", "something-else-2027"),
        ],
    )
    .await;
    assert_eq!(mismatch.status(), 422);
    let done = post_page_form(
        &app,
        &path,
        &[
            ("new_password", NEW_PASSWORD),
            ("password_confirmation", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(done.status(), 303);
    assert_eq!(
        done.headers().get(LOCATION).and_then(|v| v.to_str().ok()),
        Some("/login?notice=password_reset")
    );
    assert_eq!(app.login("hongqi", NEW_PASSWORD).await.status, 200);
    let used = post_page_form(
        &app,
        &path,
        &[
            ("new_password", "third-password-2027"),
            ("password_confirmation", "third-password-2027"),
        ],
    )
    .await;
    assert_eq!(used.status(), 422);
    assert!(used
        .text()
        .await
        .expect("html")
        .contains("链接已使用、已过期或无效"));
}

#[tokio::test]
async fn the_answer_never_tells_whether_the_account_exists_and_requests_are_throttled() {
    let Some(smtp) = SmtpServer::start().await else {
        return;
    };
    let app = app_with_mail(&smtp).await;
    app.producer("hongqi", "91441881MA4WTEA03K").await;
    app.staff_token("li.reviewer", "reviewer").await;

    for username in ["nobody-here", "li.reviewer"] {
        let reply = app
            .post(
                "/api/v1/auth/password-reset",
                None,
                &json!({"username": username}),
            )
            .await;
        assert_eq!(reply.status, 202, "{username}: {}", reply.text);
        assert!(reply.text.is_empty());
    }
    // Three an hour for one account: the fourth is answered the same and sends nothing.
    for _ in 0..4 {
        let reply = app
            .post(
                "/api/v1/auth/password-reset",
                None,
                &json!({"username": "hongqi"}),
            )
            .await;
        assert_eq!(reply.status, 202);
    }
    smtp.wait_for(Duration::from_secs(10), |m| m.len() >= 3)
        .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let mails = smtp.messages();
    assert_eq!(mails.len(), 3, "{mails:#?}");
    assert!(mails.iter().all(|m| m.to == ["contact@example.cn"]));
    // Only the newest link works: each request replaced the one before.
    let open = app
        .state
        .run(|conn| {
            #[derive(diesel::QueryableByName)]
            struct Count {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let rows: Vec<Count> = diesel::RunQueryDsl::load(
                diesel::sql_query(
                    "SELECT COUNT(*) AS n FROM password_resets WHERE used_at IS NULL",
                ),
                conn,
            )?;
            Ok(rows[0].n)
        })
        .await
        .expect("count");
    assert_eq!(open, 1);
}

#[tokio::test]
async fn staff_issue_a_one_time_reset_at_the_window_and_it_expires_after_30_minutes() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let me = app.get("/api/v1/me", Some(&cast.producer)).await;
    let producer_id = me.json["user"]["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/users/{producer_id}/password-reset");

    app.post(&path, Some(&cast.other_producer), &json!({}))
        .await
        .assert_problem(403);
    let reviewer_me = app.get("/api/v1/me", Some(&cast.reviewer)).await;
    let reviewer_id = reviewer_me.json["user"]["id"].as_str().expect("id");
    app.post(
        &format!("/api/v1/users/{reviewer_id}/password-reset"),
        Some(&cast.approver),
        &json!({}),
    )
    .await
    .assert_problem(403);

    let issued = app.post(&path, Some(&cast.reviewer), &json!({})).await;
    assert_eq!(issued.status, 201, "{}", issued.text);
    let token = issued.json["token"].as_str().expect("token").to_owned();
    assert!(issued.json["reset_url"]
        .as_str()
        .is_some_and(|u| u.ends_with(&format!("/password-reset/{token}"))));

    // Thirty-one minutes later it no longer works.
    app.clock
        .set(app.clock.now() + chrono::Duration::minutes(31));
    let late = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({"token": token, "new_password": NEW_PASSWORD}),
        )
        .await;
    late.assert_problem(422);
    assert_eq!(late.error_fields(), ["token"]);

    let fresh = app.post(&path, Some(&cast.reviewer), &json!({})).await;
    let token = fresh.json["token"].as_str().expect("token").to_owned();
    let weak = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({"token": token, "new_password": "short"}),
        )
        .await;
    weak.assert_problem(422);
    assert_eq!(weak.error_fields(), ["new_password"]);
    let set = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            &json!({"token": token, "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(set.status, 204, "{}", set.text);
    app.get("/api/v1/me", Some(&cast.producer))
        .await
        .assert_problem(401);

    let journalled = app
        .state
        .run(move |conn| {
            #[derive(diesel::QueryableByName)]
            struct Event {
                #[diesel(sql_type = diesel::sql_types::Text)]
                action: String,
                #[diesel(sql_type = diesel::sql_types::Text)]
                actor_role: String,
            }
            let rows: Vec<Event> = diesel::RunQueryDsl::load(
                diesel::sql_query(format!(
                    "SELECT action, actor_role FROM journal_events
                     WHERE entity_type = 'user' AND entity_id = '{producer_id}' ORDER BY seq"
                )),
                conn,
            )?;
            Ok(rows
                .into_iter()
                .map(|e| format!("{}:{}", e.action, e.actor_role))
                .collect::<Vec<_>>())
        })
        .await
        .expect("events");
    assert_eq!(
        journalled
            .iter()
            .filter(|e| e.as_str() == "issue_password_reset:reviewer")
            .count(),
        2,
        "{journalled:?}"
    );
    assert!(journalled.contains(&"reset_password:applicant".to_owned()));
}
