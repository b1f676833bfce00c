use diesel::prelude::*;

use crate::db::models::reference::TownRow;
use crate::db::schema::towns;
use crate::db::DbConnection;

/// A town by its code, Chinese name or English name (case-insensitive for the latter two).
pub fn find_town(conn: &mut DbConnection, key: &str) -> QueryResult<Option<TownRow>> {
    let key = key.trim();
    let lower = key.to_lowercase();
    towns::table
        .filter(towns::code.eq(&lower).or(towns::name_zh.eq(key)))
        .select(TownRow::as_select())
        .first(conn)
        .optional()
}

pub fn town_by_code(conn: &mut DbConnection, code: &str) -> QueryResult<TownRow> {
    towns::table
        .find(code)
        .select(TownRow::as_select())
        .first(conn)
}
