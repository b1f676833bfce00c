//! The application workflow through HTTP: the happy path, wrong states, wrong roles, four-eyes.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{draft_body, spawn_app, Cast, PDF};

fn approval() -> serde_json::Value {
    json!({"announcement_no": "英市监公告〔2026〕12号", "announcement_date": "2026-11-20", "comment": "准予使用"})
}

#[tokio::test]
async fn an_application_goes_from_draft_through_return_to_an_authorization() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;

    let created = app
        .post(
            "/api/v1/applications",
            Some(&cast.producer),
            &draft_body("yingde-black-tea", "gi_product", "英红镇"),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(created.json["status"], "draft");
    assert_eq!(created.json["production_town"], "英红镇");
    assert_eq!(created.json["area_mu"], 120.5);
    assert_eq!(
        created.json["missing_documents"],
        json!(["application_form", "business_license", "test_report"])
    );
    let id = created.json["id"].as_str().expect("id").to_owned();
    for kind in ["application_form", "business_license", "test_report"] {
        assert_eq!(
            app.upload(&cast.producer, &id, kind, "doc.pdf", PDF)
                .await
                .status,
            StatusCode::CREATED
        );
    }

    let submitted = app.expect_ok(app.action(&cast.producer, &id, "submit", json!({})).await);
    assert_eq!(submitted.json["status"], "submitted");
    assert!(submitted.json["submitted_at"].is_string());
    app.expect_ok(
        app.action(
            &cast.reviewer,
            &id,
            "accept",
            json!({"comment": "材料齐全，予以受理"}),
        )
        .await,
    );

    let returned = app
        .action(
            &cast.reviewer,
            &id,
            "return",
            json!({"comment": "请补正生产地址", "field_comments": [
                {"field": "production_address", "comment": "请写明村组"},
                {"field": "attachments.test_report", "comment": "检验报告已过期"}
            ]}),
        )
        .await;
    let returned = app.expect_ok(returned);
    assert_eq!(returned.json["status"], "returned");

    // The producer sees the opinion, fixes the field and resubmits.
    let seen = app
        .get(&format!("/api/v1/applications/{id}"), Some(&cast.producer))
        .await;
    assert_eq!(seen.json["review_opinion"]["comment"], "请补正生产地址");
    assert_eq!(
        seen.json["review_opinion"]["field_comments"][0]["field"],
        "production_address"
    );
    assert_eq!(
        seen.json["allowed_actions"],
        json!(["withdraw", "resubmit"])
    );
    let etag = seen.headers["etag"].to_str().expect("etag").to_owned();
    let edited = app
        .client
        .patch(app.url(&format!("/api/v1/applications/{id}")))
        .bearer_auth(&cast.producer)
        .header("if-match", &etag)
        .json(&json!({"production_address": "英德市英红镇云岭村三组"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(edited.status(), 200);
    assert_eq!(
        app.upload(&cast.producer, &id, "test_report", "new-report.pdf", PDF)
            .await
            .status,
        StatusCode::CREATED
    );
    app.expect_ok(
        app.action(
            &cast.producer,
            &id,
            "resubmit",
            json!({"comment": "已补正"}),
        )
        .await,
    );

    let report = app
        .upload(
            &cast.reviewer,
            &id,
            "origin_verification_report",
            "核验.pdf",
            PDF,
        )
        .await;
    assert_eq!(report.status, StatusCode::CREATED, "{}", report.text);
    app.expect_ok(
        app.action(&cast.reviewer, &id, "recommend", json!({}))
            .await,
    );
    let approved = app.expect_ok(app.action(&cast.approver, &id, "approve", approval()).await);
    assert_eq!(approved.json["status"], "approved");
    let year = chrono::Utc::now().format("%Y").to_string();
    assert_eq!(approved.json["registry_no"], format!("YDGI-{year}-0001"));

    // History: every transition, with what the edit changed.
    let actions: Vec<&str> = approved.json["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|h| h["action"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        actions,
        vec![
            "create",
            "attach",
            "attach",
            "attach",
            "submit",
            "accept",
            "return",
            "edit",
            "attach",
            "resubmit",
            "attach",
            "recommend",
            "approve"
        ]
    );
    let edit = &approved.json["history"][7];
    assert_eq!(
        edit["changes"]["production_address"]["to"],
        "英德市英红镇云岭村三组"
    );
    assert_eq!(edit["actor_role"], "applicant");
    let approve = &approved.json["history"][12];
    assert_eq!(
        (
            approve["from_status"].as_str(),
            approve["to_status"].as_str()
        ),
        (Some("recommended"), Some("approved"))
    );
    assert_eq!(approve["actor_role"], "approver");
    assert_eq!(approve["comment"], "准予使用");

    // The authorization exists, is the producer's, and lists its grant.
    let authorization_id = approved.json["authorization_id"]
        .as_str()
        .expect("authorization")
        .to_owned();
    let authorization = app
        .get(
            &format!("/api/v1/authorizations/{authorization_id}"),
            Some(&cast.producer),
        )
        .await;
    assert_eq!(authorization.status, 200, "{}", authorization.text);
    assert_eq!(authorization.json["status"], "active");
    assert_eq!(
        authorization.json["announcement_no"],
        "英市监公告〔2026〕12号"
    );
    assert_eq!(authorization.json["announcement_date"], "2026-11-20");
    assert_eq!(
        authorization.json["enterprise"]["uscc"],
        "91441881MA4WTEA03K"
    );
    assert_eq!(authorization.json["basis"], "gi_product");
    assert_eq!(authorization.json["history"][0]["action"], "grant");
    app.get(
        &format!("/api/v1/authorizations/{authorization_id}"),
        Some(&cast.other_producer),
    )
    .await
    .assert_problem(403);
}

#[tokio::test]
async fn every_action_from_every_wrong_state_is_409_and_changes_nothing() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    // One application parked in each reachable state.
    let draft = app.complete_draft(&cast.producer).await;
    let submitted = app.complete_draft(&cast.producer).await;
    app.expect_ok(
        app.action(&cast.producer, &submitted, "submit", json!({}))
            .await,
    );
    let under_review = app.complete_draft(&cast.producer).await;
    app.expect_ok(
        app.action(&cast.producer, &under_review, "submit", json!({}))
            .await,
    );
    app.expect_ok(
        app.action(&cast.reviewer, &under_review, "accept", json!({}))
            .await,
    );
    let returned = app.complete_draft(&cast.producer).await;
    app.expect_ok(
        app.action(&cast.producer, &returned, "submit", json!({}))
            .await,
    );
    app.expect_ok(
        app.action(&cast.reviewer, &returned, "accept", json!({}))
            .await,
    );
    app.expect_ok(
        app.action(
            &cast.reviewer,
            &returned,
            "return",
            json!({"comment": "补正"}),
        )
        .await,
    );
    let not_accepted = app.complete_draft(&cast.producer).await;
    app.expect_ok(
        app.action(&cast.producer, &not_accepted, "submit", json!({}))
            .await,
    );
    app.expect_ok(
        app.action(
            &cast.reviewer,
            &not_accepted,
            "refuse",
            json!({"reason": "不属于保护范围"}),
        )
        .await,
    );
    let recommended = app.recommended_application(&cast, &cast.reviewer).await;
    let approved = app.recommended_application(&cast, &cast.reviewer).await;
    app.expect_ok(
        app.action(&cast.approver, &approved, "approve", approval())
            .await,
    );
    let rejected = app.complete_draft(&cast.producer).await;
    app.expect_ok(
        app.action(&cast.producer, &rejected, "submit", json!({}))
            .await,
    );
    app.expect_ok(
        app.action(&cast.reviewer, &rejected, "accept", json!({}))
            .await,
    );
    app.expect_ok(
        app.action(
            &cast.approver,
            &rejected,
            "reject",
            json!({"reason": "检验不合格"}),
        )
        .await,
    );
    let withdrawn = app.complete_draft(&cast.producer).await;
    app.expect_ok(
        app.action(&cast.producer, &withdrawn, "withdraw", json!({}))
            .await,
    );

    let states = [
        ("draft", &draft),
        ("submitted", &submitted),
        ("under_review", &under_review),
        ("returned", &returned),
        ("not_accepted", &not_accepted),
        ("recommended", &recommended),
        ("approved", &approved),
        ("rejected", &rejected),
        ("withdrawn", &withdrawn),
    ];
    // (action, the one allowed to take it, its body, the states it may start from)
    let actions: Vec<(&str, &String, serde_json::Value, Vec<&str>)> = vec![
        ("submit", &cast.producer, json!({}), vec!["draft"]),
        (
            "withdraw",
            &cast.producer,
            json!({}),
            vec!["draft", "submitted", "under_review", "returned"],
        ),
        ("accept", &cast.reviewer, json!({}), vec!["submitted"]),
        (
            "refuse",
            &cast.reviewer,
            json!({"reason": "x"}),
            vec!["submitted"],
        ),
        (
            "return",
            &cast.reviewer,
            json!({"comment": "x"}),
            vec!["under_review"],
        ),
        ("resubmit", &cast.producer, json!({}), vec!["returned"]),
        ("recommend", &cast.reviewer, json!({}), vec!["under_review"]),
        (
            "approve",
            &cast.second_approver,
            approval(),
            vec!["recommended"],
        ),
        (
            "reject",
            &cast.approver,
            json!({"reason": "x"}),
            vec!["under_review", "recommended"],
        ),
    ];
    let journal_before = app.count_rows("journal_events").await;
    for (action, who, body, allowed) in &actions {
        for (state, id) in &states {
            if allowed.contains(state) {
                continue;
            }
            let reply = app.action(who, id, action, body.clone()).await;
            reply.assert_problem(409);
            let now = app
                .get(&format!("/api/v1/applications/{id}"), Some(&cast.reviewer))
                .await;
            assert_eq!(
                now.json["status"], *state,
                "{action} from {state} changed the status"
            );
        }
    }
    assert_eq!(
        app.count_rows("journal_events").await,
        journal_before,
        "no refused action is journalled"
    );
}

#[tokio::test]
async fn roles_that_may_not_act_get_403() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let draft = app.complete_draft(&cast.producer).await;
    for who in [
        &cast.other_producer,
        &cast.reviewer,
        &cast.approver,
        &cast.admin,
    ] {
        app.action(who, &draft, "submit", json!({}))
            .await
            .assert_problem(403);
        app.action(who, &draft, "withdraw", json!({}))
            .await
            .assert_problem(403);
    }
    app.expect_ok(
        app.action(&cast.producer, &draft, "submit", json!({}))
            .await,
    );
    for who in [&cast.producer, &cast.other_producer, &cast.admin] {
        app.action(who, &draft, "accept", json!({}))
            .await
            .assert_problem(403);
        app.action(who, &draft, "refuse", json!({"reason": "x"}))
            .await
            .assert_problem(403);
    }
    app.expect_ok(
        app.action(&cast.approver, &draft, "accept", json!({}))
            .await,
    );
    for who in [&cast.producer, &cast.reviewer, &cast.admin] {
        app.action(who, &draft, "reject", json!({"reason": "x"}))
            .await
            .assert_problem(403);
    }
    let recommended = app.recommended_application(&cast, &cast.reviewer).await;
    for who in [
        &cast.producer,
        &cast.other_producer,
        &cast.reviewer,
        &cast.admin,
    ] {
        app.action(who, &recommended, "approve", approval())
            .await
            .assert_problem(403);
    }
    app.get(
        &format!("/api/v1/applications/{draft}"),
        Some(&cast.other_producer),
    )
    .await
    .assert_problem(403);
    let other_list = app
        .get("/api/v1/applications", Some(&cast.other_producer))
        .await;
    assert_eq!(
        other_list.json["total"], 0,
        "another producer lists none of these"
    );
}

#[tokio::test]
async fn the_approver_who_recommended_may_not_approve() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let id = app.recommended_application(&cast, &cast.approver).await;
    let refused = app.action(&cast.approver, &id, "approve", approval()).await;
    refused.assert_problem(403);
    let still = app
        .get(&format!("/api/v1/applications/{id}"), Some(&cast.reviewer))
        .await;
    assert_eq!(still.json["status"], "recommended");
    assert_eq!(app.count_rows("authorizations").await, 0);
    app.expect_ok(
        app.action(&cast.second_approver, &id, "approve", approval())
            .await,
    );
}

