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
use crate::web::components::FormErrors;

/// A password typed twice must be the same twice (a page's check: the API takes it once).
fn not_repeated() -> FormErrors {
    FormErrors(vec![FieldError::new(
        "password_confirmation",
        "mismatch",
        Localized::new("does not repeat the password", "两次输入的密码不一致"),
    )])
}
