//! Prometheus metrics: request counts and latency histograms per route and status, recorded
//! by a middleware into an in-process registry, rendered in the text exposition format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default, Clone, Copy)]
struct Series {
    count: u64,
    sum_seconds: f64,
    buckets: [u64; BUCKETS.len()],
}

/// The method labels a series may carry; any other method is counted as `other`.
const KNOWN_METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// The label of a request that matched no route, or of a method outside [`KNOWN_METHODS`].
const OTHER: &str = "other";

/// The method label: one of a fixed set, so a client inventing methods cannot add series.
pub fn method_label(method: &str) -> &'static str {
    KNOWN_METHODS
        .iter()
        .find(|known| **known == method)
        .copied()
        .unwrap_or(OTHER)
}

/// Requests by (method, route pattern, status). Keys come from bounded sets: the known
/// methods, the route patterns of the application (or `other`) and the status codes.
#[derive(Default)]
pub struct HttpMetrics {
    series: Mutex<BTreeMap<(&'static str, String, u16), Series>>,
}

impl HttpMetrics {
    /// Counts one answer. `method` is reduced to its label; `route` must be a route pattern
    /// (or `None` when nothing matched), never a raw path.
    pub fn record(&self, method: &str, route: Option<&str>, status: u16, seconds: f64) {
        let key = (
            method_label(method),
            route.unwrap_or(OTHER).to_owned(),
            status,
        );
        let Ok(mut series) = self.series.lock() else {
            return;
        };
        let entry = series.entry(key).or_default();
        entry.count += 1;
        entry.sum_seconds += seconds;
        for (bucket, bound) in entry.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
    }

    /// A copy of the series, taken under the lock; the text is formatted after the lock is
    /// released, so a scrape never holds up the requests being counted.
    fn snapshot(&self) -> Vec<((&'static str, String, u16), Series)> {
        let Ok(series) = self.series.lock() else {
            return Vec::new();
        };
        series.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }

    pub fn render(&self, out: &mut String) {
        let series = self.snapshot();
        out.push_str(
            "# HELP gi_http_requests_total HTTP requests answered, by method, route and status.\n",
        );
        out.push_str("# TYPE gi_http_requests_total counter\n");
        for ((method, route, status), s) in series.iter() {
            let _ = writeln!(
                out,
                "gi_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {}",
                label(route),
                s.count
            );
        }
        out.push_str("# HELP gi_http_request_duration_seconds Time to answer, by method, route and status.\n");
        out.push_str("# TYPE gi_http_request_duration_seconds histogram\n");
        for ((method, route, status), s) in series.iter() {
            let labels = format!(
                "method=\"{method}\",route=\"{}\",status=\"{status}\"",
                label(route)
            );
            for (bound, count) in BUCKETS.iter().zip(s.buckets) {
                let _ = writeln!(
                    out,
                    "gi_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "gi_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "gi_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum_seconds
            );
            let _ = writeln!(
                out,
                "gi_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
    }
}

/// Escapes a label value.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Appends one gauge with its help line.
pub fn gauge(out: &mut String, name: &str, help: &str, samples: &[(String, f64)]) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
    for (labels, value) in samples {
        if labels.is_empty() {
            let _ = writeln!(out, "{name} {value}");
        } else {
            let _ = writeln!(out, "{name}{{{labels}}} {value}");
        }
    }
}

/// Times every request and records it under its route pattern (never the raw path, so ids
/// do not explode the number of series).
pub async fn record_requests(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let metrics = request
        .app_data::<actix_web::web::Data<HttpMetrics>>()
        .cloned();
    let method = method_label(request.method().as_str());
    let response = next.call(request).await?;
    if let Some(metrics) = metrics {
        let route = response.request().match_pattern();
        metrics.record(
            method,
            route.as_deref(),
            response.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_lands_in_its_buckets_and_the_text_format_lists_them() {
        let metrics = HttpMetrics::default();
        metrics.record("GET", Some("/api/v1/public/verify/{code}"), 200, 0.003);
        metrics.record("GET", Some("/api/v1/public/verify/{code}"), 200, 0.2);
        let mut out = String::new();
        metrics.render(&mut out);
        assert!(out.contains("gi_http_requests_total{method=\"GET\",route=\"/api/v1/public/verify/{code}\",status=\"200\"} 2"));
        assert!(out.contains("le=\"0.0025\"} 0"));
        assert!(out.contains("le=\"0.005\"} 1"));
        assert!(out.contains("le=\"0.25\"} 2"));
        assert!(out.contains("le=\"+Inf\"} 2"));
    }

    #[test]
    fn unknown_methods_and_unmatched_paths_share_one_series() {
        let metrics = HttpMetrics::default();
        for method in ["XQ12AB", "BREW", "get", "PROPFIND"] {
            metrics.record(method, None, 404, 0.001);
        }
        let mut out = String::new();
        metrics.render(&mut out);
        assert!(
            out.contains(
                "gi_http_requests_total{method=\"other\",route=\"other\",status=\"404\"} 4"
            ),
            "{out}"
        );
        assert_eq!(out.matches("gi_http_requests_total{").count(), 1);
    }

    #[test]
    fn the_known_methods_keep_their_names() {
        for method in KNOWN_METHODS {
            assert_eq!(method_label(method), method);
        }
        assert_eq!(method_label("TRACE"), "other");
        assert_eq!(method_label("CONNECT"), "other");
    }
}
