//! Readiness: does the database answer?

use diesel::connection::SimpleConnection;

use super::{ServiceResult, ServiceState};

pub async fn database_answers(state: &ServiceState) -> ServiceResult<()> {
    state
        .run(|conn| {
            conn.batch_execute("SELECT 1")?;
            Ok(())
        })
        .await
}
