//! `/review/authorizations`: every right, filtered by status and product (staff) — where
//! suspensions and revocations start.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;

use crate::domain::authorization::AuthorizationStatus;
use crate::service::authorizations::{self, AuthorizationQuery, AuthorizationView};
use crate::service::paging::PageRequest;
use crate::service::{public, ServiceState};
use crate::web::components::{
    filtered, list_section, listing, right_status_tag, status_and_product_filter, table,
    FilterQuery, ListSection, PagerStyle,
};
use crate::web::errors::PageError;
use crate::web::format::url_encode;
use crate::web::labels;
use crate::web::review::staff_only;
use crate::web::session::SignedIn;

/// Every right, filtered by status and product (staff).
pub async fn register_of_rights(
    state: web::Data<ServiceState>,
    session: SignedIn,
    query: web::Query<FilterQuery>,
) -> Result<HttpResponse, PageError> {
    staff_only(&session)?;
    let v = &session.visitor;
    let lang = v.lang;
    let query = query.into_inner();
    let products = public::products(&state)
        .await
        .map_err(|e| session.error(e))?;
    let filter = AuthorizationQuery {
        status: query.status(),
        product: query.product(),
    };
    let paging = PageRequest {
        page: query.page,
        per_page: Some(50),
    };
    let listed = authorizations::list(&state, &session.actor, filter, paging).await;
    let (page, errors) = filtered(listed).map_err(|e| session.error(e))?;
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
    let base = "/review/authorizations";
    let rows = |items: &[AuthorizationView]| {
        table(
            &headers,
            Some("rights"),
            true,
            html! {
                @for right in items {
                    tr {
                        td {
                            a href={ (base) "/" (url_encode(&right.id)) } { (right.enterprise.name) }
                            div class="code muted" { (right.enterprise.uscc) }
                        }
                        td class="code" data-label=(headers[1]) { (right.registry_no) }
                        td data-label=(headers[2]) { (right.product_name_zh) }
                        td data-label=(headers[3]) { (right_status_tag(lang, right.status)) }
                    }
                }
            },
        )
    };
    let link = |to| query.page_link(base, to);
    let body = list_section(ListSection {
        title,
        intro: None,
        before: status_and_product_filter(
            lang,
            base,
            (&query.status, &query.product),
            statuses,
            &products,
            &errors,
        ),
        list: page.as_ref().map_or_else(
            || html! {},
            |page| listing(lang, PagerStyle::Counted, page, None, link, rows),
        ),
    });
    Ok(session.render(StatusCode::OK, title, body))
}
