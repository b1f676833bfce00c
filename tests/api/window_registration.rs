//! Issue 15: registration at the service window. Reviewers and approvers register an
//! enterprise and its applicant account with a printed one-time password; a credit code that
//! fails its check character needs a reason and a staff role, the reason is kept, shown to
//! staff and journalled; a producer cannot use the exception.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{registration, spawn_app, Cast, TestApp};
use crate::page_client::PageClient;

/// A code of the old kind whose check character does not match (the right one is `R`).
const OLD_CODE: &str = "91441881617654321X";
const GOOD_CODE: &str = "92441881MA4WQ88128";

fn window_body(username: &str, uscc: &str, reason: Option<&str>) -> Value {
    let mut body = registration(username, uscc);
    body.as_object_mut().expect("object").remove("password");
    if let Some(reason) = reason {
        body["uscc_exception_reason"] = json!(reason);
    }
    body
}

/// (actor role, comment) of the registration events of enterprise `id`.
async fn registration_events(app: &TestApp, id: &str) -> Vec<(String, Option<String>)> {
    #[derive(diesel::QueryableByName)]
    struct Event {
        #[diesel(sql_type = diesel::sql_types::Text)]
        actor_role: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        comment: Option<String>,
    }
    let id = id.to_owned();
    app.state
        .run(move |conn| {
            let rows: Vec<Event> = diesel::RunQueryDsl::load(
                diesel::sql_query(format!(
                    "SELECT actor_role, comment FROM journal_events \
                     WHERE entity_type = 'enterprise' AND action = 'register' AND entity_id = '{id}'"
                )),
                conn,
            )?;
            Ok(rows.into_iter().map(|e| (e.actor_role, e.comment)).collect())
        })
        .await
        .expect("events")
}

const OWN_PASSWORD: &str = "my-own-tea-password-2026";

/// Signs in with the printed password, sets `OWN_PASSWORD`, and signs in with it.
async fn own_password(app: &TestApp, username: &str, printed: &str) -> String {
    let first = app.token_for(username, printed).await;
    let changed = app
        .post(
            "/api/v1/auth/password",
            Some(&first),
            &json!({"current_password": printed, "new_password": OWN_PASSWORD}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.text);
    app.token_for(username, OWN_PASSWORD).await
}

#[tokio::test]
async fn staff_register_at_the_window_and_only_they_may_accept_a_bad_check_digit_with_a_reason() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;

    // A code that passes: the account works with the printed password.
    let done = app
        .post(
            "/api/v1/enterprises",
            Some(&cast.reviewer),
            &window_body("window.tea", GOOD_CODE, None),
        )
        .await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.text);
    let password = done.json["one_time_password"].as_str().expect("password");
    assert_eq!(password.chars().count(), 12);
    assert_eq!(done.json["user"]["role"], "applicant");
    assert!(done.json["enterprise"]["uscc_exception_reason"].is_null());
    let token = app.token_for("window.tea", password).await;
    let me = app
        .expect_ok(app.get("/api/v1/me", Some(&token)).await)
        .json;
    assert_eq!(me["enterprise"]["uscc"], GOOD_CODE);
    let enterprise_id = me["enterprise"]["id"].as_str().expect("id").to_owned();
    assert_eq!(
        registration_events(&app, &enterprise_id).await,
        vec![("reviewer".to_owned(), None)],
        "journalled as the reviewer's"
    );

    // A bad check character without a reason: refused, and told what is missing.
    let refused = app
        .post(
            "/api/v1/enterprises",
            Some(&cast.approver),
            &window_body("old.tea", OLD_CODE, None),
        )
        .await;
    refused.assert_problem(422);
    let fields = refused.error_fields();
    assert!(fields.contains(&"enterprise.uscc".to_owned()), "{fields:?}");
    assert!(
        fields.contains(&"uscc_exception_reason".to_owned()),
        "{fields:?}"
    );

    // With the reason: accepted, kept, journalled, shown to staff.
    let reason = "2014年核发的营业执照原件已核对，代码真实有效";
    let accepted = app
        .post(
            "/api/v1/enterprises",
            Some(&cast.approver),
            &window_body("old.tea", OLD_CODE, Some(reason)),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.text);
    assert_eq!(accepted.json["enterprise"]["uscc"], OLD_CODE);
    assert_eq!(accepted.json["enterprise"]["uscc_exception_reason"], reason);
    let old_id = accepted.json["enterprise"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        registration_events(&app, &old_id).await,
        vec![("approver".to_owned(), Some(reason.to_owned()))]
    );
    let old_token = own_password(
        &app,
        "old.tea",
        accepted.json["one_time_password"].as_str().expect("pw"),
    )
    .await;
    let draft = app.complete_draft(&old_token).await;
    let seen = app
        .expect_ok(
            app.get(
                &format!("/api/v1/applications/{draft}"),
                Some(&cast.reviewer),
            )
            .await,
        )
        .json;
    assert_eq!(
        seen["reviewer_context"]["applicant"]["uscc_exception_reason"],
        reason
    );

    // Nobody else may: a producer, an admin; and a producer registering itself cannot.
    for token in [&cast.producer, &cast.admin] {
        app.post(
            "/api/v1/enterprises",
            Some(token),
            &window_body(
                "sneaky.tea",
                OLD_CODE.replace('1', "2").as_str(),
                Some(reason),
            ),
        )
        .await
        .assert_problem(403);
    }
    let mut itself = registration("self.tea", "91441881617654322X");
    itself["uscc_exception_reason"] = json!(reason);
    let self_registered = app.post("/api/v1/auth/register", None, &itself).await;
    self_registered.assert_problem(422);
    assert!(self_registered
        .error_fields()
        .contains(&"enterprise.uscc".to_owned()));
}

