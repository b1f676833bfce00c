//! A producer registers: the enterprise and its first account in one transaction.

use chrono::NaiveDateTime;
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::{
    conflict_on_race, enterprise_view, hash_password, new_id, uncounted, Registered, UserView,
};
use crate::db::models::account::{EnterpriseRow, UserRow};
use crate::db::queries::{self, accounts as db};
use crate::db::{write_transaction, DbConnection};
use crate::domain::accounts::{check_password, normalise_username};
use crate::domain::roles::Role;
use crate::domain::throttle::{ThrottlePolicy, REGISTRATIONS_PER_ADDRESS};
use crate::domain::uscc::Uscc;
use crate::domain::{FieldError, Localized};
use crate::service::journal::{self, EventActor, NewEvent};
use crate::service::{throttle, validation};
use crate::service::{ServiceError, ServiceResult, ServiceState};

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct RegisterInput {
    #[schema(min_length = 3, max_length = 64, pattern = r"^[A-Za-z0-9._@-]+$")]
    pub username: String,
    /// At least 10 characters, not the username.
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
    #[validate(nested)]
    pub enterprise: EnterpriseInput,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct EnterpriseInput {
    /// Unified social credit code (18 characters; spaces and lower case are accepted).
    #[schema(min_length = 18, max_length = 64)]
    pub uscc: String,
    #[serde(deserialize_with = "validation::trimmed")]
    #[validate(
        custom(function = "validation::plain_text"),
        length(min = 2, max = 200)
    )]
    #[schema(min_length = 2, max_length = 200)]
    pub name: String,
    #[serde(deserialize_with = "validation::trimmed")]
    #[validate(
        custom(function = "validation::plain_text"),
        length(min = 1, max = 100)
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub legal_representative: String,
    #[serde(deserialize_with = "validation::trimmed")]
    #[validate(
        custom(function = "validation::plain_text"),
        length(min = 1, max = 300)
    )]
    #[schema(min_length = 1, max_length = 300)]
    pub address: String,
    /// A town of Yingde by code (`xiniu`), Chinese name (`西牛镇`) or English name.
    #[serde(deserialize_with = "validation::trimmed")]
    #[validate(length(min = 1, max = 50))]
    #[schema(min_length = 1, max_length = 50)]
    pub town: String,
    #[serde(deserialize_with = "validation::trimmed")]
    #[validate(
        custom(function = "validation::plain_text"),
        length(min = 1, max = 100)
    )]
    #[schema(min_length = 1, max_length = 100)]
    pub contact_name: String,
    #[serde(deserialize_with = "validation::trimmed")]
    #[validate(length(min = 5, max = 30))]
    #[schema(min_length = 5, max_length = 30)]
    pub contact_phone: String,
    #[serde(deserialize_with = "validation::trimmed")]
    #[validate(email, length(max = 254))]
    #[schema(format = Email, max_length = 254)]
    pub email: String,
}

/// A producer's account and its enterprise, in one transaction with its journal event.
/// At most `registrations_per_hour` registrations that reach the hash per client address.
pub async fn register(
    state: &ServiceState,
    input: RegisterInput,
    client_address: String,
) -> ServiceResult<Registered> {
    register_checked(state, input, client_address, Vec::new()).await
}

/// [`register`] with `problems` the caller found already (a page's repeated password), which
/// are reported together with every other one: a refused registration lists all its
/// problems at once, not one round at a time.
pub async fn register_checked(
    state: &ServiceState,
    input: RegisterInput,
    client_address: String,
    mut problems: Vec<FieldError>,
) -> ServiceResult<Registered> {
    let username = normalise_username(&input.username)
        .map_err(|e| problems.push(e))
        .ok();
    if let Err(e) = check_password("password", &input.password, &input.username) {
        problems.push(e);
    }
    let uscc = Uscc::parse(&input.enterprise.uscc)
        .map_err(|e| {
            problems.push(FieldError::new(
                "enterprise.uscc",
                e.code(),
                Localized::new(e.message_en(), e.message_zh()),
            ))
        })
        .ok();
    problems.extend(contact_problems(&input.enterprise));
    // The town is looked up now (a read) so that an unknown one is reported with the rest.
    let asked_town = input.enterprise.town.clone();
    let town = state
        .run(move |conn| Ok(queries::reference::find_town(conn, &asked_town)?))
        .await?;
    if town.is_none() {
        problems.push(unknown_town());
    }
    validation::check(&input, problems)?;
    let (Some(username), Some(uscc), Some(town)) = (username, uscc, town) else {
        return Err(ServiceError::Internal(anyhow::anyhow!(
            "validated input lost its parts"
        )));
    };

    let now = state.clock.now_naive();
    let policy = ThrottlePolicy {
        max_attempts: state.settings.registrations_per_hour,
        ..REGISTRATIONS_PER_ADDRESS
    };
    let key = format!("register:{client_address}");
    let refused = state
        .run(move |conn| {
            write_transaction(conn, |conn| throttle::admit(conn, &[(&key, policy)], now))
        })
        .await
        .map_err(uncounted)?;
    if let Some(retry_after_secs) = refused {
        return Err(ServiceError::TooManyRequests { retry_after_secs });
    }
    // Hashing is slow: do it before taking the write lock.
    let password_hash = hash_password(state, input.password.clone()).await?;
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                check_free(conn, &username, &uscc)?;
                let enterprise =
                    enterprise_row(&input.enterprise, &uscc, town.code.clone(), None, now);
                let user = UserRow {
                    id: new_id(),
                    username: username.clone(),
                    password_hash,
                    role: Role::Applicant.as_str().into(),
                    display_name: enterprise.contact_name.clone(),
                    enterprise_id: Some(enterprise.id.clone()),
                    active: true,
                    token_version: 1,
                    created_at: now,
                    updated_at: now,
                    must_change_password: false,
                };
                let by = EventActor::user(&user.id, Role::Applicant);
                insert_producer(conn, &enterprise, &user, &by, now)?;
                Ok(Registered {
                    user: UserView::from(&user),
                    enterprise: enterprise_view(conn, &enterprise)?,
                })
            })
        })
        .await
}

