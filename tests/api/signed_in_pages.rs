//! The signed-in pages over HTTP: the session cookie and its attributes, CSRF refusals on
//! every state-changing form, who may open which page, forms that keep what was typed, and
//! the language choice. The whole story in a browser is in `browser.rs`.

use reqwest::header::COOKIE;
use reqwest::StatusCode;

use crate::helpers::{spawn_app, Cast, PASSWORD, PDF};
use crate::page_client::PageClient;

fn registration_form<'a>(username: &'a str, uscc: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("username", username),
        ("password", PASSWORD),
        ("password_confirmation", PASSWORD),
        ("enterprise.uscc", uscc),
        ("enterprise.name", "英德市积庆里茶业有限公司"),
        ("enterprise.legal_representative", "黄立"),
        ("enterprise.address", "英德市黄花镇积庆里"),
        ("enterprise.town", "huanghua"),
        ("enterprise.contact_name", "黄立"),
        ("enterprise.contact_phone", "0763-5555666"),
        ("enterprise.email", "jiqingli@example.cn"),
    ]
}

#[tokio::test]
async fn signing_in_sets_an_http_only_strict_cookie_that_only_pages_accept() {
    // The test client stands where a TLS-terminating proxy on this host would (issue 11 item 6:
    // `X-Forwarded-Proto` counts only from `GI_TRUSTED_PROXIES`).
    let db = crate::helpers::TestDatabase::create();
    let mut settings = crate::helpers::test_settings(&db);
    settings.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
    let app = crate::helpers::spawn_with(db, settings).await;
    let _cast = Cast::assemble(&app).await;
    let mut browser = PageClient::new(&app);

    let signed_out = browser.get("/applications").await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_out.location, "/login?next=%2Fapplications");

    let wrong = browser
        .submit(
            "/login",
            "/login",
            &[("username", "hongqi"), ("password", "not-the-password")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.html.contains("用户名或密码错误"));
    assert!(
        wrong.html.contains("value=\"hongqi\""),
        "the username is kept"
    );
    assert!(
        !wrong.html.contains("not-the-password"),
        "never the password"
    );

    let signed_in = browser.sign_in("hongqi").await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_in.location, "/applications");
    let session = browser
        .set_cookies
        .iter()
        .find(|c| c.starts_with("gi_session="))
        .expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(session.contains(attribute), "{session} lacks {attribute}");
    }
    assert!(
        !session.contains("Secure"),
        "plain HTTP here, so not Secure"
    );
    assert_eq!(browser.get("/applications").await.status, StatusCode::OK);

    // The cookie is for pages: the JSON API still wants a Bearer token.
    let token = browser.cookies["gi_session"].clone();
    let api = reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .header(COOKIE, format!("gi_session={token}"))
        .send()
        .await
        .expect("answer");
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);

    // Signed-out: the cookie is gone and the page asks for a sign-in again.
    let out = browser.submit("/applications", "/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(!browser.cookies.contains_key("gi_session"));
    assert_eq!(
        browser.get("/applications").await.status,
        StatusCode::SEE_OTHER
    );

    // Behind a trusted TLS-terminating proxy the cookies are Secure.
    let mut secure = PageClient::new(&app);
    let request = secure
        .http
        .get(app.url("/login"))
        .header("X-Forwarded-Proto", "https");
    secure.send(request).await;
    assert!(secure.set_cookies.iter().all(|c| c.contains("Secure")));
}

