use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::enterprise_change::{ChangeDocumentRow, EnterpriseChangeRow};
use crate::db::schema::{
    authorizations, enterprise_change_documents, enterprise_changes, enterprises,
};
use crate::db::DbConnection;

pub fn insert(conn: &mut DbConnection, row: &EnterpriseChangeRow) -> QueryResult<()> {
    diesel::insert_into(enterprise_changes::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<EnterpriseChangeRow>> {
    enterprise_changes::table
        .find(id)
        .select(EnterpriseChangeRow::as_select())
        .first(conn)
        .optional()
}

/// One page of requests, newest first: of one enterprise (`Some`) or all, in one status or any.
pub fn list(
    conn: &mut DbConnection,
    enterprise_id: Option<&str>,
    status: Option<&str>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<EnterpriseChangeRow>, i64)> {
    let filtered = || {
        let mut query = enterprise_changes::table.into_boxed();
        if let Some(id) = enterprise_id {
            query = query.filter(enterprise_changes::enterprise_id.eq(id.to_owned()));
        }
        if let Some(status) = status {
            query = query.filter(enterprise_changes::status.eq(status.to_owned()));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((
            enterprise_changes::created_at.desc(),
            enterprise_changes::id.desc(),
        ))
        .offset(offset)
        .limit(limit)
        .select(EnterpriseChangeRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// The approved changes of an enterprise, oldest first (its history of names and details).
pub fn approved_of(
    conn: &mut DbConnection,
    enterprise_id: &str,
) -> QueryResult<Vec<EnterpriseChangeRow>> {
    enterprise_changes::table
        .filter(enterprise_changes::enterprise_id.eq(enterprise_id))
        .filter(enterprise_changes::status.eq("approved"))
        .order(enterprise_changes::decided_at.asc())
        .select(EnterpriseChangeRow::as_select())
        .load(conn)
}

/// (enterprise id, former name, when it changed) of every renaming approved since `since`.
pub fn renamings_since(
    conn: &mut DbConnection,
    since: NaiveDateTime,
) -> QueryResult<Vec<(String, String, Option<NaiveDateTime>)>> {
    enterprise_changes::table
        .filter(enterprise_changes::status.eq("approved"))
        .filter(enterprise_changes::name.is_not_null())
        .filter(enterprise_changes::decided_at.ge(since))
        .order(enterprise_changes::decided_at.asc())
        .select((
            enterprise_changes::enterprise_id,
            enterprise_changes::old_name,
            enterprise_changes::decided_at,
        ))
        .load(conn)
}

/// Decides a request still open (with the announcement of an approval, if given); 0 when it
/// was decided meanwhile.
pub fn decide(
    conn: &mut DbConnection,
    id: &str,
    status: &str,
    decided_by: &str,
    decision_reason: Option<&str>,
    announcement: Option<(&str, &str)>,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        enterprise_changes::table
            .filter(enterprise_changes::id.eq(id))
            .filter(enterprise_changes::status.eq("submitted")),
    )
    .set((
        enterprise_changes::status.eq(status),
        enterprise_changes::decided_by.eq(decided_by),
        enterprise_changes::decision_reason.eq(decision_reason),
        enterprise_changes::decided_at.eq(at),
        enterprise_changes::announcement_no.eq(announcement.map(|a| a.0)),
        enterprise_changes::announcement_date.eq(announcement.map(|a| a.1)),
    ))
    .execute(conn)
}

/// Writes an enterprise's new details.
pub fn update_enterprise(
    conn: &mut DbConnection,
    enterprise_id: &str,
    name: &str,
    address: &str,
    legal_representative: &str,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(enterprises::table.find(enterprise_id))
        .set((
            enterprises::name.eq(name),
            enterprises::address.eq(address),
            enterprises::legal_representative.eq(legal_representative),
            enterprises::updated_at.eq(at),
        ))
        .execute(conn)
}

/// (id, registry number) of an enterprise's rights, to write their search text again.
pub fn rights_of(
    conn: &mut DbConnection,
    enterprise_id: &str,
) -> QueryResult<Vec<(String, String)>> {
    authorizations::table
        .filter(authorizations::enterprise_id.eq(enterprise_id))
        .select((authorizations::id, authorizations::registry_no))
        .load(conn)
}

pub fn set_search_text(conn: &mut DbConnection, id: &str, text: &str) -> QueryResult<usize> {
    diesel::update(authorizations::table.find(id))
        .set(authorizations::search_text.eq(text))
        .execute(conn)
}

pub fn insert_document(conn: &mut DbConnection, row: &ChangeDocumentRow) -> QueryResult<()> {
    diesel::insert_into(enterprise_change_documents::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// A change request's documents, in the order they came.
pub fn documents_of(
    conn: &mut DbConnection,
    change_id: &str,
) -> QueryResult<Vec<ChangeDocumentRow>> {
    enterprise_change_documents::table
        .filter(enterprise_change_documents::change_id.eq(change_id))
        .order((
            enterprise_change_documents::created_at.asc(),
            enterprise_change_documents::id.asc(),
        ))
        .select(ChangeDocumentRow::as_select())
        .load(conn)
}

pub fn count_documents(conn: &mut DbConnection, change_id: &str) -> QueryResult<i64> {
    enterprise_change_documents::table
        .filter(enterprise_change_documents::change_id.eq(change_id))
        .count()
        .get_result(conn)
}

pub fn document(
    conn: &mut DbConnection,
    change_id: &str,
    document_id: &str,
) -> QueryResult<Option<ChangeDocumentRow>> {
    enterprise_change_documents::table
        .filter(enterprise_change_documents::change_id.eq(change_id))
        .filter(enterprise_change_documents::id.eq(document_id))
        .select(ChangeDocumentRow::as_select())
        .first(conn)
        .optional()
}

/// (change, holder's credit code) of every approved change that names its announcement, in
/// the order they were decided: the register's announcements list them.
pub fn announced(conn: &mut DbConnection) -> QueryResult<Vec<(EnterpriseChangeRow, String)>> {
    enterprise_changes::table
        .inner_join(enterprises::table)
        .filter(enterprise_changes::status.eq("approved"))
        .filter(enterprise_changes::announcement_no.is_not_null())
        .order((
            enterprise_changes::decided_at.asc(),
            enterprise_changes::id.asc(),
        ))
        .select((EnterpriseChangeRow::as_select(), enterprises::uscc))
        .load(conn)
}
