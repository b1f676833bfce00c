//! Read-only queries behind the public registry, the verify page and the counter.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::AggregateExpressionMethods;

use crate::db::schema::{
    applications, authorizations, enterprises, gi_products, journal_events, towns,
};
use crate::db::{DbConnection, MultiBackend};

/// One authorized user as the public sees it: no contact data, no staff, no documents.
#[derive(Debug, Clone, Queryable)]
pub struct PublicRightRow {
    pub enterprise_name: String,
    pub uscc: String,
    pub town_name_zh: String,
    pub product_code: String,
    pub product_name_zh: String,
    pub basis: String,
    pub registry_no: String,
    pub announcement_no: String,
    pub announcement_date: String,
    pub status: String,
    pub granted_at: NaiveDateTime,
}

#[derive(Debug, Clone, Default)]
pub struct PublicFilter {
    /// Part of the name, or part of the credit code or registry number (upper-cased).
    pub text: Option<String>,
    pub product_code: Option<String>,
    pub town_code: Option<String>,
    pub status: String,
}

/// `%…%` with LIKE's own wildcards escaped, so a search for `50%` means what it says.
fn contains_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The filters, on the authorizations table alone: counting needs no join.
fn filtered(filter: &PublicFilter) -> authorizations::BoxedQuery<'static, MultiBackend> {
    let mut query = authorizations::table.into_boxed();
    query = query.filter(authorizations::status.eq(filter.status.clone()));
    if let Some(product) = &filter.product_code {
        query = query.filter(authorizations::product_code.eq(product.clone()));
    }
    if let Some(town) = &filter.town_code {
        query = query.filter(authorizations::production_town.eq(town.clone()));
    }
    if let Some(text) = &filter.text {
        query = query.filter(
            authorizations::search_text
                .like(contains_pattern(&text.to_uppercase()))
                .escape('\\'),
        );
    }
    query
}

/// One page of authorized users, newest grant first, registry number breaking ties. The page
/// is chosen on the authorizations table (an index gives the order); only its rows are joined.
pub fn search(
    conn: &mut DbConnection,
    filter: &PublicFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<PublicRightRow>, i64)> {
    let total: i64 = filtered(filter).count().get_result(conn)?;
    if offset >= total {
        return Ok((Vec::new(), total));
    }
    let ids: Vec<String> = filtered(filter)
        .order((
            authorizations::granted_at.desc(),
            authorizations::registry_no.desc(),
        ))
        .offset(offset)
        .limit(limit)
        .select(authorizations::id)
        .load(conn)?;
    let rows = authorizations::table
        .inner_join(enterprises::table)
        .inner_join(gi_products::table)
        .inner_join(towns::table.on(towns::code.eq(authorizations::production_town)))
        .filter(authorizations::id.eq_any(&ids))
        .order((
            authorizations::granted_at.desc(),
            authorizations::registry_no.desc(),
        ))
        .select((
            enterprises::name,
            enterprises::uscc,
            towns::name_zh,
            authorizations::product_code,
            gi_products::name_zh,
            authorizations::basis,
            authorizations::registry_no,
            authorizations::announcement_no,
            authorizations::announcement_date,
            authorizations::status,
            authorizations::granted_at,
        ))
        .load(conn)?;
    Ok((rows, total))
}

/// The enterprise (id, name, uscc) by credit code.
pub fn enterprise_by_uscc(
    conn: &mut DbConnection,
    uscc: &str,
) -> QueryResult<Option<(String, String, String)>> {
    enterprises::table
        .filter(enterprises::uscc.eq(uscc))
        .select((enterprises::id, enterprises::name, enterprises::uscc))
        .first(conn)
        .optional()
}

/// The enterprise (id, name, uscc) holding a registry number.
pub fn enterprise_by_registry_no(
    conn: &mut DbConnection,
    registry_no: &str,
) -> QueryResult<Option<(String, String, String)>> {
    authorizations::table
        .inner_join(enterprises::table)
        .filter(authorizations::registry_no.eq(registry_no))
        .select((enterprises::id, enterprises::name, enterprises::uscc))
        .first(conn)
        .optional()
}

/// (registry_no, product_code, product_name_zh, status, announcement_no, announcement_date)
pub type RightSummary = (String, String, String, String, String, String);

pub fn rights_of(conn: &mut DbConnection, enterprise_id: &str) -> QueryResult<Vec<RightSummary>> {
    authorizations::table
        .inner_join(gi_products::table)
        .filter(authorizations::enterprise_id.eq(enterprise_id))
        .order(authorizations::registry_no.asc())
        .select((
            authorizations::registry_no,
            authorizations::product_code,
            gi_products::name_zh,
            authorizations::status,
            authorizations::announcement_no,
            authorizations::announcement_date,
        ))
        .load(conn)
}

/// (product_code, town_code, enterprise_id) of every active right.
pub fn active_rights(conn: &mut DbConnection) -> QueryResult<Vec<(String, String, String)>> {
    authorizations::table
        .filter(authorizations::status.eq("active"))
        .select((
            authorizations::product_code,
            authorizations::production_town,
            authorizations::enterprise_id,
        ))
        .load(conn)
}

