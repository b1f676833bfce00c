//! Issue 14, the reviewers' context: staff read the applicant's contact details, what the
//! producer changed since the last return (fields and documents, against the snapshot the
//! return wrote) and who did each step; the producer sees none of it.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Cast, TestApp, PDF};
use crate::page_client::PageClient;

/// Submitted, accepted, returned with an opinion, corrected (address, one document replaced)
/// and resubmitted.
async fn corrected_and_resubmitted(app: &TestApp, cast: &Cast) -> String {
    let id = app.complete_draft(&cast.producer).await;
    app.expect_ok(app.action(&cast.producer, &id, "submit", json!({})).await);
    app.expect_ok(app.action(&cast.reviewer, &id, "accept", json!({})).await);
    app.expect_ok(
        app.action(
            &cast.reviewer,
            &id,
            "return",
            json!({"comment": "地址不全，检测报告过期",
                   "field_comments": [{"field": "production_address", "comment": "写明门牌号"}]}),
        )
        .await,
    );

    let edited = app
        .patch(
            &format!("/api/v1/applications/{id}"),
            Some(&cast.producer),
            &json!({"production_address": "英德市英红镇茶园路18号"}),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text);
    let old_report = edited.json["attachments"]
        .as_array()
        .expect("attachments")
        .iter()
        .find(|a| a["kind"] == "test_report")
        .expect("a test report")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let removed = app
        .request(
            Method::DELETE,
            &format!("/api/v1/applications/{id}/attachments/{old_report}"),
            Some(&cast.producer),
            None,
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.text);
    let uploaded = app
        .upload(&cast.producer, &id, "test_report", "新检测报告.pdf", PDF)
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text);
    app.expect_ok(app.action(&cast.producer, &id, "resubmit", json!({})).await);
    id
}

fn by_action<'a>(history: &'a Value, action: &str) -> &'a Value {
    history
        .as_array()
        .expect("history")
        .iter()
        .find(|e| e["action"] == action)
        .unwrap_or_else(|| panic!("no {action} in {history}"))
}

#[tokio::test]
async fn staff_see_the_applicants_contacts_what_changed_since_the_return_and_who_did_each_step() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let id = corrected_and_resubmitted(&app, &cast).await;

    let seen = app
        .expect_ok(
            app.get(&format!("/api/v1/applications/{id}"), Some(&cast.reviewer))
                .await,
        )
        .json;
    let context = &seen["reviewer_context"];
    let applicant = &context["applicant"];
    assert_eq!(applicant["uscc"], "91441881MA4WTEA03K", "{context}");
    assert_eq!(applicant["contact_name"], "黄丽");
    assert_eq!(applicant["contact_phone"], "0763-2288000");
    assert_eq!(applicant["email"], "contact@example.cn");
    assert_eq!(applicant["address"], "英德市英红镇茶园路8号");
    assert_eq!(applicant["legal_representative"], "陈明");
    assert_eq!(applicant["town"], "英红镇");
    assert!(applicant["uscc_exception_reason"].is_null());
    assert_eq!(applicant["accounts"][0]["username"], "hongqi");

    let changes = &context["changes_since_return"];
    assert_eq!(
        changes["fields"],
        json!([{"field": "production_address", "before": "英德市英红镇茶园路8号", "after": "英德市英红镇茶园路18号"}]),
        "{changes}"
    );
    assert_eq!(changes["documents_added"].as_array().map(Vec::len), Some(1));
    assert_eq!(changes["documents_added"][0]["kind"], "test_report");
    assert_eq!(changes["documents_added"][0]["filename"], "新检测报告.pdf");
    assert_eq!(
        changes["documents_removed"][0]["filename"],
        "test_report.pdf"
    );

    let history = &seen["history"];
    for action in ["accept", "return"] {
        let step = by_action(history, action);
        assert_eq!(step["actor_username"], "li.reviewer", "{step}");
        assert_eq!(step["actor_name"], "li.reviewer");
        assert_eq!(step["actor_role"], "reviewer");
    }
    assert_eq!(by_action(history, "resubmit")["actor_username"], "hongqi");

    // The producer's view of the same application carries none of it.
    let own = app
        .expect_ok(
            app.get(&format!("/api/v1/applications/{id}"), Some(&cast.producer))
                .await,
        )
        .json;
    assert!(
        own["reviewer_context"].is_null(),
        "{}",
        own["reviewer_context"]
    );
    assert!(by_action(&own["history"], "return")["actor_username"].is_null());

    // The reviewer's page shows the same.
    let mut browser = PageClient::new(&app);
    browser.sign_in("li.reviewer").await;
    let page = browser.get(&format!("/review/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for shown in [
        "data-testid=\"applicant-contact\"",
        "0763-2288000",
        "contact@example.cn",
        "data-testid=\"changes-since-return\"",
        "英德市英红镇茶园路18号",
        "新检测报告.pdf",
        "(li.reviewer)",
    ] {
        assert!(
            page.html.contains(shown),
            "{shown} missing from the review page"
        );
    }
    // ...and the producer's page none.
    let mut producer = PageClient::new(&app);
    producer.sign_in("hongqi").await;
    let own_page = producer.get(&format!("/applications/{id}")).await;
    assert_eq!(own_page.status, StatusCode::OK);
    assert!(!own_page.html.contains("applicant-contact"));
    assert!(!own_page.html.contains("(li.reviewer)"));
}

#[tokio::test]
async fn an_application_resubmitted_unchanged_says_so_and_one_never_returned_has_no_comparison() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let id = app.complete_draft(&cast.producer).await;
    app.expect_ok(app.action(&cast.producer, &id, "submit", json!({})).await);
    let fresh = app
        .expect_ok(
            app.get(&format!("/api/v1/applications/{id}"), Some(&cast.reviewer))
                .await,
        )
        .json;
    assert!(fresh["reviewer_context"]["changes_since_return"].is_null());
    assert_eq!(
        fresh["reviewer_context"]["applicant"]["contact_name"],
        "黄丽"
    );

    app.expect_ok(app.action(&cast.reviewer, &id, "accept", json!({})).await);
    app.expect_ok(
        app.action(&cast.reviewer, &id, "return", json!({"comment": "请核对"}))
            .await,
    );
    app.expect_ok(app.action(&cast.producer, &id, "resubmit", json!({})).await);
    let unchanged = app
        .expect_ok(
            app.get(&format!("/api/v1/applications/{id}"), Some(&cast.approver))
                .await,
        )
        .json;
    let changes = &unchanged["reviewer_context"]["changes_since_return"];
    assert_eq!(changes["fields"], json!([]), "{changes}");
    assert_eq!(changes["documents_added"], json!([]));
    assert_eq!(changes["documents_removed"], json!([]));
}
