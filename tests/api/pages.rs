//! The public pages over HTTP: Chinese by default, English on request, verdicts, QR codes,
//! and nothing fetched from elsewhere.

use serde_json::json;

use crate::helpers::{spawn_app, Cast};

fn verdict(html: &str) -> &str {
    let start = html
        .find("data-verdict=\"")
        .map(|i| i + 14)
        .expect("a verdict");
    &html[start..start + html[start..].find('"').expect("end")]
}

#[tokio::test]
async fn the_home_page_shows_the_counter_search_and_products_in_both_languages() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    app.grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;

    let zh = app.get("/", None).await;
    assert_eq!(zh.status, 200);
    assert!(zh.content_type().starts_with("text/html"));
    assert!(zh.text.contains("<html lang=\"zh\">"));
    assert!(zh.text.contains("已获准使用地理标志专用标志的企业"));
    assert!(zh.text.contains("data-testid=\"authorized\">1<"));
    assert!(zh.text.contains("英德红茶") && zh.text.contains("西牛麻竹笋"));
    assert!(zh.text.contains("<svg class=\"chart\""));
    let en = app.get("/?lang=en", None).await;
    assert!(en.text.contains("<html lang=\"en\">"));
    assert!(en
        .text
        .contains("Enterprises authorized to use the GI special mark"));

    let found = app.get("/?q=hongqi", None).await;
    assert!(found.text.contains("91441881MA4WTEA03K"));
    assert!(found.text.contains("data-testid=\"total\">共 1 家企业<"));
    let none = app.get("/?q=nobody-at-all&lang=en", None).await;
    assert!(none.text.contains("No authorized user matches."));
}

#[tokio::test]
async fn pages_make_no_external_requests_and_escape_what_users_typed() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/?lang=en",
        "/verify/91441881MA4WTEA03K",
        "/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/login",
        "/register?lang=en",
        "/login?next=%22%3E%3Cscript%3E",
    ] {
        let page = app.get(path, None).await;
        for external in [
            "src=\"http",
            "href=\"http",
            "url(http",
            "@import",
            "<script src",
        ] {
            assert!(!page.text.contains(external), "{path} contains {external}");
        }
        // One script, inline (a form is sent once; the error summary takes the focus).
        assert_eq!(page.text.matches("<script").count(), 1, "{path}");
        assert!(page.headers["content-security-policy"]
            .to_str()
            .expect("ascii")
            .contains("default-src 'none'"));
    }
    let typed = app
        .get("/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E", None)
        .await;
    assert!(typed.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[tokio::test]
async fn the_verify_page_gives_a_verdict_for_each_state() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let tea = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let registry_no = tea["registry_no"].as_str().expect("no").to_owned();
    let right = tea["authorization_id"].as_str().expect("id").to_owned();

    let page = app.get(&format!("/verify/{registry_no}"), None).await;
    assert_eq!(page.status, 200);
    assert_eq!(verdict(&page.text), "authorized");
    assert!(page.text.contains("已获准使用地理标志专用标志"));
    let english = app.get("/verify/91441881ma4wtea03k?lang=en", None).await;
    assert_eq!(verdict(&english.text), "authorized");
    assert!(english
        .text
        .contains("Authorized to use the GI special mark"));

    app.post(
        &format!("/api/v1/authorizations/{right}/suspend"),
        Some(&cast.reviewer),
        &json!({"reason": "抽检"}),
    )
    .await;
    assert_eq!(
        verdict(&app.get(&format!("/verify/{registry_no}"), None).await.text),
        "suspended"
    );
    app.post(
        &format!("/api/v1/authorizations/{right}/revoke"),
        Some(&cast.approver),
        &json!({"ground": "other", "reason": "x"}),
    )
    .await;
    assert_eq!(
        verdict(&app.get(&format!("/verify/{registry_no}"), None).await.text),
        "revoked"
    );

    // Registered but never authorized: not in the public register (no self-declared name).
    assert_eq!(
        app.get("/verify/93441881MA52BM702T", None).await.status,
        404
    );
    let missing = app.get("/verify/91110000600037341L", None).await;
    assert_eq!(missing.status, 404);
    assert!(
        missing.content_type().starts_with("text/html"),
        "a page, not a problem document"
    );
    assert_eq!(verdict(&missing.text), "not_found");
}

