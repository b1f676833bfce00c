//! Labels, one code per printed mark (issue 17): quotas and batches, codes that cannot be
//! guessed or forged, the label page, scans counted across replicas and at a clean stop, the
//! warning, the watchlist and the usage report's starting figure.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{Datelike, TimeZone, Utc};
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Cast, TestApp};
use crate::page_client::PageClient;
use crate::replicas::second_replica;

/// Every scan the database holds: the labels' rows and the log their ranges have not folded.
const TOTAL_SCANS: &str = "SELECT CAST((SELECT COALESCE(SUM(scans), 0) FROM labels) \
     + (SELECT COALESCE(SUM(l.scans), 0) FROM label_scan_log l \
        JOIN label_fold_ranges f ON f.range_no = l.range_no WHERE l.seq > f.folded_seq) \
     AS BIGINT) AS n";
/// Only what the labels' rows hold.
const SCANS_IN_ROWS: &str = "SELECT CAST(COALESCE(SUM(scans), 0) AS BIGINT) AS n FROM labels";

async fn execute(app: &TestApp, sql: &'static str) {
    app.state
        .run(move |conn| Ok(diesel::RunQueryDsl::execute(diesel::sql_query(sql), conn)?))
        .await
        .expect(sql);
}

async fn granted_right(app: &TestApp, cast: &Cast) -> (String, Value) {
    let granted = app
        .grant(cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let id = granted["authorization_id"].as_str().expect("id").to_owned();
    (id, granted)
}

fn this_year(app: &TestApp) -> i32 {
    (app.clock.now() + chrono::Duration::hours(8)).year()
}

async fn set_quota(app: &TestApp, cast: &Cast, right: &str, quantity: i64) {
    let year = this_year(app);
    let set = app
        .put(
            &format!("/api/v1/authorizations/{right}/label-quota"),
            Some(&cast.reviewer),
            &json!({"year": year, "quantity": quantity}),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.text);
}

async fn order(app: &TestApp, token: &str, right: &str, quantity: i64) -> crate::helpers::Reply {
    app.post(
        &format!("/api/v1/authorizations/{right}/label-batches"),
        Some(token),
        &json!({"quantity": quantity}),
    )
    .await
}

/// The codes of a batch from its CSV, checking the CSV's shape on the way.
async fn codes_of(app: &TestApp, token: &str, batch: &str) -> Vec<String> {
    let csv = app
        .get(
            &format!("/api/v1/label-batches/{batch}/codes.csv"),
            Some(token),
        )
        .await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert!(csv.content_type().starts_with("text/csv"));
    let mut lines = csv.text.lines();
    assert_eq!(lines.next(), Some("code,url"));
    lines
        .map(|line| {
            let (code, url) = line.split_once(',').expect("code,url");
            assert_eq!(
                url,
                format!("{}/l/{code}", app.address),
                "the QR code opens its page"
            );
            code.to_owned()
        })
        .collect()
}

async fn scan(app: &TestApp, base: &str, code: &str) -> Value {
    let reply = app
        .client
        .get(format!("{base}/api/v1/public/labels/{code}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 200, "{code}");
    reply.json().await.expect("json")
}

/// One character changed to another of the alphabet.
fn forged(code: &str) -> String {
    let mut chars: Vec<char> = code.chars().collect();
    chars[7] = if chars[7] == 'X' { 'Y' } else { 'X' };
    chars.into_iter().collect()
}

#[tokio::test]
async fn a_quota_bounds_the_batches_and_each_label_has_its_own_code() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let (right, granted) = granted_right(&app, &cast).await;

    let none = order(&app, &cast.producer, &right, 10).await;
    none.assert_problem(422);
    assert_eq!(none.error_fields(), ["quantity"], "no quota set yet");
    let body = json!({"year": this_year(&app), "quantity": 100});
    app.put(
        &format!("/api/v1/authorizations/{right}/label-quota"),
        Some(&cast.producer),
        &body,
    )
    .await
    .assert_problem(403);
    let journal_before = app.count_rows("journal_events").await;
    set_quota(&app, &cast, &right, 100).await;
    assert_eq!(app.count_rows("journal_events").await, journal_before + 1);

    order(&app, &cast.other_producer, &right, 10)
        .await
        .assert_problem(403);
    order(&app, &cast.producer, &right, 0)
        .await
        .assert_problem(422);
    let first = order(&app, &cast.producer, &right, 60).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.json["quantity"], 60);
    assert!(first.json["batch_no"]
        .as_str()
        .is_some_and(|n| n.starts_with(granted["registry_no"].as_str().unwrap_or("?"))));
    assert_eq!(app.count_rows("journal_events").await, journal_before + 2);
    let beyond = order(&app, &cast.producer, &right, 41).await;
    beyond.assert_problem(422);
    assert!(
        beyond.text.contains("40"),
        "says what is left: {}",
        beyond.text
    );
    let lowered = app
        .put(
            &format!("/api/v1/authorizations/{right}/label-quota"),
            Some(&cast.reviewer),
            &json!({"year": this_year(&app), "quantity": 59}),
        )
        .await;
    lowered.assert_problem(422);
    assert_eq!(
        lowered.error_fields(),
        ["quantity"],
        "never below what was issued"
    );

    let of_right = app
        .get(
            &format!("/api/v1/authorizations/{right}/label-batches"),
            Some(&cast.producer),
        )
        .await;
    assert_eq!(of_right.json["quota"]["issued"], 60);
    assert_eq!(of_right.json["quota"]["remaining"], 40);
    assert_eq!(of_right.json["batches"].as_array().map(Vec::len), Some(1));

    let batch = first.json["id"].as_str().expect("batch id");
    let codes = codes_of(&app, &cast.producer, batch).await;
    assert_eq!(codes.len(), 60);
    assert_eq!(
        codes.iter().collect::<HashSet<_>>().len(),
        60,
        "all different"
    );
    assert!(codes.iter().all(|c| c.len() == 16
        && c.chars()
            .all(|ch| ch.is_ascii_digit() || "ABCDEFGHJKMNPQRSTVWXYZ".contains(ch))));
    assert_eq!(
        codes_of(&app, &cast.reviewer, batch).await.len(),
        60,
        "staff too"
    );
    app.get(
        &format!("/api/v1/label-batches/{batch}/codes.csv"),
        Some(&cast.other_producer),
    )
    .await
    .assert_problem(403);
    app.get(&format!("/api/v1/label-batches/{batch}/codes.csv"), None)
        .await
        .assert_problem(401);

    let label = scan(&app, &app.address, &codes[0]).await;
    assert_eq!(label["genuine"], true);
    assert_eq!(label["registry_no"], granted["registry_no"]);
    assert_eq!(label["batch_no"], first.json["batch_no"]);
    assert_eq!(label["right_status"], "active");
    assert_eq!(label["scans"], 1);
    assert!(label["first_scanned_at"].is_string());
    assert!(label["warning"].is_null());
    assert_eq!(scan(&app, &app.address, &codes[0]).await["scans"], 2);
    assert_eq!(
        scan(&app, &app.address, &codes[1]).await["scans"],
        1,
        "each code its own count"
    );
    // Typed in groups and in lower case, it is the same label.
    let typed = format!("{}-{}", &codes[2][..8], &codes[2][8..]).to_lowercase();
    assert_eq!(
        scan(&app, &app.address, &typed).await["code"],
        codes[2].as_str()
    );

    for never in [
        forged(&codes[0]),
        "0000000000000000".into(),
        "not-a-code".into(),
    ] {
        app.get(&format!("/api/v1/public/labels/{never}"), None)
            .await
            .assert_problem(404);
        let page = app
            .client
            .get(app.url(&format!("/l/{never}")))
            .send()
            .await
            .expect("sent");
        assert_eq!(page.status(), 404);
        let html = page.text().await.expect("html");
        assert!(html.contains("此标签码从未发放"), "{html}");
        assert!(html.contains("data-genuine=\"false\""));
    }
    let page = app
        .client
        .get(app.url(&format!("/l/{}", codes[0])))
        .send()
        .await
        .expect("sent");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("data-genuine=\"true\""));
    assert!(html.contains("data-scans=\"3\""), "the page counts too");
    assert!(
        html.contains("report-title"),
        "the report form is on the page"
    );
}

