//! Use cases: each opens its transaction, asks `domain`, writes through `db` and appends the
//! journal event. Knows nothing of HTTP; returns [`ServiceError`].

pub mod abnormal;
pub mod accounts;
pub mod announcements;
pub mod applications;
pub mod authorizations;
pub mod bulk_verify;
pub mod certificate;
pub mod changes;
pub mod demo;
pub mod enterprise_changes;
pub mod enterprises;
pub mod exports;
pub mod fake_reports;
pub mod health;
pub mod journal;
pub mod labels;
pub mod mail;
pub mod notifications;
pub mod office;
pub mod outbox;
pub mod paging;
pub mod public;
pub mod register;
pub mod review;
pub mod stats;
pub mod storage;
pub mod throttle;
pub mod timestamp;
pub mod usage;
pub mod validation;

use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::db::{DbConnection, DbPool};
use crate::domain::{FieldError, Localized};

/// What a use case can answer besides success; `api` and `web` turn it into HTTP.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not found")]
    NotFound,
    #[error("not signed in")]
    Unauthorized,
    /// A sign-in with a wrong user name or password (told apart from a missing token).
    #[error("wrong user name or password")]
    BadCredentials,
    #[error("forbidden")]
    Forbidden,
    #[error("conflict: {}", .0.en)]
    Conflict(Localized),
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    #[error("stale version")]
    PreconditionFailed,
    #[error("too many attempts")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("database unavailable")]
    Unavailable,
    /// A bounded resource (password hashing) is in full use: try again shortly.
    #[error("busy")]
    Busy { retry_after_secs: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for ServiceError {
    fn from(error: diesel::result::Error) -> Self {
        match error {
            diesel::result::Error::NotFound => ServiceError::NotFound,
            other => ServiceError::Internal(other.into()),
        }
    }
}

impl From<r2d2::Error> for ServiceError {
    fn from(error: r2d2::Error) -> Self {
        tracing::warn!(%error, "no database connection");
        ServiceError::Unavailable
    }
}

impl ServiceError {
    pub fn invalid(field: &str, code: &str, en: impl Into<String>, zh: impl Into<String>) -> Self {
        ServiceError::Invalid(vec![FieldError::new(field, code, Localized::new(en, zh))])
    }

    pub fn conflict(en: impl Into<String>, zh: impl Into<String>) -> Self {
        ServiceError::Conflict(Localized::new(en, zh))
    }

    /// A write that broke a unique key is the conflict the caller names; any other database
    /// error stays what it is.
    pub fn on_duplicate(
        error: diesel::result::Error,
        en: impl Into<String>,
        zh: impl Into<String>,
    ) -> Self {
        if crate::db::queries::is_unique_violation(&error) {
            ServiceError::conflict(en, zh)
        } else {
            error.into()
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// What every use case needs: the pool, the clock and the settings it acts under.
#[derive(Clone)]
pub struct ServiceState {
    pub pool: DbPool,
    pub clock: Clock,
    pub settings: Arc<crate::config::Settings>,
    pub jwt: Arc<crate::auth::jwt::JwtKeys>,
    pub documents: Arc<dyn storage::DocumentStore>,
    /// The public register in memory, fed by the journal (`service::register`).
    pub register: Arc<register::RegisterHandle>,
    /// Every issued label in memory, and the scan counter (`service::labels`).
    pub labels: Arc<labels::LabelRegister>,
    /// Places for argon2 runs (`settings.password_hash_slots`); none free answers 503.
    pub password_slots: Arc<tokio::sync::Semaphore>,
    /// The office's details and the guide's time limits, as last read (`service::office`).
    pub office: Arc<office::OfficeCache>,
    /// The SMTP server (`GI_SMTP_URL`), or none: then mail waits in the outbox.
    pub mailer: Arc<mail::Mailer>,
    /// The database's last answer to `/readyz`, shared by the probes (`service::health`).
    pub readiness: Arc<health::Readiness>,
}

impl ServiceState {
    /// Runs blocking database work on the blocking thread pool, never on an HTTP worker; after
    /// work that committed a write, catches the public register up before returning.
    pub async fn run<T, F>(&self, work: F) -> ServiceResult<T>
    where
        F: FnOnce(&mut DbConnection) -> ServiceResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.run_waiting_at_most(self.pool.connection_timeout(), work)
            .await
    }

    /// `run`, waiting at most `wait` for a connection (the pool's own time-out is 10 s).
    pub async fn run_waiting_at_most<T, F>(&self, wait: Duration, work: F) -> ServiceResult<T>
    where
        F: FnOnce(&mut DbConnection) -> ServiceResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let (pool, register, labels) = (
            self.pool.clone(),
            self.register.clone(),
            self.labels.clone(),
        );
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get_timeout(wait)?;
            let writes_before = crate::db::committed_writes();
            let outcome = work(&mut conn);
            // Read your writes: a change this work committed is in the public register before
            // its answer leaves (its journal event is applied here, with the same connection).
            if crate::db::committed_writes() != writes_before {
                if let Err(error) = register.catch_up(&mut conn) {
                    tracing::warn!(%error, "public register could not catch up after a write");
                }
                if let Err(error) = labels.catch_up(&mut conn) {
                    tracing::warn!(%error, "label index could not catch up after a write");
                }
            }
            outcome
        })
        .await
        .map_err(|join| ServiceError::Internal(anyhow::anyhow!("blocking task failed: {join}")))?
    }
}
