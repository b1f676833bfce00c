use diesel::prelude::*;

use crate::db::models::reference::{ProductRow, TownRow};
use crate::db::schema::{gi_products, product_towns, towns};
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

pub fn product(conn: &mut DbConnection, code: &str) -> QueryResult<Option<ProductRow>> {
    gi_products::table
        .find(code)
        .select(ProductRow::as_select())
        .first(conn)
        .optional()
}

pub fn products(conn: &mut DbConnection) -> QueryResult<Vec<ProductRow>> {
    gi_products::table
        .order(gi_products::code.asc())
        .select(ProductRow::as_select())
        .load(conn)
}

/// The town codes inside a product's protected area.
pub fn product_town_codes(conn: &mut DbConnection, product_code: &str) -> QueryResult<Vec<String>> {
    product_towns::table
        .filter(product_towns::product_code.eq(product_code))
        .select(product_towns::town_code)
        .order(product_towns::town_code.asc())
        .load(conn)
}

pub fn towns(conn: &mut DbConnection) -> QueryResult<Vec<TownRow>> {
    towns::table
        .order(towns::sort_order.asc())
        .select(TownRow::as_select())
        .load(conn)
}
