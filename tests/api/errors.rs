use reqwest::Method;
use serde_json::json;

use crate::helpers::{spawn_app, Reply};

#[tokio::test]
async fn broken_json_is_a_400_problem() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .expect("sent");
    Reply::read(response).await.assert_problem(400);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_415_problem() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "text/plain")
        .body("username=admin")
        .send()
        .await
        .expect("sent");
    Reply::read(response).await.assert_problem(415);
}

#[tokio::test]
async fn a_five_megabyte_body_is_a_413_problem() {
    let app = spawn_app().await;
    let huge = format!(
        "{{\"username\": \"{}\", \"password\": \"x\"}}",
        "a".repeat(5 * 1024 * 1024)
    );
    let response = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .expect("sent");
    Reply::read(response).await.assert_problem(413);
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods_are_problems() {
    let app = spawn_app().await;
    app.get("/no/such/page", None).await.assert_problem(404);
    app.get("/api/v1/nothing-here", None)
        .await
        .assert_problem(404);
    app.request(Method::DELETE, "/healthz", None, None)
        .await
        .assert_problem(405);
    app.request(Method::GET, "/api/v1/auth/login", None, None)
        .await
        .assert_problem(405);
}

#[tokio::test]
async fn a_missing_or_mistyped_field_is_named_by_its_path() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "/api/v1/auth/register",
            None,
            &json!({"username": "abc", "password": "x"}),
        )
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), vec!["enterprise"]);
    let reply = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": 12, "password": "x"}),
        )
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), vec!["username"]);
    assert_eq!(reply.json["errors"][0]["code"], "invalid_type");
}

#[tokio::test]
async fn detail_is_chinese_when_the_request_prefers_chinese() {
    let app = spawn_app().await;
    let english = app.get("/nowhere", None).await;
    assert_eq!(english.json["detail"], "Nothing is at this address.");
    let response = app
        .client
        .get(app.url("/nowhere"))
        .header("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")
        .send()
        .await
        .expect("sent");
    let chinese = Reply::read(response).await;
    chinese.assert_problem(404);
    assert_eq!(chinese.json["detail"], "未找到该资源。");
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_problems_repeat_it() {
    let app = spawn_app().await;
    let reply = app.get("/nowhere", None).await;
    let header = reply.headers["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert_eq!(reply.json["request_id"], header.as_str());
    assert!(app
        .get("/healthz", None)
        .await
        .headers
        .contains_key("x-request-id"));
}

#[tokio::test]
async fn a_nul_character_in_the_address_or_a_body_is_refused_on_every_database() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    app.get("/api/v1/applications?product=%00x", Some(&token))
        .await
        .assert_problem(400);
    app.get("/api/v1/public/verify/%00", None)
        .await
        .assert_problem(404);
    app.get("/?q=a%00b", None).await.assert_problem(400);
    let reply = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "ad\u{0}min", "password": "x"}),
        )
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.json["errors"][0]["code"], "nul_character");
}