#[tokio::test]
async fn the_window_page_registers_and_prints_the_one_time_password() {
    let app = spawn_app().await;
    let _cast = Cast::assemble(&app).await;
    let mut reviewer = PageClient::new(&app);
    reviewer.sign_in("li.reviewer").await;
    let queue = reviewer.get("/review").await;
    assert!(
        queue.html.contains("/review/enterprises/new"),
        "linked from the queue"
    );

    let fields = [
        ("username", "counter.tea"),
        ("enterprise.uscc", OLD_CODE),
        ("enterprise.name", "英德市老字号茶厂"),
        ("enterprise.legal_representative", "黄立"),
        ("enterprise.address", "英德市黄花镇积庆里"),
        ("enterprise.town", "huanghua"),
        ("enterprise.contact_name", "黄立"),
        ("enterprise.contact_phone", "0763-5555666"),
        ("enterprise.email", "old@example.cn"),
    ];
    let without_reason = reviewer
        .submit(
            "/review/enterprises/new",
            "/review/enterprises/new",
            &fields,
        )
        .await;
    assert_eq!(without_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        without_reason.html.contains("英德市老字号茶厂"),
        "what was typed is kept"
    );
    assert!(without_reason.html.contains("f-uscc_exception_reason"));

    let mut with_reason = fields.to_vec();
    with_reason.push(("uscc_exception_reason", "营业执照原件已核对（2013年核发）"));
    let done = reviewer
        .submit(
            "/review/enterprises/new",
            "/review/enterprises/new",
            &with_reason,
        )
        .await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.html);
    let marker = "data-testid=\"one-time-password\">";
    let start = done.html.find(marker).expect("the password is shown") + marker.len();
    let password = &done.html[start..start + 12];
    assert!(done.html.contains("营业执照原件已核对（2013年核发）"));
    let token = app.token_for("counter.tea", password).await;
    assert!(!token.is_empty());

    // A producer may not open the page.
    let mut producer = PageClient::new(&app);
    producer.sign_in("hongqi").await;
    assert_eq!(
        producer.get("/review/enterprises/new").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_printed_password_must_be_changed_before_anything_else() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let done = app
        .post(
            "/api/v1/enterprises",
            Some(&cast.reviewer),
            &window_body("window.tea", GOOD_CODE, None),
        )
        .await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.text);
    assert_eq!(done.json["user"]["must_change_password"], true);
    let printed = done.json["one_time_password"]
        .as_str()
        .expect("password")
        .to_owned();

    // Signed in with it: who am I answers, and says so; anything else is 403 naming the way.
    let token = app.token_for("window.tea", &printed).await;
    let me = app
        .expect_ok(app.get("/api/v1/me", Some(&token)).await)
        .json;
    assert_eq!(me["user"]["must_change_password"], true);
    for refused in [
        app.get("/api/v1/applications", Some(&token)).await,
        app.post(
            "/api/v1/applications",
            Some(&token),
            &crate::helpers::draft_body("yingde-black-tea", "gi_product", "英红镇"),
        )
        .await,
        app.get("/api/v1/notifications", Some(&token)).await,
    ] {
        refused.assert_problem(403);
        assert_eq!(refused.json["type"], "/problems/password-change-required");
        let detail = refused.json["detail"].as_str().expect("detail");
        assert!(detail.contains("POST /api/v1/auth/password"), "{detail}");
    }
    assert_eq!(app.count_rows("applications").await, 0);
    // Accounts that chose their own password are not held.
    app.expect_ok(app.get("/api/v1/applications", Some(&cast.producer)).await);
    let staff = app
        .expect_ok(app.get("/api/v1/me", Some(&cast.reviewer)).await)
        .json;
    assert_eq!(staff["user"]["must_change_password"], false);

    // The change itself is refused for the same reasons as anyone's (the printed one again).
    app.post(
        "/api/v1/auth/password",
        Some(&token),
        &json!({"current_password": printed, "new_password": printed}),
    )
    .await
    .assert_problem(422);
    let changed = app
        .post(
            "/api/v1/auth/password",
            Some(&token),
            &json!({"current_password": printed, "new_password": OWN_PASSWORD}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.text);
    app.get("/api/v1/me", Some(&token))
        .await
        .assert_problem(401);
    let own = app.token_for("window.tea", OWN_PASSWORD).await;
    let me = app.expect_ok(app.get("/api/v1/me", Some(&own)).await).json;
    assert_eq!(me["user"]["must_change_password"], false);
    let created = app
        .post(
            "/api/v1/applications",
            Some(&own),
            &crate::helpers::draft_body("yingde-black-tea", "gi_product", "英红镇"),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
}

#[tokio::test]
async fn the_pages_send_a_printed_password_to_the_change_password_page_until_it_is_changed() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let done = app
        .post(
            "/api/v1/enterprises",
            Some(&cast.reviewer),
            &window_body("window.tea", GOOD_CODE, None),
        )
        .await;
    let printed = done.json["one_time_password"]
        .as_str()
        .expect("password")
        .to_owned();
    let mut producer = PageClient::new(&app);
    let signed_in = producer
        .submit(
            "/login",
            "/login",
            &[("username", "window.tea"), ("password", printed.as_str())],
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    for page in [
        "/applications",
        "/authorizations",
        "/enterprise-changes",
        "/inbox",
    ] {
        let sent = producer.get(page).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER, "{page}");
        assert_eq!(sent.location, "/password?notice=required", "{page}");
    }
    let form = producer.get("/password?notice=required").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form
        .html
        .contains("data-testid=\"password-change-required\""));
    let changed = producer
        .submit(
            "/password",
            "/password",
            &[
                ("current_password", printed.as_str()),
                ("new_password", OWN_PASSWORD),
                ("password_confirmation", OWN_PASSWORD),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.html);
    let again = producer
        .submit(
            "/login",
            "/login",
            &[("username", "window.tea"), ("password", OWN_PASSWORD)],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let applications = producer.get("/applications").await;
    assert_eq!(applications.status, StatusCode::OK);
    let password_page = producer.get("/password").await;
    assert!(!password_page.html.contains("password-change-required"));
}
