//! Uploads: sniffed by content, stored by hash, served to the owner and staff only.

use reqwest::StatusCode;
use sha2::{Digest, Sha256};

use crate::helpers::{spawn_app, Cast, PDF, PNG};

#[tokio::test]
async fn a_document_is_stored_by_hash_and_downloaded_by_owner_and_staff_only() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let id = app.complete_draft(&cast.producer).await;
    let uploaded = app
        .upload(&cast.producer, &id, "other", "../../etc/产品照片.png", PNG)
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.text);
    let sha = hex::encode(Sha256::digest(PNG));
    assert_eq!(uploaded.json["sha256"], sha.as_str());
    assert_eq!(uploaded.json["content_type"], "image/png");
    assert_eq!(uploaded.json["size"], PNG.len());
    assert_eq!(
        uploaded.json["filename"], "产品照片.png",
        "only the last path segment is kept, for display"
    );
    let stored = app
        .state
        .settings
        .data_dir
        .join("documents")
        .join(&sha[..2])
        .join(&sha);
    assert_eq!(std::fs::read(stored).expect("stored by hash"), PNG);

    let path = format!(
        "/api/v1/applications/{id}/attachments/{}",
        uploaded.json["id"].as_str().expect("id")
    );
    for who in [&cast.producer, &cast.reviewer, &cast.admin] {
        let response = app
            .client
            .get(app.url(&path))
            .bearer_auth(who)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "image/png");
        assert!(response.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .starts_with("attachment"));
        assert_eq!(response.bytes().await.expect("body").as_ref(), PNG);
    }
    app.get(&path, Some(&cast.other_producer))
        .await
        .assert_problem(403);
    app.get(&path, None).await.assert_problem(401);
}

#[tokio::test]
async fn a_disguised_executable_is_refused_and_nothing_is_recorded() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let id = app.complete_draft(&cast.producer).await;
    let before = app.count_rows("attachments").await;
    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff this program cannot be run in DOS mode";
    let refused = app
        .upload(&cast.producer, &id, "test_report", "report.pdf", exe)
        .await;
    refused.assert_problem(422);
    assert_eq!(refused.error_fields(), vec!["file"]);
    assert_eq!(app.count_rows("attachments").await, before);
    let unknown_kind = app
        .upload(&cast.producer, &id, "selfie", "a.pdf", PDF)
        .await;
    unknown_kind.assert_problem(422);
    assert_eq!(unknown_kind.error_fields(), vec!["kind"]);
}

#[tokio::test]
async fn an_upload_over_the_limit_is_413() {
    let db = crate::helpers::TestDatabase::create();
    let mut settings = crate::helpers::test_settings(&db);
    settings.max_upload_bytes = 1024;
    let app = crate::helpers::spawn_with(db, settings).await;
    let cast = Cast::assemble(&app).await;
    let created = app
        .post(
            "/api/v1/applications",
            Some(&cast.producer),
            &crate::helpers::draft_body("yingde-black-tea", "gi_product", "英红镇"),
        )
        .await;
    let id = created.json["id"].as_str().expect("id").to_owned();
    let mut big = PDF.to_vec();
    big.resize(4096, b' ');
    app.upload(&cast.producer, &id, "test_report", "big.pdf", &big)
        .await
        .assert_problem(413);
    assert_eq!(app.count_rows("attachments").await, 0);
}

#[tokio::test]
async fn an_upload_that_is_not_multipart_is_415() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let id = app.complete_draft(&cast.producer).await;
    let response = app
        .client
        .post(app.url(&format!("/api/v1/applications/{id}/attachments")))
        .bearer_auth(&cast.producer)
        .header("content-type", "application/pdf")
        .body(PDF.to_vec())
        .send()
        .await
        .expect("sent");
    crate::helpers::Reply::read(response)
        .await
        .assert_problem(415);
}
