use diesel::prelude::*;

use crate::db::schema::towns;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = towns)]
pub struct TownRow {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: String,
    pub sort_order: i32,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::gi_products)]
pub struct ProductRow {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub category: String,
    pub legal_basis: String,
    pub protection_announcement: String,
    pub protection_date: Option<String>,
    pub protected_area: String,
    pub standard_code: Option<String>,
    pub certification_mark_reg_no: Option<String>,
    pub active: bool,
}
