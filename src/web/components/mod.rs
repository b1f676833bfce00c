//! The pieces pages are built of, each drawn in one place: the page skeleton (`layout`), form
//! fields with their errors beside them (`field`), the error summary, notices, status tags,
//! tables, pagers, the skeleton of a list page (`list`), the history of a record, and buttons that post a form with its CSRF token.
//! Pages compose these with `maud::html!`, which escapes every value it splices in.

pub mod case;
pub mod field;
pub mod layout;
pub mod list;

pub use case::{case_facts, case_number, due_date};
pub use field::{field_errors, whole_number, Control, FormErrors, SummaryField};
pub use layout::{layout, print_document, public_page};
pub use list::{filtered, list_section, listing, FilterQuery, ListSection};

use maud::{html, Markup};
use serde::Deserialize;

use super::format::when;
use super::labels;
use super::lang::Lang;
use crate::domain::authorization::AuthorizationStatus;
use crate::domain::workflow::ApplicationStatus;
use crate::service::applications::HistoryEntry;
use crate::service::public::ProductView;

/// The name of the hidden field every state-changing form carries.
pub const CSRF_FIELD: &str = "csrf";

/// The hidden field that proves a form came from one of our pages.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(token); }
}

/// The top of a refused form: how many problems there are, each a link to its field (the
/// form's own problems, which no field draws, first), so all of them are seen in one round.
/// It takes the focus when the page loads (`autofocus` on a `tabindex=-1` block, and the
/// page script for browsers that ignore that); nothing when there are no problems.
pub fn error_summary(lang: Lang, errors: &FormErrors, fields: &[SummaryField]) -> Markup {
    if errors.0.is_empty() {
        return html! {};
    }
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    let mut entries: Vec<(Option<&SummaryField>, &crate::domain::FieldError)> =
        errors.not_shown(&names).map(|e| (None, e)).collect();
    for field in fields {
        entries.extend(
            errors
                .0
                .iter()
                .filter(|e| e.field == field.name)
                .map(|e| (Some(field), e)),
        );
    }
    let count = entries.len();
    html! {
        div class="error-summary" role="alert" tabindex="-1" autofocus data-testid="error-summary" data-count=(count) {
            h2 {
                @if lang.zh() { "请修改以下 " (count) " 处" }
                @else { "Please correct " (count) " problem" @if count != 1 { "s" } }
            }
            ul {
                @for (field, error) in &entries {
                    li {
                        @match field {
                            Some(f) => a href={ "#" (f.id) } data-field=(f.name) {
                                @if !f.label.is_empty() { (f.label) (lang.pick("：", ": ")) }
                                (error.message.pick(lang.zh()))
                            },
                            None => (error.message.pick(lang.zh())),
                        }
                    }
                }
            }
        }
    }
}

/// What just happened, said at the top of the page.
pub fn notice(text: &str) -> Markup {
    html! { p class="notice" role="status" { (text) } }
}

/// What went wrong, said at the top of the page.
pub fn alert(text: &str) -> Markup {
    html! { p class="alert" role="alert" { (text) } }
}

/// A paragraph with a link back (to the list, to the search).
pub fn back_link(href: &str, label: &str) -> Markup {
    html! { p { a href=(href) { (label) } } }
}

/// An application's state as a tag; `data-status` is the hook tests read.
pub fn application_status_tag(lang: Lang, status: ApplicationStatus) -> Markup {
    html! {
        span class={ "tag app-" (status.as_str()) } data-status=(status.as_str()) {
            (labels::application_status(lang, status))
        }
    }
}

/// A right's state as a coloured tag; `data-right-status` is the hook tests read.
pub fn right_status_tag(lang: Lang, status: AuthorizationStatus) -> Markup {
    html! {
        span class={ "tag " (status.as_str()) } data-right-status=(status.as_str()) {
            (labels::authorization_status(lang, status))
        }
    }
}

/// A form that posts to `url` with the CSRF token, drawing its own validation.
pub fn post_form(url: &str, csrf: &str, body: Markup) -> Markup {
    html! { form method="post" action=(url) novalidate { (csrf_field(csrf)) (body) } }
}

/// A form that posts a file (multipart) to `url` with the CSRF token.
pub fn upload_form(url: &str, csrf: &str, body: Markup) -> Markup {
    html! {
        form method="post" action=(url) enctype="multipart/form-data" novalidate {
            (csrf_field(csrf)) (body)
        }
    }
}

/// The submit button of a form, on its own line.
pub fn submit_button(label: &str, class: Option<&str>, testid: Option<&str>) -> Markup {
    html! { p { button type="submit" class=[class] data-testid=[testid] { (label) } } }
}

/// A button that posts a one-field form (an action such as submit or withdraw, or sign out).
pub fn action_button(url: &str, csrf: &str, label: &str, class: Option<&str>) -> Markup {
    html! {
        form method="post" action=(url) {
            (csrf_field(csrf))
            button type="submit" class=[class] { (label) }
        }
    }
}

/// An action that needs words first (a reason, an opinion): its form folded under its name,
/// opened when it comes back refused.
pub struct ActionForm<'a> {
    /// The `data-action` hook, when the form is one of a record's actions.
    pub action: Option<&'a str>,
    pub label: &'a str,
    pub url: &'a str,
    pub csrf: &'a str,
    pub open: bool,
    /// Cannot be undone, or takes something away: a red button.
    pub danger: bool,
    pub summary: Markup,
    pub inputs: Markup,
}

