//! Signing in and out, registering an enterprise, changing the password: the same use cases
//! as `/api/v1/auth/*`, with the token kept in the session cookie.

use std::fmt::Write;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::form::Control;
use super::layout::escape;
use super::session::{CsrfForm, FormErrors, PageError, SignedIn, Visitor};
use crate::domain::roles::Role;
use crate::domain::{FieldError, Localized};
use crate::http::client_address;
use crate::service::accounts::{
    self, ChangePasswordInput, EnterpriseInput, LoginInput, RegisterInput,
};
use crate::service::{public, ServiceError, ServiceState};

/// Where each role starts.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Applicant => "/applications",
        _ => "/review",
    }
}

/// Only a plain path of ours: one leading `/`, never `//elsewhere` or `/\elsewhere` or an
/// absolute address (an open redirect), and only visible ASCII — browsers drop tabs and line
/// breaks from addresses (`/\t/evil` becomes `//evil`), CR/LF must never reach the `Location`
/// header, and a header value cannot hold anything else (our own links are percent-encoded).
fn safe_next(next: &str) -> Option<&str> {
    let plain = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && next.bytes().all(|b| b.is_ascii_graphic());
    plain.then_some(next)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginQuery {
    next: String,
    notice: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
    next: String,
}

fn login_page(
    visitor: &Visitor,
    status: StatusCode,
    form: &LoginForm,
    notice: &str,
    errors: &FormErrors,
) -> HttpResponse {
    let v = visitor;
    let mut body = String::new();
    let notice = match notice {
        "signed_out" => v.pick("您已退出登录。", "You have signed out."),
        "password_changed" => v.pick(
            "密码已修改，请用新密码登录。",
            "Your password was changed: sign in with the new one.",
        ),
        _ => "",
    };
    if !notice.is_empty() {
        let _ = write!(body, "<p class=\"notice\" role=\"status\">{notice}</p>");
    }
    let _ = write!(
        body,
        "<section><h2>{title}</h2><form method=\"post\" action=\"/login\" novalidate>{csrf}\
         <input type=\"hidden\" name=\"next\" value=\"{next}\">{general}{username}{password}\
         <p><button type=\"submit\">{button}</button></p></form>\
         <p>{new_here} <a href=\"/register\">{register}</a></p></section>",
        title = v.pick("登录", "Sign in"),
        csrf = v.csrf_field(),
        next = escape(&form.next),
        general = errors.messages(v.lang, "credentials", "credentials"),
        username = Control::input(
            "text",
            "username",
            v.pick("用户名", "Username"),
            &form.username
        )
        .required()
        .attributes("autocomplete=\"username\" autocapitalize=\"none\" maxlength=\"256\" autofocus")
        .draw(v.lang, errors),
        password = Control::input("password", "password", v.pick("密码", "Password"), "")
            .required()
            .attributes("autocomplete=\"current-password\" maxlength=\"1024\"")
            .draw(v.lang, errors),
        button = v.pick("登录", "Sign in"),
        new_here = v.pick("还没有账户？", "No account yet?"),
        register = v.pick("注册企业账户", "Register your enterprise"),
    );
    v.render(status, v.pick("登录", "Sign in"), "", &body)
}

pub async fn login_form(visitor: Visitor, query: web::Query<LoginQuery>) -> HttpResponse {
    let query = query.into_inner();
    let form = LoginForm {
        next: query.next,
        ..Default::default()
    };
    login_page(
        &visitor,
        StatusCode::OK,
        &form,
        &query.notice,
        &FormErrors::default(),
    )
}

pub async fn login(
    state: web::Data<ServiceState>,
    visitor: Visitor,
    request: HttpRequest,
    form: CsrfForm<LoginForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.0;
    let input = LoginInput {
        username: form.username.clone(),
        password: form.password.clone(),
    };
    let failure = |status, en: &str, zh: &str| {
        let errors = FormErrors(vec![FieldError::new(
            "credentials",
            "refused",
            Localized::new(en, zh),
        )]);
        Ok(login_page(&visitor, status, &form, "", &errors))
    };
    match accounts::login(&state, input, client_address(&request)).await {
        Ok(token) => {
            let target = safe_next(&form.next).unwrap_or(home_of(token.role));
            Ok(visitor.sign_in(&token.access_token, target))
        }
        Err(ServiceError::BadCredentials) => failure(
            StatusCode::UNAUTHORIZED,
            "Wrong user name or password.",
            "用户名或密码错误。",
        ),
        Err(ServiceError::Invalid(_)) => failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Enter your username and password.",
            "请输入用户名和密码。",
        ),
        Err(ServiceError::TooManyRequests { retry_after_secs }) => {
            let minutes = retry_after_secs.div_ceil(60);
            failure(
                StatusCode::TOO_MANY_REQUESTS,
                &format!("Too many failed attempts: try again in {minutes} minutes."),
                &format!("登录失败次数过多，请{minutes}分钟后再试。"),
            )
        }
        Err(other) => Err(visitor.error(other)),
    }
}

