//! Logging: tracing with the request id on every line; human-readable or JSON.
//!
//! Lines are written by a thread of their own, not by the request that logs them: a write to
//! a full pipe or a file under writeback would otherwise stop a worker and every connection it
//! serves. The queue between is bounded; when it is full, lines are dropped (and counted in
//! `gi_log_lines_dropped_total`) rather than answers held up.

use std::io::IsTerminal;
use std::sync::OnceLock;

use tracing_appender::non_blocking::{ErrorCounter, NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::{fmt, EnvFilter};

use crate::config::LogFormat;

/// Lines waiting for the log thread at most (a line is some hundred bytes).
const QUEUED_LINES: usize = 8_192;
/// Lines are gathered this far before a write: one system call for many lines under load.
const WRITE_BUFFER_BYTES: usize = 64 * 1024;

static DROPPED: OnceLock<ErrorCounter> = OnceLock::new();

/// Installs the global subscriber once; later calls (tests) are ignored and give no guard.
/// Keep the guard while the process runs: dropping it writes out the lines still queued.
#[must_use = "dropping the guard stops the log thread"]
pub fn init(format: LogFormat) -> Option<WorkerGuard> {
    if DROPPED.get().is_some() {
        return None;
    }
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(QUEUED_LINES)
        .thread_name("gi-log")
        .finish(std::io::BufWriter::with_capacity(
            WRITE_BUFFER_BYTES,
            std::io::stderr(),
        ));
    let dropped = writer.error_counter();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = fmt()
        .with_env_filter(filter)
        // Colours for a person at a terminal, not escape codes in a collector's file.
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(writer)
        // One line per request when its span closes, with method, route, status and latency.
        .with_span_events(FmtSpan::CLOSE);
    let installed = match format {
        LogFormat::Human => builder.with_target(false).try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
    };
    match installed {
        Ok(()) => {
            let _ = DROPPED.set(dropped);
            Some(guard)
        }
        Err(_) => None,
    }
}

/// Log lines dropped because the log thread could not keep up.
pub fn dropped_lines() -> usize {
    DROPPED.get().map_or(0, ErrorCounter::dropped_lines)
}
