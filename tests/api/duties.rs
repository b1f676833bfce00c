//! After approval: usage reports and the watchlist; at the review desk: deadlines, queue,
//! statistics; reports of fakes. Dates come from the injected clock, never from sleeping.

use chrono::{TimeZone, Utc};
use reqwest::Method;
use serde_json::json;

use crate::helpers::{spawn_app, Cast, TestApp};

fn at(y: i32, m: u32, d: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 9, 0, 0)
        .single()
        .expect("date")
}

async fn file(
    app: &TestApp,
    token: &str,
    right: &str,
    year: i32,
    marks: i64,
) -> crate::helpers::Reply {
    let body = json!({"year": year, "marks_used": marks, "output_kg": 1200, "sales_cny": 360000, "note": "正常生产"});
    app.post(
        &format!("/api/v1/authorizations/{right}/usage-reports"),
        Some(token),
        &body,
    )
    .await
}

#[tokio::test]
async fn the_holder_files_one_report_per_past_year_and_staff_read_them() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    app.clock.set(at(2024, 6, 1));
    let granted = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let right = granted["authorization_id"].as_str().expect("id").to_owned();
    app.clock.set(at(2026, 2, 10));

    let filed = file(&app, &cast.producer, &right, 2025, 40_000).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    assert_eq!(filed.json["year"], 2025);
    file(&app, &cast.producer, &right, 2025, 1)
        .await
        .assert_problem(409);
    let current = file(&app, &cast.producer, &right, 2026, 1).await;
    current.assert_problem(422);
    assert_eq!(current.error_fields(), vec!["year"]);
    file(&app, &cast.producer, &right, 2023, 1)
        .await
        .assert_problem(422);
    file(&app, &cast.other_producer, &right, 2024, 1)
        .await
        .assert_problem(403);
    file(&app, &cast.reviewer, &right, 2024, 1)
        .await
        .assert_problem(403);

    let listed = app
        .get(
            &format!("/api/v1/authorizations/{right}/usage-reports"),
            Some(&cast.reviewer),
        )
        .await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json.as_array().map(Vec::len), Some(1));
    assert_eq!(listed.json[0]["marks_used"], 40_000);
    app.get(
        &format!("/api/v1/authorizations/{right}/usage-reports"),
        Some(&cast.other_producer),
    )
    .await
    .assert_problem(403);
}

#[tokio::test]
async fn the_watchlist_shows_overdue_reports_and_two_years_without_use_with_evidence() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    app.clock.set(at(2024, 5, 10));
    let quiet = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let idle = app
        .grant(&cast, &cast.other_producer, "xiniu-bamboo-shoot", "西牛镇")
        .await;
    let quiet_right = quiet["authorization_id"].as_str().expect("id").to_owned();
    let idle_right = idle["authorization_id"].as_str().expect("id").to_owned();

    // Before 31 March 2025 nothing is due yet.
    app.clock.set(at(2025, 3, 31));
    assert_eq!(
        app.get("/api/v1/watchlist", Some(&cast.reviewer))
            .await
            .json["total"],
        0
    );

    // The second holder reports twice that it used no mark; the first never reports.
    app.clock.set(at(2026, 2, 1));
    file(&app, &cast.other_producer, &idle_right, 2024, 0).await;
    file(&app, &cast.other_producer, &idle_right, 2025, 0).await;
    app.clock.set(at(2026, 4, 2));
    let watch = app.get("/api/v1/watchlist", Some(&cast.reviewer)).await;
    assert_eq!(watch.status, 200, "{}", watch.text);
    assert_eq!(watch.json["total"], 2);
    let entry = |right: &str| {
        watch.json["items"]
            .as_array()
            .and_then(|items| items.iter().find(|e| e["authorization_id"] == right))
            .cloned()
            .expect("entry")
    };
    let quiet_entry = entry(&quiet_right);
    assert_eq!(quiet_entry["non_use_ground"], true);
    let reasons = quiet_entry["reasons"].as_array().expect("reasons");
    assert!(
        reasons.contains(&json!({"reason": "overdue_report", "year": 2024, "due": "2025-03-31"}))
    );
    assert!(
        reasons.contains(&json!({"reason": "overdue_report", "year": 2025, "due": "2026-03-31"}))
    );
    assert!(reasons.contains(&json!({"reason": "no_reports", "years": [2024, 2025]})));
    assert_eq!(
        entry(&idle_right)["reasons"],
        json!([{"reason": "no_marks_used", "years": [2024, 2025]}])
    );

    // From the entry: the reviewer suspends, the approver revokes on the non-use ground.
    let path = |action: &str| format!("/api/v1/authorizations/{quiet_right}/{action}");
    assert_eq!(
        app.post(
            &path("suspend"),
            Some(&cast.reviewer),
            &json!({"reason": "逾期未报告使用情况"})
        )
        .await
        .status,
        200
    );
    let revoked = app
        .post(
            &path("revoke"),
            Some(&cast.approver),
            &json!({"ground": "unused_two_years", "reason": "连续两年未使用"}),
        )
        .await;
    assert_eq!(revoked.json["status"], "revoked");
    let after = app
        .get("/api/v1/watchlist?non_use_only=true", Some(&cast.reviewer))
        .await;
    assert_eq!(
        after.json["total"], 1,
        "a revoked right leaves the watchlist"
    );
    app.get("/api/v1/watchlist", Some(&cast.producer))
        .await
        .assert_problem(403);
}

