//! The producer's experience over HTTP (issue 13): refused forms say everything at once at
//! the top, nothing typed is dropped, sessions slide, actions are safe to click twice,
//! private pages are not kept, the language is remembered, times and dates are Beijing's,
//! notices say what happens next. The same in a browser is in `browser.rs`.

use chrono::{Duration, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{draft_body, spawn_app, Cast, TestApp, PDF};
use crate::page_client::{Page, PageClient};

/// The number an error summary says it holds (`data-count`), if there is one.
fn summary_count(page: &Page) -> Option<usize> {
    let marker = "data-testid=\"error-summary\" data-count=\"";
    let start = page.html.find(marker)? + marker.len();
    page.html[start..].split('"').next()?.parse().ok()
}

/// The value of the hidden `version` field of the application form.
fn version_of(page: &Page) -> String {
    let marker = "name=\"version\" value=\"";
    let start = page.html.find(marker).expect("the application form") + marker.len();
    page.html[start..]
        .split('"')
        .next()
        .expect("a version")
        .to_owned()
}

/// A draft of `producer` (an API token) without any document.
async fn bare_draft(app: &TestApp, producer: &str) -> String {
    let body = draft_body("yingde-black-tea", "gi_product", "英红镇");
    let reply = app
        .post("/api/v1/applications", Some(producer), &body)
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    reply.json["id"].as_str().expect("id").to_owned()
}

/// The application form's fields as the page would send them, with `changes` applied.
fn application_fields<'a>(
    version: &'a str,
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("version", version),
        ("product_code", "yingde-black-tea"),
        ("basis", "gi_product"),
        ("trademark_reg_no", ""),
        ("production_town", "yinghong"),
        ("production_address", "英红镇高山茶园1号"),
        ("area_mu", "120.5"),
        ("annual_output_kg", "8000"),
        ("description", "高山红茶园"),
    ];
    for (name, value) in changes {
        if let Some(field) = fields.iter_mut().find(|(n, _)| n == name) {
            field.1 = value;
        }
    }
    fields
}

