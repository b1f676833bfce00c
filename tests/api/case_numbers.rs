//! Issue 14: case numbers given at submission and the working-day deadline of the step each
//! application waits in (acceptance, review, approval), with the injected clock; the queue
//! sorts by that deadline and flags every waiting state past it.

use chrono::{TimeZone, Utc};
use reqwest::Method;
use serde_json::json;

use crate::helpers::{spawn_app, Cast, TestApp, PDF};

fn at(y: i32, m: u32, d: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 2, 0, 0)
        .single()
        .expect("date")
}

async fn holiday_on_1_december(app: &TestApp, cast: &Cast) {
    let holidays = json!({"holidays": [{"day": "2026-12-01", "name": "测试假日"}]});
    let set = app
        .request(
            Method::PUT,
            "/api/v1/admin/holidays",
            Some(&cast.admin),
            Some(&holidays),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.text);
}

#[tokio::test]
async fn a_case_number_is_given_at_submission_and_each_step_has_its_working_day_deadline() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    holiday_on_1_december(&app, &cast).await;
    app.clock.set(at(2026, 11, 27)); // a Friday

    let id = app.complete_draft(&cast.producer).await;
    let draft = app
        .get(&format!("/api/v1/applications/{id}"), Some(&cast.producer))
        .await;
    assert!(draft.json["application_no"].is_null(), "{}", draft.text);
    assert!(draft.json["current_step_due"].is_null());

    let submitted = app
        .expect_ok(app.action(&cast.producer, &id, "submit", json!({})).await)
        .json;
    assert_eq!(submitted["application_no"], "YDSQ-2026-000001");
    assert_eq!(submitted["current_step"], "acceptance");
    // Five working days: Mon 30 Nov, (1 Dec a holiday), 2, 3, 4, 7 December.
    assert_eq!(submitted["current_step_due"], "2026-12-07");
    assert_eq!(submitted["overdue"], false);

    let other = app.complete_draft(&cast.other_producer).await;
    let second = app
        .expect_ok(
            app.action(&cast.other_producer, &other, "submit", json!({}))
                .await,
        )
        .json;
    assert_eq!(second["application_no"], "YDSQ-2026-000002");

    // Accepted on Monday 30 November: ten working days, skipping 1 December.
    app.clock.set(at(2026, 11, 30));
    let accepted = app
        .expect_ok(app.action(&cast.reviewer, &id, "accept", json!({})).await)
        .json;
    assert_eq!(accepted["current_step"], "review");
    assert_eq!(accepted["current_step_due"], "2026-12-15");
    assert_eq!(accepted["application_no"], "YDSQ-2026-000001", "kept");

    // Returned: the producer's step, no office deadline.
    let returned = app
        .expect_ok(
            app.action(
                &cast.reviewer,
                &id,
                "return",
                json!({"comment": "请补充检测报告"}),
            )
            .await,
        )
        .json;
    assert_eq!(returned["current_step"], "correction");
    assert!(returned["current_step_due"].is_null());

    // Resubmitted on Monday 7 December: the review's ten working days run again.
    app.clock.set(at(2026, 12, 7));
    let resubmitted = app
        .expect_ok(app.action(&cast.producer, &id, "resubmit", json!({})).await)
        .json;
    assert_eq!(resubmitted["current_step_due"], "2026-12-21");

    let report = app
        .upload(
            &cast.reviewer,
            &id,
            "origin_verification_report",
            "核验.pdf",
            PDF,
        )
        .await;
    assert_eq!(report.status, 201, "{}", report.text);
    let recommended = app
        .expect_ok(
            app.action(&cast.reviewer, &id, "recommend", json!({"comment": "符合"}))
                .await,
        )
        .json;
    assert_eq!(recommended["current_step"], "approval");
    assert_eq!(recommended["current_step_due"], "2026-12-21");

    let approved = app
        .expect_ok(
            app.action(
                &cast.approver,
                &id,
                "approve",
                json!({"announcement_no": "英市监公告〔2026〕9号", "announcement_date": "2026-12-08"}),
            )
            .await,
        )
        .json;
    assert!(approved["current_step"].is_null());
    assert!(approved["current_step_due"].is_null());
    assert_eq!(approved["application_no"], "YDSQ-2026-000001");

    // The submission's journal event carries the number; the producer's list shows it.
    let history = approved["history"].as_array().expect("history");
    let submit = history
        .iter()
        .find(|e| e["action"] == "submit")
        .expect("submit event");
    assert_eq!(submit["to_status"], "submitted");
    let mine = app.get("/api/v1/applications", Some(&cast.producer)).await;
    assert_eq!(mine.json["items"][0]["application_no"], "YDSQ-2026-000001");

    // A new year starts its own sequence.
    app.clock.set(at(2027, 1, 4));
    let next_year = app.complete_draft(&cast.producer).await;
    let numbered = app
        .expect_ok(
            app.action(&cast.producer, &next_year, "submit", json!({}))
                .await,
        )
        .json;
    assert_eq!(numbered["application_no"], "YDSQ-2027-000001");
}

