//! Issue 11 item 5: uploads are authorised before a byte is stored, an application holds at
//! most 30 documents, a wrong document can be removed while the application is editable,
//! downloads are named after the sniffed type and no stored name keeps a bidi or control
//! character.

use std::path::{Path, PathBuf};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{
    draft_body, spawn_with, test_settings, Cast, TestApp, TestDatabase, PDF, PNG,
};

/// Every file under `dir`, recursively (temporary files included).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(files_under(&path));
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn stored_documents(app: &TestApp) -> Vec<PathBuf> {
    files_under(&app.state.settings.data_dir.join("documents"))
}

/// A PDF no other test uploads: its own hash, its own file.
fn unique_pdf(tag: &str) -> Vec<u8> {
    let mut bytes = PDF.to_vec();
    bytes.extend_from_slice(format!("% {tag} {}\n", uuid::Uuid::now_v7()).as_bytes());
    bytes
}

async fn app_with_small_uploads() -> TestApp {
    let db = TestDatabase::create();
    let mut settings = test_settings(&db);
    settings.max_upload_bytes = 4 * 1024;
    spawn_with(db, settings).await
}

/// An empty draft of the producer: no document stored yet.
async fn empty_draft(app: &TestApp, producer: &str) -> String {
    let body = draft_body("yingde-black-tea", "gi_product", "英红镇");
    let reply = app
        .post("/api/v1/applications", Some(producer), &body)
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json["id"].as_str().expect("id").to_owned()
}

async fn delete(app: &TestApp, token: &str, id: &str, attachment: &str) -> crate::helpers::Reply {
    app.request(
        Method::DELETE,
        &format!("/api/v1/applications/{id}/attachments/{attachment}"),
        Some(token),
        None,
    )
    .await
}

#[tokio::test]
async fn a_refused_upload_leaves_nothing_in_the_document_store() {
    let app = app_with_small_uploads().await;
    let cast = Cast::assemble(&app).await;
    let draft = empty_draft(&app, &cast.producer).await;
    assert_eq!(stored_documents(&app), Vec::<PathBuf>::new());

    let unknown = "0190b5a4-0000-7000-8000-000000000000";
    // (what, who, application, kind, bytes, status)
    type Case<'a> = (&'a str, &'a str, &'a str, &'a str, Vec<u8>, u16);
    let cases: Vec<Case> = vec![
        (
            "unknown application",
            &cast.producer,
            unknown,
            "test_report",
            unique_pdf("404"),
            404,
        ),
        (
            "another enterprise's draft",
            &cast.other_producer,
            &draft,
            "test_report",
            unique_pdf("403a"),
            403,
        ),
        (
            "a reviewer adding a producer's document",
            &cast.reviewer,
            &draft,
            "test_report",
            unique_pdf("403b"),
            403,
        ),
        (
            "a producer adding a review document",
            &cast.producer,
            &draft,
            "origin_verification_report",
            unique_pdf("403c"),
            403,
        ),
        (
            "a review document outside review",
            &cast.reviewer,
            &draft,
            "origin_verification_report",
            unique_pdf("409"),
            409,
        ),
        (
            "too large",
            &cast.producer,
            &draft,
            "test_report",
            {
                let mut big = unique_pdf("413");
                big.resize(8 * 1024, b' ');
                big
            },
            413,
        ),
        (
            "not a document",
            &cast.producer,
            &draft,
            "test_report",
            b"MZ\x90\x00 not a pdf".to_vec(),
            422,
        ),
        (
            "an unknown kind",
            &cast.producer,
            &draft,
            "selfie",
            unique_pdf("422"),
            422,
        ),
    ];
    for (what, token, id, kind, bytes, status) in cases {
        let refused = app.upload(token, id, kind, "report.pdf", &bytes).await;
        refused.assert_problem(status);
        assert_eq!(
            stored_documents(&app),
            Vec::<PathBuf>::new(),
            "{what}: a refused upload left a file"
        );
    }
    assert_eq!(app.count_rows("attachments").await, 0);

    // A submitted application refuses the producer's documents (409) and stores nothing more.
    for kind in ["application_form", "business_license", "test_report"] {
        let bytes = unique_pdf(kind);
        let added = app
            .upload(&cast.producer, &draft, kind, "x.pdf", &bytes)
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    }
    app.expect_ok(
        app.action(&cast.producer, &draft, "submit", json!({}))
            .await,
    );
    let before = stored_documents(&app);
    assert_eq!(before.len(), 3);
    app.upload(
        &cast.producer,
        &draft,
        "other",
        "late.pdf",
        &unique_pdf("late"),
    )
    .await
    .assert_problem(409);
    assert_eq!(stored_documents(&app), before);
}

