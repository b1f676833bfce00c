//! `/metrics` for operators.

use std::process::Stdio;
use std::time::Duration;

use crate::crash::start_binary_logging_to;
use crate::helpers::{metric_value, spawn_app, spawn_app_with_public_metrics, Cast, TestDatabase};

/// A log nobody reads (a stalled collector: its pipe fills after 64 KiB) holds up no
/// answer: the lines that do not fit are dropped and counted, the requests are served.
#[tokio::test]
async fn a_log_reader_that_stops_reading_holds_up_no_answer() {
    let database = TestDatabase::create();
    // The pipe's reading end is kept open by the child handle and never read.
    let server = start_binary_logging_to(
        &database,
        &[("RUST_LOG", "info"), ("GI_METRICS_PUBLIC", "true")],
        Stdio::piped(),
    )
    .await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    // Each answer logs a line of some hundred bytes: more than the pipe and the queue hold.
    for round in 0..120 {
        let answers = futures_util::future::join_all((0..100).map(|_| {
            client
                .get(format!("{}/api/v1/public/goal", server.base))
                .send()
        }))
        .await;
        for answer in answers {
            let answer = answer.unwrap_or_else(|e| panic!("round {round}: no answer: {e}"));
            assert_eq!(answer.status(), 200, "round {round}");
        }
    }
    let metrics = client
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .expect("metrics answer")
        .text()
        .await
        .expect("metrics text");
    let dropped = metric_value(&metrics, "gi_log_lines_dropped_total");
    assert!(dropped > 0.0, "{metrics}");
}

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
    let app = spawn_app_with_public_metrics().await;
    let metrics = app.get("/metrics", None).await;
    assert_eq!(metrics.status, 200);
    assert!(metrics.text.contains("gi_authorized_enterprises 0"));
}

/// Issue 11 item 4: thousands of requests with invented methods and paths add no series.
#[tokio::test]
async fn random_methods_and_paths_do_not_grow_the_metrics() {
    use futures_util::stream::{self, StreamExt};

    let app = spawn_app_with_public_metrics().await;
    // Every series this test can create is there before the first measure.
    for path in ["/warm-up", "/api/v1/warm-up", "/applications/warm-up"] {
        let method = reqwest::Method::from_bytes(b"WARMUP").expect("method");
        let _ = app
            .client
            .request(method, format!("{}{path}", app.address))
            .send()
            .await;
    }
    let before = app.get("/metrics", None).await;
    assert_eq!(before.status, 200);
    let bases = ["/", "/api/v1/", "/no-such-page/", "/applications/"];
    let address = &app.address;
    let client = &app.client;
    stream::iter(0..5_000usize)
        .for_each_concurrent(16, |i| async move {
            let random = format!(
                "{:016x}{:016x}",
                rand::random::<u64>(),
                rand::random::<u64>()
            );
            let method_name = format!("X{}", &random[..6].to_uppercase());
            let method = reqwest::Method::from_bytes(method_name.as_bytes()).expect("method");
            let path = format!("{address}{}{}", bases[i % bases.len()], &random[6..]);
            let _ = client.request(method, path).send().await;
        })
        .await;
    let after = app.get("/metrics", None).await;
    assert_eq!(after.status, 200);
    let growth = after.text.len() as i64 - before.text.len() as i64;
    eprintln!(
        "/metrics size before {} bytes, after 5,000 random-method requests {} bytes (growth {growth})",
        before.text.len(),
        after.text.len()
    );
    assert!(growth < 4 * 1024, "grew by {growth} bytes:\n{}", after.text);
    assert!(!after.text.contains("XQ"), "{}", after.text);
    assert!(after.text.contains("method=\"other\""), "{}", after.text);
}
