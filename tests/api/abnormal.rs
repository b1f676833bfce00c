//! The abnormal-use list (issue 16): staff list and remove, journalled; a filed usage report
//! removes a report_overdue entry by itself; the public list, CSV and pages, the verify flag
//! and the counter (unchanged, with the number listed).

use chrono::{TimeZone, Utc};
use serde_json::json;

use crate::helpers::{spawn_app, Cast, TestApp};

async fn journal_count(app: &TestApp) -> i64 {
    app.get("/api/v1/public/journal/head", None).await.json["count"]
        .as_i64()
        .expect("count")
}

#[tokio::test]
async fn staff_list_and_remove_and_a_filed_report_removes_an_overdue_entry() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    app.clock
        .set(Utc.with_ymd_and_hms(2025, 6, 1, 2, 0, 0).unwrap());
    let granted = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let right = granted["authorization_id"].as_str().expect("id").to_owned();
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 2, 10, 2, 0, 0).unwrap());

    let body = json!({"authorization_id": right, "reason": "report_overdue",
        "note": "2025年度报告逾期", "correct_by": "2026-03-31"});
    app.post("/api/v1/abnormal-users", Some(&cast.producer), &body)
        .await
        .assert_problem(403);
    let mut bad = body.clone();
    bad["reason"] = json!("late");
    let refused = app
        .post("/api/v1/abnormal-users", Some(&cast.reviewer), &bad)
        .await;
    refused.assert_problem(422);
    assert_eq!(refused.error_fields(), ["reason"]);

    let before = journal_count(&app).await;
    let listed = app
        .post("/api/v1/abnormal-users", Some(&cast.reviewer), &body)
        .await;
    assert_eq!(listed.status, 201, "{}", listed.text);
    assert_eq!(
        journal_count(&app).await,
        before + 1,
        "journalled with the change"
    );
    assert_eq!(listed.json["registry_no"], granted["registry_no"]);
    assert_eq!(listed.json["reason"], "report_overdue");
    assert_eq!(listed.json["correct_by"], "2026-03-31");
    assert!(listed.json["removed_at"].is_null());
    app.post("/api/v1/abnormal-users", Some(&cast.reviewer), &body)
        .await
        .assert_problem(409);

    let list = app.get("/api/v1/public/abnormal-users", None).await;
    assert_eq!(list.json["total"], 1);
    let item = &list.json["items"][0];
    for field in [
        "id",
        "registry_no",
        "enterprise_name",
        "uscc",
        "product_code",
        "reason",
        "listed_at",
        "correct_by",
    ] {
        assert!(!item[field].is_null(), "{field}");
    }
    assert!(item.get("note").is_none(), "the staff note stays inside");
    let verdict = app
        .get("/api/v1/public/verify/91441881MA4WTEA03K", None)
        .await;
    assert_eq!(verdict.json["authorized"], true, "still a right");
    assert_eq!(verdict.json["authorizations"][0]["abnormal"], true);
    assert_eq!(
        verdict.json["authorizations"][0]["abnormal_listings"][0]["reason"],
        "report_overdue"
    );
    let goal = app.get("/api/v1/public/goal", None).await;
    assert_eq!(
        goal.json["authorized_enterprises"], 1,
        "the counter does not change"
    );
    assert_eq!(goal.json["abnormal_listed"], 1);
    let page = app.get("/verify/91441881MA4WTEA03K", None).await;
    assert!(page.text.contains("列入使用异常名录"));
    assert!(page.text.contains("2026-03-31"));
    let abnormal_page = app.get("/abnormal", None).await;
    assert_eq!(abnormal_page.status, 200);
    assert!(abnormal_page
        .text
        .contains(granted["registry_no"].as_str().expect("no")));
    let csv = app.get("/api/v1/public/abnormal-users.csv", None).await;
    assert!(csv.text.contains("report_overdue") && csv.text.contains("2026-03-31"));
    assert!(app
        .get("/", None)
        .await
        .text
        .contains("data-testid=\"abnormal-listed\""));

    // The overdue report is filed: the entry goes by itself, journalled.
    let before = journal_count(&app).await;
    let report = json!({"year": 2025, "marks_used": 1000, "output_kg": 1200, "sales_cny": 360000, "note": "补报"});
    let filed = app
        .post(
            &format!("/api/v1/authorizations/{right}/usage-reports"),
            Some(&cast.producer),
            &report,
        )
        .await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    assert_eq!(
        journal_count(&app).await,
        before + 2,
        "the report and the removal"
    );
    assert_eq!(
        app.get("/api/v1/public/abnormal-users", None).await.json["total"],
        0
    );
    let all = app
        .get("/api/v1/public/abnormal-users?include_removed=true", None)
        .await;
    assert_eq!(all.json["total"], 1);
    assert!(all.json["items"][0]["removed_at"].is_string());
    let verdict = app
        .get("/api/v1/public/verify/91441881MA4WTEA03K", None)
        .await;
    assert_eq!(verdict.json["authorizations"][0]["abnormal"], false);

    // Another ground, removed by staff when corrected.
    let inspection = json!({"authorization_id": right, "reason": "inspection_failed",
        "note": "抽检标签不符", "correct_by": "2026-04-30"});
    let listed = app
        .post("/api/v1/abnormal-users", Some(&cast.reviewer), &inspection)
        .await;
    assert_eq!(listed.status, 201, "{}", listed.text);
    let id = listed.json["id"].as_str().expect("id").to_owned();
    let remove = |note: &'static str| {
        let (app, id, token) = (&app, id.clone(), cast.reviewer.clone());
        async move {
            app.post(
                &format!("/api/v1/abnormal-users/{id}/remove"),
                Some(&token),
                &json!({"note": note}),
            )
            .await
        }
    };
    let removed = remove("已整改").await;
    assert_eq!(removed.status, 200, "{}", removed.text);
    assert!(removed.json["removed_at"].is_string());
    remove("again").await.assert_problem(409);
    app.post(
        "/api/v1/abnormal-users/no-such-entry/remove",
        Some(&cast.reviewer),
        &json!({"note": "x"}),
    )
    .await
    .assert_problem(404);
    assert_eq!(
        app.get("/api/v1/public/abnormal-users?include_removed=true", None)
            .await
            .json["total"],
        2
    );

    // A register built again from the database holds the same list.
    let listed_before = app
        .get("/api/v1/public/abnormal-users?include_removed=true", None)
        .await
        .json;
    let handle = app.state.register.clone();
    app.state
        .run(move |conn| handle.rebuild(conn))
        .await
        .expect("rebuilt");
    let listed_after = app
        .get("/api/v1/public/abnormal-users?include_removed=true", None)
        .await
        .json;
    assert_eq!(listed_before, listed_after);
}