/// A sign-out page for whoever follows a link to it; signing out itself is a POST.
pub async fn logout_form(visitor: Visitor) -> HttpResponse {
    let body = format!(
        "<section><h2>{}</h2><form method=\"post\" action=\"/logout\">{}<button type=\"submit\">{}</button></form></section>",
        visitor.pick("退出登录", "Sign out"),
        visitor.csrf_field(),
        visitor.pick("退出", "Sign out"),
    );
    visitor.render(
        StatusCode::OK,
        visitor.pick("退出登录", "Sign out"),
        "",
        &body,
    )
}

#[derive(Debug, Default, Deserialize)]
pub struct NoFields {}

/// Ends the session server-side (its cookie answers as signed out from now on, even if a
/// copy of it survives), then empties the cookie.
pub async fn logout(
    state: web::Data<ServiceState>,
    visitor: Visitor,
    session: Option<SignedIn>,
    _form: CsrfForm<NoFields>,
) -> Result<HttpResponse, PageError> {
    if let Some(session) = session {
        accounts::logout(&state, &session.actor, &session.session_id)
            .await
            .map_err(|e| visitor.error(e))?;
    }
    Ok(visitor.sign_out("/login?notice=signed_out"))
}

/// A password typed twice must be the same twice (a page's check: the API takes it once).
fn not_repeated() -> FormErrors {
    FormErrors(vec![FieldError::new(
        "password_confirmation",
        "mismatch",
        Localized::new("does not repeat the password", "两次输入的密码不一致"),
    )])
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    username: String,
    password: String,
    password_confirmation: String,
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
    let towns = public::towns(state)
        .await
        .map_err(|e| v.error(e))?
        .into_iter()
        .map(|t| {
            let label = if v.zh() { t.name_zh } else { t.name_en };
            (t.code, label)
        })
        .collect();
    let fields = [
        Control::input(
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
        .attributes("autocomplete=\"username\" autocapitalize=\"none\" maxlength=\"64\""),
        Control::input("password", "password", v.pick("密码", "Password"), "")
            .required()
            .hint(v.pick("至少 10 个字符", "At least 10 characters"))
            .attributes("autocomplete=\"new-password\" minlength=\"10\" maxlength=\"256\""),
        Control::input(
            "password",
            "password_confirmation",
            v.pick("再次输入密码", "Password again"),
            "",
        )
        .required()
        .attributes("autocomplete=\"new-password\" maxlength=\"256\""),
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
        .attributes("autocapitalize=\"characters\" maxlength=\"64\" spellcheck=\"false\""),
        Control::input(
            "text",
            "enterprise.name",
            v.pick("企业名称", "Enterprise name"),
            &form.name,
        )
        .required()
        .attributes("autocomplete=\"organization\" maxlength=\"200\""),
        Control::input(
            "text",
            "enterprise.legal_representative",
            v.pick("法定代表人", "Legal representative"),
            &form.legal_representative,
        )
        .required()
        .attributes("maxlength=\"100\""),
        Control::input(
            "text",
            "enterprise.address",
            v.pick("住所", "Address"),
            &form.address,
        )
        .required()
        .attributes("autocomplete=\"street-address\" maxlength=\"300\""),
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
        .attributes("autocomplete=\"name\" maxlength=\"100\""),
        Control::input(
            "tel",
            "enterprise.contact_phone",
            v.pick("联系电话", "Contact phone"),
            &form.contact_phone,
        )
        .required()
        .attributes("autocomplete=\"tel\" maxlength=\"30\""),
        Control::input(
            "email",
            "enterprise.email",
            v.pick("电子邮箱", "Email"),
            &form.email,
        )
        .required()
        .attributes("autocomplete=\"email\" maxlength=\"254\""),
    ];
    let names = [
        "username",
        "password",
        "password_confirmation",
        "enterprise.uscc",
        "enterprise.name",
        "enterprise.legal_representative",
        "enterprise.address",
        "enterprise.town",
        "enterprise.contact_name",
        "enterprise.contact_phone",
        "enterprise.email",
    ];
    let mut body = format!(
        "<section><h2>{}</h2><p class=\"muted\">{}</p><form method=\"post\" action=\"/register\" novalidate>{}{}",
        v.pick("注册企业账户", "Register your enterprise"),
        v.pick(
            "注册后即可在线申请使用地理标志专用标志。带 * 的为必填项。",
            "Once registered you can apply online to use the GI special mark. Fields marked * are required.",
        ),
        v.csrf_field(),
        errors.others(v.lang, &names),
    );
    for field in &fields {
        body.push_str(&field.draw(v.lang, errors));
    }
    let _ = write!(
        body,
        "<p><button type=\"submit\">{}</button></p></form><p>{} <a href=\"/login\">{}</a></p></section>",
        v.pick("注册", "Register"),
        v.pick("已有账户？", "Already registered?"),
        v.pick("登录", "Sign in"),
    );
    Ok(v.render(status, v.pick("注册企业账户", "Register"), "", &body))
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
    if form.password != form.password_confirmation {
        let errors = FormErrors(vec![FieldError::new(
            "password_confirmation",
            "mismatch",
            Localized::new("does not repeat the password", "两次输入的密码不一致"),
        )]);
        return register_page(
            &state,
            &visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form,
            &errors,
        )
        .await;
    }
    let input = RegisterInput {
        username: form.username.clone(),
        password: form.password.clone(),
        enterprise: EnterpriseInput {
            uscc: form.uscc.clone(),
            name: form.name.clone(),
            legal_representative: form.legal_representative.clone(),
            address: form.address.clone(),
            town: form.town.clone(),
            contact_name: form.contact_name.clone(),
            contact_phone: form.contact_phone.clone(),
            email: form.email.clone(),
        },
    };
    match accounts::register(&state, input, client_address(&request)).await {
        Ok(registered) => {
            let credentials = LoginInput {
                username: registered.user.username,
                password: form.password,
            };
            let token = accounts::login(&state, credentials, client_address(&request))
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
                &FormErrors(problems),
            )
            .await
        }
        Err(ServiceError::Conflict(message)) => {
            // Which of the two is taken is in the message; show it at the top of the form.
            let errors = FormErrors(vec![FieldError::new("account", "conflict", message)]);
            register_page(&state, &visitor, StatusCode::CONFLICT, &form, &errors).await
        }
        Err(other) => Err(visitor.error(other)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    password_confirmation: String,
}

fn password_page(session: &SignedIn, status: StatusCode, errors: &FormErrors) -> HttpResponse {
    let v = &session.visitor;
    let names = ["current_password", "new_password", "password_confirmation"];
    let body = format!(
        "<section><h2>{title}</h2><p class=\"muted\">{hint}</p><form method=\"post\" action=\"/password\" novalidate>{csrf}{others}{current}{new}{again}<p><button type=\"submit\">{button}</button></p></form></section>",
        title = v.pick("修改密码", "Change password"),
        hint = v.pick(
            "修改后，所有设备上的登录都会失效，需要用新密码重新登录。",
            "Afterwards every device is signed out; sign in again with the new password.",
        ),
        csrf = v.csrf_field(),
        others = errors.others(v.lang, &names),
        current = Control::input("password", "current_password", v.pick("当前密码", "Current password"), "")
            .required()
            .attributes("autocomplete=\"current-password\" maxlength=\"1024\"")
            .draw(v.lang, errors),
        new = Control::input("password", "new_password", v.pick("新密码", "New password"), "")
            .required()
            .hint(v.pick("至少 10 个字符", "At least 10 characters"))
            .attributes("autocomplete=\"new-password\" minlength=\"10\" maxlength=\"256\"")
            .draw(v.lang, errors),
        again = Control::input("password", "password_confirmation", v.pick("再次输入新密码", "New password again"), "")
            .required()
            .attributes("autocomplete=\"new-password\" maxlength=\"256\"")
            .draw(v.lang, errors),
        button = v.pick("修改密码", "Change password"),
    );
    session.render(status, v.pick("修改密码", "Change password"), &body)
}

pub async fn password_form(session: SignedIn) -> HttpResponse {
    password_page(&session, StatusCode::OK, &FormErrors::default())
}

pub async fn change_password(
    state: web::Data<ServiceState>,
    request: HttpRequest,
    session: SignedIn,
    form: CsrfForm<PasswordForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.0;
    if form.new_password != form.password_confirmation {
        return Ok(password_page(
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            &not_repeated(),
        ));
    }
    let input = ChangePasswordInput {
        current_password: form.current_password,
        new_password: form.new_password,
    };
    match accounts::change_password(&state, &session.actor, input, client_address(&request)).await {
        Ok(()) => Ok(session.visitor.sign_out("/login?notice=password_changed")),
        Err(ServiceError::Invalid(problems)) => Ok(password_page(
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            &FormErrors(problems),
        )),
        Err(other) => Err(session.error(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_only_ever_a_plain_local_path() {
        assert_eq!(
            safe_next("/applications?page=2"),
            Some("/applications?page=2")
        );
        for hostile in [
            "",
            "\r\nSet-Cookie:x=1",
            "/\r\nSet-Cookie:x=1",
            "/a\u{0}b",
            "/\t/evil.example",
            "/ /evil.example",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "evil.example",
            "/verify/英红",
        ] {
            assert_eq!(safe_next(hostile), None, "{hostile:?}");
        }
    }
}
