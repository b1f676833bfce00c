//! `/inbox` (消息): the signed-in producer's messages — every decision on its applications and
//! rights — newest first, each marked read with one button.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;
use serde::Deserialize;

use crate::service::notifications::{self, NotificationView};
use crate::service::paging::PageRequest;
use crate::service::ServiceState;
use crate::web::components::{
    action_button, list_section, listing, notice, ListSection, PagerStyle,
};
use crate::web::errors::PageError;
use crate::web::format::{url_encode, when};
use crate::web::session::{CsrfForm, SignedIn};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InboxQuery {
    page: Option<i64>,
    notice: String,
}

/// The read button's form carries only its CSRF token.
#[derive(Debug, Default, Deserialize)]
pub struct ReadForm {}

pub async fn inbox(
    state: web::Data<ServiceState>,
    session: SignedIn,
    query: web::Query<InboxQuery>,
) -> Result<HttpResponse, PageError> {
    let v = &session.visitor;
    let lang = v.lang;
    let paging = PageRequest {
        page: query.page,
        per_page: Some(20),
    };
    let page = notifications::list(&state, &session.actor, paging)
        .await
        .map_err(|e| session.error(e))?;
    let title = v.pick("消息", "Messages");
    let messages = |items: &[NotificationView]| {
        html! {
            ul class="results" data-testid="inbox" {
                @for item in items {
                    li data-kind=(item.kind.as_str()) data-read=(item.read_at.is_some()) {
                        div class="name" {
                            @if item.read_at.is_none() {
                                span class="tag" { (v.pick("未读", "unread")) } " "
                            }
                            (item.subject)
                        }
                        div class="muted" { (when(item.created_at)) }
                        p class="message-body" { (item.body) }
                        div class="actions" {
                            a href=(item.link) { (v.pick("查看", "Open")) }
                            @if item.read_at.is_none() {
                                (action_button(&format!("/inbox/{}/read", url_encode(&item.id)), &v.csrf, v.pick("标为已读", "Mark as read"), Some("secondary")))
                            }
                        }
                    }
                }
            }
        }
    };
    let body = html! {
        @if query.notice == "read" { (notice(v.pick("已标为已读。", "Marked as read."))) }
        (list_section(ListSection {
            title,
            intro: Some(v.pick(
                "审查、核准和监管的每项决定都会发到这里，并同时发送到企业登记的电子邮箱。",
                "Every decision on your applications and rights comes here, and to the enterprise's e-mail address too.",
            )),
            before: html! {},
            list: listing(lang, PagerStyle::Counted, &page, Some(v.pick("暂无消息。", "No messages yet.")), |to| format!("/inbox?page={to}"), messages),
        }))
    };
    Ok(session.render(StatusCode::OK, title, body))
}

pub async fn mark_read(
    state: web::Data<ServiceState>,
    session: SignedIn,
    id: web::Path<String>,
    _form: CsrfForm<ReadForm>,
) -> Result<HttpResponse, PageError> {
    notifications::mark_read(&state, &session.actor, id.into_inner())
        .await
        .map_err(|e| session.error(e))?;
    Ok(session.visitor.redirect("/inbox?notice=read"))
}
