//! `/metrics` for operators.

use crate::helpers::{spawn_app, spawn_with, test_settings, Cast, TestDatabase};

#[tokio::test]
async fn metrics_are_for_admins_and_count_requests_by_route_and_the_registry_state() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    app.grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    app.complete_draft(&cast.producer).await;
    for _ in 0..3 {
        app.get("/api/v1/public/verify/91441881MA4WTEA03K", None)
            .await;
    }
    app.get("/metrics", None).await.assert_problem(401);
    app.get("/metrics", Some(&cast.reviewer))
        .await
        .assert_problem(403);
    let metrics = app.get("/metrics", Some(&cast.admin)).await;
    assert_eq!(metrics.status, 200);
    assert!(metrics.content_type().starts_with("text/plain"));
    let text = &metrics.text;
    assert!(
        text.contains("gi_http_requests_total{method=\"GET\",route=\"/api/v1/public/verify/{code}\",status=\"200\"} 3"),
        "{text}"
    );
    assert!(text.contains("gi_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/public/verify/{code}\",status=\"200\",le=\"+Inf\"} 3"));
    assert!(text.contains("gi_authorized_enterprises 1"));
    assert!(text.contains("gi_applications{status=\"approved\"} 1"));
    assert!(text.contains("gi_applications{status=\"draft\"} 1"));
    assert!(text.contains("gi_db_pool_max_connections 8"));
}

#[tokio::test]
async fn metrics_can_be_made_public() {
    let db = TestDatabase::create();
    let mut settings = test_settings(&db);
    settings.metrics_public = true;
    let app = spawn_with(db, settings).await;
    let metrics = app.get("/metrics", None).await;
    assert_eq!(metrics.status, 200);
    assert!(metrics.text.contains("gi_authorized_enterprises 0"));
}