#[tokio::test]
async fn submission_lists_every_missing_document_and_a_town_outside_the_area() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let created = app
        .post(
            "/api/v1/applications",
            Some(&cast.producer),
            &draft_body("xiniu-bamboo-shoot", "collective_mark", "西牛镇"),
        )
        .await;
    let id = created.json["id"].as_str().expect("id").to_owned();
    app.upload(
        &cast.producer,
        &id,
        "business_license",
        "licence.png",
        crate::helpers::PNG,
    )
    .await;

    // An admin narrows the bamboo-shoot area to Xiniu alone; a producer elsewhere is outside it.
    app.state
        .run(|conn| {
            diesel::RunQueryDsl::execute(
                diesel::sql_query("DELETE FROM product_towns WHERE product_code = 'xiniu-bamboo-shoot' AND town_code <> 'xiniu'"),
                conn,
            )?;
            Ok(())
        })
        .await
        .expect("narrowed");
    app.patch(
        &format!("/api/v1/applications/{id}"),
        Some(&cast.producer),
        &json!({"production_town": "英红镇"}),
    )
    .await;

    let refused = app.action(&cast.producer, &id, "submit", json!({})).await;
    refused.assert_problem(422);
    assert_eq!(
        refused.error_fields(),
        vec![
            "attachments.application_form",
            "attachments.test_report",
            "attachments.trademark_license",
            "production_town"
        ]
    );
    assert_eq!(refused.json["errors"][0]["code"], "missing_document");
    let still = app
        .get(&format!("/api/v1/applications/{id}"), Some(&cast.producer))
        .await;
    assert_eq!(still.json["status"], "draft");
}