/// Applications per status, for the pipeline.
pub fn applications_by_status(conn: &mut DbConnection) -> QueryResult<Vec<(String, i64)>> {
    applications::table
        .group_by(applications::status)
        .select((applications::status, diesel::dsl::count_star()))
        .load(conn)
}

/// Every status change of every authorization with its enterprise, in time order (journal
/// order within the same instant).
pub fn authorization_changes(
    conn: &mut DbConnection,
) -> QueryResult<Vec<(String, String, NaiveDateTime, String)>> {
    journal_events::table
        .inner_join(authorizations::table.on(authorizations::id.eq(journal_events::entity_id)))
        .filter(journal_events::entity_type.eq("authorization"))
        .filter(journal_events::to_status.is_not_null())
        .order((journal_events::at.asc(), journal_events::seq.asc()))
        .select((
            journal_events::entity_id,
            authorizations::enterprise_id,
            journal_events::at,
            journal_events::to_status.assume_not_null(),
        ))
        .load(conn)
}

/// Enterprises with at least one active right: the counter.
pub fn count_authorized_enterprises(conn: &mut DbConnection) -> QueryResult<i64> {
    authorizations::table
        .filter(authorizations::status.eq("active"))
        .select(diesel::dsl::count(authorizations::enterprise_id).aggregate_distinct())
        .first(conn)
}

/// (status, status changed at, the current step's deadline) of every application, for review
/// statistics.
pub fn application_ages(
    conn: &mut DbConnection,
) -> QueryResult<Vec<(String, NaiveDateTime, Option<String>)>> {
    applications::table
        .select((
            applications::status,
            applications::status_changed_at,
            applications::current_step_due,
        ))
        .load(conn)
}

/// A right's public facts as stored: (id, registry_no, enterprise_id, enterprise name, uscc,
/// production town, product, basis, announcement_no, announcement_date, granted_at, status,
/// trademark registration number).
pub type RightFactsRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    NaiveDateTime,
    String,
    Option<String>,
);

/// The columns of [`RightFactsRow`]; a column is a type and a value alike, so one list serves
/// as the selection's type and as the selection.
macro_rules! right_facts {
    () => {
        (
            authorizations::id,
            authorizations::registry_no,
            authorizations::enterprise_id,
            enterprises::name,
            enterprises::uscc,
            authorizations::production_town,
            authorizations::product_code,
            authorizations::basis,
            authorizations::announcement_no,
            authorizations::announcement_date,
            authorizations::granted_at,
            authorizations::status,
            authorizations::trademark_reg_no,
        )
    };
}

const RIGHT_FACTS: right_facts!() = right_facts!();

/// Every right's public facts, for building the register.
pub fn all_right_facts(conn: &mut DbConnection) -> QueryResult<Vec<RightFactsRow>> {
    authorizations::table
        .inner_join(enterprises::table)
        .select(RIGHT_FACTS)
        .load(conn)
}

/// The public facts of the given rights.
pub fn right_facts(conn: &mut DbConnection, ids: &[&str]) -> QueryResult<Vec<RightFactsRow>> {
    authorizations::table
        .inner_join(enterprises::table)
        .filter(authorizations::id.eq_any(ids))
        .select(RIGHT_FACTS)
        .load(conn)
}

/// The public facts of every right of the given enterprises.
pub fn right_facts_of_enterprises(
    conn: &mut DbConnection,
    enterprise_ids: &[&str],
) -> QueryResult<Vec<RightFactsRow>> {
    authorizations::table
        .inner_join(enterprises::table)
        .filter(authorizations::enterprise_id.eq_any(enterprise_ids))
        .select(RIGHT_FACTS)
        .load(conn)
}

/// Every status change of every right, in journal order: (seq, right id, status, at).
pub fn authorization_history(
    conn: &mut DbConnection,
) -> QueryResult<Vec<(i64, String, String, NaiveDateTime)>> {
    journal_events::table
        .filter(journal_events::entity_type.eq("authorization"))
        .filter(journal_events::to_status.is_not_null())
        .order(journal_events::seq.asc())
        .select((
            journal_events::seq,
            journal_events::entity_id,
            journal_events::to_status.assume_not_null(),
            journal_events::at,
        ))
        .load(conn)
}

/// Every change of an enterprise's public details (`(seq, enterprise id, at)`, in journal
/// order): its approved changes (`domain::register::HOLDER_CHANGE`).
pub fn holder_history(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String, NaiveDateTime)>> {
    journal_events::table
        // Literal, as in the partial index journal_events_holder_history_idx (migration
        // 000012): a planner cannot match a bound parameter to an index's condition.
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
            // The index's condition, then the one action that changes public details.
            "entity_type = 'enterprise' AND action NOT IN ('register', 'release') \
             AND action = 'change'",
        ))
        .order(journal_events::seq.asc())
        .select((
            journal_events::seq,
            journal_events::entity_id,
            journal_events::at,
        ))
        .load(conn)
}
