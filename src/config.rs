//! Settings from flags and the environment. Secrets come only from the environment.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::db::{DatabaseTarget, DatabaseUrlError};

/// Flags shared by every command that touches the data directory or the database.
#[derive(Debug, Clone, clap::Args)]
pub struct CommonArgs {
    /// Directory for the embedded database, uploaded documents and generated secrets.
    #[arg(long, env = "GI_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "GI_BIND", default_value = "127.0.0.1:8080")]
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
    /// The absolute address people reach the service at, for QR codes on the mark.
    pub public_url: Option<String>,
    /// `GI_STORAGE_URL`: `s3://bucket[/prefix]` keeps documents in a bucket; none keeps them
    /// under the data directory.
    pub storage_url: Option<String>,
    /// Bucket settings beyond the `AWS_*` environment (`aws_endpoint`, `aws_allow_http`, …).
    pub storage_options: Vec<(String, String)>,
    /// `GI_PASSWORD_HASH_SLOTS`: argon2 runs at once (default twice the cores); beyond, 503.
    pub password_hash_slots: usize,
    /// `GI_REGISTRATIONS_PER_HOUR`: producer registrations per client address and hour.
    pub registrations_per_hour: i32,
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
            storage_url: None,
            storage_options: Vec::new(),
            password_hash_slots: default_password_hash_slots(),
            registrations_per_hour: DEFAULT_REGISTRATIONS_PER_HOUR,
        }
    }
}
