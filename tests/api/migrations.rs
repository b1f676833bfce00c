//! Both migration trees go up, down and up again, and give the same tables and columns.

use std::collections::BTreeSet;

use gi_registry::db::{self, DatabaseTarget};

use crate::helpers::TestDatabase;

fn round_trip(target: &DatabaseTarget) -> BTreeSet<(String, String)> {
    let pool = db::connect_pool(target, 1).expect("pool");
    let mut conn = pool.get().expect("connection");
    let applied = db::run_migrations(&mut conn).expect("up");
    assert!(applied >= 2, "{} migrations applied", applied);
    let first: BTreeSet<_> = db::describe_tables(&mut conn)
        .expect("describe")
        .into_iter()
        .collect();
    assert!(first.contains(&("applications".into(), "version".into())));
    assert_eq!(db::revert_all_migrations(&mut conn).expect("down"), applied);
    assert!(
        db::describe_tables(&mut conn).expect("describe").is_empty(),
        "down leaves no table behind"
    );
    assert_eq!(db::run_migrations(&mut conn).expect("up again"), applied);
    let again: BTreeSet<_> = db::describe_tables(&mut conn)
        .expect("describe")
        .into_iter()
        .collect();
    assert_eq!(first, again);
    again
}

#[test]
fn each_tree_goes_up_down_and_up_and_both_give_the_same_tables_and_columns() {
    let sqlite_dir = tempfile::tempdir().expect("dir");
    let sqlite = round_trip(&DatabaseTarget::Sqlite(sqlite_dir.path().join("m.db")));
    let expected_tables: BTreeSet<&str> = sqlite.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(expected_tables.len(), 33, "{expected_tables:?}");

    // The PostgreSQL tree is compared whenever a server is configured (always in CI).
    let database = TestDatabase::create();
    if database.is_postgres() {
        let postgres = round_trip(&database.target);
        let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
        let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
        assert!(
            only_sqlite.is_empty() && only_postgres.is_empty(),
            "sqlite only: {only_sqlite:?}; postgres only: {only_postgres:?}"
        );
    }
}

#[test]
fn the_seed_holds_the_24_towns_and_both_products() {
    let database = TestDatabase::create();
    let pool = db::connect_pool(&database.target, 1).expect("pool");
    let mut conn = pool.get().expect("connection");
    db::run_migrations(&mut conn).expect("up");
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let count = |conn: &mut db::DbConnection, sql: &str| -> i64 {
        let rows: Vec<Count> =
            diesel::RunQueryDsl::load(diesel::sql_query(sql), conn).expect("query");
        rows[0].n
    };
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM towns"), 24);
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM gi_products"), 2);
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS n FROM product_towns WHERE product_code = 'yingde-black-tea'"
        ),
        24
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) AS n FROM towns WHERE name_zh = '西牛镇' AND code = 'xiniu'"
        ),
        1
    );
}
