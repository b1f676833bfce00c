//! After approval: suspend, reinstate, revoke with a ground, surrender.

use serde_json::json;

use crate::helpers::{spawn_app, Cast, TestApp};

async fn granted(app: &TestApp, cast: &Cast) -> String {
    let id = app.recommended_application(cast, &cast.reviewer).await;
    let approved = app
        .action(
            &cast.approver,
            &id,
            "approve",
            json!({"announcement_no": "2026-1", "announcement_date": "2026-11-01"}),
        )
        .await;
    let approved = app.expect_ok(approved);
    approved.json["authorization_id"]
        .as_str()
        .expect("authorization")
        .to_owned()
}

async fn act(
    app: &TestApp,
    token: &str,
    id: &str,
    action: &str,
    body: serde_json::Value,
) -> crate::helpers::Reply {
    app.post(
        &format!("/api/v1/authorizations/{id}/{action}"),
        Some(token),
        &body,
    )
    .await
}

#[tokio::test]
async fn a_right_is_suspended_reinstated_and_revoked_with_its_history() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let id = granted(&app, &cast).await;

    act(&app, &cast.reviewer, &id, "suspend", json!({}))
        .await
        .assert_problem(422);
    let suspended = act(
        &app,
        &cast.reviewer,
        &id,
        "suspend",
        json!({"reason": "抽检不合格"}),
    )
    .await;
    assert_eq!(suspended.status, 200, "{}", suspended.text);
    assert_eq!(suspended.json["status"], "suspended");
    act(
        &app,
        &cast.reviewer,
        &id,
        "suspend",
        json!({"reason": "again"}),
    )
    .await
    .assert_problem(409);
    let reinstated = act(
        &app,
        &cast.reviewer,
        &id,
        "reinstate",
        json!({"reason": "复检合格"}),
    )
    .await;
    assert_eq!(reinstated.json["status"], "active");

    act(
        &app,
        &cast.reviewer,
        &id,
        "revoke",
        json!({"ground": "unused_two_years", "reason": "x"}),
    )
    .await
    .assert_problem(403);
    let missing_ground = act(
        &app,
        &cast.approver,
        &id,
        "revoke",
        json!({"reason": "连续两年未使用"}),
    )
    .await;
    missing_ground.assert_problem(422);
    assert_eq!(missing_ground.error_fields(), vec!["ground"]);
    act(
        &app,
        &cast.approver,
        &id,
        "revoke",
        json!({"ground": "forgot", "reason": "x"}),
    )
    .await
    .assert_problem(422);
    let revoked = act(
        &app,
        &cast.approver,
        &id,
        "revoke",
        json!({"ground": "unused_two_years", "reason": "连续两年未使用"}),
    )
    .await;
    assert_eq!(revoked.json["status"], "revoked");
    for (who, action) in [
        (&cast.reviewer, "reinstate"),
        (&cast.producer, "surrender"),
        (&cast.reviewer, "suspend"),
    ] {
        act(&app, who, &id, action, json!({"reason": "x"}))
            .await
            .assert_problem(409);
    }
    let history: Vec<&str> = revoked.json["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|h| h["action"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(history, vec!["grant", "suspend", "reinstate", "revoke"]);
    assert_eq!(revoked.json["history"][1]["comment"], "抽检不合格");
}

#[tokio::test]
async fn the_holder_may_surrender_but_not_suspend_and_others_may_do_neither() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let id = granted(&app, &cast).await;
    // Each caller is told what it may do now, by the same rule that decides.
    for (token, allowed) in [
        (&cast.producer, json!(["surrender"])),
        (&cast.reviewer, json!(["suspend", "surrender"])),
        (&cast.approver, json!(["suspend", "revoke", "surrender"])),
        (&cast.admin, json!([])),
    ] {
        let right = app
            .get(&format!("/api/v1/authorizations/{id}"), Some(token))
            .await;
        assert_eq!(right.json["allowed_actions"], allowed);
    }
    act(&app, &cast.producer, &id, "suspend", json!({"reason": "x"}))
        .await
        .assert_problem(403);
    act(&app, &cast.other_producer, &id, "surrender", json!({}))
        .await
        .assert_problem(403);
    act(&app, &cast.admin, &id, "suspend", json!({"reason": "x"}))
        .await
        .assert_problem(403);
    act(&app, &cast.producer, &id, "fly", json!({}))
        .await
        .assert_problem(404);
    let surrendered = act(
        &app,
        &cast.producer,
        &id,
        "surrender",
        json!({"reason": "停产"}),
    )
    .await;
    assert_eq!(surrendered.json["status"], "surrendered");

    let mine = app
        .get("/api/v1/authorizations", Some(&cast.producer))
        .await;
    assert_eq!(mine.json["total"], 1);
    let theirs = app
        .get("/api/v1/authorizations", Some(&cast.other_producer))
        .await;
    assert_eq!(theirs.json["total"], 0);
    let staff = app
        .get(
            "/api/v1/authorizations?status=surrendered",
            Some(&cast.reviewer),
        )
        .await;
    assert_eq!(staff.json["total"], 1);
    assert_eq!(
        app.get("/api/v1/authorizations?status=active", Some(&cast.reviewer))
            .await
            .json["total"],
        0
    );
}

#[tokio::test]
async fn an_enterprise_holds_one_live_right_per_product() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let first = granted(&app, &cast).await;
    let second = app.recommended_application(&cast, &cast.reviewer).await;
    let body = json!({"announcement_no": "2026-2", "announcement_date": "2026-11-02"});
    app.action(&cast.approver, &second, "approve", body.clone())
        .await
        .assert_problem(409);
    // Once the first right is surrendered, the second application can be approved.
    act(&app, &cast.producer, &first, "surrender", json!({})).await;
    app.expect_ok(app.action(&cast.approver, &second, "approve", body).await);
    assert_eq!(app.count_rows("authorizations").await, 2);
}
