use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::usage::{FakeReportRow, UsageReportRow};
use crate::db::schema::{authorizations, enterprises, fake_reports, holidays, usage_reports};
use crate::db::DbConnection;

pub fn insert_report(conn: &mut DbConnection, row: &UsageReportRow) -> QueryResult<()> {
    diesel::insert_into(usage_reports::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn report_exists(
    conn: &mut DbConnection,
    authorization_id: &str,
    year: i32,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        usage_reports::table
            .filter(usage_reports::authorization_id.eq(authorization_id))
            .filter(usage_reports::year.eq(year)),
    ))
    .get_result(conn)
}

pub fn reports_of(
    conn: &mut DbConnection,
    authorization_id: &str,
) -> QueryResult<Vec<UsageReportRow>> {
    usage_reports::table
        .filter(usage_reports::authorization_id.eq(authorization_id))
        .order(usage_reports::year.asc())
        .select(UsageReportRow::as_select())
        .load(conn)
}

/// (authorization id, year, marks used) of every report of a live right.
pub fn live_report_marks(conn: &mut DbConnection) -> QueryResult<Vec<(String, i32, i64)>> {
    usage_reports::table
        .inner_join(authorizations::table)
        .filter(authorizations::status.eq_any(["active", "suspended"]))
        .select((
            usage_reports::authorization_id,
            usage_reports::year,
            usage_reports::marks_used,
        ))
        .load(conn)
}

/// (id, registry no, enterprise name, uscc, product code, status, granted at) of live rights.
pub type LiveRight = (
    String,
    String,
    String,
    String,
    String,
    String,
    NaiveDateTime,
);

pub fn live_rights(conn: &mut DbConnection) -> QueryResult<Vec<LiveRight>> {
    authorizations::table
        .inner_join(enterprises::table)
        .filter(authorizations::status.eq_any(["active", "suspended"]))
        .order(authorizations::registry_no.asc())
        .select((
            authorizations::id,
            authorizations::registry_no,
            enterprises::name,
            enterprises::uscc,
            authorizations::product_code,
            authorizations::status,
            authorizations::granted_at,
        ))
        .load(conn)
}

pub fn holiday_dates(conn: &mut DbConnection) -> QueryResult<Vec<(String, String)>> {
    holidays::table
        .order(holidays::day.asc())
        .select((holidays::day, holidays::name))
        .load(conn)
}

/// Replaces the holiday list (one row at a time: no multi-row insert through the enum).
pub fn replace_holidays(conn: &mut DbConnection, days: &[(String, String)]) -> QueryResult<()> {
    diesel::delete(holidays::table).execute(conn)?;
    for (day, name) in days {
        diesel::insert_into(holidays::table)
            .values((holidays::day.eq(day), holidays::name.eq(name)))
            .execute(conn)?;
    }
    Ok(())
}

pub fn insert_fake_report(conn: &mut DbConnection, row: &FakeReportRow) -> QueryResult<()> {
    diesel::insert_into(fake_reports::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn fake_reports(
    conn: &mut DbConnection,
    status: Option<&str>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<FakeReportRow>, i64)> {
    let filtered = || {
        let mut query = fake_reports::table.into_boxed::<crate::db::MultiBackend>();
        if let Some(status) = status {
            query = query.filter(fake_reports::status.eq(status.to_owned()));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((fake_reports::created_at.desc(), fake_reports::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(FakeReportRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn fake_report(conn: &mut DbConnection, id: &str) -> QueryResult<Option<FakeReportRow>> {
    fake_reports::table
        .find(id)
        .select(FakeReportRow::as_select())
        .first(conn)
        .optional()
}

/// Closes an open report; 0 when it was not open any more.
pub fn close_fake_report(
    conn: &mut DbConnection,
    id: &str,
    by: &str,
    resolution: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        fake_reports::table
            .filter(fake_reports::id.eq(id))
            .filter(fake_reports::status.eq("open")),
    )
    .set((
        fake_reports::status.eq("closed"),
        fake_reports::resolution.eq(resolution),
        fake_reports::closed_by.eq(by),
        fake_reports::closed_at.eq(now),
    ))
    .execute(conn)
}

/// One row per right for the staff export: the right, its holder with contact data, product
/// and town names.
#[derive(Debug, Clone, Queryable)]
pub struct ExportRow {
    pub authorization_id: String,
    pub registry_no: String,
    pub status: String,
    pub basis: String,
    pub trademark_reg_no: Option<String>,
    pub announcement_no: String,
    pub announcement_date: String,
    pub granted_at: NaiveDateTime,
    pub status_changed_at: NaiveDateTime,
    pub product_name_zh: String,
    pub town_name_zh: String,
    pub enterprise_name: String,
    pub uscc: String,
    pub legal_representative: String,
    pub address: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub email: String,
}

pub fn export_rows(conn: &mut DbConnection) -> QueryResult<Vec<ExportRow>> {
    use crate::db::schema::{gi_products, towns};
    authorizations::table
        .inner_join(enterprises::table)
        .inner_join(gi_products::table)
        .inner_join(towns::table.on(towns::code.eq(authorizations::production_town)))
        .order(authorizations::registry_no.asc())
        .select((
            authorizations::id,
            authorizations::registry_no,
            authorizations::status,
            authorizations::basis,
            authorizations::trademark_reg_no,
            authorizations::announcement_no,
            authorizations::announcement_date,
            authorizations::granted_at,
            authorizations::status_changed_at,
            gi_products::name_zh,
            towns::name_zh,
            enterprises::name,
            enterprises::uscc,
            enterprises::legal_representative,
            enterprises::address,
            enterprises::contact_name,
            enterprises::contact_phone,
            enterprises::email,
        ))
        .load(conn)
}

/// (authorization id, year, marks used, output kg, sales) of one report.
pub type ReportSummary = (String, i32, i64, i64, i64);

/// Every report in short, latest year last for each right.
pub fn all_report_summaries(conn: &mut DbConnection) -> QueryResult<Vec<ReportSummary>> {
    usage_reports::table
        .order((
            usage_reports::authorization_id.asc(),
            usage_reports::year.asc(),
        ))
        .select((
            usage_reports::authorization_id,
            usage_reports::year,
            usage_reports::marks_used,
            usage_reports::output_kg,
            usage_reports::sales_cny,
        ))
        .load(conn)
}
