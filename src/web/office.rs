//! The office in every page's footer. A middleware reads the office's details (from memory,
//! `service::office`) once per request and holds them for the request's task, so the page
//! layout can draw them without every page passing them along.

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use maud::{html, Markup};

use crate::service::office::{self, OfficeFacts};
use crate::service::ServiceState;
use crate::web::lang::Lang;

tokio::task_local! {
    static FACTS: Arc<OfficeFacts>;
}

/// Holds the office's details for the pages this request draws (its error pages too).
pub async fn with_office(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let path = request.path();
    let draws_no_page = [
        "/api/",
        "/api-docs/",
        "/docs",
        "/healthz",
        "/readyz",
        "/metrics",
    ]
    .iter()
    .any(|prefix| path.starts_with(prefix));
    let state = request.app_data::<web::Data<ServiceState>>().cloned();
    match state {
        Some(state) if !draws_no_page => {
            // Never fails: without the database the last details read are shown.
            let facts = office::facts(&state)
                .await
                .unwrap_or_else(|_| Arc::new(OfficeFacts::default()));
            FACTS.scope(facts, next.call(request)).await
        }
        _ => next.call(request).await,
    }
}

/// The facts held for this request, or the defaults outside one.
pub fn current() -> Arc<OfficeFacts> {
    FACTS
        .try_with(Arc::clone)
        .unwrap_or_else(|_| Arc::new(OfficeFacts::default()))
}

/// The office's contact lines: what is set, nothing for what is not.
pub fn contact(lang: Lang, facts: &OfficeFacts) -> Markup {
    let office = &facts.office;
    html! {
        span class="office-name" { (office.name) }
        @if !office.address.is_empty() {
            " · " span { (lang.pick("地址：", "Address: ")) (office.address) }
        }
        @if !office.phone.is_empty() {
            " · " span { (lang.pick("咨询电话：", "Phone: ")) a href={ "tel:" (office.phone) } { (office.phone) } }
        }
        @if !office.hours.is_empty() {
            " · " span { (lang.pick("办公时间：", "Hours: ")) (office.hours) }
        }
        @if !office.email.is_empty() {
            " · " span { (lang.pick("邮箱：", "E-mail: ")) a href={ "mailto:" (office.email) } { (office.email) } }
        }
        " · " span { (lang.pick("投诉举报：", "Complaints: ")) a href={ "tel:" (office.complaint_phone) } data-testid="complaint-phone" { (office.complaint_phone) } }
    }
}

/// The footer's office block with the link to the service guide.
pub fn footer(lang: Lang) -> Markup {
    let facts = current();
    html! {
        p class="office" data-testid="office" {
            (contact(lang, &facts))
        }
        p {
            a href={ "/guide" (lang.query()) } data-testid="guide-link" { (lang.pick("办事指南", "Service guide")) }
            " · "
            a href={ "/announcements" (lang.query()) } data-testid="announcements-link" { (lang.pick("核准公告", "Approval announcements")) }
        }
    }
}
