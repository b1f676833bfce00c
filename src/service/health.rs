//! Readiness: does the database answer?

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::{ServiceError, ServiceResult, ServiceState};
use crate::db::queries::journal as journal_db;
use crate::db::DatabaseTarget;

/// Probes give up soon (Kubernetes' default is one second): waiting the pool's whole ten
/// seconds for a connection to a database that is gone only made the 503 late.
const READINESS_WAIT: Duration = Duration::from_secs(1);

/// How long one answer of the database serves every probe. `/readyz` is anonymous: a query
/// each took a pool connection each, and a flood of them on PostgreSQL made the writes wait
/// (a change's p50 14.6 → 104.6 ms).
const READINESS_REUSE: Duration = Duration::from_millis(250);

/// The database's last answer to a probe, shared: at most one probe query runs at a time and
/// one per [`READINESS_REUSE`], whatever the number of probes.
#[derive(Default)]
pub struct Readiness {
    last: tokio::sync::Mutex<Option<(Instant, bool)>>,
    queries: AtomicU64,
}

impl Readiness {
    /// Probe queries sent to the database since the start.
    pub fn queries(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }
}

pub async fn database_answers(state: &ServiceState) -> ServiceResult<()> {
    // A SQLite file moved or deleted under a running process would take every later write
    // with it into an unlinked inode: that is not ready, even though old handles still read.
    if let DatabaseTarget::Sqlite(path) = &state.settings.database {
        if !path.exists() {
            return Err(ServiceError::Unavailable);
        }
    }
    // Probes arriving while one asks the database wait for its answer and share it.
    let mut last = state.readiness.last.lock().await;
    let answers = match *last {
        Some((at, answers)) if at.elapsed() < READINESS_REUSE => answers,
        _ => {
            state.readiness.queries.fetch_add(1, Ordering::Relaxed);
            let asked = state
                .run_waiting_at_most(READINESS_WAIT, |conn| {
                    // A real table, so the check reads the database and not just the connection.
                    journal_db::head(conn)?;
                    Ok(())
                })
                .await;
            if let Err(error) = &asked {
                tracing::warn!(%error, "readiness check failed");
            }
            *last = Some((Instant::now(), asked.is_ok()));
            asked.is_ok()
        }
    };
    if answers {
        Ok(())
    } else {
        Err(ServiceError::Unavailable)
    }
}
