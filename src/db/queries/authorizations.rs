use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::authorization::AuthorizationRow;
use crate::db::schema::{authorizations, registry_counters};
use crate::db::DbConnection;

/// The next registry number of `year`, inside the caller's transaction: the counter row is
/// locked by the UPDATE, so concurrent approvals get consecutive numbers, and a rolled-back
/// approval gives its number back.
pub fn next_registry_sequence(conn: &mut DbConnection, year: i32) -> QueryResult<i32> {
    let bump = |conn: &mut DbConnection| {
        diesel::update(registry_counters::table.find(year))
            .set(registry_counters::last_no.eq(registry_counters::last_no + 1))
            .execute(conn)
    };
    if bump(conn)? == 0 {
        // The year's first number. A concurrent first approval may insert the row too: the
        // savepoint lets the loser fall back to the UPDATE instead of failing its transaction.
        let inserted = conn.transaction(|conn| {
            diesel::insert_into(registry_counters::table)
                .values((
                    registry_counters::year.eq(year),
                    registry_counters::last_no.eq(1),
                ))
                .execute(conn)
        });
        match inserted {
            Ok(_) => return Ok(1),
            Err(error) if super::is_unique_violation(&error) => {
                bump(conn)?;
            }
            Err(error) => return Err(error),
        }
    }
    registry_counters::table
        .find(year)
        .select(registry_counters::last_no)
        .first(conn)
}

pub fn insert(conn: &mut DbConnection, row: &AuthorizationRow) -> QueryResult<()> {
    diesel::insert_into(authorizations::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<AuthorizationRow>> {
    authorizations::table
        .find(id)
        .select(AuthorizationRow::as_select())
        .first(conn)
        .optional()
}

pub fn by_application(
    conn: &mut DbConnection,
    application_id: &str,
) -> QueryResult<Option<AuthorizationRow>> {
    authorizations::table
        .filter(authorizations::application_id.eq(application_id))
        .select(AuthorizationRow::as_select())
        .first(conn)
        .optional()
}

/// Does the enterprise already hold a live (active or suspended) right for the product?
pub fn holds_live(
    conn: &mut DbConnection,
    enterprise_id: &str,
    product_code: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        authorizations::table
            .filter(authorizations::enterprise_id.eq(enterprise_id))
            .filter(authorizations::product_code.eq(product_code))
            .filter(authorizations::status.eq_any(["active", "suspended"])),
    ))
    .get_result(conn)
}

#[derive(Debug, Clone, Default)]
pub struct AuthorizationFilter {
    pub enterprise_id: Option<String>,
    pub status: Option<String>,
    pub product_code: Option<String>,
}

fn filtered(
    filter: &AuthorizationFilter,
) -> authorizations::BoxedQuery<'static, crate::db::MultiBackend> {
    let mut query = authorizations::table.into_boxed();
    if let Some(enterprise_id) = &filter.enterprise_id {
        query = query.filter(authorizations::enterprise_id.eq(enterprise_id.clone()));
    }
    if let Some(status) = &filter.status {
        query = query.filter(authorizations::status.eq(status.clone()));
    }
    if let Some(product) = &filter.product_code {
        query = query.filter(authorizations::product_code.eq(product.clone()));
    }
    query
}

pub fn list(
    conn: &mut DbConnection,
    filter: &AuthorizationFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<AuthorizationRow>, i64)> {
    let total = filtered(filter).count().get_result(conn)?;
    let rows = filtered(filter)
        .order((
            authorizations::granted_at.desc(),
            authorizations::registry_no.desc(),
        ))
        .offset(offset)
        .limit(limit)
        .select(AuthorizationRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn move_status(
    conn: &mut DbConnection,
    id: &str,
    from_status: &str,
    version: i32,
    to_status: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        authorizations::table
            .filter(authorizations::id.eq(id))
            .filter(authorizations::status.eq(from_status))
            .filter(authorizations::version.eq(version)),
    )
    .set((
        authorizations::status.eq(to_status),
        authorizations::version.eq(version + 1),
        authorizations::status_changed_at.eq(now),
        authorizations::updated_at.eq(now),
    ))
    .execute(conn)
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    authorizations::table.count().get_result(conn)
}

/// Locks the right's row to the end of the transaction when it has `status` (a write that
/// changes nothing): false when it has another.
pub fn hold_if_status(
    conn: &mut DbConnection,
    id: &str,
    status: crate::domain::authorization::AuthorizationStatus,
) -> QueryResult<bool> {
    diesel::update(
        authorizations::table
            .filter(authorizations::id.eq(id))
            .filter(authorizations::status.eq(status.as_str())),
    )
    .set(authorizations::version.eq(authorizations::version))
    .execute(conn)
    .map(|n| n == 1)
}
