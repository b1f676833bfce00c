//! `/review/enterprise-changes`: the requests waiting for a decision (and the decided ones),
//! with approve and reject for reviewers and approvers.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;
use serde::Deserialize;

use super::changes_table;
use crate::service::enterprise_changes::{self, ChangeDecisionInput, ChangeQuery};
use crate::service::paging::PageRequest;
use crate::service::{ServiceError, ServiceState};
use crate::web::components::{action_form, alert, notice, ActionForm, Control, FormErrors};
use crate::web::errors::PageError;
use crate::web::format::url_encode;
use crate::web::review::staff_only;
use crate::web::session::{CsrfForm, SignedIn};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangesQuery {
    status: String,
    notice: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    reason: String,
    /// With an approval, optional: the announcement that publishes the change.
    announcement_no: String,
    announcement_date: String,
}

async fn page(
    state: &ServiceState,
    session: &SignedIn,
    query: &ChangesQuery,
    status: StatusCode,
    message: Option<maud::Markup>,
) -> Result<HttpResponse, PageError> {
    staff_only(session)?;
    let v = &session.visitor;
    let lang = v.lang;
    let filter = ChangeQuery {
        status: Some(if query.status.is_empty() {
            "submitted".into()
        } else {
            query.status.clone()
        }),
    };
    let list = enterprise_changes::list(
        state,
        &session.actor,
        filter,
        PageRequest {
            page: None,
            per_page: Some(100),
        },
    )
    .await
    .map_err(|e| session.error(e))?;
    let may_decide = session.actor.role.may_review();
    let no_errors = FormErrors::default();
    let body = html! {
        @if let Some(message) = message { (message) }
        section {
            h2 { (v.pick("企业信息变更", "Changes of holders' details")) }
            p {
                a href="/review/enterprise-changes" { (v.pick("待审核", "Waiting")) } " · "
                a href="/review/enterprise-changes?status=approved" { (v.pick("已核准", "Approved")) } " · "
                a href="/review/enterprise-changes?status=rejected" { (v.pick("未核准", "Rejected")) }
            }
            @if list.items.is_empty() {
                p class="muted" { (v.pick("没有。", "None.")) }
            } @else {
                (changes_table(lang, &list.items, |c| {
                    let base = format!("/review/enterprise-changes/{}", url_encode(&c.id));
                    html! {
                        @if may_decide {
                            div class="actions" {
                                (action_form(ActionForm {
                                    action: Some("approve"),
                                    label: v.pick("核准变更", "Approve"),
                                    url: &format!("{base}/approve"),
                                    csrf: &v.csrf,
                                    open: false,
                                    danger: false,
                                    summary: html! {},
                                    inputs: html! {
                                        (Control::input("text", "announcement_no", v.pick("变更公告号（可选）", "Announcement no. (optional)"), "")
                                            .max_length(100)
                                            .hint(v.pick("填写后，本变更列入该公告；须同时填写公告日期", "Lists the change under that announcement; give its date too"))
                                            .draw(lang, &no_errors))
                                        (Control::input("date", "announcement_date", v.pick("公告日期", "Announcement date"), "").draw(lang, &no_errors))
                                        (Control::text_area("reason", v.pick("说明（可选）", "Note (optional)"), "").max_length(2000).draw(lang, &no_errors))
                                    },
                                }))
                                (action_form(ActionForm {
                                    action: Some("reject"),
                                    label: v.pick("不予核准", "Reject"),
                                    url: &format!("{base}/reject"),
                                    csrf: &v.csrf,
                                    open: false,
                                    danger: true,
                                    summary: html! {},
                                    inputs: Control::text_area("reason", v.pick("理由", "Reason"), "").max_length(2000).draw(lang, &no_errors),
                                }))
                            }
                        }
                    }
                }))
            }
        }
    };
    Ok(session.render(status, v.pick("企业信息变更", "Changes of details"), body))
}

pub async fn changes_to_decide(
    state: web::Data<ServiceState>,
    session: SignedIn,
    query: web::Query<ChangesQuery>,
) -> Result<HttpResponse, PageError> {
    let message = match query.notice.as_str() {
        "approve" => Some(notice(
            session.visitor.pick("已核准变更。", "Change approved."),
        )),
        "reject" => Some(notice(
            session.visitor.pick("已不予核准。", "Change rejected."),
        )),
        _ => None,
    };
    page(&state, &session, &query, StatusCode::OK, message).await
}

pub async fn decide_change(
    state: web::Data<ServiceState>,
    session: SignedIn,
    path: web::Path<(String, String)>,
    form: CsrfForm<DecisionForm>,
) -> Result<HttpResponse, PageError> {
    let (id, decision) = path.into_inner();
    let approve = match decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(session.error(ServiceError::NotFound)),
    };
    let form = form.0;
    let optional = |value: &str| {
        let value = value.trim();
        (!value.is_empty()).then(|| value.to_owned())
    };
    let date = optional(&form.announcement_date);
    let announcement_date = match date.as_deref().map(str::parse::<chrono::NaiveDate>) {
        None => None,
        Some(Ok(day)) => Some(day),
        Some(Err(_)) => {
            let refused = ServiceError::invalid(
                "announcement_date",
                "invalid_date",
                "must be a date, YYYY-MM-DD",
                "须为日期（年-月-日）",
            );
            return refused_page(&state, &session, refused).await;
        }
    };
    let input = ChangeDecisionInput {
        reason: optional(&form.reason),
        announcement_no: optional(&form.announcement_no),
        announcement_date,
    };
    match enterprise_changes::decide(&state, &session.actor, id, approve, input).await {
        Ok(_) => Ok(session
            .visitor
            .redirect(&format!("/review/enterprise-changes?notice={decision}"))),
        Err(refused) => refused_page(&state, &session, refused).await,
    }
}

/// The list again with why a decision was refused on top: a conflict (decided meanwhile) or
/// the fields that were wrong; anything else is the error page.
async fn refused_page(
    state: &ServiceState,
    session: &SignedIn,
    refused: ServiceError,
) -> Result<HttpResponse, PageError> {
    let zh = session.visitor.lang.zh();
    let (status, text) = match refused {
        ServiceError::Conflict(message) => (StatusCode::CONFLICT, message.pick(zh).to_owned()),
        ServiceError::Invalid(problems) => {
            let said: Vec<String> = problems
                .iter()
                .map(|p| format!("{}: {}", p.field, p.message.pick(zh)))
                .collect();
            (StatusCode::UNPROCESSABLE_ENTITY, said.join("; "))
        }
        other => return Err(session.error(other)),
    };
    page(
        state,
        session,
        &ChangesQuery::default(),
        status,
        Some(alert(&text)),
    )
    .await
}
