//! Settings from flags and the environment. Secrets come only from the environment.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::db::{DatabaseTarget, DatabaseUrlError};

/// Flags shared by every command that touches the data directory or the database. Global:
/// they may stand before or after the subcommand (API.md, *Additions*).
#[derive(Debug, Clone, clap::Args)]
pub struct CommonArgs {
    /// Directory for the embedded database, uploaded documents and generated secrets.
    #[arg(long, global = true, env = "GI_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, global = true, env = "GI_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: String,
    pub data_dir: PathBuf,
    pub database: DatabaseTarget,
    pub database_pool_size: u32,
    /// `GI_JWT_SECRET`; when absent a key is generated and kept in the data directory.
    pub jwt_secret: Option<String>,
    pub log_format: LogFormat,
    pub metrics_public: bool,
    /// Largest JSON or form body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Largest uploaded document, in bytes.
    pub max_upload_bytes: usize,
    /// `GI_PUBLIC_URL`: the absolute address people reach the service at, for QR codes on the
    /// mark and every absolute link. Without it the service uses the address it listens on
    /// (filled in when it binds), never a request header.
    pub public_url: Option<String>,
    /// `GI_TRUSTED_PROXIES`: the only peers whose forwarded headers are believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `GI_BODY_TIMEOUT_SECS`: a request body must arrive within this, else 408.
    pub body_timeout: std::time::Duration,
    /// `GI_STORAGE_URL`: `s3://bucket[/prefix]` keeps documents in a bucket; none keeps them
    /// under the data directory.
    pub storage_url: Option<String>,
    /// Bucket settings beyond the `AWS_*` environment (`aws_endpoint`, `aws_allow_http`, …).
    pub storage_options: Vec<(String, String)>,
    /// `GI_PASSWORD_HASH_SLOTS`: argon2 runs at once (default twice the cores); beyond, 503.
    pub password_hash_slots: usize,
    /// `GI_REGISTRATIONS_PER_HOUR`: producer registrations per client address and hour.
    pub registrations_per_hour: i32,
    /// `GI_SMTP_URL`: `smtp://[user:password@]host:port` (STARTTLS when the server offers it;
    /// `?tls=required` insists, `smtps://` wraps). None keeps mail in the outbox.
    pub smtp_url: Option<String>,
    /// `GI_MAIL_FROM`: the sender of every message (`登记处 <gi@example.gov.cn>`).
    pub mail_from: Option<String>,
    /// `GI_OUTBOX_POLL_MS`: how often each replica's worker looks for mail to send.
    pub outbox_poll_interval: std::time::Duration,
    /// `GI_OUTBOX_RETRY_SECS`: the wait after a first failed delivery, doubled after each.
    pub outbox_retry_base: std::time::Duration,
}

/// Twice the cores: enough to keep them busy with hashes, few enough to bound the memory.
fn default_password_hash_slots() -> usize {
    2 * std::thread::available_parallelism().map_or(2, usize::from)
}

const DEFAULT_REGISTRATIONS_PER_HOUR: i32 = 10;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    DatabaseUrl(#[from] DatabaseUrlError),
    #[error("GI_TRUSTED_PROXIES: `{0}` is not an IP address or CIDR range (like 10.0.0.0/8)")]
    TrustedProxy(String),
    #[error("{name} must be {expected}")]
    Invalid {
        name: &'static str,
        expected: &'static str,
    },
}

fn env_opt(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn env_number<T: std::str::FromStr>(
    name: &'static str,
    default: T,
    expected: &'static str,
) -> Result<T, ConfigError> {
    match env_opt(name) {
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|_| ConfigError::Invalid { name, expected }),
        None => Ok(default),
    }
}

impl Settings {
    /// The address absolute links start with (QR codes, e-mails, the feed), without a trailing
    /// slash: `GI_PUBLIC_URL`, or the listen address filled in at bind.
    pub fn public_base(&self) -> &str {
        self.public_url
            .as_deref()
            .unwrap_or("")
            .trim_end_matches('/')
    }

