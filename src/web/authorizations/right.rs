//! `/review/authorizations/{id}`: one right for staff, with its facts, moves, usage reports
//! and history.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use super::act::{right_actions, Typed};
use super::labels::labels_link;
use super::reports_table;
use crate::domain::authorization::AuthorizationAction;
use crate::service::authorizations;
use crate::service::labels::issue;
use crate::service::usage;
use crate::service::ServiceState;
use crate::web::components::{back_link, history, notice, right_status_tag};
use crate::web::errors::PageError;
use crate::web::format::{url_encode, when};
use crate::web::labels;
use crate::web::review::staff_only;
use crate::web::session::SignedIn;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RightQuery {
    notice: String,
}

/// The right's page; `message` (a notice or an alert) goes on top.
pub(super) async fn right_page(
    state: &ServiceState,
    session: &SignedIn,
    id: &str,
    status: StatusCode,
    typed: Option<&Typed>,
    message: Option<Markup>,
) -> Result<HttpResponse, PageError> {
    staff_only(session)?;
    let v = &session.visitor;
    let lang = v.lang;
    let right = authorizations::get(state, &session.actor, id.to_owned())
        .await
        .map_err(|e| session.error(e))?;
    let reports = usage::reports(state, &session.actor, right.id.clone())
        .await
        .map_err(|e| session.error(e))?;
    let quota = issue::of_right(state, &session.actor, right.id.clone())
        .await
        .map_err(|e| session.error(e))?
        .quota
        .map(|q| (q.issued, q.quantity));
    let actions_base = format!("/review/authorizations/{}", url_encode(&right.id));
    let body = html! {
        @if let Some(message) = message { (message) }
        section {
            h2 { (right.enterprise.name) " · " span class="code" { (right.registry_no) } }
            p { (right_status_tag(lang, right.status)) }
            dl class="facts" {
                dt { (v.pick("统一社会信用代码", "Credit code")) }
                dd class="code" { (right.enterprise.uscc) }
                dt { (v.pick("产品与依据", "Product and basis")) }
                dd { (right.product_name_zh) " · " (labels::basis(lang, right.basis)) }
                dt { (v.pick("核准公告", "Announcement")) }
                dd { (right.announcement_no) " (" (right.announcement_date) ")" }
                dt { (v.pick("授权时间", "Granted")) }
                dd { (when(right.granted_at)) }
                dt { (v.pick("来源", "Source")) }
                dd {
                    a href={ "/review/" (url_encode(&right.application_id)) } { (v.pick("原申请", "the application")) }
                    " · "
                    a href={ "/verify/" (url_encode(&right.registry_no)) } { (v.pick("公开核验页", "the public verify page")) }
                    " · "
                    a href={ "/authorizations/" (url_encode(&right.id)) "/certificate" } data-testid="certificate-link" { (v.pick("证书", "the certificate")) }
                    " · "
                    (labels_link(session, &right.id, quota))
                }
            }
            (right_actions(session, &right, &actions_base, typed))
        }
        section {
            h2 { (v.pick("年度使用报告", "Yearly usage reports")) }
            (reports_table(lang, &reports))
        }
        (history(lang, &right.history))
        (back_link("/review/authorizations", v.pick("‹ 授权名册", "‹ Register of rights")))
    };
    Ok(session.render(status, &right.registry_no, body))
}

pub async fn right(
    state: web::Data<ServiceState>,
    session: SignedIn,
    id: web::Path<String>,
    query: web::Query<RightQuery>,
) -> Result<HttpResponse, PageError> {
    let message = query.notice.parse::<AuthorizationAction>().ok().map(|a| {
        notice(&format!(
            "{}{}",
            labels::authorization_action(session.visitor.lang, a),
            session.visitor.pick("：已完成。", ": done.")
        ))
    });
    right_page(&state, &session, &id, StatusCode::OK, None, message).await
}