#[tokio::test]
async fn an_application_holds_at_most_thirty_documents() {
    let app = app_with_small_uploads().await;
    let cast = Cast::assemble(&app).await;
    let draft = empty_draft(&app, &cast.producer).await;
    for n in 0..30 {
        let added = app
            .upload(
                &cast.producer,
                &draft,
                "other",
                &format!("photo-{n}.pdf"),
                &unique_pdf("ok"),
            )
            .await;
        assert_eq!(
            added.status,
            StatusCode::CREATED,
            "document {n}: {}",
            added.text
        );
    }
    let before = stored_documents(&app);
    assert_eq!(before.len(), 30);
    let refused = app
        .upload(
            &cast.producer,
            &draft,
            "other",
            "one-too-many.pdf",
            &unique_pdf("31"),
        )
        .await;
    refused.assert_problem(409);
    assert!(
        refused.json["detail"]
            .as_str()
            .expect("detail")
            .contains("30"),
        "{}",
        refused.text
    );
    assert_eq!(stored_documents(&app), before, "the 31st is not stored");
    assert_eq!(app.count_rows("attachments").await, 30);
    // In Chinese too.
    let zh = app
        .client
        .post(app.url(&format!("/api/v1/applications/{draft}/attachments")))
        .bearer_auth(&cast.producer)
        .header("Accept-Language", "zh-CN")
        .multipart(reqwest::multipart::Form::new().text("kind", "other").part(
            "file",
            reqwest::multipart::Part::bytes(unique_pdf("31zh")).file_name("x.pdf"),
        ))
        .send()
        .await
        .expect("sent");
    assert_eq!(zh.status(), StatusCode::CONFLICT);
    let text = zh.text().await.expect("body");
    assert!(text.contains("最多 30 份材料"), "{text}");

    // Removing one makes room again.
    let view = app
        .get(
            &format!("/api/v1/applications/{draft}"),
            Some(&cast.producer),
        )
        .await;
    let first = view.json["attachments"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        delete(&app, &cast.producer, &draft, &first).await.status,
        StatusCode::NO_CONTENT
    );
    let added = app
        .upload(
            &cast.producer,
            &draft,
            "other",
            "replacement.pdf",
            &unique_pdf("30again"),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
}

#[tokio::test]
async fn a_wrong_document_is_removed_while_the_application_is_editable() {
    let app = app_with_small_uploads().await;
    let cast = Cast::assemble(&app).await;
    let draft = app.complete_draft(&cast.producer).await;
    let wrong = app
        .upload(
            &cast.producer,
            &draft,
            "trademark_license",
            "wrong.png",
            PNG,
        )
        .await;
    assert_eq!(wrong.status, StatusCode::CREATED, "{}", wrong.text);
    let wrong_id = wrong.json["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/applications/{draft}");
    let version = app.get(&path, Some(&cast.producer)).await.json["version"].clone();

    // Not another enterprise's, not staff's, not an unknown one.
    delete(&app, &cast.other_producer, &draft, &wrong_id)
        .await
        .assert_problem(403);
    delete(&app, &cast.reviewer, &draft, &wrong_id)
        .await
        .assert_problem(403);
    delete(&app, &cast.producer, &draft, "no-such-document")
        .await
        .assert_problem(404);

    let removed = delete(&app, &cast.producer, &draft, &wrong_id).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.text);
    let view = app.get(&path, Some(&cast.producer)).await;
    assert!(view.json["attachments"]
        .as_array()
        .expect("attachments")
        .iter()
        .all(|a| a["id"] != wrong_id.as_str()));
    assert_ne!(view.json["version"], version, "the representation changed");
    let history = view.json["history"].as_array().expect("history");
    assert_eq!(history.last().expect("event")["action"], "detach");
    delete(&app, &cast.producer, &draft, &wrong_id)
        .await
        .assert_problem(404);

    // Submitted: the producer's documents are fixed (409).
    app.expect_ok(
        app.action(&cast.producer, &draft, "submit", json!({}))
            .await,
    );
    let view = app.get(&path, Some(&cast.producer)).await;
    let kept = view.json["attachments"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let refused = delete(&app, &cast.producer, &draft, &kept).await;
    refused.assert_problem(409);
    assert!(refused.json["detail"]
        .as_str()
        .expect("detail")
        .contains("removed"));

    // Under review, a reviewer removes the origin report they added, not the producer's.
    app.expect_ok(
        app.action(&cast.reviewer, &draft, "accept", json!({}))
            .await,
    );
    let report = app
        .upload(
            &cast.reviewer,
            &draft,
            "origin_verification_report",
            "核验.pdf",
            PDF,
        )
        .await;
    assert_eq!(report.status, StatusCode::CREATED, "{}", report.text);
    let report_id = report.json["id"].as_str().expect("id").to_owned();
    delete(&app, &cast.reviewer, &draft, &kept)
        .await
        .assert_problem(403);
    delete(&app, &cast.producer, &draft, &report_id)
        .await
        .assert_problem(403);
    let removed = delete(&app, &cast.reviewer, &draft, &report_id).await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.text);
}

