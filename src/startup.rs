//! Building and running the HTTP server: pool, migrations, middleware, routes.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use tracing_actix_web::TracingLogger;

use crate::auth::jwt::JwtKeys;
use crate::auth::secrets;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::{self, DbPool};
use crate::error::{self, ApiError};
use crate::service::labels::LabelRegister;
use crate::service::register::{self, RegisterHandle};
use crate::service::storage;
use crate::service::{accounts, ServiceState};
use crate::{api, web as pages};

/// Opens the pool and brings the schema up to date. Blocking: call before the server starts.
pub fn prepare_database(settings: &Settings) -> anyhow::Result<DbPool> {
    let pool = db::connect_pool(&settings.database, settings.database_pool_size)?;
    let mut conn = pool.get().context("cannot take a database connection")?;
    let applied = db::run_migrations(&mut conn)?;
    if applied > 0 {
        tracing::info!(
            applied,
            backend = settings.database.backend_name(),
            "migrations applied"
        );
    }
    // Applications from before case numbers and deadlines get theirs (issue 14).
    let completed = crate::service::review::backfill_case_facts(&mut conn)
        .map_err(|e| anyhow::anyhow!("cannot number older applications: {e}"))?;
    if completed > 0 {
        tracing::info!(
            completed,
            "case numbers and deadlines given to older applications"
        );
    }
    Ok(pool)
}

/// Everything the use cases need: a migrated database, the signing key, the clock.
pub async fn open_state(settings: Settings, clock: Clock) -> anyhow::Result<ServiceState> {
    let settings = Arc::new(settings);
    let prepared = settings.clone();
    let pool = tokio::task::spawn_blocking(move || prepare_database(&prepared)).await??;
    let secret = secrets::jwt_secret(settings.jwt_secret.as_deref(), &settings.data_dir)?;
    let documents = {
        let settings = settings.clone();
        tokio::task::spawn_blocking(move || {
            storage::open(
                &settings.data_dir,
                settings.storage_url.as_deref(),
                &settings.storage_options,
            )
        })
        .await??
    };
    let password_slots = Arc::new(tokio::sync::Semaphore::new(settings.password_hash_slots));
    let mailer = crate::service::mail::Mailer::from_settings(
        settings.smtp_url.as_deref(),
        settings.mail_from.as_deref(),
    )?;
    match mailer.server_name() {
        Some(server) => tracing::info!(server, "e-mail goes out through this SMTP server"),
        None => tracing::warn!("GI_SMTP_URL is not set: e-mail waits in the outbox"),
    }
    let register = {
        let pool = pool.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<RegisterHandle> {
            let mut conn = pool.get()?;
            let started = std::time::Instant::now();
            let handle = RegisterHandle::open(&mut conn)
                .map_err(|e| anyhow::anyhow!("cannot build the public register: {e}"))?;
            let register = handle.read().map_err(|e| anyhow::anyhow!("{e}"))?;
            tracing::info!(
                rights = register.len(),
                approximate_bytes = register.approximate_bytes(),
                ms = started.elapsed().as_millis() as u64,
                "public register built"
            );
            drop(register);
            Ok(handle)
        })
        .await??
    };
    let labels = {
        let (pool, now) = (pool.clone(), clock.now_naive());
        tokio::task::spawn_blocking(move || -> anyhow::Result<LabelRegister> {
            let mut conn = pool.get()?;
            let started = std::time::Instant::now();
            let labels = LabelRegister::open(&mut conn, now)
                .map_err(|e| anyhow::anyhow!("cannot load the issued labels: {e}"))?;
            let index = labels.read().map_err(|e| anyhow::anyhow!("{e}"))?;
            tracing::info!(
                labels = index.len(),
                approximate_bytes = index.approximate_bytes(),
                ms = started.elapsed().as_millis() as u64,
                "label index built"
            );
            drop(index);
            Ok(labels)
        })
        .await??
    };
    Ok(ServiceState {
        pool,
        labels: Arc::new(labels),
        clock,
        settings,
        jwt: Arc::new(JwtKeys::new(&secret)),
        documents,
        register: Arc::new(register),
        password_slots,
        office: Arc::new(Default::default()),
        mailer: Arc::new(mailer),
        readiness: Arc::new(Default::default()),
    })
}

