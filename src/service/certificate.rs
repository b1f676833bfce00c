//! A right's certificate (证书): the facts printed for the holder to hang in the shop or show a
//! buyer. Read for the holder and staff only, as the right itself is.

use chrono::{DateTime, Utc};

use super::{ServiceError, ServiceResult, ServiceState};
use crate::db::queries::{
    accounts as account_db, applications as application_db, authorizations as db, reference,
};
use crate::db::DbConnection;
use crate::domain::authorization::AuthorizationStatus;
use crate::domain::eligibility::Basis;
use crate::domain::roles::Actor;

#[derive(Debug, Clone)]
pub struct Certificate {
    pub authorization_id: String,
    pub registry_no: String,
    pub holder_name: String,
    pub uscc: String,
    pub legal_representative: String,
    pub product_name_zh: String,
    pub product_name_en: String,
    pub basis: Basis,
    pub trademark_reg_no: Option<String>,
    /// The town of production (Chinese name) and the address within it.
    pub production_town: String,
    pub production_address: String,
    /// The product's protected area as its protection announcement states it.
    pub protected_area: String,
    pub announcement_no: String,
    pub announcement_date: String,
    pub status: AuthorizationStatus,
    pub granted_at: DateTime<Utc>,
    pub status_changed_at: DateTime<Utc>,
}

fn load(conn: &mut DbConnection, actor: &Actor, id: &str) -> ServiceResult<Certificate> {
    let row = db::find(conn, id)?.ok_or(ServiceError::NotFound)?;
    if !actor.may_see_enterprise(&row.enterprise_id) {
        return Err(ServiceError::Forbidden);
    }
    let corrupt = |what: &str| ServiceError::Internal(anyhow::anyhow!("stored {what} unknown"));
    let holder =
        account_db::enterprise_by_id(conn, &row.enterprise_id)?.ok_or(ServiceError::NotFound)?;
    let product = reference::product(conn, &row.product_code)?.ok_or(ServiceError::NotFound)?;
    let town = reference::find_town(conn, &row.production_town)?
        .map_or_else(|| row.production_town.clone(), |t| t.name_zh);
    let production_address = application_db::find(conn, &row.application_id)?
        .map(|a| a.production_address)
        .unwrap_or_default();
    Ok(Certificate {
        status: row.status.parse().map_err(|_| corrupt("status"))?,
        basis: row.basis.parse().map_err(|_| corrupt("basis"))?,
        authorization_id: row.id,
        registry_no: row.registry_no,
        holder_name: holder.name,
        uscc: holder.uscc,
        legal_representative: holder.legal_representative,
        product_name_zh: product.name_zh,
        product_name_en: product.name_en,
        trademark_reg_no: row.trademark_reg_no,
        production_town: town,
        production_address,
        protected_area: product.protected_area,
        announcement_no: row.announcement_no,
        announcement_date: row.announcement_date,
        granted_at: row.granted_at.and_utc(),
        status_changed_at: row.status_changed_at.and_utc(),
    })
}

/// The certificate of right `id`: 404 for no such right, 403 for another enterprise's user.
pub async fn certificate(
    state: &ServiceState,
    actor: &Actor,
    id: String,
) -> ServiceResult<Certificate> {
    let actor = actor.clone();
    state.run(move |conn| load(conn, &actor, &id)).await
}
