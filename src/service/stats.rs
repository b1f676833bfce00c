//! Numbers for operators: the registry's gauges behind `/metrics`.

use super::{ServiceResult, ServiceState};
use crate::db::queries::{journal as journal_db, public as public_db};

pub struct RegistryGauges {
    pub applications_by_status: Vec<(String, i64)>,
    pub authorized_enterprises: i64,
    pub journal_events: i64,
    pub pool_connections: u32,
    pub pool_idle: u32,
    pub pool_max: u32,
}

pub async fn registry_gauges(state: &ServiceState) -> ServiceResult<RegistryGauges> {
    let pool = state.pool.state();
    let pool_max = state.pool.max_size();
    let (applications_by_status, authorized_enterprises, journal_events) = state
        .run(|conn| {
            Ok((
                public_db::applications_by_status(conn)?,
                public_db::count_authorized_enterprises(conn)?,
                journal_db::head(conn)?.0,
            ))
        })
        .await?;
    Ok(RegistryGauges {
        applications_by_status,
        authorized_enterprises,
        journal_events,
        pool_connections: pool.connections,
        pool_idle: pool.idle_connections,
        pool_max,
    })
}