#[tokio::test]
async fn review_deadlines_skip_weekends_and_holidays_and_the_queue_puts_the_urgent_first() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let holidays = json!({"holidays": [{"day": "2026-12-01", "name": "测试假日"}]});
    app.request(
        Method::PUT,
        "/api/v1/admin/holidays",
        Some(&cast.reviewer),
        Some(&holidays),
    )
    .await
    .assert_problem(403);
    let set = app
        .request(
            Method::PUT,
            "/api/v1/admin/holidays",
            Some(&cast.admin),
            Some(&holidays),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.text);

    let first = app.complete_draft(&cast.producer).await;
    let second = app.complete_draft(&cast.producer).await;
    for id in [&first, &second] {
        app.expect_ok(app.action(&cast.producer, id, "submit", json!({})).await);
    }
    // Accepted on Friday 27 November: 10 working days, skipping two weekends and 1 December.
    app.clock.set(at(2026, 11, 27));
    app.expect_ok(
        app.action(&cast.reviewer, &second, "accept", json!({}))
            .await,
    );
    app.clock.set(at(2026, 11, 30));
    app.expect_ok(
        app.action(&cast.reviewer, &first, "accept", json!({}))
            .await,
    );

    let queue = app
        .get(
            "/api/v1/applications?status=under_review&sort=urgency",
            Some(&cast.reviewer),
        )
        .await;
    assert_eq!(
        queue.json["items"][0]["id"],
        second.as_str(),
        "earliest due first"
    );
    assert_eq!(queue.json["items"][0]["review_due_date"], "2026-12-14");
    assert_eq!(queue.json["items"][1]["review_due_date"], "2026-12-15");
    assert_eq!(queue.json["items"][0]["overdue"], false);

    app.clock.set(at(2026, 12, 15));
    let later = app
        .get(
            "/api/v1/applications?status=under_review&sort=urgency",
            Some(&cast.reviewer),
        )
        .await;
    assert_eq!(later.json["items"][0]["overdue"], true);
    assert_eq!(later.json["items"][0]["days_in_state"], 18);
    assert_eq!(
        later.json["items"][1]["overdue"], false,
        "due today is not overdue yet"
    );

    let stats = app.get("/api/v1/stats/review", Some(&cast.reviewer)).await;
    assert_eq!(stats.status, 200, "{}", stats.text);
    assert_eq!(stats.json["overdue_reviews"], 1);
    let under_review = stats.json["by_status"]
        .as_array()
        .and_then(|s| s.iter().find(|e| e["status"] == "under_review"))
        .cloned()
        .expect("row");
    assert_eq!(under_review["count"], 2);
    assert_eq!(under_review["median_days_in_state"], 16.5);
    app.get("/api/v1/stats/review", Some(&cast.producer))
        .await
        .assert_problem(403);
    app.get("/api/v1/applications?sort=sideways", Some(&cast.reviewer))
        .await
        .assert_problem(422);
}

