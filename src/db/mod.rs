//! Storage: one connection type over SQLite (the embedded default) and PostgreSQL, its pool,
//! the migrations of both trees, and the queries (one module per table family).

pub mod models;
pub mod queries;
pub mod schema;

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Milliseconds a SQLite connection waits for a competing writer before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Which database a URL names. The variant is chosen from the scheme here, never by trying
/// each backend in turn (which hides the real error and can create stray SQLite files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    Sqlite(PathBuf),
    Postgres(String),
}

#[derive(Debug, thiserror::Error)]
pub enum DatabaseUrlError {
    #[error("unsupported DATABASE_URL scheme `{0}`: use postgres://… or sqlite://PATH")]
    UnsupportedScheme(String),
    #[error("DATABASE_URL is empty")]
    Empty,
}

impl DatabaseTarget {
    /// `None` means the embedded default: a SQLite file in the data directory.
    pub fn from_url(
        url: Option<&str>,
        data_dir: &std::path::Path,
    ) -> Result<Self, DatabaseUrlError> {
        let Some(url) = url.map(str::trim) else {
            return Ok(Self::Sqlite(data_dir.join("gi-registry.db")));
        };
        if url.is_empty() {
            return Err(DatabaseUrlError::Empty);
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() || path.starts_with(":memory:") {
                // Each pooled in-memory connection would be its own empty database.
                return Err(DatabaseUrlError::UnsupportedScheme(
                    "sqlite::memory:".into(),
                ));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        let scheme = url.split(':').next().unwrap_or(url).to_owned();
        Err(DatabaseUrlError::UnsupportedScheme(scheme))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }
}

/// Opens connections of the one kind its target names; an r2d2 manager of our own so that a
/// failure carries the database's own message.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    target: DatabaseTarget,
}

impl ConnectionManager {
    pub fn new(target: DatabaseTarget) -> Self {
        Self { target }
    }

    /// Opens a connection; only the first one of a pool may create the SQLite file.
    fn open(&self, may_create: SqliteFile) -> Result<DbConnection, diesel::ConnectionError> {
        match &self.target {
            DatabaseTarget::Postgres(url) => Ok(DbConnection::Postgresql(establish_postgres(url)?)),
            DatabaseTarget::Sqlite(path) => {
                let mut conn = diesel::SqliteConnection::establish(&sqlite_uri(path, may_create)?)?;
                // 16 MiB of memory-mapped reads per connection: public reads come from the
                // in-memory register, and a large map only made every pooled connection look
                // big in RSS (256 MiB each showed as 1.5 GB); the page cache serves the rest.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA mmap_size = 16777216;"
                ))
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

/// Whether opening a SQLite file may create it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SqliteFile {
    CreateIfMissing,
    MustExist,
}

/// The file as a SQLite URI. A pooled connection opens it `mode=rw`: were the file deleted or
/// moved under the running service, a new connection would otherwise create an empty one in
/// its place and the service would look ready while it writes nowhere anyone reads.
fn sqlite_uri(
    path: &std::path::Path,
    may_create: SqliteFile,
) -> Result<String, diesel::ConnectionError> {
    let unusable = || diesel::ConnectionError::InvalidConnectionUrl(format!("{}", path.display()));
    let absolute = std::path::absolute(path).map_err(|_| unusable())?;
    let mut uri = url::Url::from_file_path(&absolute).map_err(|()| unusable())?;
    let mode = match may_create {
        SqliteFile::CreateIfMissing => "rwc",
        SqliteFile::MustExist => "rw",
    };
    uri.set_query(Some(&format!("mode={mode}")));
    Ok(uri.into())
}

/// Opens a PostgreSQL connection. libpq speaks TLS through the system OpenSSL, which by
/// default registers a clean-up at process exit that frees its tables while pool threads may
/// still be opening connections: a segfault on exit. Initialising OpenSSL first the way
/// `openssl-sys` does (`OPENSSL_INIT_NO_ATEXIT`) leaves no such clean-up to run.
pub fn establish_postgres(url: &str) -> Result<diesel::PgConnection, diesel::ConnectionError> {
    openssl_sys::init();
    diesel::PgConnection::establish(url)
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = diesel::ConnectionError;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        self.open(SqliteFile::MustExist)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

pub type DbPool = r2d2::Pool<ConnectionManager>;
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

#[derive(Debug, thiserror::Error)]
pub enum DatabaseSetupError {
    #[error("cannot open the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot build the connection pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("cannot apply migrations: {0}")]
    Migrate(String),
}

/// Builds the pool after one direct connection, so that an unreachable server or unwritable
/// file is reported at once with the database's own message instead of a pool time-out. That
/// connection is the only one that may create the SQLite file.
pub fn connect_pool(target: &DatabaseTarget, max_size: u32) -> Result<DbPool, DatabaseSetupError> {
    if let DatabaseTarget::Sqlite(path) = target {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::config::create_private_dir(dir).map_err(|source| {
                DatabaseSetupError::DataDir {
                    path: dir.display().to_string(),
                    source,
                }
            })?;
        }
    }
    let manager = ConnectionManager::new(target.clone());
    drop(manager.open(SqliteFile::CreateIfMissing)?);
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        .build(manager)?;
    Ok(pool)
}

/// Applies every pending migration of the tree that matches the connection's backend.
pub fn run_migrations(conn: &mut DbConnection) -> Result<usize, DatabaseSetupError> {
    let applied = match conn {
        DbConnection::Postgresql(pg) => pg
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
        DbConnection::Sqlite(sqlite) => sqlite
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.len()),
    };
    applied.map_err(|e| DatabaseSetupError::Migrate(e.to_string()))
}

/// Reverts every applied migration (used by the migration round-trip test).
pub fn revert_all_migrations(conn: &mut DbConnection) -> Result<usize, DatabaseSetupError> {
    let reverted = match conn {
        DbConnection::Postgresql(pg) => pg
            .revert_all_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
        DbConnection::Sqlite(sqlite) => sqlite
            .revert_all_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.len()),
    };
    reverted.map_err(|e| DatabaseSetupError::Migrate(e.to_string()))
}

