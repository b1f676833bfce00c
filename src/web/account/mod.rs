//! Signing in and out, registering an enterprise, changing the password: the same use cases
//! as `/api/v1/auth/*`, with the token kept in the session cookie.

mod login;
mod password;
mod password_reset;
mod register;

pub(crate) use login::timed_out_sign_in;
pub use login::{login, login_form, logout, logout_form};
pub use password::{change_password, password_form};
pub use password_reset::{new_password_form, request_form, request_reset, set_new_password};
pub(crate) use register::{enterprise_controls, town_choices, EnterpriseFields};
pub use register::{register, register_form};

use crate::domain::{FieldError, Localized};
use crate::web::components::Control;
use crate::web::lang::Lang;

/// A password typed twice must be the same twice (a page's check: the API takes it once).
/// The problem, if any, goes to the use case, which reports it with its own.
fn not_repeated(password: &str, again: &str) -> Vec<FieldError> {
    if password == again {
        return Vec::new();
    }
    vec![FieldError::new(
        "password_confirmation",
        "mismatch",
        Localized::new("does not repeat the password", "两次输入的密码不一致"),
    )]
}

/// A password being chosen and its repetition (`password_confirmation`): at registration
/// (`name` `password`), when changing it and when setting it from a link (`new_password`).
fn chosen_password_controls(
    lang: Lang,
    name: &'static str,
    label: &'static str,
    again: &'static str,
) -> [Control<'static>; 2] {
    [
        Control::input("password", name, label, "")
            .required()
            .hint(lang.pick("至少 10 个字符", "At least 10 characters"))
            .autocomplete("new-password")
            .min_length(10)
            .max_length(256),
        Control::input("password", "password_confirmation", again, "")
            .required()
            .autocomplete("new-password")
            .max_length(256),
    ]
}

/// The new password and its repetition, as changing it and setting it from a link ask.
fn new_password_controls(lang: Lang) -> [Control<'static>; 2] {
    chosen_password_controls(
        lang,
        "new_password",
        lang.pick("新密码", "New password"),
        lang.pick("再次输入新密码", "New password again"),
    )
}
