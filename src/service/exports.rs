//! The staff export: every authorization with its holder's contact data and last usage report.

use std::collections::HashMap;

use super::{ServiceError, ServiceResult, ServiceState};
use crate::db::queries::usage as db;
use crate::domain::authorization::AuthorizationStatus;
use crate::domain::eligibility::Basis;
use crate::domain::roles::Actor;

/// A stored (UTC) moment as the bureau reads it: Beijing time, UTC+8 all year.
fn beijing(at: chrono::NaiveDateTime) -> String {
    (at + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The columns, in order, with Chinese headers as the bureau's spreadsheets have them.
pub const HEADERS: [&str; 21] = [
    "登记编号",
    "状态",
    "企业名称",
    "统一社会信用代码",
    "法定代表人",
    "地址",
    "联系人",
    "联系电话",
    "电子邮箱",
    "产品",
    "生产地",
    "使用依据",
    "商标注册号",
    "核准公告号",
    "公告日期",
    "授权时间(北京时间)",
    "状态变更时间(北京时间)",
    "最近报告年度",
    "标志使用数量",
    "产量(千克)",
    "销售额(元)",
];

/// One export row as text cells (numbers stay numbers where the sheet can use them).
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

pub async fn authorization_rows(
    state: &ServiceState,
    actor: &Actor,
) -> ServiceResult<Vec<Vec<Cell>>> {
    if !actor.role.is_staff() {
        return Err(ServiceError::Forbidden);
    }
    state
        .run(|conn| {
            let mut last_report: HashMap<String, (i32, i64, i64, i64)> = HashMap::new();
            for (id, year, marks, output, sales) in db::all_report_summaries(conn)? {
                last_report.insert(id, (year, marks, output, sales));
            }
            Ok(db::export_rows(conn)?
                .into_iter()
                .map(|r| {
                    let report = last_report.get(&r.authorization_id);
                    let text = |s: String| Cell::Text(s);
                    vec![
                        text(r.registry_no),
                        text(
                            r.status
                                .parse::<AuthorizationStatus>()
                                .map_or(r.status.clone(), |s| s.label_zh().to_owned()),
                        ),
                        text(r.enterprise_name),
                        text(r.uscc),
                        text(r.legal_representative),
                        text(r.address),
                        text(r.contact_name),
                        text(r.contact_phone),
                        text(r.email),
                        text(r.product_name_zh),
                        text(r.town_name_zh),
                        text(
                            r.basis
                                .parse::<Basis>()
                                .map_or(r.basis.clone(), |b| b.label_zh().to_owned()),
                        ),
                        r.trademark_reg_no.map_or(Cell::Empty, text),
                        text(r.announcement_no),
                        text(r.announcement_date),
                        text(beijing(r.granted_at)),
                        text(beijing(r.status_changed_at)),
                        report.map_or(Cell::Empty, |r| Cell::Number(r.0 as f64)),
                        report.map_or(Cell::Empty, |r| Cell::Number(r.1 as f64)),
                        report.map_or(Cell::Empty, |r| Cell::Number(r.2 as f64)),
                        report.map_or(Cell::Empty, |r| Cell::Number(r.3 as f64)),
                    ]
                })
                .collect())
        })
        .await
}