#[tokio::test]
async fn recommending_needs_the_origin_verification_report() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let id = app.complete_draft(&cast.producer).await;
    app.expect_ok(app.action(&cast.producer, &id, "submit", json!({})).await);
    app.expect_ok(app.action(&cast.reviewer, &id, "accept", json!({})).await);
    let refused = app
        .action(&cast.reviewer, &id, "recommend", json!({}))
        .await;
    refused.assert_problem(422);
    assert_eq!(
        refused.error_fields(),
        vec!["attachments.origin_verification_report"]
    );
    // The producer cannot supply the reviewer's report.
    app.upload(
        &cast.producer,
        &id,
        "origin_verification_report",
        "fake.pdf",
        PDF,
    )
    .await
    .assert_problem(403);
}

#[tokio::test]
async fn action_bodies_are_checked_per_action() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let id = app.recommended_application(&cast, &cast.reviewer).await;
    let missing = app.action(&cast.approver, &id, "approve", json!({})).await;
    missing.assert_problem(422);
    assert_eq!(
        missing.error_fields(),
        vec!["announcement_date", "announcement_no"]
    );
    let bad_date = app
        .action(
            &cast.approver,
            &id,
            "approve",
            json!({"announcement_no": "1", "announcement_date": "2026-13-45"}),
        )
        .await;
    bad_date.assert_problem(422);
    assert_eq!(bad_date.error_fields(), vec!["announcement_date"]);
    app.action(&cast.approver, &id, "reject", json!({}))
        .await
        .assert_problem(422);
    app.action(&cast.approver, &id, "fly", json!({}))
        .await
        .assert_problem(404);
    app.action(&cast.approver, "no-such-application", "approve", approval())
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn a_trademark_basis_needs_its_registration_number() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let mut body = draft_body("yingde-black-tea", "certification_mark", "英红镇");
    body.as_object_mut()
        .expect("object")
        .remove("trademark_reg_no");
    let refused = app
        .post("/api/v1/applications", Some(&cast.producer), &body)
        .await;
    refused.assert_problem(422);
    assert_eq!(refused.error_fields(), vec!["trademark_reg_no"]);
    let unknown = app
        .post(
            "/api/v1/applications",
            Some(&cast.producer),
            &draft_body("lychee", "gi_product", "火星"),
        )
        .await;
    unknown.assert_problem(422);
    assert_eq!(
        unknown.error_fields(),
        vec!["product_code", "production_town"]
    );
    let staff = app
        .post(
            "/api/v1/applications",
            Some(&cast.reviewer),
            &draft_body("yingde-black-tea", "gi_product", "英红镇"),
        )
        .await;
    staff.assert_problem(403);
    assert_eq!(app.count_rows("applications").await, 0);
}

