use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{registration, spawn_app, PASSWORD};

#[tokio::test]
async fn a_producer_registers_its_enterprise_and_signs_in() {
    let app = spawn_app().await;
    let mut body = registration("hongqi", " 91441881ma4wtea03k ");
    body["enterprise"]["town"] = json!("Yinghong");
    let reply = app.post("/api/v1/auth/register", None, &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    assert_eq!(reply.json["user"]["username"], "hongqi");
    assert_eq!(reply.json["user"]["role"], "applicant");
    assert_eq!(
        reply.json["enterprise"]["uscc"], "91441881MA4WTEA03K",
        "the code is normalised"
    );
    assert_eq!(reply.json["enterprise"]["town"], "英红镇");
    assert!(!reply.text.contains(PASSWORD));

    let token = app.token_for("hongqi", PASSWORD).await;
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json["user"]["username"], "hongqi");
    assert_eq!(me.json["enterprise"]["id"], reply.json["enterprise"]["id"]);
    assert_eq!(me.json["enterprise"]["contact_phone"], "0763-2288000");
    assert_eq!(
        app.count_rows("journal_events").await,
        2,
        "admin creation and registration are journalled"
    );
}

#[tokio::test]
async fn a_bad_credit_code_is_422_naming_enterprise_uscc_with_the_reason_and_nothing_is_written() {
    let app = spawn_app().await;
    let cases = [
        ("9144188", "uscc_length"),
        ("91350100M000100Y4Z", "uscc_alphabet"),
        ("91350100M000100Y4X", "uscc_check_digit"),
    ];
    for (code, reason) in cases {
        let reply = app
            .post(
                "/api/v1/auth/register",
                None,
                &registration("producer", code),
            )
            .await;
        reply.assert_problem(422);
        assert_eq!(reply.error_fields(), vec!["enterprise.uscc"], "{code}");
        assert_eq!(reply.json["errors"][0]["code"], reason, "{code}");
    }
    assert_eq!(app.count_rows("enterprises").await, 0);
    assert_eq!(app.count_rows("users").await, 1, "only the first admin");
}

#[tokio::test]
async fn every_invalid_field_is_reported_at_once_without_echoing_the_password() {
    let app = spawn_app().await;
    let body = json!({
        "username": "a b",
        "password": "shortpw",
        "enterprise": {
            "uscc": "91350100M000100Y4X", "name": "", "legal_representative": "陈明",
            "address": "英德市", "town": "英红镇", "contact_name": "黄丽",
            "contact_phone": "call me", "email": "not-an-email"
        }
    });
    let reply = app.post("/api/v1/auth/register", None, &body).await;
    reply.assert_problem(422);
    assert_eq!(
        reply.error_fields(),
        vec![
            "enterprise.contact_phone",
            "enterprise.email",
            "enterprise.name",
            "enterprise.uscc",
            "password",
            "username"
        ]
    );
    assert!(
        !reply.text.contains("shortpw"),
        "the password never appears in an error: {}",
        reply.text
    );
}

#[tokio::test]
async fn a_password_equal_to_the_username_or_an_unknown_town_is_refused() {
    let app = spawn_app().await;
    let mut body = registration("teagarden-01", "91110000600037341L");
    body["password"] = json!("Teagarden-01");
    let reply = app.post("/api/v1/auth/register", None, &body).await;
    reply.assert_problem(422);
    assert_eq!(reply.json["errors"][0]["code"], "password_equals_username");
    assert!(!reply.text.contains("Teagarden-01"));

    let mut body = registration("teagarden-01", "91110000600037341L");
    body["enterprise"]["town"] = json!("广州");
    let reply = app.post("/api/v1/auth/register", None, &body).await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), vec!["enterprise.town"]);
    assert_eq!(app.count_rows("enterprises").await, 0);
}

#[tokio::test]
async fn a_taken_username_or_credit_code_is_409_and_writes_nothing() {
    let app = spawn_app().await;
    app.producer("first", "91110000600037341L").await;
    let same_name = app
        .post(
            "/api/v1/auth/register",
            None,
            &registration("FIRST", "9144030071526726XG"),
        )
        .await;
    same_name.assert_problem(409);
    let same_code = app
        .post(
            "/api/v1/auth/register",
            None,
            &registration("second", "91110000600037341l"),
        )
        .await;
    same_code.assert_problem(409);
    assert_eq!(app.count_rows("enterprises").await, 1);
    assert_eq!(app.count_rows("users").await, 2);
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_401() {
    let app = spawn_app().await;
    app.producer("known", "91110000600037341L").await;
    let unknown = app.login("nobody", PASSWORD).await;
    let wrong = app.login("known", "wrong-password-1").await;
    unknown.assert_problem(401);
    wrong.assert_problem(401);
    assert_eq!(unknown.json["detail"], wrong.json["detail"]);
    assert_eq!(unknown.json["title"], wrong.json["title"]);
    assert!(!wrong.text.contains("wrong-password-1"));
}

#[tokio::test]
async fn repeated_failures_lock_the_account_with_retry_after_until_the_lock_expires() {
    let app = spawn_app().await;
    app.producer("target", "91110000600037341L").await;
    for _ in 0..5 {
        app.login("target", "wrong-password-1")
            .await
            .assert_problem(401);
    }
    let locked = app.login("target", PASSWORD).await;
    locked.assert_problem(429);
    let retry: u64 = locked.headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=900).contains(&retry), "{retry}");

    // Another account from the same address is not locked by this one's failures.
    app.producer("neighbour", "9144030071526726XG").await;

    app.clock
        .set(app.clock.now() + chrono::Duration::minutes(16));
    assert_eq!(
        app.login("target", PASSWORD).await.status,
        200,
        "the lock expires"
    );
}