#[tokio::test]
async fn twenty_orders_at_once_never_pass_the_quota() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let (right, _) = granted_right(&app, &cast).await;
    set_quota(&app, &cast, &right, 100).await;
    let orders = (0..20).map(|_| order(&app, &cast.producer, &right, 10));
    let replies = join_all(orders).await;
    let created = replies.iter().filter(|r| r.status == 201).count();
    for refused in replies.iter().filter(|r| r.status != 201) {
        refused.assert_problem(422);
    }
    assert_eq!(created, 10, "exactly the quota");
    assert_eq!(app.count_rows("labels").await, 100);
    assert_eq!(app.count_rows("label_batches").await, 10);
    let numbers: HashSet<String> = replies
        .iter()
        .filter_map(|r| r.json["batch_no"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(numbers.len(), 10, "each batch its own number");
}

#[tokio::test]
async fn the_warning_comes_after_the_threshold_and_when_the_right_is_not_active() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let (right, _) = granted_right(&app, &cast).await;
    set_quota(&app, &cast, &right, 10).await;
    let batch = order(&app, &cast.producer, &right, 5).await;
    let codes = codes_of(&app, &cast.producer, batch.json["id"].as_str().expect("id")).await;

    let settings = json!({"scan_warning": 3, "watch_codes": 2});
    app.put(
        "/api/v1/admin/label-settings",
        Some(&cast.reviewer),
        &settings,
    )
    .await
    .assert_problem(403);
    let set = app
        .put("/api/v1/admin/label-settings", Some(&cast.admin), &settings)
        .await;
    assert_eq!(set.status, 200, "{}", set.text);
    for n in 1..=3 {
        let label = scan(&app, &app.address, &codes[0]).await;
        assert_eq!(label["scans"], n);
        assert!(label["warning"].is_null(), "within the setting at {n}");
    }
    let fourth = scan(&app, &app.address, &codes[0]).await;
    assert_eq!(fourth["warning"], "many_scans");
    let page = app
        .client
        .get(app.url(&format!("/l/{}", codes[0])))
        .send()
        .await
        .expect("sent");
    let html = page.text().await.expect("html");
    assert!(html.contains("data-testid=\"many-scans\""), "{html}");
    assert!(
        html.contains("data-testid=\"report-link\""),
        "the report form one tap away"
    );

    // Two codes past the warning flag the right on the watchlist (watch_codes = 2).
    let flagged = |list: &Value| {
        list["items"].as_array().into_iter().flatten().any(|e| {
            e["reasons"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|r| r["reason"] == "many_scans")
        })
    };
    for _ in 0..4 {
        scan(&app, &app.address, &codes[1]).await;
    }
    // The watchlist reads stored counts: flush this process's scans first.
    gi_registry::startup::flush_the_scans(&app.state).await;
    let list = app
        .get("/api/v1/watchlist?per_page=100", Some(&cast.reviewer))
        .await;
    assert!(flagged(&list.json), "{}", list.text);
    assert!(list.text.contains("\"codes\":2"), "{}", list.text);

    let suspended = app
        .post(
            &format!("/api/v1/authorizations/{right}/suspend"),
            Some(&cast.reviewer),
            &json!({"reason": "抽检不合格"}),
        )
        .await;
    assert_eq!(suspended.status, 200, "{}", suspended.text);
    assert_eq!(
        scan(&app, &app.address, &codes[2]).await["warning"],
        "right_not_active"
    );
    assert_eq!(
        scan(&app, &app.address, &codes[2]).await["right_status"],
        "suspended"
    );
    order(&app, &cast.producer, &right, 1)
        .await
        .assert_problem(409);
}