#[tokio::test]
async fn every_state_changing_form_is_refused_without_its_csrf_token() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let draft = app.complete_draft(&cast.producer).await;
    let granted = app
        .grant(&cast, &cast.other_producer, "xiniu-bamboo-shoot", "西牛镇")
        .await;
    let right = granted["authorization_id"].as_str().expect("right");
    let mut producer = PageClient::new(&app);
    producer.sign_in("hongqi").await;
    let mut holder = PageClient::new(&app);
    holder.sign_in("xiniu-coop").await;

    let cases = [
        (
            "/login",
            vec![("username", "hongqi"), ("password", PASSWORD)],
        ),
        (
            "/register",
            registration_form("another", "92441881MA5X7K2R2K"),
        ),
        ("/logout", vec![]),
        (
            "/password",
            vec![
                ("current_password", PASSWORD),
                ("new_password", "a-brand-new-password"),
                ("password_confirmation", "a-brand-new-password"),
            ],
        ),
        (
            "/applications/new",
            vec![
                ("product_code", "yingde-black-tea"),
                ("basis", "gi_product"),
                ("production_town", "yinghong"),
                ("production_address", "英红镇"),
            ],
        ),
    ];
    let before = app.count_rows("journal_events").await;
    for (path, fields) in &cases {
        for token in [None, Some("0".repeat(64))] {
            let mut all: Vec<(&str, &str)> = fields.clone();
            if let Some(token) = &token {
                all.push(("csrf", token));
            }
            let refused = producer.post(path, &all).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path} {token:?}");
            assert!(refused.html.contains("表单已失效"));
        }
    }
    let id_path = format!("/applications/{draft}");
    for path in [id_path.clone(), format!("{id_path}/actions/submit")] {
        let refused = producer.post(&path, &[("production_address", "x")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
    }
    let report_path = format!("/authorizations/{right}/usage-reports");
    let refused = holder
        .post(
            &report_path,
            &[
                ("year", "2025"),
                ("marks_used", "1"),
                ("output_kg", "1"),
                ("sales_cny", "1"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // An upload without the token: multipart, the way the page's form sends it.
    let form = reqwest::multipart::Form::new().text("kind", "other").part(
        "file",
        reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("x.pdf"),
    );
    let request = producer
        .http
        .post(app.url(&format!("{id_path}/documents")))
        .multipart(form);
    assert_eq!(producer.send(request).await.status, StatusCode::FORBIDDEN);

    assert_eq!(
        app.count_rows("journal_events").await,
        before,
        "nothing happened"
    );
    // Still signed in, and the same forms work with the page's token.
    let submitted = producer
        .submit(&id_path, &format!("{id_path}/actions/submit"), &[])
        .await;
    assert_eq!(submitted.status, StatusCode::SEE_OTHER);
    assert_eq!(
        submitted.location,
        format!("/applications/{draft}?notice=submit")
    );
}

#[tokio::test]
async fn a_form_with_mistakes_comes_back_with_what_was_typed_and_each_message_beside_its_field() {
    let app = spawn_app().await;
    let mut browser = PageClient::new(&app);
    let mut fields = registration_form("jiqingli", "91350100M000100Y4Z");
    fields.retain(|(name, _)| *name != "enterprise.email");
    fields.push(("enterprise.email", "not-an-email"));
    let before = app.count_rows("users").await;
    let page = browser.submit("/register", "/register", &fields).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for (field, id) in [
        ("enterprise.uscc", "f-enterprise-uscc"),
        ("enterprise.email", "f-enterprise-email"),
    ] {
        let error = format!("id=\"{id}-error\"");
        assert!(page.html.contains(&error), "a message for {field}");
        let input = &page.html[page.html.find(&format!("id=\"{id}\"")).expect("input")..];
        let input = &input[..input.find('>').expect("tag end")];
        assert!(
            input.contains("aria-invalid=\"true\"") && input.contains(&format!("{id}-error")),
            "{input}"
        );
    }
    assert!(page.html.contains("value=\"英德市积庆里茶业有限公司\""));
    assert!(page.html.contains("value=\"91350100M000100Y4Z\""));
    assert!(page.html.contains("<option value=\"huanghua\" selected>"));
    assert!(!page.html.contains(PASSWORD), "passwords are not sent back");
    assert_eq!(app.count_rows("users").await, before, "nothing written");

    // Fixed, it registers, signs in and goes on to a new application.
    let fixed = registration_form("jiqingli", "92441881MA5X7K2R2K");
    let page = browser.submit("/register", "/register", &fixed).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    assert_eq!(page.location, "/applications/new");
    let choose = browser.get("/applications/new").await;
    assert!(choose.html.contains("data-product=\"yingde-black-tea\""));

    // A number that is not one comes back as typed, beside its field; nothing is created.
    let form = browser
        .get("/applications/new?product=yingde-black-tea")
        .await;
    assert!(form.html.contains("<option value=\"huanghua\""));
    let before = app.count_rows("applications").await;
    let page = browser
        .post(
            "/applications/new",
            &[
                ("csrf", &form.csrf()),
                ("product_code", "yingde-black-tea"),
                ("basis", "gi_product"),
                ("production_town", "huanghua"),
                ("production_address", "英德市黄花镇积庆里"),
                ("area_mu", "十二亩"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.html.contains("id=\"f-area_mu-error\""));
    assert!(page.html.contains("value=\"十二亩\""));
    assert_eq!(app.count_rows("applications").await, before);
}

#[tokio::test]
async fn producers_and_staff_each_see_their_own_pages_and_only_the_actions_they_may_take() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let id = app.complete_draft(&cast.producer).await;
    app.expect_ok(
        app.action(&cast.producer, &id, "submit", serde_json::json!({}))
            .await,
    );
    let mut producer = PageClient::new(&app);
    producer.sign_in("hongqi").await;
    let mut other = PageClient::new(&app);
    other.sign_in("xiniu-coop").await;
    let mut reviewer = PageClient::new(&app);
    assert_eq!(reviewer.sign_in("li.reviewer").await.location, "/review");
    let mut admin = PageClient::new(&app);
    let password = app.initial_admin_password();
    admin
        .submit(
            "/login",
            "/login",
            &[("username", "admin"), ("password", &password)],
        )
        .await;

    // Another producer cannot open it; a producer cannot open staff pages.
    let theirs = other.get(&format!("/applications/{id}")).await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN);
    assert!(theirs.html.contains("<html"), "an error page, not JSON");
    for path in [
        "/review/watchlist",
        "/review/exports",
        "/review/exports/authorizations.csv",
    ] {
        assert_eq!(
            producer.get(path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    assert_eq!(
        reviewer.get("/authorizations").await.status,
        StatusCode::FORBIDDEN
    );

    // The producer may only withdraw a submitted application.
    let own = producer.get(&format!("/applications/{id}")).await;
    assert!(own.html.contains("data-action=\"withdraw\""));
    for action in ["submit", "accept", "refuse", "return", "approve"] {
        assert!(
            !own.html.contains(&format!("data-action=\"{action}\"")),
            "{action}"
        );
    }
    // The reviewer may accept or refuse it; an admin reads it but takes no part.
    let queue = reviewer.get("/review").await;
    assert!(queue.html.contains(&format!("href=\"/review/{id}\"")));
    let review = reviewer.get(&format!("/review/{id}")).await;
    for action in ["accept", "refuse"] {
        assert!(
            review.html.contains(&format!("data-action=\"{action}\"")),
            "{action}"
        );
    }
    for action in ["withdraw", "return", "recommend", "approve", "reject"] {
        assert!(
            !review.html.contains(&format!("data-action=\"{action}\"")),
            "{action}"
        );
    }
    let read_only = admin.get(&format!("/review/{id}")).await;
    assert_eq!(read_only.status, StatusCode::OK);
    assert!(!read_only.html.contains("data-testid=\"actions\""));

    // Refusing needs a reason: the form comes back open with the message beside it.
    let path = format!("/review/{id}");
    let refused = reviewer
        .submit(
            &path,
            &format!("{path}/actions/refuse"),
            &[("reason", "  ")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("data-action=\"refuse\" open>"));
    assert!(refused.html.contains("id=\"f-refuse-reason-error\""));
    // Its language link leads to the page, not to the action the form was sent to.
    assert!(refused
        .html
        .contains(&format!("href=\"/review/{id}?lang=en\" lang=\"en\"")));
    let filtered = reviewer.get("/review?status=under_review&product=").await;
    assert!(filtered
        .html
        .contains("href=\"/review?status=under_review&amp;product=&amp;lang=en\""));
    let accepted = reviewer
        .submit(
            &path,
            &format!("{path}/actions/accept"),
            &[("comment", "材料齐全")],
        )
        .await;
    assert_eq!(accepted.location, format!("/review/{id}?notice=accept"));
    let shown = reviewer.get(&accepted.location).await;
    assert!(shown.html.contains("data-status=\"under_review\""));
    assert!(
        shown.html.contains("已受理，审查期限为 "),
        "says what happens next"
    );

    // Staff download the export from the page, with the session cookie.
    let export = reviewer.get("/review/exports/authorizations.csv").await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(export.html.starts_with('\u{feff}'));
}

#[tokio::test]
async fn the_language_choice_is_remembered_and_a_password_change_signs_out_everywhere() {
    let app = spawn_app().await;
    let _cast = Cast::assemble(&app).await;
    let mut browser = PageClient::new(&app);
    let mut phone = PageClient::new(&app);
    browser.sign_in("hongqi").await;
    phone.sign_in("hongqi").await;

    let english = browser.get("/applications?lang=en").await;
    assert!(english.html.contains("<html lang=\"en\">"));
    assert!(english.html.contains("My applications"));
    assert!(browser
        .set_cookies
        .iter()
        .any(|c| c.starts_with("gi_lang=en")));
    let still = browser.get("/applications/new").await;
    assert!(still.html.contains("Choose the product"));
    assert!(browser
        .get("/applications?lang=zh")
        .await
        .html
        .contains("我的申请"));

    let mismatch = browser
        .submit(
            "/password",
            "/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "green-tea-leaves-2027"),
                ("password_confirmation", "green-tea-leaves-2028"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch
        .html
        .contains("id=\"f-password_confirmation-error\""));
    let changed = browser
        .submit(
            "/password",
            "/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "green-tea-leaves-2027"),
                ("password_confirmation", "green-tea-leaves-2027"),
            ],
        )
        .await;
    assert_eq!(changed.location, "/login?notice=password_changed");
    // The other device's session ended with the change.
    assert_eq!(
        phone.get("/applications").await.status,
        StatusCode::SEE_OTHER
    );
    let again = browser
        .submit(
            "/login",
            "/login",
            &[
                ("username", "hongqi"),
                ("password", "green-tea-leaves-2027"),
            ],
        )
        .await;
    assert_eq!(again.location, "/applications");
}

#[tokio::test]
async fn after_sign_in_a_page_asked_for_opens_but_never_another_site() {
    let app = spawn_app().await;
    let _cast = Cast::assemble(&app).await;
    let mut browser = PageClient::new(&app);
    let token = browser.get("/login").await.csrf();
    let to_page = browser
        .post(
            "/login",
            &[
                ("csrf", &token),
                ("username", "hongqi"),
                ("password", PASSWORD),
                ("next", "/authorizations"),
            ],
        )
        .await;
    assert_eq!(to_page.location, "/authorizations");
    // A form sent after the session ended leads back to the page it was on.
    let mut expired = PageClient::new(&app);
    let sent = expired
        .post("/applications/some-id/actions/submit", &[("csrf", "x")])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert_eq!(sent.location, "/login?next=%2Fapplications%2Fsome-id");
    for elsewhere in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let mut other = PageClient::new(&app);
        let token = other.get("/login").await.csrf();
        let page = other
            .post(
                "/login",
                &[
                    ("csrf", &token),
                    ("username", "hongqi"),
                    ("password", PASSWORD),
                    ("next", elsewhere),
                ],
            )
            .await;
        assert_eq!(page.location, "/applications", "{elsewhere}");
    }
}

#[tokio::test]
async fn staff_suspend_and_revoke_a_right_from_its_page_and_the_holder_may_surrender_one() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let granted = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let right = granted["authorization_id"]
        .as_str()
        .expect("right")
        .to_owned();
    let page_path = format!("/review/authorizations/{right}");
    let mut reviewer = PageClient::new(&app);
    reviewer.sign_in("li.reviewer").await;
    let register = reviewer.get("/review/authorizations").await;
    assert!(register.html.contains(&format!("href=\"{page_path}\"")));

    // A reviewer may suspend an active right (not revoke it, nor reinstate what is active).
    let page = reviewer.get(&page_path).await;
    assert!(page.html.contains("data-action=\"suspend\""));
    for absent in ["revoke", "reinstate"] {
        assert!(
            !page.html.contains(&format!("data-action=\"{absent}\"")),
            "{absent}"
        );
    }
    let refused = reviewer
        .submit(
            &page_path,
            &format!("{page_path}/actions/suspend"),
            &[("reason", " ")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("id=\"f-suspend-reason-error\""));
    let suspended = reviewer
        .submit(
            &page_path,
            &format!("{page_path}/actions/suspend"),
            &[("reason", "抽检不合格，整改期间暂停")],
        )
        .await;
    assert_eq!(suspended.location, format!("{page_path}?notice=suspend"));
    let shown = reviewer.get(&suspended.location).await;
    assert!(shown.html.contains("data-right-status=\"suspended\""));
    assert!(
        shown.html.contains("抽检不合格，整改期间暂停"),
        "in the history"
    );
    assert!(shown.html.contains("data-action=\"reinstate\""));
    let public = app.get("/verify/91441881MA4WTEA03K", None).await;
    assert!(public.text.contains("data-verdict=\"suspended\""));

    // An approver revokes it, naming the ground.
    let mut approver = PageClient::new(&app);
    approver.sign_in("wang.approver").await;
    let no_ground = approver
        .submit(
            &page_path,
            &format!("{page_path}/actions/revoke"),
            &[("reason", "复查仍不合格")],
        )
        .await;
    assert_eq!(no_ground.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_ground.html.contains("id=\"f-revoke-ground-error\""));
    assert!(
        no_ground.html.contains("复查仍不合格"),
        "the reason is kept"
    );
    let revoked = approver
        .submit(
            &page_path,
            &format!("{page_path}/actions/revoke"),
            &[
                ("ground", "nonconforming_production"),
                ("reason", "复查仍不合格"),
            ],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert!(approver
        .get(&revoked.location)
        .await
        .html
        .contains("data-right-status=\"revoked\""));

    // The holder of another right surrenders it from its own page, and may do nothing more.
    let other = app
        .grant(&cast, &cast.other_producer, "xiniu-bamboo-shoot", "西牛镇")
        .await;
    let other_right = other["authorization_id"].as_str().expect("right");
    let mut holder = PageClient::new(&app);
    holder.sign_in("xiniu-coop").await;
    let rights = holder.get("/authorizations").await;
    assert!(rights.html.contains("data-action=\"surrender\""));
    assert!(!rights.html.contains("data-action=\"suspend\""));
    let forbidden = holder
        .submit(
            "/authorizations",
            &format!("/review/authorizations/{other_right}/actions/suspend"),
            &[("reason", "自己暂停")],
        )
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    assert_eq!(
        holder
            .get(&format!("/review/authorizations/{other_right}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let surrendered = holder
        .submit(
            "/authorizations",
            &format!("/authorizations/{other_right}/actions/surrender"),
            &[],
        )
        .await;
    assert_eq!(surrendered.location, "/authorizations?notice=surrendered");
    let after = holder.get(&surrendered.location).await;
    assert!(after.html.contains("已注销"));
    assert!(!after.html.contains("data-action=\"surrender\""));
}

#[tokio::test]
async fn staff_close_reports_of_fakes_from_their_page() {
    let app = spawn_app().await;
    let _cast = Cast::assemble(&app).await;
    let report = serde_json::json!({
        "code_seen": "91441881MA4WTEA03X",
        "place": "英德市茶叶批发市场 12 号档",
        "description": "包装上的代码查不到",
    });
    let sent = app.post("/api/v1/public/reports", None, &report).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.text);
    let id = sent.json["id"].as_str().expect("id").to_owned();

    let mut producer = PageClient::new(&app);
    producer.sign_in("hongqi").await;
    assert_eq!(
        producer.get("/review/reports").await.status,
        StatusCode::FORBIDDEN
    );

    let mut reviewer = PageClient::new(&app);
    reviewer.sign_in("li.reviewer").await;
    let open = reviewer.get("/review/reports").await;
    assert!(open.html.contains("英德市茶叶批发市场 12 号档"));
    let close = format!("/review/reports/{id}/close");
    let empty = reviewer
        .submit("/review/reports", &close, &[("resolution", "")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty
        .html
        .contains(&format!("id=\"f-{id}-resolution-error\"")));
    let closed = reviewer
        .submit(
            "/review/reports",
            &close,
            &[("resolution", "已现场核查，责令下架")],
        )
        .await;
    assert_eq!(closed.location, "/review/reports?notice=closed");
    let now_open = reviewer.get(&closed.location).await;
    assert!(!now_open.html.contains("英德市茶叶批发市场 12 号档"));
    let done = reviewer.get("/review/reports?status=closed").await;
    assert!(done.html.contains("已现场核查，责令下架"));
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server_so_a_kept_cookie_is_worthless() {
    let app = spawn_app().await;
    let _cast = Cast::assemble(&app).await;
    let mut browser = PageClient::new(&app);
    browser.sign_in("hongqi").await;
    let kept = browser
        .cookies
        .get("gi_session")
        .expect("session cookie")
        .clone();
    assert_eq!(browser.get("/applications").await.status, StatusCode::OK);
    let out = browser.submit("/applications", "/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    // A copy of the cookie taken before signing out opens nothing afterwards.
    let mut thief = PageClient::new(&app);
    thief.cookies.insert("gi_session".into(), kept.clone());
    let page = thief.get("/applications").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location.starts_with("/login"), "{}", page.location);
    // Nor does the same token work against the API.
    app.get("/api/v1/me", Some(&kept)).await.assert_problem(401);
}

#[tokio::test]
async fn a_form_token_is_bound_to_the_session_and_a_planted_cookie_proves_nothing() {
    let app = spawn_app().await;
    let _cast = Cast::assemble(&app).await;
    let mut browser = PageClient::new(&app);
    browser.sign_in("hongqi").await;
    // Someone who can plant a cookie (a sibling subdomain) sets a CSRF cookie of their choice
    // and sends a form with the same value: under plain double submit that would pass.
    let planted = "ab".repeat(32);
    browser.cookies.insert("gi_csrf".into(), planted.clone());
    let forged = browser.post("/logout", &[("csrf", planted.as_str())]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(browser.get("/applications").await.status, StatusCode::OK);
    // The token of another signed-in person's page does not fit this session either.
    let mut other = PageClient::new(&app);
    other.sign_in("xiniu-coop").await;
    let foreign_token = other.get("/applications").await.csrf();
    let forged = browser
        .post("/logout", &[("csrf", foreign_token.as_str())])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(browser.get("/applications").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_form_sent_with_another_sites_origin_is_refused_even_with_the_right_token() {
    let app = spawn_app().await;
    let _cast = Cast::assemble(&app).await;
    let mut browser = PageClient::new(&app);
    browser.sign_in("hongqi").await;
    let token = browser.get("/applications").await.csrf();
    for origin in ["https://evil.example", "null"] {
        let request = browser
            .http
            .post(app.url("/logout"))
            .header("origin", origin)
            .form(&[("csrf", token.as_str())]);
        let refused = browser.send(request).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{origin}");
        assert_eq!(browser.get("/applications").await.status, StatusCode::OK);
    }
    // Our own origin passes.
    let request = browser
        .http
        .post(app.url("/logout"))
        .header("origin", app.address.clone())
        .form(&[("csrf", token.as_str())]);
    assert_eq!(browser.send(request).await.status, StatusCode::SEE_OTHER);
}

/// Issue 11 item 5: the producer removes a wrong document from the application page.
#[tokio::test]
async fn a_wrong_document_is_removed_from_the_application_page() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let draft = app.complete_draft(&cast.producer).await;
    let wrong = app
        .upload(&cast.producer, &draft, "other", "wrong.pdf", PDF)
        .await;
    assert_eq!(wrong.status, StatusCode::CREATED, "{}", wrong.text);
    let wrong_id = wrong.json["id"].as_str().expect("id").to_owned();
    let mut producer = PageClient::new(&app);
    producer.sign_in("hongqi").await;
    let page_path = format!("/applications/{draft}");
    let remove_path = format!("{page_path}/documents/{wrong_id}/delete");
    let page = producer.get(&page_path).await;
    assert!(
        page.html.contains(&format!("action=\"{remove_path}\"")),
        "{}",
        page.html
    );

    let refused = producer.post(&remove_path, &[]).await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "without its CSRF token"
    );
    let removed = producer.submit(&page_path, &remove_path, &[]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.html);
    assert_eq!(removed.location, format!("{page_path}?notice=removed"));
    let view = app
        .get(
            &format!("/api/v1/applications/{draft}"),
            Some(&cast.producer),
        )
        .await;
    assert_eq!(view.json["attachments"].as_array().expect("list").len(), 3);

    // Once submitted, no document offers a remove button.
    app.expect_ok(
        app.action(&cast.producer, &draft, "submit", serde_json::json!({}))
            .await,
    );
    let page = producer.get(&page_path).await;
    assert!(!page.html.contains("/delete\""), "{}", page.html);
}

#[tokio::test]
async fn staff_list_a_right_as_abnormal_straight_from_its_watchlist_entry() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let at = |y, m, d| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, y, m, d, 2, 0, 0).unwrap();
    app.clock.set(at(2024, 5, 10));
    let right = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let id = right["authorization_id"].as_str().expect("id").to_owned();
    app.clock.set(at(2025, 6, 1));
    let mut reviewer = PageClient::new(&app);
    reviewer.sign_in("li.reviewer").await;
    let watchlist = reviewer.get("/review/watchlist").await;
    assert!(watchlist.html.contains("data-testid=\"list-abnormal\""));
    assert!(
        watchlist.html.contains("value=\"report_overdue\""),
        "the ground it suggests"
    );
    let action = format!("/review/watchlist/{id}/abnormal");
    let missing_date = reviewer
        .submit(
            "/review/watchlist",
            &action,
            &[
                ("reason", "report_overdue"),
                ("note", "逾期"),
                ("correct_by", ""),
            ],
        )
        .await;
    assert_eq!(missing_date.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing_date.html.contains("id=\"correct_by-error\""));
    let listed = reviewer
        .submit(
            "/review/watchlist",
            &action,
            &[
                ("reason", "report_overdue"),
                ("note", "2024年度报告逾期"),
                ("correct_by", "2025-07-31"),
            ],
        )
        .await;
    assert_eq!(listed.location, "/review/watchlist?notice=listed");
    let public = app.get("/api/v1/public/abnormal-users", None).await;
    assert_eq!(public.json["total"], 1);
    assert_eq!(public.json["items"][0]["reason"], "report_overdue");
    assert_eq!(public.json["items"][0]["correct_by"], "2025-07-31");
}
