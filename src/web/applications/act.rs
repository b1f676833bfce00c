//! The workflow's actions on one application (submit, accept, return, approve…): the forms
//! of those this person may take now, and taking one.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup};

use super::edit::{save_changes, Saving};
use super::show::{application_page, Redraw};
use super::{base_of, optional, ApplicationForm};
use crate::domain::roles::Role;
use crate::domain::workflow::ApplicationAction;
use crate::domain::{FieldError, Localized};
use crate::service::applications::{self, ActionInput, ApplicationView, FieldCommentInput};
use crate::service::{ServiceError, ServiceState};
use crate::web::components::{
    action_button, action_form, error_summary, ActionForm, Control, FormErrors, SummaryField,
};
use crate::web::errors::PageError;
use crate::web::format::url_encode;
use crate::web::labels::{self, APPLICATION_FIELDS};
use crate::web::session::{CsrfForm, SignedIn};

/// What a refused action's form held: the action, the values typed, the problems.
type Typed = (ApplicationAction, HashMap<String, String>, FormErrors);

/// The inputs of one action's form.
fn action_inputs(
    session: &SignedIn,
    view: &ApplicationView,
    action: ApplicationAction,
    values: &HashMap<String, String>,
    errors: &FormErrors,
    today: &str,
) -> Markup {
    let v = &session.visitor;
    let lang = v.lang;
    let value = |name: &str| values.get(name).map(String::as_str).unwrap_or("");
    let scope = action.as_str();
    let text = |name: &'static str, label: &str, required: bool| {
        let control = Control::text_area(name, label, value(name))
            .max_length(2000)
            .within(scope);
        if required {
            control.required()
        } else {
            control
        }
        .draw(lang, errors)
    };
    match action {
        ApplicationAction::Refuse | ApplicationAction::Reject => {
            text("reason", v.pick("理由", "Reason"), true)
        }
        ApplicationAction::Return => {
            // One comment per field and per required document, shown to the producer beside it.
            let mut fields: Vec<String> = APPLICATION_FIELDS
                .iter()
                .map(|(n, _, _)| n.to_string())
                .collect();
            fields.extend(
                view.basis
                    .required_documents()
                    .iter()
                    .map(|k| format!("attachments.{}", k.as_str())),
            );
            html! {
                (text("comment", v.pick("审查意见", "Opinion"), true))
                p class="muted" {
                    (v.pick(
                        "需要修改的项目请逐项写明，申请人会在该项旁边看到：",
                        "Comment on each item to correct; the producer sees it beside that item:"
                    ))
                }
                @for field in &fields {
                    @let name = format!("field_comments.{field}");
                    @let label = labels::field(lang, field);
                    (Control::input("text", &name, &label, value(&name))
                        .max_length(2000)
                        .within(scope)
                        .draw(lang, errors))
                }
            }
        }
        ApplicationAction::Approve => html! {
            (Control::input("text", "announcement_no", v.pick("核准公告号", "Announcement no."), value("announcement_no"))
                .required()
                .max_length(100)
                .within(scope)
                .draw(lang, errors))
            (Control::input("text", "announcement_date", v.pick("公告日期", "Announcement date"),
                values.get("announcement_date").map(String::as_str).unwrap_or(today))
                .required()
                .hint("YYYY-MM-DD")
                .input_mode("numeric")
                .max_length(10)
                .within(scope)
                .draw(lang, errors))
            (text("comment", v.pick("备注", "Comment"), false))
        },
        _ => html! {
            @if action == ApplicationAction::Withdraw {
                p class="alert" {
                    (v.pick(
                        "撤回后本申请即告结束，不能恢复；如需再申请，请新建申请。",
                        "Withdrawing ends this application for good; to apply again, start a new one."
                    ))
                }
            }
            (text("comment", v.pick("备注（可选）", "Comment (optional)"), false))
        },
    }
}

/// What the error summary of an action's form points at.
fn summary_fields(
    session: &SignedIn,
    view: &ApplicationView,
    action: ApplicationAction,
) -> Vec<SummaryField> {
    let v = &session.visitor;
    let scope = Some(action.as_str());
    let comment = match action {
        ApplicationAction::Return => v.pick("审查意见", "Opinion"),
        _ => v.pick("备注", "Comment"),
    };
    let mut fields = vec![
        SummaryField::new("reason", v.pick("理由", "Reason"), scope),
        SummaryField::new(
            "announcement_no",
            v.pick("核准公告号", "Announcement no."),
            scope,
        ),
        SummaryField::new(
            "announcement_date",
            v.pick("公告日期", "Announcement date"),
            scope,
        ),
        SummaryField::new("comment", comment, scope),
    ];
    if action == ApplicationAction::Return {
        let commented = APPLICATION_FIELDS
            .iter()
            .map(|(n, _, _)| n.to_string())
            .chain(
                view.basis
                    .required_documents()
                    .iter()
                    .map(|k| format!("attachments.{}", k.as_str())),
            );
        for field in commented {
            let name = format!("field_comments.{field}");
            fields.push(SummaryField::new(
                &name,
                &labels::field(v.lang, &field),
                scope,
            ));
        }
    }
    fields
}

