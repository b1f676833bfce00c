//! Two service processes on one database (PostgreSQL in CI's second run; the SQLite file in
//! the first), requests spread across both: the workflow's concurrency guarantees and the
//! login throttle hold across replicas.

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::future::join_all;
use gi_registry::domain::uscc::check_character;
use serde_json::{json, Value};

use crate::helpers::{
    spawn_with, test_settings, url_of, Cast, Reply, TestApp, TestDatabase, PASSWORD,
};

const SECRET: &str = "the-same-secret-on-every-replica-0123456789";

/// The second replica: the real binary, same database, same data directory, same key.
pub(crate) struct Replica {
    pub(crate) child: Child,
    pub(crate) base: String,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) async fn second_replica(app: &TestApp) -> Replica {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_gi-registry"))
        .env("GI_DATA_DIR", &app.state.settings.data_dir)
        .env("DATABASE_URL", url_of(&app.db))
        .env("GI_BIND", format!("127.0.0.1:{port}"))
        .env("GI_JWT_SECRET", SECRET)
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

async fn post_to(
    app: &TestApp,
    base: &str,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> Reply {
    let mut request = app.client.post(format!("{base}{path}")).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    Reply::read(request.send().await.expect("sent")).await
}

async fn two_replicas() -> (TestApp, Replica) {
    let db = TestDatabase::create();
    let mut settings = test_settings(&db);
    settings.jwt_secret = Some(SECRET.into());
    // One test registers twenty enterprises from this one address.
    settings.registrations_per_hour = 1000;
    let app = spawn_with(db, settings).await;
    let replica = second_replica(&app).await;
    (app, replica)
}

fn approval() -> Value {
    json!({"announcement_no": "英市监公告〔2026〕7号", "announcement_date": "2026-11-27"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_approval_wins_across_two_replicas() {
    let (app, replica) = two_replicas().await;
    let cast = Cast::assemble(&app).await;
    let id = app.recommended_application(&cast, &cast.reviewer).await;
    let path = format!("/api/v1/applications/{id}/approve");
    let bases = [app.address.clone(), replica.base.clone()];
    let body = approval();
    let replies =
        join_all((0..20).map(|i| post_to(&app, &bases[i % 2], &path, Some(&cast.approver), &body)))
            .await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        19,
        "{statuses:?}"
    );
    assert_eq!(app.count_rows("authorizations").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn approvals_spread_over_two_replicas_get_consecutive_registry_numbers() {
    let (app, replica) = two_replicas().await;
    let cast = Cast::assemble(&app).await;
    let mut ids = Vec::new();
    for n in 0..20usize {
        let first17 = format!("91441881MB{n:07}");
        let uscc = format!("{first17}{}", check_character(&first17).expect("alphabet"));
        let (producer, _) = app.producer(&format!("replica{n}"), &uscc).await;
        let id = app.complete_draft(&producer).await;
        app.take_to_recommended(&cast, &producer, &id, &cast.reviewer)
            .await;
        ids.push(id);
    }
    let bases = [app.address.clone(), replica.base.clone()];
    let replies = join_all(ids.iter().enumerate().map(|(i, id)| {
        let path = format!("/api/v1/applications/{id}/approve");
        let base = bases[i % 2].clone();
        let (app, token) = (&app, cast.approver.clone());
        async move { post_to(app, &base, &path, Some(&token), &approval()).await }
    }))
    .await;
    assert!(
        replies.iter().all(|r| r.status == 200),
        "{:?}",
        replies.iter().map(|r| &r.text).collect::<Vec<_>>()
    );
    let numbers: BTreeSet<String> = replies
        .iter()
        .map(|r| {
            r.json["registry_no"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    let year = chrono::Utc::now().format("%Y").to_string();
    assert_eq!(
        numbers,
        (1..=20).map(|n| format!("YDGI-{year}-{n:04}")).collect()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_login_throttle_holds_per_account_across_replicas() {
    let (app, replica) = two_replicas().await;
    app.producer("target", "91441881MA4WTEA03K").await;
    let wrong = json!({"username": "target", "password": "wrong-password-1"});
    for i in 0..5 {
        let base = if i % 2 == 0 {
            &app.address
        } else {
            &replica.base
        };
        post_to(&app, base, "/api/v1/auth/login", None, &wrong)
            .await
            .assert_problem(401);
    }
    let right = json!({"username": "target", "password": PASSWORD});
    post_to(&app, &replica.base, "/api/v1/auth/login", None, &right)
        .await
        .assert_problem(429);
    post_to(&app, &app.address, "/api/v1/auth/login", None, &right)
        .await
        .assert_problem(429);
}

/// Each replica answers the public from its own register in memory: a change through this
/// replica shows at once, a change through the other as soon as this one reads the journal
/// (every 100 ms) — on the verdict, the search, the CSV and the counter alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_suspension_through_one_replica_reaches_the_other_replicas_public_answers_promptly() {
    let (app, replica) = two_replicas().await;
    let cast = Cast::assemble(&app).await;
    let granted = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let right = granted["authorization_id"].as_str().expect("right");
    let verify = "/api/v1/public/verify/91441881MA4WTEA03K";
    // Read twice on this replica, so the answers are cached here.
    for _ in 0..2 {
        assert_eq!(app.get(verify, None).await.json["authorized"], true);
        assert_eq!(
            app.get("/api/v1/public/goal", None).await.json["authorized_enterprises"],
            1
        );
    }

    let suspended = post_to(
        &app,
        &replica.base,
        &format!("/api/v1/authorizations/{right}/suspend"),
        Some(&cast.reviewer),
        &json!({"reason": "抽检不合格"}),
    )
    .await;
    assert_eq!(suspended.status, 200, "{}", suspended.text);
    let changed_at = std::time::Instant::now();
    let search = "/api/v1/public/authorized-users?q=91441881MA4WTEA03K&status=suspended";
    loop {
        let verdict = app.get(verify, None).await.json["authorized"].clone();
        let goal =
            app.get("/api/v1/public/goal", None).await.json["authorized_enterprises"].clone();
        let listed = app.get(search, None).await.json["total"].clone();
        let csv = app
            .get("/api/v1/public/authorized-users.csv?status=suspended", None)
            .await
            .text;
        if verdict == false && goal == 0 && listed == 1 && csv.contains("91441881MA4WTEA03K") {
            break;
        }
        assert!(
            changed_at.elapsed() < Duration::from_secs(2),
            "this replica still answers from before the change: {verdict} {goal} {listed}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Reinstated through this replica: seen here at once, with no waiting.
    let reinstated = app
        .post(
            &format!("/api/v1/authorizations/{right}/reinstate"),
            Some(&cast.reviewer),
            &json!({}),
        )
        .await;
    assert_eq!(reinstated.status, 200);
    assert_eq!(app.get(verify, None).await.json["authorized"], true);
    assert_eq!(
        app.get("/api/v1/public/goal", None).await.json["authorized_enterprises"],
        1
    );
}
