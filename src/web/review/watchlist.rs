//! `/review/watchlist`: rights with an overdue usage report or meeting the two-year non-use
//! ground.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;

use super::staff_only;
use crate::domain::usage::WatchReason;
use crate::service::paging::PageRequest;
use crate::service::usage::{self, WatchEntry, WatchQuery};
use crate::service::ServiceState;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::domain::abnormal::AbnormalReason;
use crate::domain::{FieldError, Localized};
use crate::service::abnormal::{self, AbnormalInput};
use crate::service::ServiceError;
use crate::web::components::{
    csrf_field, field_errors, list_section, listing, table, FormErrors, ListSection, PageQuery,
    PagerStyle,
};
use crate::web::errors::PageError;
use crate::web::format::url_encode;
use crate::web::lang::Lang;
use crate::web::session::{CsrfForm, SignedIn};

fn reason_text(lang: Lang, reason: &WatchReason) -> String {
    match reason {
        WatchReason::OverdueReport { year, due } => match lang {
            Lang::Zh => format!("{year} 年度使用报告逾期未交（应于 {due} 前提交）"),
            Lang::En => format!("usage report for {year} overdue (due {due})"),
        },
        WatchReason::NoMarksUsed { years: [a, b] } => match lang {
            Lang::Zh => format!("{a}、{b} 连续两年报告未使用专用标志"),
            Lang::En => format!("reported no marks used in {a} and {b}"),
        },
        WatchReason::NoReports { years: [a, b] } => match lang {
            Lang::Zh => format!("{a}、{b} 连续两年未提交使用报告"),
            Lang::En => format!("no usage report for {a} or {b}"),
        },
        WatchReason::ManyScans { codes, threshold } => match lang {
            Lang::Zh => {
                format!("{codes} 个标签码各被查验超过 {threshold} 次，可能有复制的标签流通")
            }
            Lang::En => format!(
                "{codes} label codes checked more than {threshold} times each: copies may be about"
            ),
        },
    }
}

