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
                                    inputs: Control::text_area("reason", v.pick("说明（可选）", "Note (optional)"), "").max_length(2000).draw(lang, &no_errors),
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
    let reason = form.0.reason.trim().to_owned();
    let input = ChangeDecisionInput {
        reason: (!reason.is_empty()).then_some(reason),
    };
    match enterprise_changes::decide(&state, &session.actor, id, approve, input).await {
        Ok(_) => Ok(session
            .visitor
            .redirect(&format!("/review/enterprise-changes?notice={decision}"))),
        Err(ServiceError::Conflict(message)) => {
            let alert = alert(message.pick(session.visitor.lang.zh()));
            page(
                &state,
                &session,
                &ChangesQuery::default(),
                StatusCode::CONFLICT,
                Some(alert),
            )
            .await
        }
        Err(other) => Err(session.error(other)),
    }
}
