//! The reviewer's side of an application page: who applies and how to reach them, and what
//! the producer changed since the last return (staff only; the service gives none to the
//! producer).

use maud::{html, Markup};

use crate::domain::eligibility::AttachmentKind;
use crate::service::applications::{ChangesSinceReturn, DocumentRef, ReviewerContext};
use crate::web::components::table;
use crate::web::format::when;
use crate::web::labels;
use crate::web::lang::Lang;

pub(super) fn reviewer_context(lang: Lang, context: &ReviewerContext) -> Markup {
    let applicant = &context.applicant;
    html! {
        section data-testid="applicant-contact" {
            h2 { (lang.pick("申请人信息", "Applicant")) }
            dl class="facts" {
                dt { (lang.pick("企业名称", "Enterprise")) }
                dd { (applicant.name) }
                dt { (lang.pick("统一社会信用代码", "Credit code")) }
                dd class="code" { (applicant.uscc) }
                @if let Some(reason) = &applicant.uscc_exception_reason {
                    dt { (lang.pick("代码校验例外", "Check-digit exception")) }
                    dd data-testid="uscc-exception" { (reason) }
                }
                @if !applicant.former_names.is_empty() {
                    dt { (lang.pick("曾用名", "Former names")) }
                    dd data-testid="former-names" {
                        @for (i, former) in applicant.former_names.iter().enumerate() {
                            @if i > 0 { "；" }
                            (former.name) " (" (lang.pick("至 ", "until ")) (when(former.until)) ")"
                        }
                    }
                }
                dt { (lang.pick("法定代表人", "Legal representative")) }
                dd { (applicant.legal_representative) }
                dt { (lang.pick("地址", "Address")) }
                dd { (applicant.address) " (" (applicant.town) ")" }
                dt { (lang.pick("联系人", "Contact")) }
                dd data-testid="contact-name" { (applicant.contact_name) }
                dt { (lang.pick("联系电话", "Phone")) }
                dd { a href={ "tel:" (applicant.contact_phone) } data-testid="contact-phone" { (applicant.contact_phone) } }
                dt { (lang.pick("电子邮箱", "E-mail")) }
                dd { a href={ "mailto:" (applicant.email) } data-testid="contact-email" { (applicant.email) } }
                dt { (lang.pick("申请人账号", "Applicant accounts")) }
                dd {
                    @for (i, account) in applicant.accounts.iter().enumerate() {
                        @if i > 0 { "、" }
                        (account.display_name) " "
                        span class="muted code" { "(" (account.username) ")" }
                        @if !account.active { " " (lang.pick("（已停用）", "(disabled)")) }
                    }
                }
            }
        }
        @if let Some(changes) = &context.changes_since_return {
            (changes_since_return(lang, changes))
        }
    }
}

fn document_name(lang: Lang, doc: &DocumentRef) -> String {
    let kind = doc
        .kind
        .parse::<AttachmentKind>()
        .map(|kind| labels::document(lang, kind))
        .unwrap_or_else(|_| doc.kind.clone());
    format!("{kind}: {}", doc.filename)
}

fn changes_since_return(lang: Lang, changes: &ChangesSinceReturn) -> Markup {
    let nothing = changes.fields.is_empty()
        && changes.documents_added.is_empty()
        && changes.documents_removed.is_empty();
    let headers = [
        lang.pick("项目", "Field"),
        lang.pick("退回时", "When returned"),
        lang.pick("现在", "Now"),
    ];
    html! {
        section data-testid="changes-since-return" {
            h2 { (lang.pick("退回后的修改", "Changed since the return")) }
            p class="muted" {
                (lang.pick("与", "Compared with the version returned on "))
                (when(changes.returned_at))
                (lang.pick(" 退回的版本相比。", "."))
            }
            @if nothing {
                p data-testid="no-changes" { (lang.pick("退回后没有任何修改。", "Nothing has changed since the return.")) }
            }
            @if !changes.fields.is_empty() {
                (table(&headers, Some("changed-fields"), true, html! {
                    @for change in &changes.fields {
                        tr data-field=(change.field) {
                            td { (labels::field(lang, &change.field)) }
                            td { del { (change.before.as_deref().unwrap_or("—")) } }
                            td { ins { (change.after.as_deref().unwrap_or("—")) } }
                        }
                    }
                }))
            }
            @if !changes.documents_added.is_empty() {
                h3 { (lang.pick("新上传的材料", "Documents added")) }
                ul data-testid="documents-added" {
                    @for doc in &changes.documents_added { li { (document_name(lang, doc)) } }
                }
            }
            @if !changes.documents_removed.is_empty() {
                h3 { (lang.pick("已删除的材料", "Documents removed")) }
                ul data-testid="documents-removed" {
                    @for doc in &changes.documents_removed { li { del { (document_name(lang, doc)) } } }
                }
            }
        }
    }
}
