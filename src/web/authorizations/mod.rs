//! Rights to use the mark. A producer sees their own (`/authorizations`): each with the QR
//! code to print beside the mark, its usage reports and the form for the report of a past
//! year. Staff keep the register of rights (`/review/authorizations`), open one right and
//! move it (suspend, reinstate, revoke, surrender).

mod act;
mod certificate;
mod label_sheet;
mod labels;
mod mine;
mod register;
mod right;

pub use act::{act_on_right, resume_move};
pub use certificate::certificate;
pub use label_sheet::{codes_csv as label_codes_csv, print_sheet as label_print_sheet};
pub use labels::{labels_of_right, order_batch as order_label_batch, set_quota as set_label_quota};
pub use mine::{file_report, my_rights, resume_report};
pub use register::register_of_rights;
pub use right::right;

use maud::{html, Markup};

use crate::service::usage::UsageReportView;
use crate::web::components::table;
use crate::web::lang::Lang;

/// The yearly usage reports of one right, for its holder and for staff.
fn reports_table(lang: Lang, reports: &[UsageReportView]) -> Markup {
    if reports.is_empty() {
        return html! { p class="muted" { (lang.pick("尚未提交。", "None filed yet.")) } };
    }
    let headers = [
        lang.pick("年度", "Year"),
        lang.pick("使用标志（枚）", "Marks used"),
        lang.pick("产量（千克）", "Output (kg)"),
        lang.pick("销售额（元）", "Sales (CNY)"),
    ];
    table(
        &headers,
        None,
        false,
        html! {
            @for r in reports {
                tr { td { (r.year) } td { (r.marks_used) } td { (r.output_kg) } td { (r.sales_cny) } }
            }
        },
    )
}
