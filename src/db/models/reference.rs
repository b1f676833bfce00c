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