#[tokio::test]
async fn the_queue_sorts_by_the_current_steps_deadline_and_flags_an_overdue_submission() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    app.clock.set(at(2026, 11, 27));
    // Accepted at once: review due 11 December.
    let reviewed = app.complete_draft(&cast.producer).await;
    app.expect_ok(
        app.action(&cast.producer, &reviewed, "submit", json!({}))
            .await,
    );
    app.expect_ok(
        app.action(&cast.reviewer, &reviewed, "accept", json!({}))
            .await,
    );
    // Submitted the same day and left: acceptance due 4 December.
    let waiting = app.complete_draft(&cast.other_producer).await;
    app.expect_ok(
        app.action(&cast.other_producer, &waiting, "submit", json!({}))
            .await,
    );

    app.clock.set(at(2026, 12, 7));
    let queue = app
        .get("/api/v1/applications?sort=urgency", Some(&cast.reviewer))
        .await;
    assert_eq!(queue.status, 200, "{}", queue.text);
    let items = queue.json["items"].as_array().expect("items");
    assert_eq!(items[0]["id"], waiting.as_str(), "earliest deadline first");
    assert_eq!(items[0]["status"], "submitted");
    assert_eq!(items[0]["current_step_due"], "2026-12-04");
    assert_eq!(items[0]["overdue"], true, "a submission nobody accepted");
    assert_eq!(items[1]["id"], reviewed.as_str());
    assert_eq!(items[1]["overdue"], false);

    let stats = app.get("/api/v1/stats/review", Some(&cast.reviewer)).await;
    assert_eq!(stats.json["overdue_waiting"], 1, "{}", stats.text);
    assert_eq!(stats.json["overdue_reviews"], 0);

    // The queue page shows the number and flags the overdue submission.
    let page = app
        .client
        .get(app.url("/review"))
        .header("Cookie", format!("gi_session={}", cast.reviewer))
        .send()
        .await
        .expect("page");
    let html = page.text().await.expect("html");
    let row = html
        .split("<tr ")
        .find(|row| row.contains(waiting.as_str()))
        .expect("the waiting application's row");
    assert!(row.contains("YDSQ-2026-000002"), "{row}");
    assert!(row.contains("data-overdue=\"true\""), "{row}");
}

#[tokio::test]
async fn applications_submitted_before_case_numbers_get_theirs_at_start() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    app.clock.set(at(2026, 11, 27));
    let first = app.complete_draft(&cast.producer).await;
    let second = app.complete_draft(&cast.other_producer).await;
    app.expect_ok(
        app.action(&cast.producer, &first, "submit", json!({}))
            .await,
    );
    app.expect_ok(
        app.action(&cast.other_producer, &second, "submit", json!({}))
            .await,
    );
    // As an older version left them: no number, no deadline, no counter.
    app.state
        .run(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute(
                "UPDATE applications SET application_no = NULL, current_step_due = NULL;
                 DELETE FROM application_counters;",
            )?;
            Ok(())
        })
        .await
        .expect("cleared");

    let completed = app
        .state
        .run(gi_registry::service::review::backfill_case_facts)
        .await
        .expect("backfill");
    assert_eq!(completed, 4, "two numbers and two deadlines");
    let again = app
        .state
        .run(gi_registry::service::review::backfill_case_facts)
        .await
        .expect("backfill");
    assert_eq!(again, 0, "nothing left the second time");

    let view = app
        .get(
            &format!("/api/v1/applications/{first}"),
            Some(&cast.reviewer),
        )
        .await;
    assert_eq!(view.json["application_no"], "YDSQ-2026-000001");
    assert_eq!(view.json["current_step_due"], "2026-12-04");
    let other = app
        .get(
            &format!("/api/v1/applications/{second}"),
            Some(&cast.reviewer),
        )
        .await;
    assert_eq!(other.json["application_no"], "YDSQ-2026-000002");
    // The counter continues after the back-filled numbers.
    let third = app.complete_draft(&cast.producer).await;
    let numbered = app
        .expect_ok(
            app.action(&cast.producer, &third, "submit", json!({}))
                .await,
        )
        .json;
    assert_eq!(numbered["application_no"], "YDSQ-2026-000003");
}
