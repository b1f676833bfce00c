use std::time::Instant;

use futures_util::future::join_all;
use gi_registry::db::ConnectionManager;

use crate::helpers::{metric_value, spawn_app, spawn_app_with_public_metrics};

#[tokio::test]
async fn healthz_and_readyz_answer_200_when_the_database_answers() {
    let app = spawn_app().await;
    let health = app.get("/healthz", None).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json["status"], "ok");
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, 200);
}

#[tokio::test]
async fn readyz_answers_503_when_the_database_stops_answering_and_healthz_still_200() {
    let app = spawn_app().await;
    app.db.break_it();
    // The pool opens connections of its own accord (it keeps one idle); one opened now must
    // fail rather than put an empty SQLite file where the deleted one was.
    assert!(
        r2d2::ManageConnection::connect(&ConnectionManager::new(app.db.target.clone())).is_err(),
        "a new connection reached a database that is gone"
    );
    app.get("/readyz", None).await.assert_problem(503);
    assert_eq!(app.get("/healthz", None).await.status, 200);
}

/// `/readyz` is anonymous: a flood of probes shares the database's answers instead of taking
/// a pool connection each from the writes.
#[tokio::test]
async fn a_flood_of_readiness_probes_asks_the_database_once_per_quarter_second_at_most() {
    let app = spawn_app_with_public_metrics().await;
    let started = Instant::now();
    for _ in 0..5 {
        for probe in join_all((0..100).map(|_| app.get("/readyz", None))).await {
            assert_eq!(probe.status, 200, "{}", probe.text);
        }
    }
    let quarters = u64::try_from(started.elapsed().as_millis() / 250).expect("a short test");
    let metrics = app.get("/metrics", None).await;
    let queries = metric_value(&metrics.text, "gi_readiness_queries_total");
    assert!(queries >= 1.0, "the database was asked");
    assert!(
        queries <= (1 + quarters) as f64,
        "500 probes in {quarters} quarter seconds asked the database {queries} times"
    );
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_and_swagger_ui_is_served() {
    let app = spawn_app().await;
    let doc = app.get("/api-docs/openapi.json", None).await;
    assert_eq!(doc.status, 200);
    let paths = doc.json["paths"].as_object().expect("paths");
    for path in [
        "/healthz",
        "/readyz",
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/password",
        "/api/v1/me",
        "/api/v1/admin/users",
        "/api/v1/admin/users/{id}",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(doc.json["components"]["securitySchemes"]["bearer"].is_object());

    let redirect = app.get("/docs", None).await;
    assert!(redirect.status.is_redirection());
    assert_eq!(redirect.headers["location"], "/docs/");
    let ui = app.get("/docs/", None).await;
    assert_eq!(ui.status, 200);
    assert!(ui.text.contains("swagger"), "Swagger UI page expected");
}