/// Rights with an overdue usage report or meeting the two-year non-use ground.
pub async fn watchlist(
    state: web::Data<ServiceState>,
    session: SignedIn,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, PageError> {
    watchlist_page(&state, &session, query.page, StatusCode::OK, None).await
}

/// The ground a watchlist entry suggests for the abnormal-use list.
fn suggested_ground(reasons: &[WatchReason]) -> AbnormalReason {
    if reasons
        .iter()
        .any(|r| matches!(r, WatchReason::OverdueReport { .. }))
    {
        AbnormalReason::ReportOverdue
    } else {
        AbnormalReason::UnusedTwoYears
    }
}

#[derive(Debug, Deserialize)]
pub struct ListForm {
    reason: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    correct_by: String,
}

/// Lists a right on the abnormal-use list straight from its watchlist entry, through the
/// same use case as `POST /api/v1/abnormal-users`; a problem is shown beside that entry.
pub async fn list_abnormal(
    state: web::Data<ServiceState>,
    session: SignedIn,
    id: web::Path<String>,
    form: CsrfForm<ListForm>,
) -> Result<HttpResponse, PageError> {
    staff_only(&session)?;
    let (id, form) = (id.into_inner(), form.0);
    let mut problems = Vec::new();
    let reason = form.reason.parse::<AbnormalReason>().ok();
    if reason.is_none() {
        problems.push(FieldError::new(
            "reason",
            "invalid_choice",
            Localized::new("is not a ground of the list", "事由无效"),
        ));
    }
    let correct_by = NaiveDate::parse_from_str(form.correct_by.trim(), "%Y-%m-%d").ok();
    if correct_by.is_none() {
        problems.push(FieldError::new(
            "correct_by",
            "invalid_date",
            Localized::new("must be a date", "请填写整改期限"),
        ));
    }
    let outcome = match (reason, correct_by) {
        (Some(reason), Some(correct_by)) => {
            let input = AbnormalInput {
                authorization_id: id.clone(),
                reason,
                note: form.note.clone(),
                correct_by,
            };
            abnormal::list_right(&state, &session.actor, input)
                .await
                .map(|_| ())
        }
        _ => Err(ServiceError::Invalid(Vec::new())),
    };
    match outcome {
        Ok(()) => Ok(session.visitor.redirect("/review/watchlist?notice=listed")),
        Err(ServiceError::Invalid(more)) => {
            problems.extend(more);
            let errors = Some((id.as_str(), FormErrors(problems)));
            watchlist_page(
                &state,
                &session,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
            )
            .await
        }
        Err(ServiceError::Conflict(message)) => {
            let problem = FieldError::new("reason", "conflict", message);
            let errors = Some((id.as_str(), FormErrors(vec![problem])));
            watchlist_page(&state, &session, None, StatusCode::CONFLICT, errors).await
        }
        Err(other) => Err(session.error(other)),
    }
}

async fn watchlist_page(
    state: &ServiceState,
    session: &SignedIn,
    page_no: Option<i64>,
    status: StatusCode,
    errors: Option<(&str, FormErrors)>,
) -> Result<HttpResponse, PageError> {
    staff_only(session)?;
    let v = &session.visitor;
    let lang = v.lang;
    let paging = PageRequest {
        page: page_no,
        per_page: Some(50),
    };
    let page = usage::watchlist(state, &session.actor, WatchQuery::default(), paging)
        .await
        .map_err(|e| session.error(e))?;
    let title = v.pick("监管名单", "Watchlist");
    let headers = [
        v.pick("企业", "Enterprise"),
        v.pick("登记编号", "Registry no."),
        v.pick("原因", "Why"),
    ];
    let rows = |items: &[WatchEntry]| {
        table(
            &headers,
            Some("watchlist"),
            false,
            html! {
                @for entry in items {
                    tr {
                        td { (entry.enterprise_name) div class="code muted" { (entry.uscc) } }
                        td class="code" {
                            a href={ "/review/authorizations/" (url_encode(&entry.authorization_id)) } { (entry.registry_no) }
                        }
                        td {
                            ul { @for r in &entry.reasons { li { (reason_text(lang, r)) } } }
                            @if entry.non_use_ground {
                                p class="overdue" { (v.pick("符合连续两年未使用的撤销条件", "Meets the two-year non-use ground")) }
                            }
                            @let ground = suggested_ground(&entry.reasons);
                            @let none = FormErrors::default();
                            @let shown = errors.as_ref().filter(|(id, _)| *id == entry.authorization_id).map_or(&none, |(_, e)| e);
                            form method="post" data-testid="list-abnormal"
                                action={ "/review/watchlist/" (url_encode(&entry.authorization_id)) "/abnormal" } {
                                (csrf_field(&v.csrf))
                                input type="hidden" name="reason" value=(ground.as_str());
                                (field_errors(lang, shown, "reason", "reason"))
                                label { (v.pick("列入使用异常名录：", "List as abnormal use: ")) (v.pick(ground.label_zh(), ground.label_en())) }
                                br;
                                label { (v.pick("说明", "Note")) " " input name="note" required maxlength="2000"; }
                                (field_errors(lang, shown, "note", "note"))
                                label { (v.pick("整改期限", "Correct by")) " " input type="date" name="correct_by" required; }
                                (field_errors(lang, shown, "correct_by", "correct_by"))
                                button type="submit" class="secondary" { (v.pick("列入", "List")) }
                            }
                        }
                    }
                }
            },
        )
    };
    let empty = v.pick("名单为空。", "Nobody is on the watchlist.");
    let body = list_section(ListSection {
        title,
        intro: Some(v.pick(
            "使用报告逾期，或连续两年未使用专用标志（可依法撤销）的授权。",
            "Rights with an overdue usage report, or two years without use (grounds for revocation).",
        )),
        before: html! {},
        list: listing(lang, PagerStyle::Counted, &page, Some(empty), |to| format!("/review/watchlist?page={to}"), rows),
    });
    Ok(session.render(status, title, body))
}
