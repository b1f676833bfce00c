//! Issue 15: changes of a holder's details (变更). A change approved shows the new name in
//! verify, search and the CSV at once and the old one in the staff's history (and beside the
//! new one on the verify page); a rejection changes nothing; the limit is in working days.

use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, Cast};
use crate::page_client::PageClient;

const OLD_NAME: &str = "英德市hongqi茶业有限公司";
const NEW_NAME: &str = "英德市红旗茶业集团有限公司";

#[tokio::test]
async fn an_approved_change_shows_at_once_everywhere_and_a_rejected_one_changes_nothing() {
    let app = spawn_app().await;
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0)
            .single()
            .expect("a Friday"),
    );
    let cast = Cast::assemble(&app).await;
    let approved = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let draft_id = approved["id"].as_str().expect("id").to_owned();
    app.grant(&cast, &cast.other_producer, "xiniu-bamboo-shoot", "西牛镇")
        .await;

    // Only a holder asks, and only for something that changes.
    let body = json!({"name": NEW_NAME, "address": "英德市英红镇茶园路18号", "reason": "已换发新营业执照"});
    app.post("/api/v1/enterprise-changes", Some(&cast.reviewer), &body)
        .await
        .assert_problem(403);
    app.post(
        "/api/v1/enterprise-changes",
        Some(&cast.producer),
        &json!({"name": OLD_NAME, "reason": "同名"}),
    )
    .await
    .assert_problem(422);
    let asked = app
        .post("/api/v1/enterprise-changes", Some(&cast.producer), &body)
        .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.text);
    assert_eq!(asked.json["status"], "submitted");
    assert_eq!(asked.json["old_name"], OLD_NAME);
    // Ten working days from Friday 27 November.
    assert_eq!(asked.json["due_date"], "2026-12-11");
    let change = asked.json["id"].as_str().expect("id").to_owned();
    app.post("/api/v1/enterprise-changes", Some(&cast.producer), &body)
        .await
        .assert_problem(409);

    // Staff see it waiting; the other holder sees none of it.
    let waiting = app
        .expect_ok(
            app.get(
                "/api/v1/enterprise-changes?status=submitted",
                Some(&cast.reviewer),
            )
            .await,
        )
        .json;
    assert_eq!(waiting["total"], 1);
    assert_eq!(waiting["items"][0]["id"], change);
    let others = app
        .expect_ok(
            app.get("/api/v1/enterprise-changes", Some(&cast.other_producer))
                .await,
        )
        .json;
    assert_eq!(others["total"], 0);

    // The other holder's request is rejected: nothing changes.
    let rejected_ask = app
        .post(
            "/api/v1/enterprise-changes",
            Some(&cast.other_producer),
            &json!({"name": "西牛笋业", "reason": "改名"}),
        )
        .await;
    assert_eq!(
        rejected_ask.status,
        StatusCode::CREATED,
        "{}",
        rejected_ask.text
    );
    let rejected_id = rejected_ask.json["id"].as_str().expect("id");
    let rejected = app
        .post(
            &format!("/api/v1/enterprise-changes/{rejected_id}/reject"),
            Some(&cast.reviewer),
            &json!({"reason": "未提供新营业执照"}),
        )
        .await;
    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.text);
    assert_eq!(rejected.json["status"], "rejected");
    let unchanged = app
        .expect_ok(
            app.get("/api/v1/public/verify/93441881MA52BM702T", None)
                .await,
        )
        .json;
    assert_eq!(unchanged["enterprise_name"], "英德市xiniu-coop茶业有限公司");
    assert!(unchanged["former_name"].is_null());

    // Approved: the new name in verify, search and the CSV at once.
    app.post(
        &format!("/api/v1/enterprise-changes/{change}/approve"),
        Some(&cast.producer),
        &json!({}),
    )
    .await
    .assert_problem(403);
    let done = app
        .post(
            &format!("/api/v1/enterprise-changes/{change}/approve"),
            Some(&cast.approver),
            &json!({}),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    assert_eq!(done.json["status"], "approved");
    assert_eq!(done.json["decided_by"], "wang.approver");
    app.post(
        &format!("/api/v1/enterprise-changes/{change}/approve"),
        Some(&cast.approver),
        &json!({}),
    )
    .await
    .assert_problem(409);

    let verified = app
        .expect_ok(
            app.get("/api/v1/public/verify/91441881MA4WTEA03K", None)
                .await,
        )
        .json;
    assert_eq!(verified["enterprise_name"], NEW_NAME);
    assert_eq!(verified["former_name"], OLD_NAME);
    let found = app
        .expect_ok(
            app.get("/api/v1/public/authorized-users?q=红旗茶业集团", None)
                .await,
        )
        .json;
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["items"][0]["enterprise_name"], NEW_NAME);
    let old = app
        .expect_ok(
            app.get("/api/v1/public/authorized-users?q=hongqi", None)
                .await,
        )
        .json;
    assert_eq!(old["total"], 0, "the old name is no longer searched");
    let csv = app.get("/api/v1/public/authorized-users.csv", None).await;
    assert!(csv.text.contains(NEW_NAME));
    assert!(!csv.text.contains(OLD_NAME));
    let me = app
        .expect_ok(app.get("/api/v1/me", Some(&cast.producer)).await)
        .json;
    assert_eq!(me["enterprise"]["address"], "英德市英红镇茶园路18号");

    // Staff read the history of names beside the enterprise's applications.
    let seen = app
        .expect_ok(
            app.get(
                &format!("/api/v1/applications/{draft_id}"),
                Some(&cast.reviewer),
            )
            .await,
        )
        .json;
    assert_eq!(
        seen["reviewer_context"]["applicant"]["former_names"][0]["name"],
        OLD_NAME
    );

    // The pages: the verify page shows the former name; staff see the decided request.
    let verify_page = PageClient::new(&app)
        .get("/verify/91441881MA4WTEA03K")
        .await;
    assert!(verify_page.html.contains("data-testid=\"former-name\""));
    assert!(verify_page.html.contains(OLD_NAME));
    let mut reviewer = PageClient::new(&app);
    reviewer.sign_in("li.reviewer").await;
    let approved_page = reviewer
        .get("/review/enterprise-changes?status=approved")
        .await;
    assert_eq!(approved_page.status, StatusCode::OK);
    assert!(approved_page.html.contains(NEW_NAME));
}

