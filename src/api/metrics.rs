//! `GET /metrics`: Prometheus text for admins, or for anyone when `GI_METRICS_PUBLIC=true`.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::domain::roles::{Actor, Role};
use crate::error::ApiError;
use crate::metrics::{gauge, HttpMetrics};
use crate::service::{stats, ServiceState};

/// Prometheus metrics: requests and latency per route and status, pool use, applications by
/// state, authorized enterprises.
#[utoipa::path(get, path = "/metrics", tag = "operations", security(("bearer" = [])), responses(
    (status = 200, description = "Prometheus text format", content_type = "text/plain"),
    (status = 401, body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
    (status = 403, body = super::openapi::ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn metrics(
    state: web::Data<ServiceState>,
    http: web::Data<HttpMetrics>,
    actor: Option<Actor>,
) -> Result<HttpResponse, ApiError> {
    if !state.settings.metrics_public {
        match actor {
            None => return Err(ApiError::Unauthorized),
            Some(actor) if actor.role != Role::Admin => return Err(ApiError::Forbidden),
            Some(_) => {}
        }
    }
    let gauges = stats::registry_gauges(&state).await?;
    let mut out = String::new();
    http.render(&mut out);
    gauge(
        &mut out,
        "gi_db_pool_connections",
        "Open database connections.",
        &[(String::new(), gauges.pool_connections as f64)],
    );
    gauge(
        &mut out,
        "gi_db_pool_idle_connections",
        "Idle database connections.",
        &[(String::new(), gauges.pool_idle as f64)],
    );
    gauge(
        &mut out,
        "gi_db_pool_max_connections",
        "Largest pool size.",
        &[(String::new(), gauges.pool_max as f64)],
    );
    let by_status: Vec<(String, f64)> = gauges
        .applications_by_status
        .iter()
        .map(|(s, n)| (format!("status=\"{s}\""), *n as f64))
        .collect();
    gauge(
        &mut out,
        "gi_applications",
        "Applications by workflow state.",
        &by_status,
    );
    gauge(
        &mut out,
        "gi_authorized_enterprises",
        "Enterprises holding at least one active authorization (the counter).",
        &[(String::new(), gauges.authorized_enterprises as f64)],
    );
    gauge(
        &mut out,
        "gi_journal_events",
        "Events in the journal.",
        &[(String::new(), gauges.journal_events as f64)],
    );
    let register = &state.register;
    let (rights, bytes, applied) = {
        let held = register.read()?;
        (held.len(), held.approximate_bytes(), held.applied_seq())
    };
    gauge(
        &mut out,
        "gi_public_register_rights",
        "Rights held by this process's in-memory public register.",
        &[(String::new(), rights as f64)],
    );
    gauge(
        &mut out,
        "gi_public_register_bytes",
        "Approximate memory of the public register.",
        &[(String::new(), bytes as f64)],
    );
    gauge(
        &mut out,
        "gi_public_register_applied_seq",
        "The last journal event the public register reflects.",
        &[(String::new(), applied as f64)],
    );
    gauge(
        &mut out,
        "gi_public_register_rebuilds_total",
        "Times an event could not be applied and the register was rebuilt from the database.",
        &[(String::new(), register.rebuilds() as f64)],
    );
    gauge(
        &mut out,
        "gi_public_register_build_ms",
        "How long the last build of the public register took.",
        &[(String::new(), register.last_build_ms() as f64)],
    );
    let labels = &state.labels;
    let (issued, label_bytes) = {
        let index = labels.read()?;
        (index.len(), index.approximate_bytes())
    };
    let counter = labels.counter();
    let (flushes, flush_seconds, last_flush_ms) = counter.flush_times();
    for (name, help, value) in [
        (
            "gi_labels_issued",
            "Labels held by this process's label index.",
            issued as f64,
        ),
        (
            "gi_labels_index_bytes",
            "Approximate memory of the label index.",
            label_bytes as f64,
        ),
        (
            "gi_label_scans_counted_total",
            "Label scans this process counted since it started.",
            counter.counted() as f64,
        ),
        (
            "gi_label_scans_flushed_total",
            "Label scans this process wrote to the database.",
            counter.flushed() as f64,
        ),
        (
            "gi_label_scans_unflushed",
            "Label scans counted here and not yet in the database (lost on a crash).",
            counter.unflushed() as f64,
        ),
        (
            "gi_label_scan_flush_failures_total",
            "Flushes of label scans that failed (their scans wait for the next).",
            counter.failures() as f64,
        ),
        (
            "gi_label_scan_flushes_total",
            "Flushes that wrote label scans.",
            flushes as f64,
        ),
        (
            "gi_label_scan_flush_seconds_total",
            "Time those flushes took, database and memory together.",
            flush_seconds,
        ),
        (
            "gi_label_scan_flush_last_ms",
            "How long the last flush that wrote scans took.",
            last_flush_ms,
        ),
        (
            "gi_readiness_queries_total",
            "Queries /readyz sent to the database (probes share one answer for 250 ms).",
            state.readiness.queries() as f64,
        ),
        (
            "gi_log_lines_dropped_total",
            "Log lines dropped because the log thread could not keep up.",
            crate::telemetry::dropped_lines() as f64,
        ),
    ] {
        gauge(&mut out, name, help, &[(String::new(), value)]);
    }
    Ok(HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        ))
        .body(out))
}
