//! The command line, run as a real process.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::helpers::{url_of, TestDatabase};

const BINARY: &str = env!("CARGO_BIN_EXE_gi-registry");

fn run(database: &TestDatabase, database_url: Option<&str>, args: &[&str], stdin: &str) -> Output {
    let mut command = Command::new(BINARY);
    command
        .args(args)
        .env("GI_DATA_DIR", database.dir.path().join("data"))
        .env_remove("GI_JWT_SECRET")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match database_url {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    let mut child = command.spawn().expect("binary starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("binary finishes")
}

fn stderr_lines(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .map(str::to_owned)
        .filter(|l| !l.trim().is_empty())
        .collect()
}

#[test]
fn an_unknown_database_scheme_exits_non_zero_with_one_clear_line_and_no_stray_file() {
    let database = TestDatabase::create();
    let output = run(&database, Some("foo://x"), &["migrate"], "");
    assert!(!output.status.success());
    let lines = stderr_lines(&output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("unsupported DATABASE_URL scheme `foo`"),
        "{}",
        lines[0]
    );
    assert!(
        !database.dir.path().join("data").exists(),
        "no data directory or database file is created"
    );
    assert!(!std::path::Path::new("foo:").exists() && !std::path::Path::new("foo://x").exists());
}

#[test]
fn an_unreachable_postgresql_exits_non_zero_with_one_clear_line() {
    let database = TestDatabase::create();
    let output = run(
        &database,
        Some("postgres://postgres@127.0.0.1:1/none"),
        &["migrate"],
        "",
    );
    assert!(!output.status.success());
    let lines = stderr_lines(&output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("gi-registry: cannot open the database"),
        "{}",
        lines[0]
    );
}

#[test]
fn migrate_applies_the_schema_and_user_create_makes_staff_accounts() {
    let database = TestDatabase::create();
    let url = url_of(&database);
    let migrate = run(&database, Some(&url), &["migrate"], "");
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );

    let create = [
        "user",
        "create",
        "--username",
        "li.reviewer",
        "--role",
        "reviewer",
        "--password-stdin",
    ];
    let made = run(&database, Some(&url), &create, "review-pass-2026\n");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    assert!(String::from_utf8_lossy(&made.stdout).contains("created reviewer `li.reviewer`"));

    let again = run(&database, Some(&url), &create, "review-pass-2026\n");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already taken"));

    let weak = [
        "user",
        "create",
        "--username",
        "wang",
        "--role",
        "approver",
        "--password-stdin",
    ];
    let refused = run(&database, Some(&url), &weak, "short\n");
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("password: must be at least 10 characters"),
        "{message}"
    );
    assert!(
        !message.contains("short\n") && !message.contains("`short`"),
        "the password is not echoed"
    );

    let bad_role = [
        "user",
        "create",
        "--username",
        "zhao",
        "--role",
        "king",
        "--password-stdin",
    ];
    let refused = run(&database, Some(&url), &bad_role, "long-enough-password\n");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("role must be one of"));
}

#[test]
fn demo_data_fills_an_empty_database_with_a_complete_journal_and_refuses_a_second_time() {
    let database = TestDatabase::create();
    let url = url_of(&database);
    let filled = run(
        &database,
        Some(&url),
        &["demo-data", "--enterprises", "60"],
        "",
    );
    assert!(
        filled.status.success(),
        "{}",
        String::from_utf8_lossy(&filled.stderr)
    );
    assert!(String::from_utf8_lossy(&filled.stdout).contains("demo data: 60 enterprises"));

    let pool = gi_registry::db::connect_pool(&database.target, 1).expect("pool");
    let mut conn = pool.get().expect("connection");
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        status: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        last_to: Option<String>,
    }
    // Every application's last journalled status is its status: the journal is complete.
    let rows: Vec<Row> = diesel::RunQueryDsl::load(
        diesel::sql_query(
            "SELECT a.status AS status,
                    (SELECT j.to_status FROM journal_events j
                     WHERE j.entity_type = 'application' AND j.entity_id = a.id
                     ORDER BY j.seq DESC LIMIT 1) AS last_to
             FROM applications a",
        ),
        &mut conn,
    )
    .expect("query");
    assert_eq!(rows.len(), 60);
    assert!(rows
        .iter()
        .all(|r| r.last_to.as_deref() == Some(r.status.as_str())));
    let statuses: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.status.as_str()).collect();
    assert!(
        statuses.contains("approved") && statuses.len() >= 4,
        "a spread of states: {statuses:?}"
    );

    let again = run(
        &database,
        Some(&url),
        &["demo-data", "--enterprises", "5"],
        "",
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("fills an empty database only"));
}

#[tokio::test]
async fn verify_journal_names_the_first_event_edited_behind_the_services_back() {
    let app = crate::helpers::spawn_app().await;
    let cast = crate::helpers::Cast::assemble(&app).await;
    app.grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let head = app.get("/api/v1/public/journal/head", None).await;
    let count = head.json["count"].as_i64().expect("count");
    assert_eq!(count, app.count_rows("journal_events").await);
    assert_eq!(head.json["head_hash"].as_str().map(str::len), Some(64));

    let url = url_of(&app.db);
    let intact = run(&app.db, Some(&url), &["verify-journal"], "");
    assert!(
        intact.status.success(),
        "{}",
        String::from_utf8_lossy(&intact.stderr)
    );
    assert!(String::from_utf8_lossy(&intact.stdout)
        .contains(&format!("journal intact: {count} events")));

    // Someone rewrites the reason of the 10th event directly in the database.
    app.state
        .run(|conn| {
            diesel::RunQueryDsl::execute(
                diesel::sql_query("UPDATE journal_events SET comment = '改过' WHERE seq = 10"),
                conn,
            )?;
            Ok(())
        })
        .await
        .expect("tampered");
    let broken = run(&app.db, Some(&url), &["verify-journal"], "");
    assert!(!broken.status.success());
    let message = String::from_utf8_lossy(&broken.stderr);
    assert!(message.contains("journal broken at event 10"), "{message}");
    assert!(
        message.contains("content does not match its hash"),
        "{message}"
    );
}