/// The contact checks the schema cannot make (a phone number's shape).
pub(super) fn contact_problems(enterprise: &EnterpriseInput) -> Vec<FieldError> {
    if crate::domain::contact::is_phone_number(&enterprise.contact_phone) {
        return Vec::new();
    }
    vec![FieldError::new(
        "enterprise.contact_phone",
        "phone_format",
        Localized::new(
            "must be a phone number (digits, spaces, + or -)",
            "请输入有效的电话号码",
        ),
    )]
}

/// The enterprise's town by code or name, or 422 on `enterprise.town`.
pub(super) fn town_code_of(
    conn: &mut DbConnection,
    enterprise: &EnterpriseInput,
) -> ServiceResult<String> {
    match queries::reference::find_town(conn, &enterprise.town)? {
        Some(town) => Ok(town.code),
        None => Err(ServiceError::Invalid(vec![unknown_town()])),
    }
}

fn unknown_town() -> FieldError {
    FieldError::new(
        "enterprise.town",
        "unknown_town",
        Localized::new(
            "must be one of the 24 towns of Yingde",
            "须为英德市24个镇（街道）之一",
        ),
    )
}

/// 409 when the username or the credit code is taken (inside the registering transaction).
pub(super) fn check_free(
    conn: &mut DbConnection,
    username: &str,
    uscc: &Uscc,
) -> ServiceResult<()> {
    if db::username_taken(conn, username)? {
        return Err(ServiceError::conflict(
            "This username is already taken.",
            "该用户名已被使用。",
        ));
    }
    if db::uscc_taken(conn, uscc.as_str())? {
        return Err(ServiceError::conflict(
            "An enterprise with this credit code is already registered.",
            "该统一社会信用代码已注册。",
        ));
    }
    Ok(())
}

/// The row of a new enterprise from what was typed.
pub(super) fn enterprise_row(
    e: &EnterpriseInput,
    uscc: &Uscc,
    town_code: String,
    uscc_exception_reason: Option<String>,
    now: NaiveDateTime,
) -> EnterpriseRow {
    EnterpriseRow {
        id: new_id(),
        uscc: uscc.to_string(),
        name: e.name.trim().to_owned(),
        legal_representative: e.legal_representative.trim().to_owned(),
        address: e.address.trim().to_owned(),
        town_code,
        contact_name: e.contact_name.trim().to_owned(),
        contact_phone: e.contact_phone.trim().to_owned(),
        email: e.email.trim().to_owned(),
        uscc_exception_reason,
        created_at: now,
        updated_at: now,
    }
}

/// Writes a producer's enterprise and account with the journal event of the registration,
/// made by the producer itself or by staff at the window (`by`).
pub(crate) fn insert_producer(
    conn: &mut DbConnection,
    enterprise: &EnterpriseRow,
    user: &UserRow,
    by: &EventActor,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    db::insert_enterprise(conn, enterprise).map_err(conflict_on_race)?;
    db::insert_user(conn, user).map_err(conflict_on_race)?;
    journal::append(
        conn,
        NewEvent {
            entity_type: "enterprise",
            entity_id: &enterprise.id,
            action: "register",
            from_status: None,
            to_status: None,
            actor: by,
            comment: enterprise.uscc_exception_reason.as_deref(),
            data: Some(serde_json::json!({
                "uscc": enterprise.uscc, "name": enterprise.name, "username": user.username,
                "uscc_exception_reason": enterprise.uscc_exception_reason,
                "at_window": by.user_id.as_deref() != Some(user.id.as_str()),
            })),
            at: now,
        },
    )?;
    Ok(())
}
