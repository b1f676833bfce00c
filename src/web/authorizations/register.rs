//! `/review/authorizations`: every right, filtered by status and product (staff) — where
//! suspensions and revocations start.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;
use serde::Deserialize;

use crate::domain::authorization::AuthorizationStatus;
use crate::service::authorizations::{self, AuthorizationQuery};
use crate::service::paging::PageRequest;
use crate::service::{public, ServiceError, ServiceState};
use crate::web::components::{
    pager, right_status_tag, status_and_product_filter, table, FormErrors, PagerStyle,
};
use crate::web::errors::PageError;
use crate::web::format::url_encode;
use crate::web::labels;
use crate::web::review::staff_only;
use crate::web::session::SignedIn;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterQuery {
    status: String,
    product: String,
    page: Option<i64>,
}

/// Every right, filtered by status and product (staff).
pub async fn register_of_rights(
    state: web::Data<ServiceState>,
    session: SignedIn,
    query: web::Query<RegisterQuery>,
) -> Result<HttpResponse, PageError> {
    staff_only(&session)?;
    let v = &session.visitor;
    let lang = v.lang;
    let query = query.into_inner();
    let products = public::products(&state)
        .await
        .map_err(|e| session.error(e))?;
    let filter = AuthorizationQuery {
        status: (!query.status.is_empty()).then(|| query.status.clone()),
        product: (!query.product.is_empty()).then(|| query.product.clone()),
    };
    let paging = PageRequest {
        page: query.page,
        per_page: Some(50),
    };
    let (page, errors) = match authorizations::list(&state, &session.actor, filter, paging).await {
        Ok(page) => (Some(page), FormErrors::default()),
        Err(ServiceError::Invalid(problems)) => (None, FormErrors(problems)),
        Err(other) => return Err(session.error(other)),
    };
    let statuses = labels::choices(
        v.pick("全部状态", "All states"),
        AuthorizationStatus::ALL,
        AuthorizationStatus::as_str,
        |s| labels::authorization_status(lang, s),
    );
    let title = v.pick("授权名册", "Register of rights");
    let headers = [
        v.pick("企业", "Enterprise"),
        v.pick("登记编号", "Registry no."),
        v.pick("产品", "Product"),
        v.pick("状态", "Status"),
    ];
    let body = html! {
        section {
            h2 { (title) }
            (status_and_product_filter(lang, "/review/authorizations", (&query.status, &query.product), statuses, &products, &errors))
            @if let Some(page) = &page {
                (table(&headers, Some("rights"), true, html! {
                    @for right in &page.items {
                        tr {
                            td {
                                a href={ "/review/authorizations/" (url_encode(&right.id)) } { (right.enterprise.name) }
                                div class="code muted" { (right.enterprise.uscc) }
                            }
                            td class="code" data-label=(headers[1]) { (right.registry_no) }
                            td data-label=(headers[2]) { (right.product_name_zh) }
                            td data-label=(headers[3]) { (right_status_tag(lang, right.status)) }
                        }
                    }
                }))
                (pager(lang, PagerStyle::Counted, page.page, page.per_page, page.total, |to| format!(
                    "/review/authorizations?status={}&product={}&page={to}",
                    url_encode(&query.status),
                    url_encode(&query.product)
                )))
            }
        }
    };
    Ok(session.render(StatusCode::OK, title, body))
}
