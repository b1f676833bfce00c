//! `/register`: an enterprise opens its account, then is signed in to start an application.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;
use serde::Deserialize;

use super::{chosen_password_controls, not_repeated};
use crate::domain::FieldError;
use crate::http::client_address;
use crate::service::accounts::{self, EnterpriseInput, LoginInput, RegisterInput};
use crate::service::{public, ServiceError, ServiceState};
use crate::web::components::{form_section, Control, FormErrors, FormSection, SummaryField};
use crate::web::errors::PageError;
use crate::web::labels;
use crate::web::session::{CsrfForm, Visitor};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    username: String,
    password: String,
    password_confirmation: String,
    #[serde(flatten)]
    enterprise: EnterpriseFields,
}

/// The enterprise's part of a registration form, as typed (the window's form has it too).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct EnterpriseFields {
    #[serde(rename = "enterprise.uscc")]
    uscc: String,
    #[serde(rename = "enterprise.name")]
    name: String,
    #[serde(rename = "enterprise.legal_representative")]
    legal_representative: String,
    #[serde(rename = "enterprise.address")]
    address: String,
    #[serde(rename = "enterprise.town")]
    town: String,
    #[serde(rename = "enterprise.contact_name")]
    contact_name: String,
    #[serde(rename = "enterprise.contact_phone")]
    contact_phone: String,
    #[serde(rename = "enterprise.email")]
    email: String,
}

async fn register_page(
    state: &ServiceState,
    visitor: &Visitor,
    status: StatusCode,
    form: &RegisterForm,
    errors: &FormErrors,
) -> Result<HttpResponse, PageError> {
    let v = visitor;
    let lang = v.lang;
    let towns = town_choices(state, v).await?;
    let fields = [Control::input(
        "text",
        "username",
        v.pick("用户名", "Username"),
        &form.username,
    )
    .required()
    .hint(v.pick(
        "3–64 个字母、数字或 . _ @ -",
        "3–64 letters, digits or . _ @ -",
    ))
    .autocomplete("username")
    .autocapitalize("none")
    .max_length(64)];
    let mut fields = Vec::from(fields);
    fields.extend(chosen_password_controls(
        lang,
        "password",
        v.pick("密码", "Password"),
        v.pick("再次输入密码", "Password again"),
    ));
    fields.extend(enterprise_controls(v, &form.enterprise, towns));
    let names: Vec<SummaryField> = fields.iter().map(Control::summary_field).collect();
    let body = form_section(
        lang,
        FormSection {
            title: v.pick("注册企业账户", "Register your enterprise"),
            hint: Some(v.pick(
                "注册后即可在线申请使用地理标志专用标志。带 * 的为必填项。",
                "Once registered you can apply online to use the GI special mark. Fields marked * are required.",
            )),
            url: "/register",
            csrf: &v.csrf,
            errors,
            shown: &names,
            fields: html! { @for field in &fields { (field.draw(lang, errors)) } },
            submit: v.pick("注册", "Register"),
            after: html! {
                p {
                    (v.pick("已有账户？", "Already registered?")) " "
                    a href="/login" { (v.pick("登录", "Sign in")) }
                }
            },
        },
    );
    Ok(v.render(status, v.pick("注册企业账户", "Register"), html! {}, body))
}