pub fn action_form(form: ActionForm<'_>) -> Markup {
    let class = form.danger.then_some("danger");
    html! {
        details class={ "action" @if form.danger { " danger" } } data-action=[form.action] open[form.open] {
            summary { (form.label) }
            (post_form(form.url, form.csrf, html! {
                (form.summary)
                (form.inputs)
                (submit_button(form.label, class, None))
            }))
        }
    }
}

/// A page whose heart is one form: its title, what to know first, the form with the error
/// summary on top, its fields and the submit button, and what follows the form.
pub struct FormSection<'a> {
    pub title: &'a str,
    pub hint: Option<&'a str>,
    pub url: &'a str,
    pub csrf: &'a str,
    pub errors: &'a FormErrors,
    /// The fields the form draws, which the error summary links to.
    pub shown: &'a [SummaryField],
    pub fields: Markup,
    pub submit: &'a str,
    pub after: Markup,
}

pub fn form_section(lang: Lang, form: FormSection<'_>) -> Markup {
    html! {
        section {
            h2 { (form.title) }
            @if let Some(hint) = form.hint { p class="muted" { (hint) } }
            (post_form(form.url, form.csrf, html! {
                (error_summary(lang, form.errors, form.shown))
                (form.fields)
                (submit_button(form.submit, None, None))
            }))
            (form.after)
        }
    }
}

/// The list filter of staff pages: a GET form choosing a status (`statuses`, the first being
/// "any") and a product, with one button.
pub fn status_and_product_filter(
    lang: Lang,
    url: &str,
    query: (&str, &str),
    statuses: Vec<(String, String)>,
    products: &[ProductView],
    errors: &FormErrors,
) -> Markup {
    let (status, product) = query;
    html! {
        form method="get" action=(url) class="search" {
            (Control::select("status", lang.pick("状态", "Status"), status, statuses).draw(lang, errors))
            (Control::select("product", lang.pick("产品", "Product"), product, labels::product_choices(lang, products)).draw(lang, errors))
            p { button type="submit" { (lang.pick("筛选", "Filter")) } }
        }
    }
}

/// A table that scrolls sideways on a phone (or, `stacked`, turns each row into a block);
/// `rows` are its `<tr>`s.
pub fn table(headers: &[&str], testid: Option<&str>, stacked: bool, rows: Markup) -> Markup {
    html! {
        div class="table-wrap" {
            table class=[stacked.then_some("stack")] data-testid=[testid] {
                thead { tr { @for header in headers { th { (header) } } } }
                tbody { (rows) }
            }
        }
    }
}

/// The `?page=` of a list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    pub page: Option<i64>,
}

/// How a pager tells where the reader is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PagerStyle {
    /// The public search: "第 2 / 5 页", nothing at all when one page holds everything.
    Public,
    /// Staff and producers' lists: the total, then the page, always.
    Counted,
}

/// Links to the previous and next page; `link(n)` is the address of page `n`.
pub fn pager(
    lang: Lang,
    style: PagerStyle,
    page: i64,
    per_page: i64,
    total: i64,
    link: impl Fn(i64) -> String,
) -> Markup {
    let per_page = per_page.max(1);
    let last = ((total + per_page - 1) / per_page).max(1);
    let previous = lang.pick("‹ 上一页", "‹ Previous");
    let next = lang.pick("下一页 ›", "Next ›");
    html! {
        @match style {
            PagerStyle::Public => @if last > 1 {
                nav class="pager" data-testid="pager" {
                    @if page > 1 { a rel="prev" href=(link(page - 1)) { (previous) } " " }
                    span {
                        @if lang.zh() { "第 " (page) " / " (last) " 页" }
                        @else { "Page " (page) " of " (last) }
                    }
                    @if page < last { " " a rel="next" href=(link(page + 1)) { (next) } }
                }
            },
            PagerStyle::Counted => {
                p class="muted" {
                    (lang.pick("共", "Total")) " " (total) " · " (lang.pick("页", "page")) " " (page) "/" (last)
                }
                p class="actions" {
                    @if page > 1 { a rel="prev" href=(link(page - 1)) { (previous) } }
                    @if page < last { a rel="next" href=(link(page + 1)) { (next) } }
                }
            },
        }
    }
}

/// The history of an application or a right, from its journal events.
pub fn history(lang: Lang, entries: &[HistoryEntry]) -> Markup {
    let headers = [
        lang.pick("时间", "When"),
        lang.pick("事项", "What"),
        lang.pick("状态", "Status"),
        lang.pick("办理人", "By"),
        lang.pick("说明", "Comment"),
    ];
    html! {
        section {
            h2 { (lang.pick("办理记录", "History")) }
            (table(&headers, Some("history"), false, html! {
                @for entry in entries {
                    tr {
                        td { (when(entry.at)) }
                        td { (labels::history_action(lang, &entry.action)) }
                        td { (labels::history_status(lang, entry.to_status.as_deref().unwrap_or(""))) }
                        td data-testid="history-actor" {
                            (labels::actor_role(lang, &entry.actor_role))
                            @if let (Some(name), Some(username)) = (&entry.actor_name, &entry.actor_username) {
                                " · " (name) " "
                                span class="muted code" { "(" (username) ")" }
                            }
                        }
                        td { (entry.comment.as_deref().unwrap_or("")) }
                    }
                }
            }))
        }
    }
}