/// Runs `work` in one transaction that takes the write lock at once. On SQLite a deferred
/// transaction that reads first and writes later can fail with SQLITE_BUSY without waiting;
/// `BEGIN IMMEDIATE` makes concurrent writers queue behind `busy_timeout` instead.
/// Write transactions this process has committed: a cached read taken before a local
/// commit is never served after it (`service::public` keys its caches on this).
static COMMITTED_WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

pub fn committed_writes() -> u64 {
    COMMITTED_WRITES.load(std::sync::atomic::Ordering::Acquire)
}

pub fn write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(sqlite) => {
            AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")?
        }
        DbConnection::Postgresql(_) => {
            <DbConnection as Connection>::TransactionManager::begin_transaction(conn)?
        }
    }
    match work(conn) {
        Ok(value) => {
            <DbConnection as Connection>::TransactionManager::commit_transaction(conn)?;
            COMMITTED_WRITES.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            Ok(value)
        }
        Err(error) => {
            // The work's own error is the one worth reporting; a failed rollback marks the
            // connection broken and r2d2 drops it.
            let _ = <DbConnection as Connection>::TransactionManager::rollback_transaction(conn);
            Err(error)
        }
    }
}

/// Lists `table → columns` as the database itself reports them, for comparing the two trees.
pub fn describe_tables(conn: &mut DbConnection) -> QueryResult<Vec<(String, String)>> {
    #[derive(QueryableByName)]
    struct TableColumn {
        #[diesel(sql_type = diesel::sql_types::Text)]
        table_name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        column_name: String,
    }
    let sql = match conn {
        DbConnection::Postgresql(_) => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name
             FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name <> '__diesel_schema_migrations'
             ORDER BY table_name, column_name"
        }
        DbConnection::Sqlite(_) => {
            "SELECT m.name AS table_name, p.name AS column_name
             FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
               AND m.name <> '__diesel_schema_migrations'
             ORDER BY m.name, p.name"
        }
    };
    let rows: Vec<TableColumn> = diesel::sql_query(sql).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| (r.table_name, r.column_name))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sqlite_file_is_created_where_its_path_says_even_with_uri_characters_and_only_once() {
        let dir = tempfile::tempdir().expect("temporary directory");
        // `?`, `#` and `%` end or escape parts of a URI; a space and Chinese are just names.
        let folder = dir.path().join("数据 a?b#c%20d");
        let path = folder.join("gi-registry.db");
        let target = DatabaseTarget::Sqlite(path.clone());

        let pool = connect_pool(&target, 2).expect("the pool opens and creates the file");
        let mut conn = pool.get().expect("a pooled connection");
        conn.batch_execute("CREATE TABLE t (x INTEGER)")
            .expect("a table");
        assert!(path.is_file(), "the file is at {}", path.display());
        assert_eq!(
            std::fs::read_dir(&folder).expect("folder").count(),
            3,
            "the database, its WAL and shared-memory files, and nothing under another name"
        );

        drop(conn);
        drop(pool);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        let manager = ConnectionManager::new(target);
        assert!(r2d2::ManageConnection::connect(&manager).is_err());
        assert!(!path.exists(), "a pooled connection never creates the file");
    }
}