#[tokio::test]
async fn anyone_reports_a_fake_staff_close_it_and_one_address_cannot_flood() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let body = json!({"code_seen": "91441881MA4WTEA03X", "place": "英德市某茶叶店", "description": "包装上的代码查不到"});
    let receipt = app.post("/api/v1/public/reports", None, &body).await;
    assert_eq!(receipt.status, 201, "{}", receipt.text);
    let id = receipt.json["id"].as_str().expect("id").to_owned();

    app.get("/api/v1/reports", None).await.assert_problem(401);
    app.get("/api/v1/reports", Some(&cast.producer))
        .await
        .assert_problem(403);
    let open = app
        .get("/api/v1/reports?status=open", Some(&cast.reviewer))
        .await;
    assert_eq!(open.json["total"], 1);
    assert_eq!(open.json["items"][0]["place"], "英德市某茶叶店");
    let closed = app
        .post(
            &format!("/api/v1/reports/{id}/close"),
            Some(&cast.reviewer),
            &json!({"resolution": "已现场核查，责令下架"}),
        )
        .await;
    assert_eq!(closed.json["status"], "closed");
    app.post(
        &format!("/api/v1/reports/{id}/close"),
        Some(&cast.reviewer),
        &json!({"resolution": "again"}),
    )
    .await
    .assert_problem(409);

    for _ in 0..9 {
        assert_eq!(
            app.post("/api/v1/public/reports", None, &body).await.status,
            201
        );
    }
    let throttled = app.post("/api/v1/public/reports", None, &body).await;
    throttled.assert_problem(429);
    assert!(throttled.headers.contains_key("retry-after"));
    assert_eq!(app.count_rows("fake_reports").await, 10);
}

#[tokio::test]
async fn staff_exports_open_as_spreadsheets_with_every_right_and_its_last_report() {
    use calamine::{Data, Reader};
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    app.clock.set(at(2024, 6, 1));
    let granted = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let right = granted["authorization_id"].as_str().expect("id").to_owned();
    app.clock.set(at(2026, 2, 10));
    file(&app, &cast.producer, &right, 2024, 1000).await;
    file(&app, &cast.producer, &right, 2025, 2500).await;

    app.get("/api/v1/exports/authorizations.xlsx", Some(&cast.producer))
        .await
        .assert_problem(403);
    let response = app
        .client
        .get(app.url("/api/v1/exports/authorizations.xlsx"))
        .bearer_auth(&cast.reviewer)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.expect("body").to_vec();
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("a valid xlsx");
    let sheet = workbook.worksheet_range("授权企业").expect("the sheet");
    let rows: Vec<_> = sheet.rows().collect();
    assert_eq!(rows.len(), 2, "header and one right");
    assert_eq!(rows[0][0], Data::String("登记编号".into()));
    assert_eq!(rows[0][3], Data::String("统一社会信用代码".into()));
    assert_eq!(
        rows[1][0],
        Data::String(granted["registry_no"].as_str().expect("no").into())
    );
    assert_eq!(rows[1][3], Data::String("91441881MA4WTEA03K".into()));
    assert_eq!(
        rows[1][7],
        Data::String("0763-2288000".into()),
        "contact data is in the staff export"
    );
    assert_eq!(rows[1][17], Data::Float(2025.0), "the last report's year");
    assert_eq!(rows[1][18], Data::Float(2500.0));

    let csv = app
        .client
        .get(app.url("/api/v1/exports/authorizations.csv"))
        .bearer_auth(&cast.reviewer)
        .send()
        .await
        .expect("sent");
    let bytes = csv.bytes().await.expect("body");
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
    let text = String::from_utf8(bytes[3..].to_vec()).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("登记编号,状态,企业名称"));
    assert!(lines[1].contains("91441881MA4WTEA03K") && lines[1].contains("2025"));
}