#[tokio::test]
async fn a_holder_asks_for_a_change_and_staff_approve_it_in_the_pages() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    app.grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let mut holder = PageClient::new(&app);
    holder.sign_in("hongqi").await;
    assert!(holder
        .get("/authorizations")
        .await
        .html
        .contains("/enterprise-changes"));
    let refused = holder
        .submit(
            "/enterprise-changes",
            "/enterprise-changes",
            &[("name", ""), ("reason", "")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let sent = holder
        .submit(
            "/enterprise-changes",
            "/enterprise-changes",
            &[
                ("legal_representative", "陈新"),
                ("reason", "法定代表人变更"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.html);
    let mine = holder.get("/enterprise-changes?notice=submitted").await;
    assert!(mine.html.contains("陈新"));

    let mut reviewer = PageClient::new(&app);
    reviewer.sign_in("li.reviewer").await;
    let waiting = reviewer.get("/review/enterprise-changes").await;
    assert!(waiting.html.contains("陈新"));
    let marker = "/review/enterprise-changes/";
    let start = waiting
        .html
        .find(&format!("{marker}0"))
        .or_else(|| waiting.html.find(marker))
        .expect("a decision form")
        + marker.len();
    let id: String = waiting.html[start..]
        .chars()
        .take_while(|c| *c != '/')
        .collect();
    let approved = reviewer
        .submit(
            "/review/enterprise-changes",
            &format!("/review/enterprise-changes/{id}/approve"),
            &[("reason", "")],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.html);
    let me = app
        .expect_ok(app.get("/api/v1/me", Some(&cast.producer)).await)
        .json;
    assert_eq!(me["enterprise"]["legal_representative"], "陈新");
}

#[tokio::test]
async fn the_list_refuses_a_status_that_is_none_of_the_three() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    for bad in ["", "open", "approved%20"] {
        app.get(
            &format!("/api/v1/enterprise-changes?status={bad}"),
            Some(&cast.reviewer),
        )
        .await
        .assert_problem(422);
    }
    let all = app
        .expect_ok(
            app.get("/api/v1/enterprise-changes", Some(&cast.reviewer))
                .await,
        )
        .json;
    assert_eq!(all["total"], 0);
}
