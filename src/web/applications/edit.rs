//! Saving a producer's edits to a draft or a returned application.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::show::{application_page, Redraw};
use super::{optional, ApplicationForm};
use crate::domain::FieldError;
use crate::service::applications::{self, ApplicationPatch, IfMatch};
use crate::service::{ServiceError, ServiceState};
use crate::web::components::FormErrors;
use crate::web::errors::PageError;
use crate::web::format::url_encode;
use crate::web::session::{CsrfForm, SignedIn};

/// Saves the producer's edits; the form's version must still be the stored one.
pub async fn save(
    state: web::Data<ServiceState>,
    session: SignedIn,
    id: web::Path<String>,
    form: CsrfForm<ApplicationForm>,
) -> Result<HttpResponse, PageError> {
    let (id, form) = (id.into_inner(), form.0);
    let lang = session.visitor.lang;
    let redraw = |form: ApplicationForm, problems: Vec<FieldError>, alert: Option<String>| Redraw {
        form: Some(form),
        form_errors: FormErrors(problems),
        alert,
        ..Default::default()
    };
    let version = form
        .version
        .trim()
        .parse()
        .map_or(IfMatch::Never, IfMatch::Version);
    let saved = match form.read() {
        Ok(values) => {
            let patch = ApplicationPatch {
                product_code: optional(&form.product_code),
                basis: values.basis,
                trademark_reg_no: optional(&form.trademark_reg_no),
                production_town: Some(form.production_town.clone()),
                production_address: Some(form.production_address.trim().to_owned()),
                area_mu: values.area_mu,
                annual_output_kg: values.annual_output_kg,
                description: Some(form.description.trim().to_owned()),
            };
            applications::edit(&state, &session.actor, id.clone(), version, patch).await
        }
        Err(problems) => Err(ServiceError::Invalid(problems)),
    };
    match saved {
        Ok(view) => Ok(session.visitor.redirect(&format!(
            "/applications/{}?notice=saved",
            url_encode(&view.id)
        ))),
        Err(ServiceError::Invalid(problems)) => {
            application_page(
                &state,
                &session,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                redraw(form, problems, None),
            )
            .await
        }
        Err(ServiceError::PreconditionFailed) => {
            let alert = lang.pick(
                "这份申请刚刚在别处被修改过。下面是您填写的内容，请核对后再保存。",
                "This application was just changed elsewhere. What you typed is below: check it and save again.",
            );
            // Keep what was typed but against the new version, so a second save goes through.
            let current = applications::get(&state, &session.actor, id.clone())
                .await
                .map_err(|e| session.error(e))?;
            let form = ApplicationForm {
                version: current.version.to_string(),
                ..form
            };
            application_page(
                &state,
                &session,
                &id,
                StatusCode::PRECONDITION_FAILED,
                redraw(form, Vec::new(), Some(alert.to_owned())),
            )
            .await
        }
        Err(ServiceError::Conflict(message)) => {
            application_page(
                &state,
                &session,
                &id,
                StatusCode::CONFLICT,
                redraw(form, Vec::new(), Some(message.pick(lang.zh()).to_owned())),
            )
            .await
        }
        Err(other) => Err(session.error(other)),
    }
}