#[tokio::test]
async fn edits_honour_if_match_and_only_drafts_and_returned_ones_change() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let id = app.complete_draft(&cast.producer).await;
    let path = format!("/api/v1/applications/{id}");
    let current = app.get(&path, Some(&cast.producer)).await;
    let etag = current.headers["etag"].to_str().expect("etag").to_owned();

    let stale = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&cast.producer)
        .header("if-match", "\"v1\"")
        .json(&json!({"description": "stale"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(stale.status(), 412);
    let fresh = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&cast.producer)
        .header("if-match", &etag)
        .json(&json!({"annual_output_kg": 9000}))
        .send()
        .await
        .expect("sent");
    assert_eq!(fresh.status(), 200);
    let new_etag = fresh.headers()["etag"].to_str().expect("etag").to_owned();
    assert_ne!(new_etag, etag);

    app.patch(
        &path,
        Some(&cast.other_producer),
        &json!({"description": "mine now"}),
    )
    .await
    .assert_problem(403);
    app.patch(
        &path,
        Some(&cast.reviewer),
        &json!({"description": "staff edit"}),
    )
    .await
    .assert_problem(403);
    app.expect_ok(app.action(&cast.producer, &id, "submit", json!({})).await);
    app.patch(
        &path,
        Some(&cast.producer),
        &json!({"description": "too late"}),
    )
    .await
    .assert_problem(409);
    app.upload(&cast.producer, &id, "other", "late.pdf", PDF)
        .await
        .assert_problem(409);
    assert_eq!(
        app.get(&path, Some(&cast.producer)).await.json["annual_output_kg"],
        9000
    );
}

#[tokio::test]
async fn lists_page_and_filter_with_a_stable_order() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(app.complete_draft(&cast.producer).await);
    }
    app.expect_ok(
        app.action(&cast.producer, &ids[0], "submit", json!({}))
            .await,
    );
    let page1 = app
        .get(
            "/api/v1/applications?per_page=2&page=1",
            Some(&cast.producer),
        )
        .await;
    let page2 = app
        .get(
            "/api/v1/applications?per_page=2&page=2",
            Some(&cast.producer),
        )
        .await;
    assert_eq!(page1.json["total"], 5);
    assert_eq!(page1.json["per_page"], 2);
    let listed: Vec<String> = [page1.json["items"].clone(), page2.json["items"].clone()]
        .iter()
        .flat_map(|items| items.as_array().cloned().unwrap_or_default())
        .map(|item| item["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(listed.len(), 4);
    assert_eq!(
        listed
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        4,
        "no item twice across pages"
    );
    let submitted = app
        .get(
            "/api/v1/applications?status=submitted",
            Some(&cast.reviewer),
        )
        .await;
    assert_eq!(submitted.json["total"], 1);
    assert_eq!(submitted.json["items"][0]["id"], ids[0].as_str());
    let none = app
        .get(
            "/api/v1/applications?product=xiniu-bamboo-shoot",
            Some(&cast.reviewer),
        )
        .await;
    assert_eq!(none.json["total"], 0);
    app.get("/api/v1/applications?status=flying", Some(&cast.reviewer))
        .await
        .assert_problem(422);
    app.get("/api/v1/applications?per_page=101", Some(&cast.reviewer))
        .await
        .assert_problem(422);
}
