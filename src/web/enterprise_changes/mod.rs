//! Changes of a holder's details (变更) in the browser: the holder asks for one and follows it
//! at `/enterprise-changes`; staff decide at `/review/enterprise-changes`. The same use cases
//! as `/api/v1/enterprise-changes`.

mod holder;
mod staff;

pub use holder::{
    change_document, my_changes, request_change, resume_request, upload_change_document,
};
pub use staff::{changes_to_decide, decide_change};

use maud::{html, Markup};

use crate::service::enterprise_changes::EnterpriseChangeView;
use crate::web::components::table;
use crate::web::format::{url_encode, when};
use crate::web::lang::Lang;

fn status_label(lang: Lang, status: &str) -> &'static str {
    match status {
        "submitted" => lang.pick("待审核", "Waiting"),
        "approved" => lang.pick("已核准", "Approved"),
        _ => lang.pick("未核准", "Rejected"),
    }
}

/// What a request asks: each field changed, old → new.
fn asked(lang: Lang, change: &EnterpriseChangeView) -> Markup {
    let rows = [
        (lang.pick("名称", "Name"), &change.old_name, &change.name),
        (
            lang.pick("住所", "Address"),
            &change.old_address,
            &change.address,
        ),
        (
            lang.pick("法定代表人", "Legal representative"),
            &change.old_legal_representative,
            &change.legal_representative,
        ),
    ];
    html! {
        ul {
            @for (label, old, new) in rows {
                @if let Some(new) = new {
                    li { (label) "：" del { (old) } " → " ins { (new) } }
                }
            }
        }
    }
}

/// The requests as a table; `actions` draws what may be done with an open one.
fn changes_table(
    lang: Lang,
    changes: &[EnterpriseChangeView],
    actions: impl Fn(&EnterpriseChangeView) -> Markup,
) -> Markup {
    let headers = [
        lang.pick("企业", "Enterprise"),
        lang.pick("变更事项", "Changes"),
        lang.pick("理由", "Reason"),
        lang.pick("状态", "Status"),
        lang.pick("办理期限", "Due by"),
    ];
    html! {
        (table(&headers, Some("enterprise-changes"), true, html! {
            @for c in changes {
                tr data-change=(c.id) data-status=(c.status) {
                    td data-label=(headers[0]) { (c.enterprise_name) div class="code muted" { (c.uscc) } }
                    td data-label=(headers[1]) { (asked(lang, c)) }
                    td data-label=(headers[2]) {
                        (c.reason)
                        @if !c.documents.is_empty() {
                            ul class="documents" data-testid="change-documents" {
                                @for d in &c.documents {
                                    li {
                                        a href={ "/enterprise-changes/" (url_encode(&c.id)) "/documents/" (url_encode(&d.id)) } { (d.filename) }
                                        " " span class="muted" { ((d.size + 1023) / 1024) " KB" }
                                    }
                                }
                            }
                        }
                    }
                    td data-label=(headers[3]) {
                        (status_label(lang, &c.status))
                        @if let Some(at) = c.decided_at { div class="muted" { (when(at)) } }
                        @if let Some(why) = &c.decision_reason { div class="muted" { (why) } }
                        @if let Some(by) = &c.decided_by { div class="muted code" { (by) } }
                    }
                    td data-label=(headers[4]) class=[c.overdue.then_some("overdue")] {
                        (c.due_date.to_string())
                        @if c.overdue { " " (lang.pick("已超期", "overdue")) }
                    }
                }
                @if c.status == "submitted" {
                    tr { td colspan="5" { (actions(c)) } }
                }
            }
        }))
    }
}
