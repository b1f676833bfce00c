//! `/review/exports`: the register of rights with contact data, as Excel or CSV (staff).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;

use super::staff_only;
use crate::http::download::{csv_response, xlsx_response};
use crate::service::exports::{self, Cell};
use crate::service::ServiceState;
use crate::web::errors::PageError;
use crate::web::session::SignedIn;

pub async fn exports_page(session: SignedIn) -> Result<HttpResponse, PageError> {
    staff_only(&session)?;
    let v = &session.visitor;
    let title = v.pick("导出", "Exports");
    let body = html! {
        section {
            h2 { (title) }
            p class="muted" {
                (v.pick(
                    "全部授权及持有企业的联系方式、产品、依据、状态、日期和最近一次使用报告，每项一行。仅供内部使用。",
                    "Every right with its holder's contact data, product, basis, status, dates and last usage report, one row each. For internal use only."
                ))
            }
            ul {
                li { a href="/review/exports/authorizations.xlsx" download { (v.pick("授权名册（Excel）", "Register of rights (Excel)")) } }
                li { a href="/review/exports/authorizations.csv" download { (v.pick("授权名册（CSV）", "Register of rights (CSV)")) } }
            }
        }
    };
    Ok(session.render(StatusCode::OK, title, body))
}

/// The rows of the exports (the use case refuses anyone but staff).
async fn export_rows(
    state: &ServiceState,
    session: &SignedIn,
) -> Result<Vec<Vec<Cell>>, PageError> {
    exports::authorization_rows(state, &session.actor)
        .await
        .map_err(|e| session.error(e))
}

pub async fn export_xlsx(
    state: web::Data<ServiceState>,
    session: SignedIn,
) -> Result<HttpResponse, PageError> {
    let rows = export_rows(&state, &session).await?;
    xlsx_response(rows).await.map_err(|e| session.error(e))
}

pub async fn export_csv(
    state: web::Data<ServiceState>,
    session: SignedIn,
) -> Result<HttpResponse, PageError> {
    Ok(csv_response(&export_rows(&state, &session).await?))
}
