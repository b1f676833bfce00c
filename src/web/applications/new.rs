//! `/applications/new`: choose the product, then fill in and save the draft.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::html;
use serde::Deserialize;

use super::{form_field_names, form_fields, optional, products_of, ApplicationForm};
use crate::domain::eligibility::Basis;
use crate::domain::roles::Role;
use crate::service::applications::{self, ApplicationInput};
use crate::service::public::ProductView;
use crate::service::{ServiceError, ServiceState};
use crate::web::components::{form_section, notice, FormErrors, FormSection};
use crate::web::errors::PageError;
use crate::web::format::url_encode;
use crate::web::labels;
use crate::web::session::{CsrfForm, SignedIn};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    product: String,
}

fn new_application_page(
    session: &SignedIn,
    status: StatusCode,
    product: &ProductView,
    form: &ApplicationForm,
    errors: &FormErrors,
    said: Option<&str>,
) -> HttpResponse {
    let v = &session.visitor;
    let lang = v.lang;
    let section = form_section(
        lang,
        FormSection {
            title: v.pick("申请使用地理标志专用标志", "Apply to use the GI special mark"),
            hint: Some(v.pick(
                "先保存为草稿，再上传材料并提交。带 * 的为必填项。",
                "Save a draft first, then upload the documents and submit. Fields marked * are required.",
            )),
            url: "/applications/new",
            csrf: &v.csrf,
            errors,
            shown: &form_field_names(lang),
            fields: form_fields(lang, product, form, errors, None),
            submit: v.pick("保存草稿", "Save draft"),
            after: html! {},
        },
    );
    let body = html! {
        @if let Some(said) = said { (notice(said)) }
        (section)
    };
    session.render(status, v.pick("新申请", "New application"), body)
}

pub async fn new_application(
    state: web::Data<ServiceState>,
    session: SignedIn,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, PageError> {
    if session.actor.role != Role::Applicant {
        return Err(session.error(ServiceError::Forbidden));
    }
    let v = &session.visitor;
    let products = products_of(&state, &session).await?;
    let chosen = products.iter().find(|p| p.code == query.product);
    let Some(product) = chosen.or(if products.len() == 1 {
        products.first()
    } else {
        None
    }) else {
        // First step: which product? The towns offered depend on it.
        let body = html! {
            section {
                h2 { (v.pick("申请使用地理标志专用标志", "Apply to use the GI special mark")) }
                p class="muted" {
                    (v.pick("谁可以申请、需要哪些材料、办理时限：", "Who may apply, what to provide, how long it takes: "))
                    a href="/guide" data-testid="guide-before-applying" { (v.pick("办事指南", "the service guide")) }
                }
                p { (v.pick("请选择产品：", "Choose the product:")) }
                ul class="results" {
                    @for p in &products {
                        li {
                            a href={ "/applications/new?product=" (url_encode(&p.code)) } data-product=(p.code) {
                                (labels::product(v.lang, p))
                            }
                            p class="muted" { (p.protected_area) }
                        }
                    }
                }
            }
        };
        return Ok(session.render(StatusCode::OK, v.pick("新申请", "New application"), body));
    };
    let form = ApplicationForm {
        product_code: product.code.clone(),
        basis: Basis::GiProduct.as_str().to_owned(),
        ..Default::default()
    };
    Ok(new_application_page(
        &session,
        StatusCode::OK,
        product,
        &form,
        &FormErrors::default(),
        None,
    ))
}

pub async fn create_application(
    state: web::Data<ServiceState>,
    session: SignedIn,
    form: CsrfForm<ApplicationForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.0;
    let products = products_of(&state, &session).await?;
    let Some(product) = products.iter().find(|p| p.code == form.product_code) else {
        return Ok(session.visitor.redirect("/applications/new"));
    };
    // A value that cannot be read is reported by the use case with all the others.
    let (values, unreadable) = form.read();
    let input = ApplicationInput {
        product_code: form.product_code.clone(),
        basis: values.basis.unwrap_or(Basis::GiProduct),
        trademark_reg_no: optional(&form.trademark_reg_no),
        production_town: form.production_town.clone(),
        production_address: form.production_address.trim().to_owned(),
        area_mu: values.area_mu,
        annual_output_kg: values.annual_output_kg,
        description: optional(&form.description),
    };
    let created = applications::create_checked(&state, &session.actor, input, unreadable).await;
    match created {
        Ok(view) => Ok(session.visitor.redirect(&format!(
            "/applications/{}?notice=created",
            url_encode(&view.id)
        ))),
        Err(ServiceError::Invalid(problems)) => Ok(new_application_page(
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            product,
            &form,
            &FormErrors(
                problems
                    .into_iter()
                    .map(|e| labels::choose_the_town("production_town", e))
                    .collect(),
            ),
            None,
        )),
        Err(other) => Err(session.error(other)),
    }
}

/// The new application's form again with what was typed before the session timed out
/// (`said` on top), after signing in; nothing is saved until it is sent again.
pub async fn resume_new(
    state: &ServiceState,
    session: &SignedIn,
    form: ApplicationForm,
    said: String,
) -> Result<HttpResponse, PageError> {
    if session.actor.role != Role::Applicant {
        return Err(session.error(ServiceError::Forbidden));
    }
    let products = products_of(state, session).await?;
    let Some(product) = products.iter().find(|p| p.code == form.product_code) else {
        return Ok(session.visitor.redirect("/applications/new"));
    };
    Ok(new_application_page(
        session,
        StatusCode::OK,
        product,
        &form,
        &FormErrors::default(),
        Some(&said),
    ))
}
