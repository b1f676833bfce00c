//! Saving a producer's edits to a draft or a returned application: from its Save button, or
//! sent along with an upload or a submission so that nothing typed is lost.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::show::{application_page, Redraw};
use super::{optional, ApplicationForm};
use crate::domain::roles::Role;
use crate::domain::FieldError;
use crate::service::applications::{self, ApplicationPatch, IfMatch};
use crate::service::{ServiceError, ServiceState};
use crate::web::components::FormErrors;
use crate::web::errors::PageError;
use crate::web::format::url_encode;
use crate::web::labels;
use crate::web::session::{CsrfForm, SignedIn};

/// What became of edits sent to be saved.
pub(super) enum Saving {
    /// Saved, or nothing to save (the same as stored).
    Saved,
    /// Refused: the page to draw again, with what was typed and why.
    Refused(StatusCode, Box<Redraw>),
}

/// Saves `form` over the stored application; the form's version must still be the stored one.
pub(super) async fn save_form(
    state: &ServiceState,
    session: &SignedIn,
    id: &str,
    form: ApplicationForm,
) -> Result<Saving, PageError> {
    let lang = session.visitor.lang;
    let redraw = |form: ApplicationForm, problems: Vec<FieldError>, alert: Option<String>| {
        Box::new(Redraw {
            form: Some(form),
            form_errors: FormErrors(problems),
            alert,
            ..Default::default()
        })
    };
    let version = form
        .version
        .trim()
        .parse()
        .map_or(IfMatch::Never, IfMatch::Version);
    // A value that cannot be read is reported by the use case with all the others.
    let (values, unreadable) = form.read();
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
    let id = id.to_owned();
    let saved = applications::edit_checked(
        state,
        &session.actor,
        id.clone(),
        version,
        patch,
        unreadable,
    )
    .await;
    Ok(match saved {
        Ok(_) => Saving::Saved,
        Err(ServiceError::Invalid(problems)) => {
            let problems = problems
                .into_iter()
                .map(|e| labels::choose_the_town("production_town", e))
                .collect();
            Saving::Refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                redraw(form, problems, None),
            )
        }
        Err(ServiceError::PreconditionFailed) => {
            let alert = lang.pick(
                "这份申请刚刚在别处被修改过。下面是您填写的内容，请核对后再保存。",
                "This application was just changed elsewhere. What you typed is below: check it and save again.",
            );
            // Keep what was typed but against the new version, so a second save goes through.
            let current = applications::get(state, &session.actor, id.to_owned())
                .await
                .map_err(|e| session.error(e))?;
            let form = ApplicationForm {
                version: current.version.to_string(),
                ..form
            };
            Saving::Refused(
                StatusCode::PRECONDITION_FAILED,
                redraw(form, Vec::new(), Some(alert.to_owned())),
            )
        }
        Err(ServiceError::Conflict(message)) => Saving::Refused(
            StatusCode::CONFLICT,
            redraw(form, Vec::new(), Some(message.pick(lang.zh()).to_owned())),
        ),
        Err(other) => return Err(session.error(other)),
    })
}

/// The application's fields sent along with an upload or a submission: saved first when
/// they differ from what is stored (and the producer may still change them).
pub(super) async fn save_changes(
    state: &ServiceState,
    session: &SignedIn,
    id: &str,
    form: Option<ApplicationForm>,
) -> Result<Saving, PageError> {
    let Some(form) = form else {
        return Ok(Saving::Saved);
    };
    if session.actor.role != Role::Applicant {
        return Ok(Saving::Saved);
    }
    let current = applications::get(state, &session.actor, id.to_owned())
        .await
        .map_err(|e| session.error(e))?;
    if !current.status.is_editable() || form.same_fields(&ApplicationForm::of(&current)) {
        return Ok(Saving::Saved);
    }
    save_form(state, session, id, form).await
}

/// Saves the producer's edits (the Save button).
pub async fn save(
    state: web::Data<ServiceState>,
    session: SignedIn,
    id: web::Path<String>,
    form: CsrfForm<ApplicationForm>,
) -> Result<HttpResponse, PageError> {
    let (id, form) = (id.into_inner(), form.0);
    match save_form(&state, &session, &id, form).await? {
        Saving::Saved => Ok(session
            .visitor
            .redirect(&format!("/applications/{}?notice=saved", url_encode(&id)))),
        Saving::Refused(status, redraw) => {
            application_page(&state, &session, &id, status, *redraw).await
        }
    }
}
