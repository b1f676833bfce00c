//! Issue 14: news of every decision. Each decision writes the producer's inbox message and an
//! e-mail in the outbox in its own transaction; the workers of two replicas deliver through a
//! real SMTP server, each message exactly once; a server that is down delays mail and loses
//! none; without a server, messages wait.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{
    spawn_app, spawn_with, test_settings, url_of, Cast, Reply, TestApp, TestDatabase,
};
use crate::mailbox::{free_port, Mail, SmtpServer};

const SECRET: &str = "the-same-secret-on-every-replica-0123456789";
const FROM: &str = "英德市地理标志登记 <gi@example.gov.cn>";

struct Replica {
    child: Child,
    base: String,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn app_with_mail(smtp_url: &str) -> TestApp {
    let db = TestDatabase::create();
    let mut settings = test_settings(&db);
    settings.jwt_secret = Some(SECRET.into());
    settings.smtp_url = Some(smtp_url.to_owned());
    settings.mail_from = Some(FROM.into());
    settings.outbox_poll_interval = Duration::from_millis(50);
    settings.outbox_retry_base = Duration::from_secs(1);
    spawn_with(db, settings).await
}

/// The real binary on the same database, with its own outbox worker and the same SMTP server.
async fn second_replica(app: &TestApp, smtp_url: &str) -> Replica {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_gi-registry"))
        .env("GI_DATA_DIR", &app.state.settings.data_dir)
        .env("DATABASE_URL", url_of(&app.db))
        .env("GI_BIND", format!("127.0.0.1:{port}"))
        .env("GI_JWT_SECRET", SECRET)
        .env("GI_SMTP_URL", smtp_url)
        .env("GI_MAIL_FROM", FROM)
        .env("GI_OUTBOX_POLL_MS", "50")
        // Replicas behind one address share it: links in e-mail lead there.
        .env("GI_PUBLIC_URL", &app.address)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("second replica starts");
    let replica = Replica {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..200 {
        if app
            .client
            .get(format!("{}/readyz", replica.base))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return replica;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the second replica did not become ready");
}

async fn post_to(app: &TestApp, base: &str, path: &str, token: &str, body: &Value) -> Reply {
    let request = app
        .client
        .post(format!("{base}{path}"))
        .bearer_auth(token)
        .json(body);
    Reply::read(request.send().await.expect("sent")).await
}

fn kinds(inbox: &Reply) -> Vec<String> {
    inbox.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["kind"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Each message arrived once: no Message-ID twice.
fn assert_each_once(mails: &[Mail]) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for mail in mails {
        *seen.entry(mail.message_id.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_return_an_approval_and_a_suspension_reach_inbox_and_mailbox_once_with_two_replicas() {
    let Some(smtp) = SmtpServer::start().await else {
        return;
    };
    let app = app_with_mail(&smtp.url()).await;
    let replica = second_replica(&app, &smtp.url()).await;
    let cast = Cast::assemble(&app).await;
    let id = app.complete_draft(&cast.producer).await;
    app.expect_ok(app.action(&cast.producer, &id, "submit", json!({})).await);
    let bases = [app.address.clone(), replica.base.clone()];

    // The decisions through this replica (its clock orders the inbox); both replicas'
    // workers deliver.
    let path = |action: &str| format!("/api/v1/applications/{id}/{action}");
    let accepted = post_to(&app, &bases[0], &path("accept"), &cast.reviewer, &json!({})).await;
    assert_eq!(accepted.status, 200, "{}", accepted.text);
    let number = accepted.json["application_no"]
        .as_str()
        .expect("no")
        .to_owned();
    let returned = post_to(
        &app,
        &bases[0],
        &path("return"),
        &cast.reviewer,
        &json!({"comment": "请补充2026年检测报告", "field_comments": [{"field": "production_address", "comment": "写到门牌号"}]}),
    )
    .await;
    assert_eq!(returned.status, 200, "{}", returned.text);
    app.expect_ok(app.action(&cast.producer, &id, "resubmit", json!({})).await);
    let report = app
        .upload(
            &cast.reviewer,
            &id,
            "origin_verification_report",
            "核验.pdf",
            crate::helpers::PDF,
        )
        .await;
    assert_eq!(report.status, 201);
    app.expect_ok(
        app.action(&cast.reviewer, &id, "recommend", json!({}))
            .await,
    );
    let approved = post_to(
        &app,
        &bases[0],
        &path("approve"),
        &cast.approver,
        &json!({"announcement_no": "英市监公告〔2026〕7号", "announcement_date": "2026-11-27"}),
    )
    .await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    let registry_no = approved.json["registry_no"]
        .as_str()
        .expect("registry no")
        .to_owned();
    let right = approved.json["authorization_id"]
        .as_str()
        .expect("right")
        .to_owned();
    let right_path = |action: &str| format!("/api/v1/authorizations/{right}/{action}");
    let suspended = post_to(
        &app,
        &bases[0],
        &right_path("suspend"),
        &cast.reviewer,
        &json!({"reason": "抽检不合格"}),
    )
    .await;
    assert_eq!(suspended.status, 200, "{}", suspended.text);

    // The inbox: newest first, with the case and registry numbers.
    let inbox = app.get("/api/v1/notifications", Some(&cast.producer)).await;
    assert_eq!(inbox.status, 200, "{}", inbox.text);
    assert_eq!(
        kinds(&inbox),
        [
            "right_suspended",
            "application_approved",
            "application_returned",
            "application_accepted"
        ]
    );
    let items = inbox.json["items"].as_array().expect("items");
    assert!(items[2]["body"]
        .as_str()
        .unwrap_or_default()
        .contains("请补充2026年检测报告"));
    assert_eq!(items[2]["application_no"], number.as_str());
    assert_eq!(items[1]["registry_no"], registry_no.as_str());
    assert!(items[1]["subject"]
        .as_str()
        .unwrap_or_default()
        .contains(&registry_no));
    assert!(items[0]["body"]
        .as_str()
        .unwrap_or_default()
        .contains("抽检不合格"));
    assert!(items.iter().all(|m| m["read_at"].is_null()));
    // The other enterprise hears nothing.
    let other = app
        .get("/api/v1/notifications", Some(&cast.other_producer))
        .await;
    assert_eq!(other.json["total"], 0);

    // The mailbox: each once, to the enterprise's address.
    let mails = smtp
        .wait_for(Duration::from_secs(20), |m| m.len() >= 4)
        .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let mails_after = smtp.messages();
    assert_eq!(mails_after.len(), 4, "{mails_after:#?}");
    assert_each_once(&mails_after);
    for needle in [
        format!("申请已受理 {number}"),
        format!("申请需补正 {number}"),
        format!("登记编号 {registry_no}"),
        format!("专用标志使用已暂停 {registry_no}"),
    ] {
        let matching = mails.iter().filter(|m| m.subject.contains(&needle)).count();
        assert_eq!(matching, 1, "{needle}: {mails:#?}");
    }
    assert!(mails.iter().all(|m| m.to == ["contact@example.cn"]));
    let returned_mail = mails
        .iter()
        .find(|m| m.subject.contains("补正"))
        .expect("the return");
    assert!(returned_mail
        .body
        .contains(&format!("{}/applications/{id}", app.address)));

    // More messages, decided through both replicas, while both workers run: still each
    // exactly once.
    for round in 0..5 {
        let base = &bases[round % 2];
        let reinstated = post_to(
            &app,
            base,
            &right_path("reinstate"),
            &cast.reviewer,
            &json!({}),
        )
        .await;
        assert_eq!(reinstated.status, 200, "{}", reinstated.text);
        let again = post_to(
            &app,
            base,
            &right_path("suspend"),
            &cast.reviewer,
            &json!({"reason": "复查"}),
        )
        .await;
        assert_eq!(again.status, 200, "{}", again.text);
    }
    smtp.wait_for(Duration::from_secs(20), |m| m.len() >= 14)
        .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let all = smtp.messages();
    assert_eq!(all.len(), 14, "{all:#?}");
    assert_each_once(&all);
    let outbox = app
        .get("/api/v1/admin/outbox?status=sent", Some(&cast.admin))
        .await;
    assert_eq!(outbox.status, 200, "{}", outbox.text);
    assert_eq!(outbox.json["counts"]["sent"], 14);
    assert_eq!(outbox.json["counts"]["waiting"], 0);
}

#[tokio::test]
async fn a_mail_server_that_is_down_delays_mail_and_loses_none() {
    let Some(mut smtp) = SmtpServer::stopped() else {
        return;
    };
    let app = app_with_mail(&smtp.url()).await;
    let cast = Cast::assemble(&app).await;
    let id = app.complete_draft(&cast.producer).await;
    app.expect_ok(app.action(&cast.producer, &id, "submit", json!({})).await);
    app.expect_ok(app.action(&cast.reviewer, &id, "accept", json!({})).await);
    app.expect_ok(
        app.action(
            &cast.reviewer,
            &id,
            "return",
            json!({"comment": "补充材料"}),
        )
        .await,
    );
    // The inbox has them at once, whatever the mail server does.
    let inbox = app.get("/api/v1/notifications", Some(&cast.producer)).await;
    assert_eq!(inbox.json["total"], 2);

    // Each is tried, fails, and waits for its next try (the clock stands still: no retry).
    let started = std::time::Instant::now();
    let failing = loop {
        let report = app
            .get("/api/v1/admin/outbox?status=failing", Some(&cast.admin))
            .await;
        if report.json["counts"]["failing"] == 2 {
            break report;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{}",
            report.text
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let items = failing.json["items"].as_array().expect("items");
    assert!(
        items.iter().all(|m| m["attempts"] == 1
            && m["last_error"].is_string()
            && m["sent_at"].is_null()
            && m["gave_up_at"].is_null()),
        "{items:?}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let still = app
        .get("/api/v1/admin/outbox?status=failing", Some(&cast.admin))
        .await;
    let attempts: Vec<&Value> = still.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| &m["attempts"])
        .collect();
    assert!(
        attempts.iter().all(|a| **a == 1),
        "backed off: {attempts:?}"
    );

    // The server comes back and the retry time comes: both go out, once each.
    smtp.resume().await;
    app.clock
        .set(app.clock.now() + chrono::Duration::minutes(5));
    let mails = smtp
        .wait_for(Duration::from_secs(20), |m| m.len() >= 2)
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.messages().len(), 2, "{mails:#?}");
    assert_each_once(&smtp.messages());
    let report = app.get("/api/v1/admin/outbox", Some(&cast.admin)).await;
    assert_eq!(report.json["counts"]["sent"], 2, "{}", report.text);
    assert_eq!(report.json["counts"]["failing"], 0);
    assert_eq!(report.json["smtp_configured"], true);
}

#[tokio::test]
async fn without_a_mail_server_messages_wait_and_the_producer_reads_them_in_the_inbox() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let id = app.complete_draft(&cast.producer).await;
    app.expect_ok(app.action(&cast.producer, &id, "submit", json!({})).await);
    app.expect_ok(
        app.action(
            &cast.reviewer,
            &id,
            "refuse",
            json!({"reason": "不在保护范围内"}),
        )
        .await,
    );
    let report = app
        .get("/api/v1/admin/outbox?status=waiting", Some(&cast.admin))
        .await;
    assert_eq!(report.status, 200, "{}", report.text);
    assert_eq!(report.json["smtp_configured"], false);
    assert_eq!(report.json["counts"]["waiting"], 1);
    assert_eq!(report.json["items"][0]["attempts"], 0);
    assert_eq!(report.json["items"][0]["kind"], "application_not_accepted");
    app.get("/api/v1/admin/outbox", Some(&cast.reviewer))
        .await
        .assert_problem(403);
    app.get("/api/v1/notifications", None)
        .await
        .assert_problem(401);
    let staff = app.get("/api/v1/notifications", Some(&cast.reviewer)).await;
    assert_eq!(staff.json["total"], 0);

    let inbox = app.get("/api/v1/notifications", Some(&cast.producer)).await;
    assert_eq!(kinds(&inbox), ["application_not_accepted"]);
    let message = inbox.json["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let read_path = format!("/api/v1/notifications/{message}/read");
    app.post(&read_path, Some(&cast.other_producer), &json!({}))
        .await
        .assert_problem(404);
    let read = app.post(&read_path, Some(&cast.producer), &json!({})).await;
    assert_eq!(read.status, 204, "{}", read.text);
    let after = app.get("/api/v1/notifications", Some(&cast.producer)).await;
    assert!(after.json["items"][0]["read_at"].is_string());

    // The inbox page shows it, with the reason.
    let page = app
        .client
        .get(app.url("/inbox"))
        .header("Cookie", format!("gi_session={}", cast.producer))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(
        html.contains("data-kind=\"application_not_accepted\""),
        "{html}"
    );
    assert!(html.contains("不在保护范围内"));
    assert!(
        html.contains("href=\"/inbox\""),
        "linked from the navigation"
    );
}

#[tokio::test]
async fn a_usage_report_due_is_reminded_once_per_right_and_year() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    app.clock.set(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 27, 2, 0, 0)
            .single()
            .expect("date"),
    );
    app.grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let remind = || gi_registry::service::notifications::remind_usage_reports(&app.state);

    // Too early: the 2026 report is due on 31 March 2027.
    assert_eq!(remind().await.expect("remind"), 0);
    app.clock.set(
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2027, 3, 5, 2, 0, 0)
            .single()
            .expect("date"),
    );
    assert_eq!(remind().await.expect("remind"), 1);
    assert_eq!(remind().await.expect("remind"), 0, "once");
    let inbox = app.get("/api/v1/notifications", Some(&cast.producer)).await;
    assert_eq!(kinds(&inbox)[0], "usage_report_due");
    assert!(inbox.json["items"][0]["body"]
        .as_str()
        .unwrap_or_default()
        .contains("2027-03-31"));
}