/// A bound, not yet running, server and what tests need to reach it.
pub struct Application {
    port: u16,
    server: Server,
    state: ServiceState,
}

impl Application {
    pub async fn build(settings: Settings, clock: Clock) -> anyhow::Result<Self> {
        let state = open_state(settings, clock).await?;
        if let Some((password, path)) = accounts::ensure_initial_admin(&state).await? {
            // Shown once, as Jenkins and Grafana do; also kept in a 0600 file.
            println!(
                "Created the first admin account `admin` with the one-time password: {password}\n\
                 (also kept in {}; sign in and change it with POST /api/v1/auth/password)",
                path.display()
            );
        }
        let mut state = state;
        let listener = TcpListener::bind(&state.settings.bind)
            .with_context(|| format!("cannot listen on {}", state.settings.bind))?;
        let bound = listener.local_addr()?;
        if state.settings.public_url.is_none() {
            // Links and QR codes never follow a request's Host or forwarded headers.
            let url = format!("http://{bound}");
            tracing::warn!(
                public_url = %url,
                "GI_PUBLIC_URL is not set: QR codes and links use the listen address"
            );
            let mut settings = (*state.settings).clone();
            settings.public_url = Some(url);
            state.settings = Arc::new(settings);
        }
        let port = bound.port();
        let server = run(listener, state.clone())?;
        Ok(Self {
            port,
            server,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &ServiceState {
        &self.state
    }

    /// Serves until SIGTERM or SIGINT, then finishes in-flight requests (graceful shutdown).
    /// Meanwhile the public register takes in what other replicas write.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let poller = tokio::spawn(follow_the_journal(self.state.clone()));
        let mailer = tokio::spawn(deliver_the_outbox(self.state.clone()));
        let counter = tokio::spawn(count_the_scans(self.state.clone()));
        let outcome = self.server.await;
        poller.abort();
        mailer.abort();
        counter.abort();
        // The server has answered its last request: what it counted goes to the database.
        flush_the_scans(&self.state).await;
        outcome
    }
}

/// Sends the outbox's due e-mail every `outbox_poll_interval`, and writes the usage-report
/// reminders every few minutes (each replica; the rows they claim or write keep them apart).
async fn deliver_the_outbox(state: ServiceState) {
    use crate::service::{notifications, outbox};
    let worker = format!("{}-{}", std::process::id(), uuid::Uuid::now_v7().simple());
    let mut tick = tokio::time::interval(state.settings.outbox_poll_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_reminders: Option<std::time::Instant> = None;
    loop {
        tick.tick().await;
        if last_reminders.is_none_or(|at| at.elapsed() >= REMINDER_INTERVAL) {
            last_reminders = Some(std::time::Instant::now());
            if let Err(error) = notifications::remind_usage_reports(&state).await {
                tracing::warn!(%error, "usage-report reminders could not be written");
            }
        }
        // Keep going while whole batches go out; wait for the next tick otherwise.
        loop {
            match outbox::deliver_due(&state, &worker).await {
                Ok(sent) if sent > 0 => continue,
                Ok(_) => break,
                Err(error) => {
                    tracing::warn!(%error, "the outbox could not be delivered");
                    break;
                }
            }
        }
    }
}

/// How often a replica looks for usage reports to remind of.
const REMINDER_INTERVAL: std::time::Duration = std::time::Duration::from_secs(600);

/// Writes this process's label scans and reads every replica's every
/// [`labels::scans::FLUSH_INTERVAL`] (DESIGN §9: the answer never waits for this).
async fn count_the_scans(state: ServiceState) {
    let mut tick = tokio::time::interval(crate::service::labels::scans::FLUSH_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let labels = state.labels.clone();
        if let Err(error) = state.run(move |conn| labels.synchronise(conn)).await {
            tracing::warn!(%error, "label scans could not be flushed; they are kept for the next try");
        }
    }
}

/// The last flush at a clean stop, which also folds the whole log into the labels' rows
/// (tried a few times: it is the scans' only way out).
pub async fn flush_the_scans(state: &ServiceState) {
    for attempt in 1..=3 {
        let labels = state.labels.clone();
        let settled = state
            .run(move |conn| {
                let done = labels.synchronise(conn)?;
                crate::service::labels::scans::fold_everything(conn)?;
                Ok(done)
            })
            .await;
        match settled {
            Ok(done) => {
                tracing::info!(
                    scans = done.flushed_scans,
                    codes = done.flushed_codes,
                    "label scans flushed at stop"
                );
                return;
            }
            Err(error) => {
                tracing::warn!(%error, attempt, "label scans could not be flushed at stop");
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        }
    }
}

/// Applies other replicas' journal events to the public register every
/// [`register::POLL_INTERVAL`]; this process's own are applied as they commit.
async fn follow_the_journal(state: ServiceState) {
    let mut tick = tokio::time::interval(register::POLL_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let handle = state.register.clone();
        if let Err(error) = state.run(move |conn| handle.catch_up(conn)).await {
            tracing::warn!(%error, "public register could not follow the journal");
        }
        let labels = state.labels.clone();
        if let Err(error) = state.run(move |conn| labels.catch_up(conn)).await {
            tracing::warn!(%error, "label index could not follow the other replicas' batches");
        }
    }
}

pub fn run(listener: TcpListener, state: ServiceState) -> anyhow::Result<Server> {
    let max_body = state.settings.max_body_bytes;
    let data = web::Data::new(state);
    let http_metrics = web::Data::new(crate::metrics::HttpMetrics::default());
    let server = HttpServer::new(move || {
        App::new()
            // Innermost: a form sent after the session timed out comes back with what was
            // typed (the sign-in page it becomes is drawn inside the office's scope below).
            .wrap(from_fn(pages::keep_what_was_typed))
            // Every page drawn, error pages too, has the office for its footer.
            .wrap(from_fn(pages::with_office))
            .wrap(from_fn(api::extract::body_deadline))
            .wrap(from_fn(private_no_store))
            .wrap(from_fn(api::extract::reject_nul_in_url))
            .wrap(from_fn(error::problem_responses))
            .wrap(from_fn(crate::metrics::record_requests))
            .wrap(TracingLogger::default())
            // Outermost, so it compresses the final body (after errors are rendered).
            .wrap(Compress::default())
            .app_data(data.clone())
            .app_data(http_metrics.clone())
            .app_data(web::PayloadConfig::new(max_body))
            .app_data(web::QueryConfig::default().error_handler(|_, request| {
                pages::query_refused(request).unwrap_or_else(|| {
                    ApiError::BadRequest(crate::domain::Localized::new(
                        "The query string is not valid.",
                        "查询参数无效。",
                    ))
                    .into()
                })
            }))
            .app_data(web::PathConfig::default().error_handler(|_, _| ApiError::NotFound.into()))
            .configure(api::routes)
            .configure(pages::routes)
            // An unknown address: a page for a browser, a problem for everyone else.
            .default_service(web::to(pages::not_found))
    })
    .shutdown_timeout(10)
    .listen(listener)?
    .run();
    Ok(server)
}

/// Nothing private is kept by a browser or a shared cache: every answer to a request that
/// carried a Bearer token or a session cookie, and every answer that sets a session cookie, is
/// `Cache-Control: no-store` — unless the handler marked it `public` (the QR code). Public
/// pages and JSON asked for without credentials keep their own caching.
async fn private_no_store(
    request: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    use actix_web::http::header::{self, HeaderValue};
    let credentials = request.headers().contains_key(header::AUTHORIZATION)
        || request.cookie(pages::SESSION_COOKIE).is_some();
    let mut response = next.call(request).await?.map_into_boxed_body();
    let sets_session = response
        .response()
        .cookies()
        .any(|c| c.name() == pages::SESSION_COOKIE);
    let directives = response
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let has = |name: &str| directives.split(',').any(|d| d.trim() == name);
    if !has("no-store") && (sets_session || (credentials && !has("public"))) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}
