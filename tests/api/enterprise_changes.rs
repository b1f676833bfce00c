//! Issue 15: changes of a holder's details (变更). A change approved shows the new name in
//! verify, search and the CSV at once and the old one in the staff's history (and beside the
//! new one on the verify page); a rejection changes nothing; the limit is in working days.

use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_with, test_settings, Cast, TestDatabase, PDF, PNG};
use crate::page_client::PageClient;

const OLD_NAME: &str = "英德市hongqi茶业有限公司";

/// The public change feed's items after `seq`.
async fn feed_since(app: &crate::helpers::TestApp, seq: i64) -> Vec<serde_json::Value> {
    app.get(
        &format!("/api/v1/public/changes?after={seq}&limit=1000"),
        None,
    )
    .await
    .json["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}
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

    // The public change feed as it stands: requests and rejections never appear in it.
    let feed_head = app
        .get("/api/v1/public/changes?after=0&limit=1000", None)
        .await
        .json["next_after"]
        .as_i64()
        .expect("next_after");

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
    assert!(
        feed_since(&app, feed_head).await.is_empty(),
        "a request or a rejection is nothing public"
    );

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
    let feed = feed_since(&app, feed_head).await;
    assert_eq!(feed.len(), 1, "{feed:?}");
    assert_eq!(feed[0]["event"], "enterprise_changed");
    assert_eq!(feed[0]["enterprise_name"], NEW_NAME);
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
        .submit_multipart(
            "/enterprise-changes",
            "/enterprise-changes",
            &[("name", ""), ("reason", "")],
            None,
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let sent = holder
        .submit_multipart(
            "/enterprise-changes",
            "/enterprise-changes",
            &[
                ("legal_representative", "陈新"),
                ("reason", "法定代表人变更"),
            ],
            None,
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

/// Posts `bytes` as the `file` part to a change request's documents.
async fn upload_change_document(
    app: &crate::helpers::TestApp,
    token: Option<&str>,
    change: &str,
    filename: &str,
    bytes: &[u8],
) -> crate::helpers::Reply {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(filename.to_owned()),
    );
    let mut request = app
        .client
        .post(app.url(&format!("/api/v1/enterprise-changes/{change}/documents")))
        .multipart(form);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    crate::helpers::Reply::read(request.send().await.expect("sent")).await
}

#[tokio::test]
async fn a_change_request_carries_documents_only_its_enterprise_and_staff_read() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    app.grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let asked = app
        .post(
            "/api/v1/enterprise-changes",
            Some(&cast.producer),
            &json!({"name": NEW_NAME, "reason": "已换发新营业执照"}),
        )
        .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.text);
    assert_eq!(asked.json["documents"], json!([]));
    let change = asked.json["id"].as_str().expect("id").to_owned();

    // The requesting enterprise's applicant attaches one or more documents.
    let licence =
        upload_change_document(&app, Some(&cast.producer), &change, "新营业执照.pdf", PDF).await;
    assert_eq!(licence.status, StatusCode::CREATED, "{}", licence.text);
    assert_eq!(licence.json["content_type"], "application/pdf");
    assert_eq!(licence.json["filename"], "新营业执照.pdf");
    assert_eq!(licence.json["size"], PDF.len());
    let photo =
        upload_change_document(&app, Some(&cast.producer), &change, "执照照片.png", PNG).await;
    assert_eq!(photo.status, StatusCode::CREATED, "{}", photo.text);
    let licence_id = licence.json["id"].as_str().expect("id").to_owned();

    // Nobody else adds one; not a PDF, JPEG or PNG, no file, not multipart: refused.
    upload_change_document(&app, None, &change, "x.pdf", PDF)
        .await
        .assert_problem(401);
    upload_change_document(&app, Some(&cast.other_producer), &change, "x.pdf", PDF)
        .await
        .assert_problem(403);
    upload_change_document(&app, Some(&cast.reviewer), &change, "x.pdf", PDF)
        .await
        .assert_problem(403);
    let script =
        upload_change_document(&app, Some(&cast.producer), &change, "x.pdf", b"#!/bin/sh\n").await;
    script.assert_problem(422);
    assert_eq!(script.error_fields(), vec!["file"]);
    let empty = app
        .client
        .post(app.url(&format!("/api/v1/enterprise-changes/{change}/documents")))
        .bearer_auth(&cast.producer)
        .multipart(reqwest::multipart::Form::new().text("kind", "business_license"))
        .send()
        .await
        .expect("sent");
    let empty = crate::helpers::Reply::read(empty).await;
    empty.assert_problem(422);
    assert_eq!(empty.error_fields(), vec!["file"]);
    let raw = app
        .client
        .post(app.url(&format!("/api/v1/enterprise-changes/{change}/documents")))
        .bearer_auth(&cast.producer)
        .header("content-type", "application/pdf")
        .body(PDF.to_vec())
        .send()
        .await
        .expect("sent");
    crate::helpers::Reply::read(raw).await.assert_problem(415);
    upload_change_document(&app, Some(&cast.producer), "no-such-change", "x.pdf", PDF)
        .await
        .assert_problem(404);
    assert_eq!(app.count_rows("enterprise_change_documents").await, 2);

    // Staff see them when reviewing, and read them; so does the holder; nobody else.
    let waiting = app
        .expect_ok(
            app.get(
                "/api/v1/enterprise-changes?status=submitted",
                Some(&cast.reviewer),
            )
            .await,
        )
        .json;
    let documents = &waiting["items"][0]["documents"];
    assert_eq!(documents.as_array().map(Vec::len), Some(2), "{waiting}");
    assert_eq!(documents[0]["id"], licence_id.as_str());
    assert_eq!(documents[1]["content_type"], "image/png");
    let path = format!("/api/v1/enterprise-changes/{change}/documents/{licence_id}");
    for reader in [&cast.reviewer, &cast.approver, &cast.producer] {
        let response = app
            .client
            .get(app.url(&path))
            .bearer_auth(reader)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"].to_str().expect("ascii"),
            "application/pdf"
        );
        assert!(response.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .starts_with("attachment"));
        assert_eq!(response.bytes().await.expect("body").as_ref(), PDF);
    }
    app.get(&path, Some(&cast.other_producer))
        .await
        .assert_problem(403);
    app.get(&path, None).await.assert_problem(401);
    app.get(
        &format!("/api/v1/enterprise-changes/{change}/documents/no-such-document"),
        Some(&cast.reviewer),
    )
    .await
    .assert_problem(404);

    // Once decided, the request takes no more documents; the ones it has stay readable.
    app.expect_ok(
        app.post(
            &format!("/api/v1/enterprise-changes/{change}/approve"),
            Some(&cast.approver),
            &json!({}),
        )
        .await,
    );
    upload_change_document(&app, Some(&cast.producer), &change, "late.pdf", PDF)
        .await
        .assert_problem(409);
    assert_eq!(app.count_rows("enterprise_change_documents").await, 2);
    app.expect_ok(app.get(&path, Some(&cast.reviewer)).await);
}