#[tokio::test]
async fn a_refused_registration_lists_every_problem_at_once_each_linked_to_its_field() {
    let app = spawn_app().await;
    let mut visitor = PageClient::new(&app);
    let refused = visitor
        .submit(
            "/register",
            "/register",
            &[
                ("username", "jiqingli"),
                ("password", "tea-garden-2026"),
                ("password_confirmation", "tea-garden-2025"),
                ("enterprise.uscc", "91441881MA4WTEA03X"),
                ("enterprise.name", "英德市积庆里茶业有限公司"),
                ("enterprise.legal_representative", "黄立"),
                ("enterprise.address", "英德市黄花镇积庆里"),
                ("enterprise.town", ""),
                ("enterprise.contact_name", "黄立"),
                ("enterprise.contact_phone", "0763-5555666"),
                ("enterprise.email", "not-an-address"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The repeated password, the credit code, the town and the e-mail: one round, not four.
    assert_eq!(summary_count(&refused), Some(4), "{}", refused.html);
    assert!(refused.html.contains("请修改以下 4 处"));
    for id in [
        "f-password_confirmation",
        "f-enterprise-uscc",
        "f-enterprise-town",
        "f-enterprise-email",
    ] {
        assert!(refused.html.contains(&format!("href=\"#{id}\"")), "{id}");
        assert!(
            refused.html.contains(&format!("id=\"{id}-error\"")),
            "{id} beside its field"
        );
    }
    assert!(refused.html.contains("请选择所在镇（街道）"));
    // The summary takes the focus; what was typed is still there (never a password).
    assert!(refused.html.contains("tabindex=\"-1\" autofocus"));
    assert!(refused.html.contains("value=\"英德市积庆里茶业有限公司\""));
    assert!(!refused.html.contains("tea-garden-2026"));

    let english = visitor
        .submit(
            "/register?lang=en",
            "/register",
            &[("username", "x"), ("password", "short")],
        )
        .await;
    assert_eq!(english.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(english.html.contains("Please correct "), "{}", english.html);
    assert!(english.html.contains("Choose the town") || english.html.contains("choose the town"));
}

#[tokio::test]
async fn every_refused_form_page_opens_with_its_error_summary() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let mut producer = PageClient::new(&app);

    let login = producer
        .submit(
            "/login",
            "/login",
            &[("username", "hongqi"), ("password", "wrong-password")],
        )
        .await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    assert_eq!(summary_count(&login), Some(1));

    let reset = producer
        .submit("/password-reset", "/password-reset", &[("username", "")])
        .await;
    assert_eq!(reset.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reset.html.contains("href=\"#f-username\""),
        "{}",
        reset.html
    );

    producer.sign_in("hongqi").await;
    let password = producer
        .submit(
            "/password",
            "/password",
            &[
                ("current_password", "tea-garden-2026"),
                ("new_password", "short"),
                ("password_confirmation", "other"),
            ],
        )
        .await;
    assert_eq!(password.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        password.html.contains("href=\"#f-new_password\""),
        "{}",
        password.html
    );

    // The application form: a number that is not one, a required field emptied.
    let id = bare_draft(&app, &cast.producer).await;
    let page = format!("/applications/{id}");
    let shown = producer.get(&page).await;
    let version = version_of(&shown);
    let edit = producer
        .submit(
            &page,
            &page,
            &application_fields(&version, &[("area_mu", "一百"), ("production_town", "")]),
        )
        .await;
    assert_eq!(edit.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Both at once: the number the page cannot read and the town the use case refuses.
    assert_eq!(summary_count(&edit), Some(2), "{}", edit.html);
    assert!(edit.html.contains("href=\"#f-area_mu\""), "{}", edit.html);
    assert!(edit.html.contains("href=\"#f-production_town\""));
    assert!(edit.html.contains("请选择所在镇（街道）"));
    assert!(edit.html.contains("英红镇高山茶园1号"), "the rest is kept");
    let stored = app
        .get(&format!("/api/v1/applications/{id}"), Some(&cast.producer))
        .await;
    assert_eq!(stored.json["area_mu"], 120.5, "nothing was saved");
    assert!(
        edit.html.contains("value=\"一百\""),
        "what was typed is kept"
    );

    // A reviewer's action that needs words: the summary inside the opened form.
    let submitted = app
        .action(
            &cast.producer,
            &app.complete_draft(&cast.producer).await,
            "submit",
            json!({}),
        )
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.text);
    let submitted_id = submitted.json["id"].as_str().expect("id").to_owned();
    let mut reviewer = PageClient::new(&app);
    reviewer.sign_in("li.reviewer").await;
    let review = format!("/review/{submitted_id}");
    let refused = reviewer
        .submit(
            &review,
            &format!("{review}/actions/refuse"),
            &[("reason", " ")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.html.contains("href=\"#f-refuse-reason\""),
        "{}",
        refused.html
    );
}

#[tokio::test]
async fn submitting_with_documents_missing_says_exactly_which_on_the_page() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let id = bare_draft(&app, &cast.producer).await;
    let mut producer = PageClient::new(&app);
    producer.sign_in("hongqi").await;
    let page = format!("/applications/{id}");
    let refused = producer
        .submit(&page, &format!("{page}/actions/submit"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The same three the API names: application form, business licence, test report.
    let api = app.action(&cast.producer, &id, "submit", json!({})).await;
    assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
    let missing = api.error_fields();
    assert_eq!(
        summary_count(&refused),
        Some(missing.len()),
        "{}",
        refused.html
    );
    for field in &missing {
        assert!(
            refused.html.contains(&format!("data-field=\"{field}\"")),
            "{field}"
        );
    }
    assert!(refused.html.contains("缺少"));
    assert!(
        refused.html.contains("href=\"#f-kind\""),
        "each points at the upload"
    );
    assert!(refused.html.contains("data-status=\"draft\""));
}

#[tokio::test]
async fn an_upload_or_a_submission_from_the_application_page_keeps_unsaved_edits() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let id = bare_draft(&app, &cast.producer).await;
    let mut producer = PageClient::new(&app);
    producer.sign_in("hongqi").await;
    let page = format!("/applications/{id}");
    let shown = producer.get(&page).await;
    // The upload and submit buttons belong to the application's form.
    assert!(shown.html.contains("form=\"application-form\""));
    let (csrf, version) = (shown.csrf(), version_of(&shown));

    // An address typed, not saved, then a document uploaded: both are kept.
    let mut upload = reqwest::multipart::Form::new().text("csrf", csrf.clone());
    for (name, value) in application_fields(&version, &[("production_address", "英红镇新茶园8号")])
    {
        upload = upload.text(name.to_owned(), value.to_owned());
    }
    let upload = upload.text("kind", "application_form").part(
        "file",
        reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("form.pdf"),
    );
    let request = producer
        .http
        .post(app.url(&format!("{page}/documents")))
        .multipart(upload);
    let uploaded = producer.send(request).await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.html);
    let stored = app
        .get(&format!("/api/v1/applications/{id}"), Some(&cast.producer))
        .await;
    assert_eq!(stored.json["production_address"], "英红镇新茶园8号");
    assert_eq!(stored.json["attachments"].as_array().map(Vec::len), Some(1));

    // An edit that cannot be saved comes back as typed, and the document is still added.
    let shown = producer.get(&page).await;
    let version = version_of(&shown);
    let mut upload = reqwest::multipart::Form::new().text("csrf", shown.csrf());
    for (name, value) in application_fields(
        &version,
        &[
            ("production_address", "英红镇新茶园8号"),
            ("area_mu", "很多"),
        ],
    ) {
        upload = upload.text(name.to_owned(), value.to_owned());
    }
    let upload = upload.text("kind", "business_license").part(
        "file",
        reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("licence.pdf"),
    );
    let request = producer
        .http
        .post(app.url(&format!("{page}/documents")))
        .multipart(upload);
    let refused = producer.send(request).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.html.contains("value=\"很多\""), "typed, kept");
    assert!(refused.html.contains("材料已上传"));
    app.upload(&cast.producer, &id, "test_report", "report.pdf", PDF)
        .await;

    // Submitting sends the form too: the description typed just before is saved, then submitted.
    let shown = producer.get(&page).await;
    let version = version_of(&shown);
    let mut fields = vec![("csrf", shown.csrf())];
    for (name, value) in application_fields(
        &version,
        &[
            ("production_address", "英红镇新茶园8号"),
            ("description", "新开的高山茶园"),
        ],
    ) {
        fields.push((name, value.to_owned()));
    }
    let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let submitted = producer
        .post(&format!("{page}/actions/submit"), &fields)
        .await;
    assert_eq!(
        submitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        submitted.html
    );
    let stored = app
        .get(&format!("/api/v1/applications/{id}"), Some(&cast.producer))
        .await;
    assert_eq!(stored.json["description"], "新开的高山茶园");
    assert_eq!(stored.json["status"], "submitted");

    // Returned for correction: the resubmission keeps the correction typed with it.
    app.action(&cast.reviewer, &id, "accept", json!({})).await;
    let returned = app
        .action(
            &cast.reviewer,
            &id,
            "return",
            json!({"comment": "请补充面积"}),
        )
        .await;
    assert_eq!(returned.status, StatusCode::OK, "{}", returned.text);
    let shown = producer.get(&page).await;
    let version = version_of(&shown);
    let mut fields = vec![("csrf", shown.csrf())];
    for (name, value) in application_fields(
        &version,
        &[
            ("production_address", "英红镇新茶园8号"),
            ("description", "新开的高山茶园"),
            ("area_mu", "130"),
        ],
    ) {
        fields.push((name, value.to_owned()));
    }
    let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let resubmitted = producer
        .post(&format!("{page}/actions/resubmit"), &fields)
        .await;
    assert_eq!(
        resubmitted.status,
        StatusCode::SEE_OTHER,
        "{}",
        resubmitted.html
    );
    let stored = app
        .get(&format!("/api/v1/applications/{id}"), Some(&cast.producer))
        .await;
    assert_eq!(stored.json["area_mu"], 130.0);
    assert_eq!(stored.json["status"], "under_review");
}

#[tokio::test]
async fn a_page_session_ends_after_an_hour_of_inactivity_and_sign_in_leads_back() {
    let app = spawn_app().await;
    let _cast = Cast::assemble(&app).await;
    let start = Utc::now();
    app.clock.set(start);
    let mut producer = PageClient::new(&app);
    producer.sign_in("hongqi").await;

    // Busy for two hours, never an hour idle: still signed in.
    for minutes in [50, 100, 150] {
        app.clock.set(start + Duration::minutes(minutes));
        let page = producer.get("/applications").await;
        assert_eq!(page.status, StatusCode::OK, "after {minutes} minutes");
    }
    // An hour without a request ends it: the sign-in page says why and leads back.
    app.clock.set(start + Duration::minutes(150 + 61));
    let expired = producer.get("/applications?page=1").await;
    assert_eq!(expired.status, StatusCode::SEE_OTHER);
    assert_eq!(
        expired.location,
        "/login?next=%2Fapplications%3Fpage%3D1&notice=expired"
    );
    let login = producer.get(&expired.location).await;
    assert!(login.html.contains("登录已超时，请重新登录"));
    assert!(login
        .html
        .contains("name=\"next\" value=\"/applications?page=1\""));
    let fields = [
        ("username", "hongqi"),
        ("password", crate::helpers::PASSWORD),
        ("next", "/applications?page=1"),
    ];
    let again = producer.submit(&expired.location, "/login", &fields).await;
    assert_eq!(again.location, "/applications?page=1");

    // A form sent after the session timed out leads to sign-in, then back to that form's page.
    let form = producer.get("/password").await;
    assert_eq!(form.status, StatusCode::OK);
    app.clock.set(start + Duration::minutes(150 + 61 + 61));
    let csrf = form.csrf();
    let posted = producer
        .post(
            "/password",
            &[("csrf", csrf.as_str()), ("current_password", "x")],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER);
    assert_eq!(posted.location, "/login?next=%2Fpassword&notice=expired");
}

/// The id of a right granted now to the producer for Yingde black tea.
async fn granted_right(app: &TestApp, cast: &Cast) -> String {
    let granted = app
        .grant(cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    granted["authorization_id"]
        .as_str()
        .expect("right")
        .to_owned()
}

/// The hidden fields of a page, as a browser would send them (entities undone).
fn hidden_fields(page: &Page) -> Vec<(String, String)> {
    let marker = "<input type=\"hidden\" name=\"";
    let unescape = |text: &str| {
        text.replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    };
    let mut fields = Vec::new();
    let mut rest = page.html.as_str();
    while let Some(at) = rest.find(marker) {
        rest = &rest[at + marker.len()..];
        let (name, after) = rest.split_once('"').expect("a name");
        let value = after
            .strip_prefix(" value=\"")
            .and_then(|v| v.split_once('"'))
            .map_or("", |(value, _)| value);
        fields.push((unescape(name), unescape(value)));
    }
    fields
}

#[tokio::test]
async fn a_form_sent_after_the_session_timed_out_comes_back_filled_in_after_signing_in_unsaved() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let id = bare_draft(&app, &cast.producer).await;
    let start = Utc::now();
    app.clock.set(start);
    let mut producer = PageClient::new(&app);
    producer.sign_in("hongqi").await;
    let page = format!("/applications/{id}");
    let form = producer.get(&page).await;
    let (csrf, version) = (form.csrf(), version_of(&form));
    async fn stored_area_of(app: &TestApp, id: &str, token: &str) -> serde_json::Value {
        let path = format!("/api/v1/applications/{id}");
        app.get(&path, Some(token)).await.json["area_mu"].clone()
    }
    let stored_area = |app| stored_area_of(app, &id, &cast.producer);
    assert_eq!(stored_area(&app).await, 120.5);
    let journal = app.count_rows("journal_events").await;

    // An hour away, then the edit is sent: the answer is the sign-in page, carrying it.
    app.clock.set(start + Duration::minutes(61));
    let description = "高山红茶园 & \"明前\" <新>";
    let mut fields = vec![("csrf", csrf.as_str())];
    fields.extend(application_fields(
        &version,
        &[("area_mu", "130"), ("description", description)],
    ));
    // A form whose token is not the ended session's carries nothing (not from our page).
    let forged_token = "0".repeat(64);
    let mut forged = vec![("csrf", forged_token.as_str())];
    forged.extend(application_fields(&version, &[("area_mu", "1")]));
    let forged = producer.post(&page, &forged).await;
    // (Refused as a forged form, or sent to sign in: which check answers first may vary.)
    assert!(
        [StatusCode::FORBIDDEN, StatusCode::SEE_OTHER].contains(&forged.status),
        "{}",
        forged.status
    );
    assert!(!forged.html.contains("carry."));
    let answer = producer.post(&page, &fields).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.html);
    assert!(answer.html.contains("登录已超时，请重新登录"));
    assert!(answer.html.contains("尚未保存"));
    let hidden = hidden_fields(&answer);
    let value = |name: &str| {
        hidden
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(value("next").as_deref(), Some(page.as_str()));
    assert_eq!(value("resume").as_deref(), Some(page.as_str()));
    assert_eq!(value("carry.area_mu").as_deref(), Some("130"));
    assert_eq!(value("carry.description").as_deref(), Some(description));
    assert_eq!(value("carry.version"), Some(version.clone()));
    // Only what was typed is carried: never a form token.
    assert!(hidden
        .iter()
        .all(|(n, v)| n == "csrf" || (!n.contains("csrf") && *v != csrf)));
    // Nothing of it is stored.
    assert_eq!(stored_area(&app).await, 120.5);
    assert_eq!(app.count_rows("journal_events").await, journal);

    // An upload sent after the timeout: its file cannot be carried, and the page says so.
    let refused = producer
        .upload(
            &format!("{page}/documents"),
            &[("csrf", csrf.as_str()), ("kind", "other")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert!(refused.html.contains("登录已超时，请重新登录"));
    assert!(refused.html.contains("重新选择文件"));

    // Signing in from the page brings the form back with what was typed, still unsaved.
    let back = sign_in_from(&mut producer, &answer).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.html);
    assert!(back.html.contains("name=\"area_mu\""));
    assert!(back.html.contains("value=\"130\""), "{}", back.html);
    assert!(back.html.contains("&quot;明前&quot; &lt;新&gt;"));
    assert!(back.html.contains("尚未保存或提交"));
    assert!(producer.cookies.contains_key("gi_session"));
    assert_eq!(stored_area(&app).await, 120.5, "not applied by itself");
    assert_eq!(app.count_rows("journal_events").await, journal);

    // The producer sends it again from that page: now it is saved.
    let again_csrf = back.csrf();
    let again_version = version_of(&back);
    let mut resent = vec![("csrf", again_csrf.as_str())];
    resent.extend(application_fields(
        &again_version,
        &[("area_mu", "130"), ("description", description)],
    ));
    let saved = producer.post(&page, &resent).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    assert_eq!(stored_area(&app).await, 130.0);
}

#[tokio::test]
async fn actions_are_buttons_a_second_click_shows_the_state_reached_and_private_pages_are_not_kept()
{
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let id = app.complete_draft(&cast.producer).await;
    let mut producer = PageClient::new(&app);
    producer.sign_in("hongqi").await;
    let page = format!("/applications/{id}");
    let shown = producer.get(&page).await;
    assert_eq!(shown.cache_control, "private, no-store");
    // One inline script sends each form once; the policy lets only it run.
    assert!(shown
        .html
        .contains("<script>document.addEventListener('submit'"));

    // Two clicks on 提交申请: the first submits, the second shows what the first did.
    let csrf = shown.csrf();
    let first = producer
        .post(&format!("{page}/actions/submit"), &[("csrf", &csrf)])
        .await;
    let second = producer
        .post(&format!("{page}/actions/submit"), &[("csrf", &csrf)])
        .await;
    assert_eq!(first.location, format!("{page}?notice=submit"));
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.html);
    assert_eq!(second.location, format!("{page}?notice=submit"));
    let after = producer.get(&second.location).await;
    assert!(after.html.contains("data-status=\"submitted\""));
    // The notice says what happens next: the office's deadline for acceptance.
    assert!(
        after.html.contains("已提交，受理期限为 20"),
        "{}",
        after.html
    );

    // The reviewer's actions are buttons (a form folded under a button-like summary).
    let mut reviewer = PageClient::new(&app);
    reviewer.sign_in("li.reviewer").await;
    let review = reviewer.get(&format!("/review/{id}")).await;
    assert!(review
        .html
        .contains("<details class=\"action\" data-action=\"accept\""));
    assert!(review
        .html
        .contains("<details class=\"action danger\" data-action=\"refuse\""));
    let csrf = review.csrf();
    let accept = format!("/review/{id}/actions/accept");
    reviewer.post(&accept, &[("csrf", &csrf)]).await;
    let twice = reviewer.post(&accept, &[("csrf", &csrf)]).await;
    assert_eq!(twice.location, format!("/review/{id}?notice=accept"));

    // After signing out, the private page is gone (and was never to be stored).
    let out = producer.submit(&page, "/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(producer.get(&page).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn public_pages_remember_the_language_and_name_products_and_towns_in_it() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    app.grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let mut visitor = PageClient::new(&app);
    let english = visitor.get("/?lang=en").await;
    assert!(visitor.cookies.get("gi_lang").is_some_and(|v| v == "en"));
    assert!(english.html.contains("<html lang=\"en\""));
    let later = visitor.get("/?q=91441881MA4WTEA03K").await;
    assert!(
        later.html.contains("<html lang=\"en\""),
        "remembered without ?lang"
    );
    assert!(later.html.contains("Yingde Black Tea"), "{}", later.html);
    assert!(later.html.contains("Yinghong"));
    assert!(later.html.contains("1 enterprise"));
    let verify = visitor.get("/verify/91441881MA4WTEA03K").await;
    assert!(verify.html.contains("<html lang=\"en\""));
    assert!(verify.html.contains("Yingde Black Tea"));
    let guide = visitor.get("/guide").await;
    assert!(guide.html.contains("<html lang=\"en\""));
    // Back to Chinese is a choice too, and is remembered.
    assert!(later.html.contains("lang=zh"));
    visitor.get("/?lang=zh").await;
    let chinese = visitor.get("/?q=91441881MA4WTEA03K").await;
    assert!(chinese.html.contains("<html lang=\"zh\""));
    assert!(chinese.html.contains("共 1 家企业"));
}

#[tokio::test]
async fn exports_and_pages_show_beijing_time_and_labels_and_dates_default_to_beijing_today() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    // 20:30 UTC on 1 December is 04:30 on 2 December in Beijing.
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 12, 1, 20, 30, 0)
            .single()
            .expect("a time"),
    );
    let id = app.recommended_application(&cast, &cast.reviewer).await;
    let mut approver = PageClient::new(&app);
    approver.sign_in("wang.approver").await;
    let page = approver.get(&format!("/review/{id}")).await;
    assert!(
        page.html
            .contains("inputmode=\"numeric\" value=\"2026-12-02\""),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("2026-12-02 04:30"),
        "history in Beijing time"
    );
    let csrf = page.csrf();
    let approved = approver
        .post(
            &format!("/review/{id}/actions/approve"),
            &[
                ("csrf", &csrf),
                ("announcement_no", "英市监公告〔2026〕9号"),
                ("announcement_date", "2026-12-02"),
            ],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.html);
    let export = approver.get("/review/exports/authorizations.csv").await;
    let lines: Vec<&str> = export.html.lines().collect();
    assert!(lines[0].contains("授权时间(北京时间)"));
    assert!(lines[1].contains(",有效,"), "{}", lines[1]);
    assert!(lines[1].contains("地理标志保护产品"));
    assert!(lines[1].contains("2026-12-02 04:30"));
}

