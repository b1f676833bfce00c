//! The moves of a right: suspend, reinstate, revoke (staff) or surrender (staff or the
//! holder): the forms of those this person may make now, and making one.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use super::right::right_page;
use crate::domain::authorization::{AuthorizationAction, RevocationGround};
use crate::domain::roles::Role;
use crate::domain::{FieldError, Localized};
use crate::service::authorizations::{self, AuthorizationActionInput, AuthorizationView};
use crate::service::{ServiceError, ServiceState};
use crate::web::components::{
    action_form, error_summary, ActionForm, Control, FormErrors, SummaryField,
};
use crate::web::errors::PageError;
use crate::web::format::url_encode;
use crate::web::labels;
use crate::web::session::{CsrfForm, SignedIn};

/// A move of a right as typed: the reason, and for a revocation its ground.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RightActionForm {
    reason: String,
    ground: String,
}

/// What a refused move's form held: the move, what was typed, the problems.
pub(super) type Typed = (AuthorizationAction, RightActionForm, FormErrors);

/// The inputs of one move's form: a warning when it cannot be undone, the ground of a
/// revocation, the reason.
fn move_inputs(
    session: &SignedIn,
    action: AuthorizationAction,
    form: &RightActionForm,
    errors: &FormErrors,
) -> Markup {
    let v = &session.visitor;
    let lang = v.lang;
    let scope = action.as_str();
    let warning = match action {
        AuthorizationAction::Revoke => Some(v.pick(
            "撤销后该企业不得再使用专用标志，公示页将显示“已撤销”。",
            "After revocation the enterprise may no longer use the mark; the public page says revoked.",
        )),
        AuthorizationAction::Surrender => Some(v.pick(
            "注销后不能恢复，不得再使用专用标志；如需再使用，须重新申请。",
            "Surrender cannot be undone: the mark may no longer be used, and using it again needs a new application.",
        )),
        _ => None,
    };
    let grounds = [
        RevocationGround::NonconformingProduction,
        RevocationGround::UnusedTwoYears,
        RevocationGround::Other,
    ]
    .iter()
    .map(|g| (g.as_str().to_owned(), labels::ground(lang, *g).to_owned()))
    .collect();
    let required = action.required_fields().contains(&"reason");
    let reason = Control::text_area(
        "reason",
        if required {
            v.pick("理由", "Reason")
        } else {
            v.pick("说明（可选）", "Note (optional)")
        },
        &form.reason,
    )
    .max_length(2000)
    .within(scope);
    let reason = if required { reason.required() } else { reason };
    html! {
        @if let Some(warning) = warning { p class="alert" { (warning) } }
        @if action == AuthorizationAction::Revoke {
            (Control::select("ground", v.pick("撤销事由", "Ground"), &form.ground, grounds)
                .required()
                .within(scope)
                .draw(lang, errors))
        }
        (reason.draw(lang, errors))
    }
}

/// The forms of the moves this user may make on `right` now, and only those.
pub(super) fn right_actions(
    session: &SignedIn,
    right: &AuthorizationView,
    url_base: &str,
    typed: Option<&Typed>,
) -> Markup {
    let v = &session.visitor;
    let lang = v.lang;
    if right.allowed_actions.is_empty() {
        return html! {};
    }
    let blank = (RightActionForm::default(), FormErrors::default());
    html! {
        h3 { (v.pick("办理", "Actions")) }
        div data-testid="right-actions" {
            @for action in &right.allowed_actions {
                @let (form, errors) = match typed {
                    Some((a, form, errors)) if a == action => (form, errors),
                    _ => (&blank.0, &blank.1),
                };
                (action_form(ActionForm {
                    action: Some(action.as_str()),
                    label: labels::authorization_action(lang, *action),
                    url: &format!("{url_base}/actions/{}", action.as_str()),
                    csrf: &v.csrf,
                    open: typed.is_some_and(|(a, _, _)| a == action),
                    danger: matches!(
                        action,
                        AuthorizationAction::Revoke
                            | AuthorizationAction::Surrender
                            | AuthorizationAction::Suspend
                    ),
                    summary: error_summary(lang, errors, &[
                        SummaryField::new("ground", v.pick("撤销事由", "Ground"), Some(action.as_str())),
                        SummaryField::new("reason", v.pick("理由", "Reason"), Some(action.as_str())),
                    ]),
                    inputs: move_inputs(session, *action, form, errors),
                }))
            }
        }
    }
}

/// Suspends, reinstates, revokes (staff) or surrenders (staff or the holder) a right.
pub async fn act_on_right(
    state: web::Data<ServiceState>,
    session: SignedIn,
    path: web::Path<(String, String)>,
    form: CsrfForm<RightActionForm>,
) -> Result<HttpResponse, PageError> {
    let (id, action) = path.into_inner();
    let action: AuthorizationAction = action
        .parse()
        .map_err(|_| session.error(ServiceError::NotFound))?;
    let form = form.0;
    let lang = session.visitor.lang;
    let ground = match form.ground.trim() {
        "" => Ok(None),
        g => g.parse::<RevocationGround>().map(Some).map_err(|_| {
            vec![FieldError::new(
                "ground",
                "invalid_choice",
                Localized::new("is not one of the choices", "请从选项中选择"),
            )]
        }),
    };
    let acted = match ground {
        Ok(ground) => {
            let input = AuthorizationActionInput {
                reason: Some(form.reason.trim().to_owned()).filter(|r| !r.is_empty()),
                ground,
            };
            authorizations::act(&state, &session.actor, id.clone(), action, input).await
        }
        Err(problems) => Err(ServiceError::Invalid(problems)),
    };
    let is_holder = session.actor.role == Role::Applicant;
    let done = || {
        if is_holder {
            session
                .visitor
                .redirect("/authorizations?notice=surrendered")
        } else {
            session.visitor.redirect(&format!(
                "/review/authorizations/{}?notice={}",
                url_encode(&id),
                action.as_str()
            ))
        }
    };
    // A second click (or a resent form) that finds the right where the first one took it
    // asked for what is done: say so rather than refuse.
    let acted = match acted {
        Err(ServiceError::Conflict(message)) => {
            match authorizations::get(&state, &session.actor, id.clone()).await {
                Ok(right) if right.status == action.leads_to() => return Ok(done()),
                _ => Err(ServiceError::Conflict(message)),
            }
        }
        other => other,
    };
    match acted {
        Ok(_) => Ok(done()),
        Err(ServiceError::Invalid(problems)) if !is_holder => {
            let typed = (action, form, FormErrors(problems));
            right_page(
                &state,
                &session,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&typed),
                None,
            )
            .await
        }
        Err(ServiceError::Conflict(message)) if !is_holder => {
            let text = message.pick(lang.zh()).to_owned();
            right_page(
                &state,
                &session,
                &id,
                StatusCode::CONFLICT,
                None,
                Some(crate::web::components::alert(&text)),
            )
            .await
        }
        Err(other) => Err(session.error(other)),
    }
}

/// A right's page again with the move typed before the session timed out (`said` on top),
/// after signing in; nothing is done until it is sent again.
pub async fn resume_move(
    state: &ServiceState,
    session: &SignedIn,
    id: &str,
    action: &str,
    form: RightActionForm,
    said: String,
) -> Result<HttpResponse, PageError> {
    let action: AuthorizationAction = action
        .parse()
        .map_err(|_| session.error(ServiceError::NotFound))?;
    let typed = (action, form, FormErrors::default());
    let said = crate::web::components::notice(&said);
    right_page(state, session, id, StatusCode::OK, Some(&typed), Some(said)).await
}
