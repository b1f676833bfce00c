//! `/authorizations/{id}/labels`: a right's labels, one code per printed mark (issue 17).
//! Staff set the year's quota; the holder orders batches within it while the right is
//! active; both download a batch's codes (CSV for the printer) and its print sheet of QR codes.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use crate::service::authorizations::{self, AuthorizationView};
use crate::service::labels::issue::{self, BatchInput, LabelsOfRight, QuotaInput};
use crate::service::{ServiceError, ServiceState};
use crate::web::components::{
    alert, back_link, error_summary, notice, post_form, right_status_tag, submit_button, table,
    whole_number, Control, FormErrors, SummaryField,
};
use crate::web::errors::PageError;
use crate::web::format::{url_encode, when};
use crate::web::session::{CsrfForm, SignedIn};

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct BatchForm {
    quantity: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct QuotaForm {
    year: String,
    quantity: String,
}

/// Which form a refused submission came from, with what was typed and the problems.
enum Typed {
    Batch(BatchForm, FormErrors),
    Quota(QuotaForm, FormErrors),
}

fn page_of(id: &str) -> String {
    format!("/authorizations/{}/labels", url_encode(id))
}

fn quota_summary(session: &SignedIn, labels: &LabelsOfRight) -> Markup {
    let v = &session.visitor;
    html! {
        dl class="facts" data-testid="label-quota" {
            dt { (labels.year) (v.pick(" 年配额", " quota")) }
            @match &labels.quota {
                Some(q) => {
                    dd data-quantity=(q.quantity) data-issued=(q.issued) data-remaining=(q.remaining) {
                        (v.pick("已发放 ", "issued ")) (q.issued) " / " (q.quantity)
                        (v.pick(" 枚 · 尚余 ", " · left ")) (q.remaining)
                    }
                }
                None => dd { (v.pick("尚未核定（请联系登记机关）", "none set yet (ask the registry)")) }
            }
        }
    }
}

fn batches_table(session: &SignedIn, labels: &LabelsOfRight) -> Markup {
    let v = &session.visitor;
    if labels.batches.is_empty() {
        return html! { p class="muted" { (v.pick("尚未发放标签。", "No labels issued yet.")) } };
    }
    let headers = [
        v.pick("批次", "Batch"),
        v.pick("数量（枚）", "Labels"),
        v.pick("发放时间", "Issued"),
        v.pick("下载", "Download"),
    ];
    table(
        &headers,
        Some("label-batches"),
        true,
        html! {
            @for b in &labels.batches {
                tr data-batch=(b.batch_no) {
                    td class="code" data-label=(headers[0]) { (b.batch_no) }
                    td data-label=(headers[1]) { (b.quantity) }
                    td data-label=(headers[2]) { (when(b.issued_at)) }
                    td data-label=(headers[3]) {
                        a href={ "/label-batches/" (url_encode(&b.id)) "/codes.csv" } data-testid="codes-csv" {
                            (v.pick("标签码 CSV（印刷用）", "Codes as CSV (for the printer)"))
                        }
                        " · "
                        a href={ "/label-batches/" (url_encode(&b.id)) "/sheet" } data-testid="print-sheet" {
                            (v.pick("二维码打印页", "Print sheet of QR codes"))
                        }
                    }
                }
            }
        },
    )
}

async fn labels_page(
    state: &ServiceState,
    session: &SignedIn,
    id: &str,
    status: StatusCode,
    typed: Option<Typed>,
    message: Option<Markup>,
) -> Result<HttpResponse, PageError> {
    let v = &session.visitor;
    let lang = v.lang;
    let right: AuthorizationView = authorizations::get(state, &session.actor, id.to_owned())
        .await
        .map_err(|e| session.error(e))?;
    let labels = issue::of_right(state, &session.actor, id.to_owned())
        .await
        .map_err(|e| session.error(e))?;
    let staff = crate::domain::labels::may_set_quota(&session.actor);
    let no_errors = FormErrors::default();
    let (batch_form, batch_errors) = match &typed {
        Some(Typed::Batch(form, errors)) => (form.clone(), errors),
        _ => (BatchForm::default(), &no_errors),
    };
    let (quota_form, quota_errors) = match &typed {
        Some(Typed::Quota(form, errors)) => (form.clone(), errors),
        _ => (
            QuotaForm {
                year: labels.year.to_string(),
                quantity: labels
                    .quota
                    .as_ref()
                    .map(|q| q.quantity.to_string())
                    .unwrap_or_default(),
            },
            &no_errors,
        ),
    };
    let can_order = right.status == crate::domain::labels::ISSUED_UNDER
        && labels.quota.as_ref().is_some_and(|q| q.remaining > 0);
    let base = page_of(&right.id);
    let back = if staff {
        format!("/review/authorizations/{}", url_encode(&right.id))
    } else {
        "/authorizations".to_owned()
    };
    let years: Vec<(String, String)> = (labels.year - 1..=labels.year + 1)
        .map(|y| (y.to_string(), y.to_string()))
        .collect();
    let body = html! {
        @if let Some(message) = message { (message) }
        section data-testid="labels-of-right" {
            h2 { (v.pick("标签", "Labels")) " · " span class="code" { (right.registry_no) } }
            p { (right.enterprise.name) " · " (right.product_name_zh) " " (right_status_tag(lang, right.status)) }
            p class="muted" {
                (v.pick(
                    "每枚标签有自己的查验码：消费者扫码即知真伪和查验次数，复制的码很快会显示警告。",
                    "Each label has its own code: a shopper who scans it sees whether it is genuine and how often it was checked, so a copied code soon shows a warning.",
                ))
            }
            (quota_summary(session, &labels))
            @if staff {
                @let controls = [
                    Control::select("year", v.pick("年度", "Year"), &quota_form.year, years.clone()).required().within("quota"),
                    Control::input("text", "quantity", v.pick("年度配额（枚）", "Yearly quota (labels)"), &quota_form.quantity)
                        .required().input_mode("numeric").max_length(9).within("quota"),
                ];
                @let shown: Vec<SummaryField> = controls.iter().map(Control::summary_field).collect();
                h3 { (v.pick("核定年度配额", "Set the yearly quota")) }
                (post_form(&format!("{base}/quota"), &v.csrf, html! {
                    (error_summary(lang, quota_errors, &shown))
                    @for control in &controls { (control.draw(lang, quota_errors)) }
                    (submit_button(v.pick("保存配额", "Save the quota"), None, Some("set-quota")))
                }))
            }
            @if can_order || matches!(typed, Some(Typed::Batch(..))) {
                @let control = Control::input("text", "quantity", v.pick("本批数量（枚）", "Labels in this batch"), &batch_form.quantity)
                    .required().input_mode("numeric").max_length(6).within("batch");
                h3 { (v.pick("申领一批标签", "Order a batch of labels")) }
                (post_form(&format!("{base}/batches"), &v.csrf, html! {
                    (error_summary(lang, batch_errors, &[control.summary_field()]))
                    (control.draw(lang, batch_errors))
                    (submit_button(v.pick("申领", "Order"), None, Some("order-batch")))
                }))
            }
            h3 { (v.pick("已发放批次", "Batches issued")) }
            (batches_table(session, &labels))
        }
        (back_link(&back, v.pick("‹ 返回", "‹ Back")))
    };
    let title = format!("{} {}", v.pick("标签", "Labels"), right.registry_no);
    Ok(session.render(status, &title, body))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LabelsQuery {
    notice: String,
}

pub async fn labels_of_right(
    state: web::Data<ServiceState>,
    session: SignedIn,
    id: web::Path<String>,
    query: web::Query<LabelsQuery>,
) -> Result<HttpResponse, PageError> {
    let v = &session.visitor;
    let message = match query.notice.as_str() {
        "ordered" => Some(notice(v.pick(
            "已发放：下载标签码 CSV 交印刷厂，或打印二维码页。",
            "Issued: download the codes as CSV for the printer, or print the sheet of QR codes.",
        ))),
        "quota" => Some(notice(v.pick("配额已保存。", "Quota saved."))),
        _ => None,
    };
    labels_page(&state, &session, &id, StatusCode::OK, None, message).await
}

/// Refusals as the page shows them: beside the field, or on top for a state that forbids it.
async fn refused(
    state: &ServiceState,
    session: &SignedIn,
    id: &str,
    error: ServiceError,
    typed: impl FnOnce(FormErrors) -> Typed,
) -> Result<HttpResponse, PageError> {
    match error {
        ServiceError::Invalid(problems) => {
            let typed = typed(FormErrors(problems));
            labels_page(
                state,
                session,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(typed),
                None,
            )
            .await
        }
        ServiceError::Conflict(message) => {
            let text = message.pick(session.visitor.lang.zh()).to_owned();
            labels_page(
                state,
                session,
                id,
                StatusCode::CONFLICT,
                None,
                Some(alert(&text)),
            )
            .await
        }
        other => Err(session.error(other)),
    }
}

pub async fn order_batch(
    state: web::Data<ServiceState>,
    session: SignedIn,
    id: web::Path<String>,
    form: CsrfForm<BatchForm>,
) -> Result<HttpResponse, PageError> {
    let (id, form) = (id.into_inner(), form.0);
    let ordered = match whole_number("quantity", &form.quantity) {
        Ok(quantity) => {
            issue::order_batch(&state, &session.actor, id.clone(), BatchInput { quantity }).await
        }
        Err(problem) => Err(ServiceError::Invalid(vec![problem])),
    };
    match ordered {
        Ok(_) => Ok(session
            .visitor
            .redirect(&format!("{}?notice=ordered", page_of(&id)))),
        Err(error) => refused(&state, &session, &id, error, |e| Typed::Batch(form, e)).await,
    }
}

pub async fn set_quota(
    state: web::Data<ServiceState>,
    session: SignedIn,
    id: web::Path<String>,
    form: CsrfForm<QuotaForm>,
) -> Result<HttpResponse, PageError> {
    let (id, form) = (id.into_inner(), form.0);
    let input = match (
        whole_number("year", &form.year),
        whole_number("quantity", &form.quantity),
    ) {
        (Ok(year), Ok(quantity)) => Ok(QuotaInput {
            year: year.clamp(0, 9999) as i32,
            quantity,
        }),
        (year, quantity) => Err([year.err(), quantity.err()].into_iter().flatten().collect()),
    };
    let set = match input {
        Ok(input) => issue::set_quota(&state, &session.actor, id.clone(), input).await,
        Err(problems) => Err(ServiceError::Invalid(problems)),
    };
    match set {
        Ok(_) => Ok(session
            .visitor
            .redirect(&format!("{}?notice=quota", page_of(&id)))),
        Err(error) => refused(&state, &session, &id, error, |e| Typed::Quota(form, e)).await,
    }
}

/// The link to a right's labels page with this year's figures, for the holder's and the
/// staff's right pages.
pub(super) fn labels_link(
    session: &SignedIn,
    right_id: &str,
    issued: Option<(i64, i64)>,
) -> Markup {
    let v = &session.visitor;
    html! {
        a href=(page_of(right_id)) data-testid="labels-link" {
            (v.pick("标签（一标一码）", "Labels (one code per mark)"))
            @if let Some((issued, quota)) = issued {
                " · " (v.pick("本年已发放 ", "issued this year ")) (issued) " / " (quota)
            }
        }
    }
}