/// The enterprise's controls of a registration form, with what was typed.
pub(crate) fn enterprise_controls<'a>(
    v: &'a Visitor,
    form: &'a EnterpriseFields,
    towns: Vec<(String, String)>,
) -> Vec<Control<'a>> {
    vec![
        Control::input(
            "text",
            "enterprise.uscc",
            v.pick("统一社会信用代码", "Unified social credit code"),
            &form.uscc,
        )
        .required()
        .hint(v.pick(
            "18 位，印在营业执照上",
            "18 characters, printed on the business licence",
        ))
        .autocapitalize("characters")
        .max_length(64)
        .no_spellcheck(),
        Control::input(
            "text",
            "enterprise.name",
            v.pick("企业名称", "Enterprise name"),
            &form.name,
        )
        .required()
        .autocomplete("organization")
        .max_length(200),
        Control::input(
            "text",
            "enterprise.legal_representative",
            v.pick("法定代表人", "Legal representative"),
            &form.legal_representative,
        )
        .required()
        .max_length(100),
        Control::input(
            "text",
            "enterprise.address",
            v.pick("住所", "Address"),
            &form.address,
        )
        .required()
        .autocomplete("street-address")
        .max_length(300),
        Control::select(
            "enterprise.town",
            v.pick("所在镇（街道）", "Town"),
            &form.town,
            towns,
        )
        .required(),
        Control::input(
            "text",
            "enterprise.contact_name",
            v.pick("联系人", "Contact person"),
            &form.contact_name,
        )
        .required()
        .autocomplete("name")
        .max_length(100),
        Control::input(
            "tel",
            "enterprise.contact_phone",
            v.pick("联系电话", "Contact phone"),
            &form.contact_phone,
        )
        .required()
        .autocomplete("tel")
        .max_length(30),
        Control::input(
            "email",
            "enterprise.email",
            v.pick("电子邮箱", "Email"),
            &form.email,
        )
        .required()
        .autocomplete("email")
        .max_length(254),
    ]
}

impl EnterpriseFields {
    pub(crate) fn input(&self) -> EnterpriseInput {
        EnterpriseInput {
            uscc: self.uscc.clone(),
            name: self.name.clone(),
            legal_representative: self.legal_representative.clone(),
            address: self.address.clone(),
            town: self.town.clone(),
            contact_name: self.contact_name.clone(),
            contact_phone: self.contact_phone.clone(),
            email: self.email.clone(),
        }
    }
}

/// The towns as a select's choices, in the visitor's language.
pub(crate) async fn town_choices(
    state: &ServiceState,
    v: &Visitor,
) -> Result<Vec<(String, String)>, PageError> {
    Ok(public::towns(state)
        .await
        .map_err(|e| v.error(e))?
        .iter()
        .map(|t| (t.code.clone(), labels::town(v.lang, t).to_owned()))
        .collect())
}

pub async fn register_form(
    state: web::Data<ServiceState>,
    visitor: Visitor,
) -> Result<HttpResponse, PageError> {
    register_page(
        &state,
        &visitor,
        StatusCode::OK,
        &RegisterForm::default(),
        &FormErrors::default(),
    )
    .await
}

pub async fn register(
    state: web::Data<ServiceState>,
    visitor: Visitor,
    request: HttpRequest,
    form: CsrfForm<RegisterForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.0;
    // The page's own check goes to the use case, which reports it with all the others.
    let repeated = not_repeated(&form.password, &form.password_confirmation);
    let input = RegisterInput {
        username: form.username.clone(),
        password: form.password.clone(),
        enterprise: form.enterprise.input(),
    };
    match accounts::register_checked(&state, input, client_address(&request), repeated).await {
        Ok(registered) => {
            let credentials = LoginInput {
                username: registered.user.username,
                password: form.password,
            };
            let token = accounts::login_for_pages(&state, credentials, client_address(&request))
                .await
                .map_err(|e| visitor.error(e))?;
            Ok(visitor.sign_in(&token.access_token, "/applications/new"))
        }
        Err(ServiceError::Invalid(problems)) => {
            register_page(
                &state,
                &visitor,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                &FormErrors(
                    problems
                        .into_iter()
                        .map(|e| labels::choose_the_town("enterprise.town", e))
                        .collect(),
                ),
            )
            .await
        }
        Err(ServiceError::Conflict(message)) => {
            // Which of the two is taken is in the message: put it beside that field.
            let field = if message.en.contains("username") {
                "username"
            } else {
                "enterprise.uscc"
            };
            let errors = FormErrors(vec![FieldError::new(field, "conflict", message)]);
            register_page(&state, &visitor, StatusCode::CONFLICT, &form, &errors).await
        }
        Err(other) => Err(visitor.error(other)),
    }
}