#[tokio::test]
async fn a_change_document_over_the_upload_limit_is_413_and_nothing_is_kept() {
    let db = TestDatabase::create();
    let mut settings = test_settings(&db);
    settings.max_upload_bytes = 1024;
    let app = spawn_with(db, settings).await;
    let cast = Cast::assemble(&app).await;
    let asked = app
        .post(
            "/api/v1/enterprise-changes",
            Some(&cast.producer),
            &json!({"address": "英德市英红镇新址1号", "reason": "住所变更"}),
        )
        .await;
    let change = asked.json["id"].as_str().expect("id").to_owned();
    let mut big = PDF.to_vec();
    big.resize(4096, b' ');
    upload_change_document(&app, Some(&cast.producer), &change, "big.pdf", &big)
        .await
        .assert_problem(413);
    assert_eq!(app.count_rows("enterprise_change_documents").await, 0);
}

#[tokio::test]
async fn the_change_form_takes_the_document_and_staff_download_it_from_their_page() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    app.grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let mut holder = PageClient::new(&app);
    holder.sign_in("hongqi").await;
    let form = holder.get("/enterprise-changes").await;
    assert!(form.html.contains("enctype=\"multipart/form-data\""));
    assert!(form.html.contains("type=\"file\""));

    // A file that is not a document refuses the whole request, beside the file field.
    let refused = holder
        .submit_multipart(
            "/enterprise-changes",
            "/enterprise-changes",
            &[("name", NEW_NAME), ("reason", "已换发新营业执照")],
            Some(("licence.exe", b"MZ\x90\x00")),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("PDF"), "{}", refused.html);
    assert_eq!(app.count_rows("enterprise_changes").await, 0);

    let sent = holder
        .submit_multipart(
            "/enterprise-changes",
            "/enterprise-changes",
            &[("name", NEW_NAME), ("reason", "已换发新营业执照")],
            Some(("新营业执照.pdf", PDF)),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.html);
    // Another document from the request's own form.
    let listed = app
        .expect_ok(
            app.get("/api/v1/enterprise-changes", Some(&cast.producer))
                .await,
        )
        .json;
    let change = listed["items"][0]["id"].as_str().expect("id").to_owned();
    let more = holder
        .submit_multipart(
            "/enterprise-changes",
            &format!("/enterprise-changes/{change}/documents"),
            &[],
            Some(("照片.png", PNG)),
        )
        .await;
    assert_eq!(more.status, StatusCode::SEE_OTHER, "{}", more.html);
    let mine = holder.get("/enterprise-changes?notice=uploaded").await;
    assert!(mine.html.contains("新营业执照.pdf"));
    assert!(mine.html.contains("照片.png"));

    // The reviewer's page links each document; the link downloads it.
    let mut reviewer = PageClient::new(&app);
    reviewer.sign_in("li.reviewer").await;
    let waiting = reviewer.get("/review/enterprise-changes").await;
    let marker = format!("/enterprise-changes/{change}/documents/");
    let start = waiting.html.find(&marker).expect("a document link") + marker.len();
    let document: String = waiting.html[start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let link = format!("{marker}{document}");
    let cookie = |client: &PageClient<'_>| {
        client
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let download = app
        .client
        .get(app.url(&link))
        .header("cookie", cookie(&reviewer))
        .send()
        .await
        .expect("sent");
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.bytes().await.expect("body").as_ref(), PDF);

    // Another producer's session may not.
    let mut stranger = PageClient::new(&app);
    stranger.sign_in("xiniu-coop").await;
    let refused = stranger.get(&link).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_admin_sets_the_working_days_of_a_change_and_the_guide_and_new_requests_follow() {
    let app = spawn_app().await;
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0)
            .single()
            .expect("a Friday"),
    );
    let cast = Cast::assemble(&app).await;
    let path = "/api/v1/admin/working-days";
    let read = app
        .expect_ok(app.get(path, Some(&cast.reviewer)).await)
        .json;
    assert_eq!(read, json!({"change_review_working_days": 10}));
    app.get(path, Some(&cast.producer))
        .await
        .assert_problem(403);
    app.get(path, None).await.assert_problem(401);
    let guide = PageClient::new(&app).get("/guide").await;
    assert!(guide.html.contains("data-testid=\"change-review-days\""));

    // Only an admin sets it, to a whole number of days from 1 to 60.
    let put = |token: Option<String>, body: serde_json::Value| {
        let app = &app;
        async move {
            app.request(reqwest::Method::PUT, path, token.as_deref(), Some(&body))
                .await
        }
    };
    put(
        Some(cast.reviewer.clone()),
        json!({"change_review_working_days": 5}),
    )
    .await
    .assert_problem(403);
    put(None, json!({"change_review_working_days": 5}))
        .await
        .assert_problem(401);
    for bad in [0, 61] {
        let refused = put(
            Some(cast.admin.clone()),
            json!({"change_review_working_days": bad}),
        )
        .await;
        refused.assert_problem(422);
        assert_eq!(refused.error_fields(), vec!["change_review_working_days"]);
    }
    for bad in [
        json!({"change_review_working_days": "five"}),
        json!({}),
        json!({"review_due_working_days": 3}),
    ] {
        let refused = put(Some(cast.admin.clone()), bad).await;
        assert!(refused.status.is_client_error(), "{}", refused.text);
    }
    let set = put(
        Some(cast.admin.clone()),
        json!({"change_review_working_days": 5}),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    assert_eq!(set.json, json!({"change_review_working_days": 5}));
    let read = app
        .expect_ok(app.get(path, Some(&cast.approver)).await)
        .json;
    assert_eq!(read["change_review_working_days"], 5);

    // The guide says it, and a new request is due five working days on.
    let guide = PageClient::new(&app).get("/guide").await;
    let marker = "data-testid=\"change-review-days\"";
    let at = guide.html.find(marker).expect("the line") + marker.len();
    let line: String = guide.html[at..].chars().take_while(|c| *c != '<').collect();
    assert!(line.contains('5') && !line.contains("10"), "{line}");
    let asked = app
        .post(
            "/api/v1/enterprise-changes",
            Some(&cast.producer),
            &json!({"address": "英德市英红镇新址1号", "reason": "住所变更"}),
        )
        .await;
    assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.text);
    // Five working days from Friday 27 November.
    assert_eq!(asked.json["due_date"], "2026-12-04");
}