#[tokio::test]
async fn a_download_is_named_after_the_sniffed_type() {
    let app = app_with_small_uploads().await;
    let cast = Cast::assemble(&app).await;
    let draft = empty_draft(&app, &cast.producer).await;
    for (name, bytes, expected_ascii, expected_utf8) in [
        ("report.exe.pdf", PNG, "report.exe.png", "report.exe.png"),
        (
            "检测报告.PDF",
            PDF,
            "____.pdf",
            "%E6%A3%80%E6%B5%8B%E6%8A%A5%E5%91%8A.pdf",
        ),
        ("licence", PDF, "licence.pdf", "licence.pdf"),
    ] {
        let uploaded = app
            .upload(&cast.producer, &draft, "other", name, bytes)
            .await;
        assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text);
        let id = uploaded.json["id"].as_str().expect("id");
        let response = app
            .client
            .get(app.url(&format!("/api/v1/applications/{draft}/attachments/{id}")))
            .bearer_auth(&cast.producer)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 200);
        let disposition = response.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(disposition.starts_with("attachment"), "{disposition}");
        assert!(
            disposition.contains(&format!("filename=\"{expected_ascii}\"")),
            "{name}: {disposition}"
        );
        assert!(
            disposition.contains(&format!("filename*=UTF-8''{expected_utf8}")),
            "{name}: {disposition}"
        );
    }
}

#[tokio::test]
async fn no_stored_file_name_keeps_a_bidi_or_format_character() {
    let app = app_with_small_uploads().await;
    let cast = Cast::assemble(&app).await;
    let draft = empty_draft(&app, &cast.producer).await;
    for (name, expected) in [
        ("invoice\u{202E}fdp.exe", "invoicefdp.exe"),
        ("\u{2066}报告\u{2069}\u{200F}.pdf", "报告.pdf"),
        ("\u{202E}\u{200B}\u{FEFF}", "document.pdf"),
    ] {
        let uploaded = app.upload(&cast.producer, &draft, "other", name, PDF).await;
        assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text);
        assert_eq!(uploaded.json["filename"], expected, "{name:?}");
    }
    let view = app
        .get(
            &format!("/api/v1/applications/{draft}"),
            Some(&cast.producer),
        )
        .await;
    for attachment in view.json["attachments"].as_array().expect("attachments") {
        let name = attachment["filename"].as_str().expect("name");
        assert!(
            !name.chars().any(|c| c.is_control()
                || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')),
            "{name:?}"
        );
    }
}