#[tokio::test]
async fn the_qr_code_is_an_svg_of_the_absolute_verify_address() {
    let db = crate::helpers::TestDatabase::create();
    let mut settings = crate::helpers::test_settings(&db);
    settings.public_url = Some("https://gi.yingde.example/".into());
    let app = crate::helpers::spawn_with(db, settings).await;
    let reply = app.get("/verify/91441881ma4wtea03k/qr.svg", None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.content_type(), "image/svg+xml");
    assert!(reply.text.starts_with("<?xml") && reply.text.contains("<svg"));
    // It is exactly the symbol of the absolute address of the verify page.
    let expected = qrcode::QrCode::with_error_correction_level(
        "https://gi.yingde.example/verify/91441881MA4WTEA03K",
        qrcode::EcLevel::M,
    )
    .expect("encodes")
    .render::<qrcode::render::svg::Color>()
    .min_dimensions(240, 240)
    .quiet_zone(true)
    .build();
    assert_eq!(reply.text, expected);
    // The same address encoded twice gives the same symbol; another address does not.
    let again = app.get("/verify/91441881MA4WTEA03K/qr.svg", None).await;
    assert_eq!(
        reply.text, again.text,
        "the code is normalised before encoding"
    );
    let other = app.get("/verify/9144030071526726XG/qr.svg", None).await;
    assert_ne!(reply.text, other.text);
}

#[tokio::test]
async fn the_verify_page_takes_a_report_of_a_fake_through_its_form() {
    let app = spawn_app().await;
    let page = app
        .client
        .get(app.url("/verify/91441881MA4WTEA03X"))
        .send()
        .await
        .expect("page");
    let cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("gi_csrf="))
        .and_then(|c| c.split(';').next())
        .expect("a CSRF cookie")
        .to_owned();
    let html = page.text().await.expect("html");
    assert!(html.contains("action=\"/verify/91441881MA4WTEA03X/report\""));
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field") + marker.len();
    let token = html[start..start + 64].to_owned();
    let send = |lang: &'static str, fields: Vec<(&'static str, String)>, with_cookie: bool| {
        let mut request = app
            .client
            .post(app.url(&format!("/verify/91441881MA4WTEA03X/report{lang}")))
            .form(&fields);
        if with_cookie {
            request = request.header("cookie", cookie.clone());
        }
        request.send()
    };
    let report = |token: &str, place: &str, description: &str| {
        vec![
            ("csrf", token.to_owned()),
            ("code_seen", "91441881MA4WTEA03X".to_owned()),
            ("place", place.to_owned()),
            ("description", description.to_owned()),
        ]
    };

    // Without the page's token (a form posted from elsewhere) nothing is recorded.
    let forged = send("", report("", "英德市某市场", "标志上的代码查不到"), true)
        .await
        .expect("sent");
    assert_eq!(forged.status(), 403);
    let no_cookie = send(
        "",
        report(&token, "英德市某市场", "标志上的代码查不到"),
        false,
    )
    .await
    .expect("sent");
    assert_eq!(no_cookie.status(), 403);
    assert_eq!(app.count_rows("fake_reports").await, 0);

    let sent = send(
        "",
        report(&token, "英德市某市场", "标志上的代码查不到"),
        true,
    )
    .await
    .expect("sent");
    assert_eq!(sent.status(), 201);
    assert!(sent
        .text()
        .await
        .expect("body")
        .contains("data-testid=\"report-received\""));
    assert_eq!(app.count_rows("fake_reports").await, 1);

    let empty = send(
        "?lang=en",
        report(&token, "", "the code is not found"),
        true,
    )
    .await
    .expect("sent");
    assert_eq!(empty.status(), 422);
    let html = empty.text().await.expect("body");
    assert!(
        html.contains("role=\"alert\""),
        "the message stands beside its field"
    );
    assert!(
        html.contains("the code is not found"),
        "what was typed is kept"
    );
    assert_eq!(app.count_rows("fake_reports").await, 1);
}

#[tokio::test]
async fn every_page_links_one_style_sheet_that_browsers_keep_for_a_year() {
    let app = spawn_app().await;
    let home = app.client.get(app.url("/")).send().await.expect("sent");
    let html = home.text().await.expect("html");
    assert!(
        !html.contains("<style>"),
        "no inline copy of the styles on each page"
    );
    let start = html
        .find("href=\"/assets/site-")
        .expect("a linked style sheet")
        + 6;
    let href = &html[start..start + html[start..].find('"').expect("end")];
    let sheet = app.client.get(app.url(href)).send().await.expect("sent");
    assert_eq!(sheet.status(), 200);
    assert_eq!(sheet.headers()["content-type"], "text/css; charset=utf-8");
    assert!(sheet.headers()["cache-control"]
        .to_str()
        .unwrap_or("")
        .contains("max-age=31536000"));
    assert!(sheet.text().await.expect("css").contains(".error-summary"));
    let stale = app
        .client
        .get(app.url("/assets/site-000000000000.css"))
        .send()
        .await
        .expect("sent");
    assert_eq!(stale.status(), 404, "only the current sheet");
}
