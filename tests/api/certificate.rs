//! Issue 15: the certificate of a right, for its holder and staff: the right's facts and the
//! QR code of its verify page on one printable page; a right no longer active prints its
//! status across it; strangers are refused. (Printed to PDF by a real browser in
//! `browser.rs`.)

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{draft_body, spawn_app, Cast, PDF};
use crate::page_client::PageClient;

#[tokio::test]
async fn the_certificate_shows_the_rights_facts_to_its_holder_and_staff_and_refuses_strangers() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;

    // A right on the certification-mark basis, so a trademark number is printed.
    let body = draft_body("yingde-black-tea", "certification_mark", "英红镇");
    let draft = app
        .post("/api/v1/applications", Some(&cast.producer), &body)
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.text);
    let id = draft.json["id"].as_str().expect("id").to_owned();
    for kind in [
        "application_form",
        "business_license",
        "test_report",
        "trademark_license",
    ] {
        let up = app
            .upload(&cast.producer, &id, kind, &format!("{kind}.pdf"), PDF)
            .await;
        assert_eq!(up.status, StatusCode::CREATED, "{}", up.text);
    }
    app.take_to_recommended(&cast, &cast.producer, &id, &cast.reviewer)
        .await;
    let approved = app
        .expect_ok(
            app.action(
                &cast.approver,
                &id,
                "approve",
                json!({"announcement_no": "英市监公告〔2026〕7号", "announcement_date": "2026-11-20"}),
            )
            .await,
        )
        .json;
    let right = approved["authorization_id"]
        .as_str()
        .expect("right")
        .to_owned();
    let registry_no = approved["registry_no"].as_str().expect("no").to_owned();
    let path = format!("/authorizations/{right}/certificate");

    let mut holder = PageClient::new(&app);
    holder.sign_in("hongqi").await;
    let mine = holder.get("/authorizations").await;
    assert!(
        mine.html.contains(&path),
        "the holder's page links to the certificate"
    );
    let page = holder.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for shown in [
        registry_no.as_str(),
        "英德市hongqi茶业有限公司",
        "91441881MA4WTEA03K",
        "英德红茶",
        "地理标志证明商标",
        "第12345678号",
        "英红镇",
        "英德市英红镇茶园路8号",
        "英市监公告〔2026〕7号",
        "2026-11-20",
        "@page { size: A4",
        "<svg",
        &format!("/verify/{registry_no}"),
        "data-status=\"active\"",
    ] {
        assert!(
            page.html.contains(shown),
            "{shown} missing from the certificate"
        );
    }
    assert!(!page.html.contains("<script"), "no script");
    assert!(
        !page.html.contains("data-testid=\"status-mark\""),
        "an active right has no mark across it"
    );

    // Staff may print it; another producer and a visitor may not.
    let mut reviewer = PageClient::new(&app);
    reviewer.sign_in("li.reviewer").await;
    assert_eq!(reviewer.get(&path).await.status, StatusCode::OK);
    let staff_page = reviewer
        .get(&format!("/review/authorizations/{right}"))
        .await;
    assert!(
        staff_page.html.contains(&path),
        "the staff page links to it"
    );
    let mut stranger = PageClient::new(&app);
    stranger.sign_in("xiniu-coop").await;
    assert_eq!(stranger.get(&path).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        stranger
            .get("/authorizations/0190f0f0-0000-7000-8000-000000000000/certificate")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let visitor = PageClient::new(&app).get(&path).await;
    assert_eq!(visitor.status, StatusCode::SEE_OTHER, "to the sign-in");
    assert!(
        visitor.location.starts_with("/login"),
        "{}",
        visitor.location
    );

    // Suspended: the status goes across the page.
    let suspended = app
        .post(
            &format!("/api/v1/authorizations/{right}/suspend"),
            Some(&cast.reviewer),
            &json!({"reason": "抽检不合格"}),
        )
        .await;
    assert_eq!(suspended.status, StatusCode::OK, "{}", suspended.text);
    let page = holder.get(&path).await;
    assert!(page.html.contains("data-testid=\"status-mark\""));
    assert!(page.html.contains("已暂停使用"));
    assert!(page.html.contains("data-status=\"suspended\""));
}