    /// Reads the environment; `bind` only matters to `serve`.
    pub fn load(common: &CommonArgs, bind: Option<&str>) -> Result<Self, ConfigError> {
        let database =
            DatabaseTarget::from_url(env_opt("DATABASE_URL").as_deref(), &common.data_dir)?;
        let default_pool = match database {
            // One writer at a time anyway; a few readers beside it under WAL.
            DatabaseTarget::Sqlite(_) => 8,
            // Above ~8 on two cores makes p99 worse, not better.
            DatabaseTarget::Postgres(_) => 8,
        };
        let log_format = match env_opt("GI_LOG_FORMAT").as_deref() {
            None | Some("human") | Some("text") => LogFormat::Human,
            Some("json") => LogFormat::Json,
            Some(_) => {
                return Err(ConfigError::Invalid {
                    name: "GI_LOG_FORMAT",
                    expected: "`human` or `json`",
                })
            }
        };
        let metrics_public = match env_opt("GI_METRICS_PUBLIC").as_deref() {
            None | Some("false") | Some("0") => false,
            Some("true") | Some("1") => true,
            Some(_) => {
                return Err(ConfigError::Invalid {
                    name: "GI_METRICS_PUBLIC",
                    expected: "`true` or `false`",
                })
            }
        };
        let bind = bind.unwrap_or("127.0.0.1:8080").to_owned();
        if bind.parse::<SocketAddr>().is_err() && !bind.contains(':') {
            return Err(ConfigError::Invalid {
                name: "GI_BIND",
                expected: "an address like 127.0.0.1:8080",
            });
        }
        Ok(Self {
            bind,
            data_dir: common.data_dir.clone(),
            database,
            database_pool_size: env_number(
                "GI_DB_POOL_SIZE",
                default_pool,
                "a whole number of connections",
            )?,
            jwt_secret: env_opt("GI_JWT_SECRET"),
            log_format,
            metrics_public,
            max_body_bytes: env_number("GI_MAX_BODY_BYTES", 64 * 1024, "a number of bytes")?,
            max_upload_bytes: env_number(
                "GI_MAX_UPLOAD_BYTES",
                10 * 1024 * 1024,
                "a number of bytes",
            )?,
            public_url: env_opt("GI_PUBLIC_URL"),
            trusted_proxies: crate::http::forwarded::parse_trusted_proxies(
                &env_opt("GI_TRUSTED_PROXIES").unwrap_or_default(),
            )
            .map_err(ConfigError::TrustedProxy)?,
            body_timeout: std::time::Duration::from_secs(env_number(
                "GI_BODY_TIMEOUT_SECS",
                30,
                "a whole number of seconds",
            )?),
            storage_url: env_opt("GI_STORAGE_URL"),
            storage_options: Vec::new(),
            password_hash_slots: env_number(
                "GI_PASSWORD_HASH_SLOTS",
                default_password_hash_slots(),
                "a whole number of concurrent password hashes",
            )?
            .max(1),
            registrations_per_hour: env_number(
                "GI_REGISTRATIONS_PER_HOUR",
                DEFAULT_REGISTRATIONS_PER_HOUR,
                "a whole number of registrations",
            )?,
            smtp_url: env_opt("GI_SMTP_URL"),
            mail_from: env_opt("GI_MAIL_FROM"),
            outbox_poll_interval: std::time::Duration::from_millis(
                env_number("GI_OUTBOX_POLL_MS", 1000, "a whole number of milliseconds")?.max(10),
            ),
            outbox_retry_base: std::time::Duration::from_secs(env_number(
                "GI_OUTBOX_RETRY_SECS",
                30,
                "a whole number of seconds",
            )?),
        })
    }

    /// Settings for tests and tools: embedded defaults around a given data directory and database.
    pub fn for_data_dir(data_dir: PathBuf, database: DatabaseTarget) -> Self {
        Self {
            bind: "127.0.0.1:0".into(),
            data_dir,
            database,
            database_pool_size: 8,
            jwt_secret: None,
            log_format: LogFormat::Human,
            metrics_public: false,
            max_body_bytes: 64 * 1024,
            max_upload_bytes: 10 * 1024 * 1024,
            public_url: None,
            trusted_proxies: Vec::new(),
            body_timeout: std::time::Duration::from_secs(30),
            storage_url: None,
            storage_options: Vec::new(),
            password_hash_slots: default_password_hash_slots(),
            registrations_per_hour: DEFAULT_REGISTRATIONS_PER_HOUR,
            smtp_url: None,
            mail_from: None,
            outbox_poll_interval: std::time::Duration::from_millis(1000),
            outbox_retry_base: std::time::Duration::from_secs(30),
        }
    }
}

/// From now on whatever this process creates — directories, SQLite's database, journal and
/// shared-memory files, documents, secrets — is readable by its owner only (umask 077).
pub fn restrict_new_files() {
    #[cfg(unix)]
    // SAFETY: umask(2) only swaps the process's file-mode mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
}

/// `create_dir_all`, with every directory it creates owner-only (0700) whatever the umask.
pub fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Closes an existing data directory (made by an older version, or by hand) to everyone but
/// its owner, so files created there before stay private too.
pub fn close_data_dir(dir: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if dir.is_dir() {
            let mode = std::fs::metadata(dir)?.permissions().mode();
            if mode & 0o077 != 0 {
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode & 0o700))?;
            }
        }
    }
    Ok(())
}