/// The forms of the actions this user may take now, and only those. With `form_id` (the
/// producer's editable application form), submitting sends that form's fields too.
pub(super) fn actions(
    session: &SignedIn,
    view: &ApplicationView,
    base: &str,
    typed: Option<&Typed>,
    form_id: Option<&str>,
    today: NaiveDate,
) -> Markup {
    let today = today.to_string();
    let v = &session.visitor;
    let lang = v.lang;
    if view.allowed_actions.is_empty() {
        return html! {};
    }
    let empty = (HashMap::new(), FormErrors::default());
    html! {
        section aria-labelledby="actions-title" data-testid="actions" {
            h2 id="actions-title" { (v.pick("办理", "Actions")) }
            @for action in &view.allowed_actions {
                @let (values, errors) = match typed {
                    Some((a, values, errors)) if a == action => (values, errors),
                    _ => (&empty.0, &empty.1),
                };
                @let url = format!("{base}/actions/{}", action.as_str());
                @let label = labels::action(lang, *action);
                @let danger = matches!(
                    action,
                    ApplicationAction::Withdraw | ApplicationAction::Refuse | ApplicationAction::Reject
                );
                @let submits = matches!(action, ApplicationAction::Submit | ApplicationAction::Resubmit);
                @if submits && session.actor.role == Role::Applicant {
                    // Nothing to type: one button, which sends the application's form (and so
                    // any unsaved edit) when there is one. (Withdrawing, which cannot be undone,
                    // opens with a warning instead of acting at once.)
                    div class="actions" data-action=(action.as_str()) {
                        @if let Some(form_id) = form_id {
                            button type="submit" form=(form_id) formaction=(url) data-testid="submit-application" { (label) }
                        } @else {
                            (action_button(&url, &v.csrf, label, danger.then_some("danger")))
                        }
                    }
                } @else {
                    @let shown = summary_fields(session, view, *action);
                    (action_form(ActionForm {
                        action: Some(action.as_str()),
                        label,
                        url: &url,
                        csrf: &v.csrf,
                        open: typed.is_some_and(|(a, _, _)| a == action),
                        danger,
                        summary: error_summary(lang, errors, &shown),
                        inputs: action_inputs(session, view, *action, values, errors, &today),
                    }))
                }
            }
        }
    }
}

/// The action's body from its form: empty fields are absent, `field_comments.<field>` are
/// the comments on single fields.
fn action_input(values: &HashMap<String, String>) -> Result<ActionInput, Vec<FieldError>> {
    let get = |name: &str| values.get(name).and_then(|v| optional(v));
    let announcement_date = match get("announcement_date") {
        None => None,
        Some(date) => Some(
            NaiveDate::parse_from_str(&date.replace(['/', '.'], "-"), "%Y-%m-%d").map_err(
                |_| {
                    vec![FieldError::new(
                        "announcement_date",
                        "invalid_date",
                        Localized::new("must be a date, YYYY-MM-DD", "请填写日期，格式为 年-月-日"),
                    )]
                },
            )?,
        ),
    };
    let mut field_comments: Vec<FieldCommentInput> = values
        .iter()
        .filter_map(|(name, comment)| {
            let field = name.strip_prefix("field_comments.")?;
            Some(FieldCommentInput {
                field: field.to_owned(),
                comment: optional(comment)?,
            })
        })
        .collect();
    field_comments.sort_by(|a, b| a.field.cmp(&b.field));
    Ok(ActionInput {
        comment: get("comment"),
        reason: get("reason"),
        field_comments: (!field_comments.is_empty()).then_some(field_comments),
        announcement_no: get("announcement_no"),
        announcement_date,
    })
}

pub async fn act(
    state: web::Data<ServiceState>,
    session: SignedIn,
    path: web::Path<(String, String)>,
    form: CsrfForm<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let (id, action) = path.into_inner();
    let action: ApplicationAction = action
        .parse()
        .map_err(|_| session.error(ServiceError::NotFound))?;
    let values = form.0;
    let lang = session.visitor.lang;
    // Submitting from the application's form sends its fields: unsaved edits are saved first
    // (and if they cannot be, the form comes back with them and nothing is submitted).
    if action.is_submission() {
        let typed = ApplicationForm::from_values(&values);
        if let Saving::Refused(status, redraw) = save_changes(&state, &session, &id, typed).await? {
            return application_page(&state, &session, &id, status, *redraw).await;
        }
    }
    let refused = |problems: Vec<FieldError>| Redraw {
        action: Some((action, values.clone(), FormErrors(problems))),
        ..Default::default()
    };
    let acted = match action_input(&values) {
        Ok(input) => applications::act(&state, &session.actor, id.clone(), action, input).await,
        Err(problems) => Err(ServiceError::Invalid(problems)),
    };
    let done = || {
        session.visitor.redirect(&format!(
            "{}/{}?notice={}",
            base_of(&session.actor),
            url_encode(&id),
            action.as_str()
        ))
    };
    match acted {
        Ok(_) => Ok(done()),
        Err(ServiceError::Invalid(problems)) => {
            application_page(
                &state,
                &session,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                refused(problems),
            )
            .await
        }
        Err(ServiceError::Conflict(message)) => {
            // A second click (or a resent form) finds the application where the first one
            // took it: that is what was asked for, so say it is done rather than refused.
            let now = applications::get(&state, &session.actor, id.clone())
                .await
                .map_err(|e| session.error(e))?;
            if now.status == action.leads_to() {
                return Ok(done());
            }
            let redraw = Redraw {
                action: refused(Vec::new()).action,
                ..Redraw::refused(lang, &message)
            };
            application_page(&state, &session, &id, StatusCode::CONFLICT, redraw).await
        }
        Err(other) => Err(session.error(other)),
    }
}