#[tokio::test]
async fn scans_add_up_across_two_replicas_and_a_clean_stop_loses_none() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let (right, _) = granted_right(&app, &cast).await;
    set_quota(&app, &cast, &right, 10).await;
    let batch = order(&app, &cast.producer, &right, 3).await;
    let codes = codes_of(&app, &cast.producer, batch.json["id"].as_str().expect("id")).await;
    // The replica starts after the batch: it loads it from the database.
    let mut replica = second_replica(&app).await;
    let code = &codes[0];
    for _ in 0..3 {
        scan(&app, &app.address, code).await;
    }
    for _ in 0..2 {
        scan(&app, &replica.base, code).await;
    }
    gi_registry::startup::flush_the_scans(&app.state).await;
    // The replica flushes every second by itself.
    let mut total = 0;
    for _ in 0..100 {
        total = app.query_number(TOTAL_SCANS).await;
        if total == 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(total, 5, "both replicas' scans in the database");
    gi_registry::startup::flush_the_scans(&app.state).await;
    assert_eq!(
        scan(&app, &app.address, code).await["scans"],
        6,
        "this replica sees the other's"
    );
    gi_registry::startup::flush_the_scans(&app.state).await;
    // The replica reads every replica's counts each second: two of its rounds.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        scan(&app, &replica.base, code).await["scans"],
        7,
        "and the other this one's"
    );

    // Scans the replica has not flushed yet go out when it stops cleanly.
    let before = app.query_number(TOTAL_SCANS).await;
    for _ in 0..25 {
        scan(&app, &replica.base, &codes[2]).await;
    }
    // SAFETY: a signal to the child process this test started.
    unsafe { libc::kill(replica.child.id() as i32, libc::SIGTERM) };
    let status = replica.child.wait().expect("the replica stops");
    assert!(status.success(), "{status:?}");
    gi_registry::startup::flush_the_scans(&app.state).await;
    assert_eq!(app.query_number(TOTAL_SCANS).await, before + 25 + 1);
}