#[tokio::test]
async fn repeated_failures_from_one_address_are_throttled_across_accounts() {
    let app = spawn_app().await;
    for i in 0..20 {
        app.login(&format!("guess{i}"), "wrong-password-1")
            .await
            .assert_problem(401);
    }
    app.login("guess-next", "wrong-password-1")
        .await
        .assert_problem(429);
}

#[tokio::test]
async fn changing_the_password_revokes_older_tokens() {
    let app = spawn_app().await;
    let (token, _) = app.producer("changer", "91110000600037341L").await;
    let body = json!({"current_password": PASSWORD, "new_password": "new-tea-garden-2027"});
    let wrong =
        json!({"current_password": "not-my-password", "new_password": "new-tea-garden-2027"});
    let reply = app
        .post("/api/v1/auth/password", Some(&token), &wrong)
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), vec!["current_password"]);

    let changed = app.post("/api/v1/auth/password", Some(&token), &body).await;
    assert_eq!(changed.status, 204, "{}", changed.text);
    app.get("/api/v1/me", Some(&token))
        .await
        .assert_problem(401);
    app.login("changer", PASSWORD).await.assert_problem(401);
    let fresh = app.token_for("changer", "new-tea-garden-2027").await;
    assert_eq!(app.get("/api/v1/me", Some(&fresh)).await.status, 200);
}

#[tokio::test]
async fn admins_create_staff_and_deactivation_revokes_tokens_at_once() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let created = app
        .post(
            "/api/v1/admin/users",
            Some(&admin),
            &json!({"username": "Li.Reviewer", "password": PASSWORD, "role": "reviewer", "display_name": "李审查"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json["username"], "li.reviewer");
    assert_eq!(created.json["role"], "reviewer");
    let id = created.json["id"].as_str().expect("id").to_owned();
    let reviewer = app.token_for("li.reviewer", PASSWORD).await;
    assert_eq!(
        app.get("/api/v1/me", Some(&reviewer)).await.json["user"]["display_name"],
        "李审查"
    );

    let duplicate = json!({"username": "li.reviewer", "password": PASSWORD, "role": "approver"});
    app.post("/api/v1/admin/users", Some(&admin), &duplicate)
        .await
        .assert_problem(409);
    let applicant = json!({"username": "sneaky", "password": PASSWORD, "role": "applicant"});
    let refused = app
        .post("/api/v1/admin/users", Some(&admin), &applicant)
        .await;
    refused.assert_problem(422);
    assert_eq!(refused.error_fields(), vec!["role"]);

    let path = format!("/api/v1/admin/users/{id}");
    let deactivated = app
        .patch(&path, Some(&admin), &json!({"active": false}))
        .await;
    assert_eq!(deactivated.status, 200);
    assert_eq!(deactivated.json["active"], false);
    app.get("/api/v1/me", Some(&reviewer))
        .await
        .assert_problem(401);
    app.login("li.reviewer", PASSWORD).await.assert_problem(401);

    let promoted = app
        .patch(
            &path,
            Some(&admin),
            &json!({"active": true, "role": "approver"}),
        )
        .await;
    assert_eq!(promoted.json["role"], "approver");
    let approver = app.token_for("li.reviewer", PASSWORD).await;
    assert_eq!(
        app.get("/api/v1/me", Some(&approver)).await.json["user"]["role"],
        "approver"
    );

    app.patch(
        "/api/v1/admin/users/no-such-user",
        Some(&admin),
        &json!({"active": false}),
    )
    .await
    .assert_problem(404);
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_deactivated() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let me = app.get("/api/v1/me", Some(&admin)).await;
    let path = format!(
        "/api/v1/admin/users/{}",
        me.json["user"]["id"].as_str().expect("id")
    );
    app.patch(&path, Some(&admin), &json!({"active": false}))
        .await
        .assert_problem(409);
    app.patch(&path, Some(&admin), &json!({"role": "reviewer"}))
        .await
        .assert_problem(409);
    assert_eq!(
        app.get("/api/v1/me", Some(&admin)).await.status,
        200,
        "a refused change revokes nothing"
    );
}

#[tokio::test]
async fn the_first_start_creates_one_admin_with_a_private_password_file() {
    let app = spawn_app().await;
    let data_dir = &app.state.settings.data_dir;
    for file in ["initial-admin-password", "jwt-secret"] {
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(data_dir.join(file))
                .expect(file)
                .permissions(),
        );
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }
    let token = app.admin_token().await;
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.json["user"]["role"],
        "admin"
    );
}