#[tokio::test]
async fn suspending_a_right_twice_shows_it_suspended_rather_than_an_error() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let right = granted_right(&app, &cast).await;
    let page = format!("/review/authorizations/{right}");
    let mut reviewer = PageClient::new(&app);
    reviewer.sign_in("li.reviewer").await;
    let shown = reviewer.get(&page).await;
    assert!(shown
        .html
        .contains("<details class=\"action danger\" data-action=\"suspend\""));
    let csrf = shown.csrf();
    let fields = [
        ("csrf", csrf.as_str()),
        ("reason", "抽检不合格，整改期间暂停"),
    ];
    let first = reviewer
        .post(&format!("{page}/actions/suspend"), &fields)
        .await;
    let second = reviewer
        .post(&format!("{page}/actions/suspend"), &fields)
        .await;
    assert_eq!(first.location, format!("{page}?notice=suspend"));
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.html);
    assert_eq!(second.location, first.location);
    let after = reviewer.get(&second.location).await;
    assert!(after.html.contains("data-right-status=\"suspended\""));
}

#[tokio::test]
async fn a_usage_report_sent_twice_is_filed_once_and_shown_filed_but_a_different_one_is_refused() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let at = |y, m, d| {
        Utc.with_ymd_and_hms(y, m, d, 9, 0, 0)
            .single()
            .expect("a date")
    };
    app.clock.set(at(2024, 6, 1));
    let right = granted_right(&app, &cast).await;
    app.clock.set(at(2026, 2, 10));
    let mut producer = PageClient::new(&app);
    producer.sign_in("hongqi").await;
    let page = producer.get("/authorizations").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.csrf();
    let path = format!("/authorizations/{right}/usage-reports");
    let report = |marks: &'static str| {
        vec![
            ("year", "2025"),
            ("marks_used", marks),
            ("output_kg", "1200"),
            ("sales_cny", "360000"),
            ("note", "正常生产"),
        ]
    };
    let with_token = |mut fields: Vec<(&'static str, &'static str)>, csrf: &str| {
        let mut all = vec![("csrf".to_owned(), csrf.to_owned())];
        all.extend(fields.drain(..).map(|(n, v)| (n.to_owned(), v.to_owned())));
        all
    };
    let same = with_token(report("40000"), &csrf);
    let same: Vec<(&str, &str)> = same.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();

    // A double click: the first files it, the second shows it filed, without an error.
    let first = producer.post(&path, &same).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.html);
    assert_eq!(first.location, "/authorizations?notice=filed");
    let second = producer.post(&path, &same).await;
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.html);
    assert_eq!(
        second.location,
        "/authorizations?notice=already_filed&year=2025"
    );
    let shown = producer.get(&second.location).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown
            .html
            .contains("2025 年度的使用报告已经提交，无需再次提交"),
        "{}",
        shown.html
    );
    assert!(shown.html.contains("<td>2025</td><td>40000</td>"));
    let listed = app
        .get(
            &format!("/api/v1/authorizations/{right}/usage-reports"),
            Some(&cast.producer),
        )
        .await;
    assert_eq!(listed.json.as_array().map(Vec::len), Some(1), "filed once");

    // A different report for the year already reported: refused beside the year.
    let other = with_token(report("1"), &csrf);
    let other: Vec<(&str, &str)> = other
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let refused = producer.post(&path, &other).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.html);
    assert!(
        refused.html.contains("id=\"f-year-error\""),
        "{}",
        refused.html
    );
    assert!(refused.html.contains("2025年度的报告已提交"));
    assert!(refused.html.contains("href=\"#f-year\""), "in the summary");
    assert!(
        refused.html.contains("value=\"1\""),
        "what was typed is kept"
    );

    // The API's contract is unchanged: a year already reported is a 409.
    let body = json!({"year": 2025, "marks_used": 40000, "output_kg": 1200, "sales_cny": 360000, "note": "正常生产"});
    app.post(
        &format!("/api/v1/authorizations/{right}/usage-reports"),
        Some(&cast.producer),
        &body,
    )
    .await
    .assert_problem(409);
}

