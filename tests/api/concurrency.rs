//! Concurrent requests never double-apply a transition, registry numbers stay consecutive,
//! and a failure inside a transaction leaves nothing behind.

use std::collections::BTreeSet;

use futures_util::future::join_all;
use gi_registry::domain::uscc::check_character;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_with, test_settings, Cast, TestApp, TestDatabase};

fn approval() -> serde_json::Value {
    json!({"announcement_no": "英市监公告〔2026〕8号", "announcement_date": "2026-11-20"})
}

/// A valid synthetic Yingde credit code for the n-th test enterprise.
fn uscc(n: usize) -> String {
    let first17 = format!("91441881MA{:07}", n);
    format!("{first17}{}", check_character(&first17).expect("alphabet"))
}

#[tokio::test]
async fn twenty_simultaneous_approvals_of_one_application_succeed_exactly_once() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let id = app.recommended_application(&cast, &cast.reviewer).await;
    let journal_before = app.count_rows("journal_events").await;

    let replies =
        join_all((0..20).map(|_| app.action(&cast.approver, &id, "approve", approval()))).await;
    let ok = replies.iter().filter(|r| r.status == 200).count();
    let conflicts = replies.iter().filter(|r| r.status == 409).count();
    assert_eq!(
        (ok, conflicts),
        (1, 19),
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert_eq!(app.count_rows("authorizations").await, 1);
    // One `approve` event on the application plus one `grant` on the authorization.
    assert_eq!(app.count_rows("journal_events").await, journal_before + 2);
}

async fn recommended_for_new_enterprise(app: &TestApp, cast: &Cast, n: usize) -> String {
    let (producer, _) = app.producer(&format!("producer{n}"), &uscc(n)).await;
    let cast = Cast {
        producer,
        ..cast.clone()
    };
    app.recommended_application(&cast, &cast.reviewer).await
}

#[tokio::test]
async fn twenty_simultaneous_approvals_of_different_applications_get_consecutive_numbers() {
    let db = TestDatabase::create();
    let mut settings = test_settings(&db);
    // Twenty-two enterprises register from this one address.
    settings.registrations_per_hour = 1000;
    let app = spawn_with(db, settings).await;
    let cast = Cast::assemble(&app).await;
    let mut ids = Vec::new();
    for n in 0..20 {
        ids.push(recommended_for_new_enterprise(&app, &cast, n).await);
    }
    let replies = join_all(
        ids.iter()
            .map(|id| app.action(&cast.approver, id, "approve", approval())),
    )
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
    let expected: BTreeSet<String> = (1..=20).map(|n| format!("YDGI-{year}-{n:04}")).collect();
    assert_eq!(numbers, expected);
}

#[tokio::test]
async fn a_failure_inside_the_approval_transaction_writes_nothing() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let id = app.recommended_application(&cast, &cast.reviewer).await;
    let journal_before = app.count_rows("journal_events").await;
    let postgres = app.db.is_postgres();
    // A trigger makes the last write of the approval (its journal event) fail, after the
    // status change, the registry number and the authorization have been written.
    app.state
        .run(move |conn| {
            let statements: &[&str] = if postgres {
                &[
                    "CREATE FUNCTION forced_failure() RETURNS trigger AS $$ BEGIN
                       IF NEW.action = 'approve' THEN RAISE EXCEPTION 'forced failure'; END IF;
                       RETURN NEW; END $$ LANGUAGE plpgsql",
                    "CREATE TRIGGER forced_failure BEFORE INSERT ON journal_events
                       FOR EACH ROW EXECUTE FUNCTION forced_failure()",
                ]
            } else {
                &[
                    "CREATE TRIGGER forced_failure BEFORE INSERT ON journal_events
                   WHEN NEW.action = 'approve' BEGIN SELECT RAISE(ABORT, 'forced failure'); END",
                ]
            };
            for statement in statements {
                diesel::RunQueryDsl::execute(diesel::sql_query(*statement), conn)?;
            }
            Ok(())
        })
        .await
        .expect("trigger installed");

    let failed = app.action(&cast.approver, &id, "approve", approval()).await;
    failed.assert_problem(500);
    assert!(
        !failed.text.contains("forced failure"),
        "no internal text in the answer: {}",
        failed.text
    );

    let still = app
        .get(&format!("/api/v1/applications/{id}"), Some(&cast.reviewer))
        .await;
    assert_eq!(still.json["status"], "recommended");
    assert_eq!(app.count_rows("authorizations").await, 0);
    assert_eq!(
        app.count_rows("registry_counters").await,
        0,
        "the registry number was given back"
    );
    assert_eq!(app.count_rows("journal_events").await, journal_before);
}
