//! Readiness: does the database answer?

use std::time::Duration;

use diesel::prelude::*;

use super::{ServiceError, ServiceResult, ServiceState};
use crate::db::schema::journal_head;
use crate::db::DatabaseTarget;

/// Probes give up soon (Kubernetes' default is one second): waiting the pool's whole ten
/// seconds for a connection to a database that is gone only made the 503 late.
const READINESS_WAIT: Duration = Duration::from_secs(1);

pub async fn database_answers(state: &ServiceState) -> ServiceResult<()> {
    // A SQLite file moved or deleted under a running process would take every later write
    // with it into an unlinked inode: that is not ready, even though old handles still read.
    if let DatabaseTarget::Sqlite(path) = &state.settings.database {
        if !path.exists() {
            return Err(ServiceError::Unavailable);
        }
    }
    state
        .run_waiting_at_most(READINESS_WAIT, |conn| {
            // A real table, so the check reads the database and not just the connection.
            journal_head::table
                .select(journal_head::seq)
                .first::<i64>(conn)?;
            Ok(())
        })
        .await
}
