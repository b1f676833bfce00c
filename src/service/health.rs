//! Readiness: does the database answer?

use diesel::prelude::*;

use super::{ServiceError, ServiceResult, ServiceState};
use crate::db::schema::journal_head;
use crate::db::DatabaseTarget;

pub async fn database_answers(state: &ServiceState) -> ServiceResult<()> {
    // A SQLite file moved or deleted under a running process would take every later write
    // with it into an unlinked inode: that is not ready, even though old handles still read.
    if let DatabaseTarget::Sqlite(path) = &state.settings.database {
        if !path.exists() {
            return Err(ServiceError::Unavailable);
        }
    }
    state
        .run(|conn| {
            // A real table, so the check reads the database and not just the connection.
            journal_head::table
                .select(journal_head::seq)
                .first::<i64>(conn)?;
            Ok(())
        })
        .await
}