/// Signs in from a sign-in page that carries a timed-out form, as the browser would send it.
async fn sign_in_from(producer: &mut PageClient<'_>, page: &Page) -> Page {
    sign_in_carrying(producer, hidden_fields(page)).await
}

/// Signs in as the producer with these hidden fields.
async fn sign_in_carrying(
    producer: &mut PageClient<'_>,
    mut fields: Vec<(String, String)>,
) -> Page {
    fields.push(("username".into(), "hongqi".into()));
    fields.push(("password".into(), crate::helpers::PASSWORD.into()));
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    producer.post("/login", &fields).await
}

#[tokio::test]
async fn a_usage_report_or_a_change_request_sent_after_the_timeout_comes_back_unsent() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let start = Utc
        .with_ymd_and_hms(2026, 2, 10, 9, 0, 0)
        .single()
        .expect("a date");
    app.clock.set(start - Duration::days(600));
    let right = granted_right(&app, &cast).await;
    app.clock.set(start);
    let mut producer = PageClient::new(&app);
    producer.sign_in("hongqi").await;
    let csrf = producer.get("/authorizations").await.csrf();
    let journal = app.count_rows("journal_events").await;

    app.clock.set(start + Duration::minutes(61));
    let report = [
        ("csrf", csrf.as_str()),
        ("year", "2025"),
        ("marks_used", "40000"),
        ("output_kg", "1200"),
        ("sales_cny", "360000"),
    ];
    let path = format!("/authorizations/{right}/usage-reports");
    let answer = producer.post(&path, &report).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.html);
    let back = sign_in_from(&mut producer, &answer).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.html);
    assert!(back.html.contains("name=\"marks_used\""));
    assert!(back.html.contains("value=\"40000\""), "{}", back.html);
    assert!(back.html.contains("尚未保存或提交"));
    assert_eq!(
        app.count_rows("usage_reports").await,
        0,
        "not filed by itself"
    );

    let csrf = producer.get("/enterprise-changes").await.csrf();
    app.clock.set(start + Duration::minutes(2 * 61));
    let change = [
        ("csrf", csrf.as_str()),
        ("name", "英德市积庆里红茶有限公司"),
        ("address", ""),
        ("legal_representative", ""),
        ("reason", "已换发新营业执照"),
    ];
    let answer = producer.post("/enterprise-changes", &change).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{}", answer.html);
    let back = sign_in_from(&mut producer, &answer).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.html);
    assert!(back.html.contains("value=\"英德市积庆里红茶有限公司\""));
    assert!(back.html.contains("已换发新营业执照"));
    assert_eq!(
        app.count_rows("journal_events").await,
        journal,
        "nothing stored"
    );

    // A carried form whose page cannot be drawn (no such application): the sign-in still
    // works and leads to the page as any other sign-in does.
    let csrf = back.csrf();
    app.clock.set(start + Duration::minutes(3 * 61));
    let answer = producer
        .post(
            "/enterprise-changes",
            &[("csrf", csrf.as_str()), ("reason", "x")],
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let fields: Vec<(String, String)> = hidden_fields(&answer)
        .into_iter()
        .map(|(n, v)| match n.as_str() {
            "resume" => (n, "/applications/no-such-application".to_owned()),
            _ => (n, v),
        })
        .collect();
    let old_session = producer.cookies.get("gi_session").cloned();
    let signed_in = sign_in_carrying(&mut producer, fields).await;
    assert_eq!(
        signed_in.status,
        StatusCode::SEE_OTHER,
        "{}",
        signed_in.html
    );
    assert_eq!(signed_in.location, "/enterprise-changes");
    assert_ne!(
        producer.cookies.get("gi_session").cloned(),
        old_session,
        "a new session"
    );
}