#[tokio::test]
async fn the_labels_page_takes_orders_and_quotas_and_prints_sheets() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    app.clock
        .set(Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0).unwrap());
    let (right, _) = granted_right(&app, &cast).await;
    let page_path = format!("/authorizations/{right}/labels");

    let mut staff = PageClient::new(&app);
    staff.sign_in("li.reviewer").await;
    let bad = staff
        .submit(
            &page_path,
            &format!("{page_path}/quota"),
            &[("year", "2025"), ("quantity", "many")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.html.contains("请填写整数"), "beside its field");
    assert!(
        bad.html.contains("value=\"many\""),
        "what was typed is kept"
    );
    let set = staff
        .submit(
            &page_path,
            &format!("{page_path}/quota"),
            &[("year", "2025"), ("quantity", "90")],
        )
        .await;
    assert_eq!(set.status, 303, "{}", set.html);

    let mut holder = PageClient::new(&app);
    holder.sign_in("hongqi").await;
    let page = holder.get(&page_path).await;
    assert_eq!(page.status, 200);
    assert!(page.html.contains("data-remaining=\"90\""), "{}", page.html);
    let beyond = holder
        .submit(
            &page_path,
            &format!("{page_path}/batches"),
            &[("quantity", "91")],
        )
        .await;
    assert_eq!(beyond.status, 422);
    assert!(beyond.html.contains("尚余 90 枚"));
    let ordered = holder
        .submit(
            &page_path,
            &format!("{page_path}/batches"),
            &[("quantity", "45")],
        )
        .await;
    assert_eq!(ordered.status, 303);
    let page = holder.get(&page_path).await;
    assert!(page.html.contains("data-issued=\"45\""));
    let csv_link = "/label-batches/";
    let start = page.html.find(csv_link).expect("batch links") + csv_link.len();
    let batch_id: String = page.html[start..]
        .chars()
        .take_while(|c| *c != '/')
        .collect();
    let sheet = holder
        .get(&format!("/label-batches/{batch_id}/sheet"))
        .await;
    assert_eq!(sheet.status, 200);
    assert_eq!(sheet.html.matches("class=\"label\"").count(), 45);
    assert_eq!(sheet.html.matches("<svg").count(), 45);
    let csv = holder
        .get(&format!("/label-batches/{batch_id}/codes.csv"))
        .await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.html.lines().count(), 46);

    // Next year, the usage report for 2025 starts from the 45 labels issued in 2025.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 2, 10, 2, 0, 0).unwrap());
    holder.sign_in("hongqi").await;
    let rights = holder.get("/authorizations").await;
    assert!(rights.html.contains("name=\"marks_used\""));
    assert!(rights.html.contains("value=\"45\""), "{}", rights.html);
    assert!(rights.html.contains("该年度发放标签 45 枚"));

    staff.sign_in("li.reviewer").await;
    let staff_view = staff.get(&format!("/review/authorizations/{right}")).await;
    assert!(staff_view.html.contains("data-testid=\"labels-link\""));
    let mut stranger = PageClient::new(&app);
    stranger.sign_in("xiniu-coop").await;
    assert_eq!(stranger.get(&page_path).await.status, 403);
    assert_eq!(
        stranger
            .get(&format!("/label-batches/{batch_id}/sheet"))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn a_batch_issued_and_scanned_on_another_replica_is_taken_in_with_its_scans_once() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let (right, _) = granted_right(&app, &cast).await;
    set_quota(&app, &cast, &right, 10).await;
    // The replica runs before the batch exists: it takes the batch in while running.
    let replica = second_replica(&app).await;
    let batch = order(&app, &cast.producer, &right, 2).await;
    let codes = codes_of(&app, &cast.producer, batch.json["id"].as_str().expect("id")).await;
    let code = &codes[0];
    for _ in 0..3 {
        scan(&app, &app.address, code).await;
    }
    // One ordinary round: the scans are logged (their range is most likely not folded).
    let labels = app.state.labels.clone();
    app.state
        .run(move |conn| labels.synchronise(conn))
        .await
        .expect("flushed");
    // The replica takes the batch in with those scans and reads the log on: never twice.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(scan(&app, &replica.base, code).await["scans"], 4);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(scan(&app, &replica.base, code).await["scans"], 5);
    // This replica reads the other's two.
    gi_registry::startup::flush_the_scans(&app.state).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    gi_registry::startup::flush_the_scans(&app.state).await;
    assert_eq!(scan(&app, &app.address, code).await["scans"], 6);
    gi_registry::startup::flush_the_scans(&app.state).await;
    assert_eq!(app.query_number(TOTAL_SCANS).await, 6);
    assert_eq!(
        app.query_number(SCANS_IN_ROWS).await,
        6,
        "a clean stop's flush folds the whole log into the rows"
    );
    drop(replica);
}

#[tokio::test]
async fn a_replica_that_missed_dropped_log_rows_reloads_every_count() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let (right, _) = granted_right(&app, &cast).await;
    set_quota(&app, &cast, &right, 10).await;
    let batch = order(&app, &cast.producer, &right, 1).await;
    let codes = codes_of(&app, &cast.producer, batch.json["id"].as_str().expect("id")).await;
    let replica = second_replica(&app).await;
    assert_eq!(scan(&app, &replica.base, &codes[0]).await["scans"], 1);
    // Flushes the replica never read, folded and dropped from the log meanwhile (as after
    // ten minutes away): only the rows hold their three scans now.
    execute(&app, "UPDATE labels SET scans = scans + 3").await;
    execute(
        &app,
        "UPDATE label_flush_counter SET seq = seq + 700, dropped_seq = seq + 700",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        scan(&app, &replica.base, &codes[0]).await["scans"],
        5,
        "the replica's own scan, the three it missed, and this one"
    );
    drop(replica);
}
