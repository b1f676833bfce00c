//! Issue 14: the office's details (admin settings, journalled) in every page's footer, and the
//! service guide (办事指南) with the time limits from the settings.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{spawn_app, Cast, TestApp};

async fn page(app: &TestApp, path: &str, token: Option<&str>) -> (u16, String) {
    let mut request = app.client.get(app.url(path)).header("Accept", "text/html");
    if let Some(token) = token {
        request = request.header("Cookie", format!("gi_session={token}"));
    }
    let response = request.send().await.expect("page");
    let status = response.status().as_u16();
    (status, response.text().await.expect("html"))
}

fn office_body() -> serde_json::Value {
    json!({
        "name": "英德市市场监督管理局知识产权股",
        "address": "英德市英城街道和平中路1号",
        "phone": "0763-2345678",
        "hours": "周一至周五 8:30–17:30",
        "email": "zscq@example.gov.cn",
        "complaint_phone": "12315"
    })
}

async fn journalled_office_changes(app: &TestApp) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    app.state
        .run(|conn| {
            let rows: Vec<Count> = diesel::RunQueryDsl::load(
                diesel::sql_query(
                    "SELECT COUNT(*) AS n FROM journal_events
                     WHERE entity_type = 'setting' AND entity_id = 'office' AND action = 'set_office'",
                ),
                conn,
            )?;
            Ok(rows[0].n)
        })
        .await
        .expect("count")
}

#[tokio::test]
async fn an_admin_sets_the_office_and_every_page_footer_shows_it() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;

    let defaults = app.get("/api/v1/public/office", None).await;
    assert_eq!(defaults.status, 200, "{}", defaults.text);
    assert_eq!(defaults.json["name"], "英德市市场监督管理局");
    assert_eq!(defaults.json["complaint_phone"], "12315");
    let (_, home) = page(&app, "/", None).await;
    assert!(
        home.contains("data-testid=\"complaint-phone\">12315<"),
        "{home}"
    );

    let put = |token: Option<String>, body: serde_json::Value| {
        let app = &app;
        async move {
            app.request(
                Method::PUT,
                "/api/v1/admin/office",
                token.as_deref(),
                Some(&body),
            )
            .await
        }
    };
    put(None, office_body()).await.assert_problem(401);
    put(Some(cast.reviewer.clone()), office_body())
        .await
        .assert_problem(403);
    let mut bad = office_body();
    bad["email"] = json!("not an address");
    bad["name"] = json!("");
    let refused = put(Some(cast.admin.clone()), bad).await;
    refused.assert_problem(422);
    assert_eq!(refused.error_fields(), ["email", "name"]);
    assert_eq!(journalled_office_changes(&app).await, 0);

    let set = put(Some(cast.admin.clone()), office_body()).await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.json["phone"], "0763-2345678");
    assert_eq!(journalled_office_changes(&app).await, 1);
    let read = app.get("/api/v1/public/office", None).await;
    assert_eq!(read.json, office_body());

    // Public pages, signed-in pages and error pages alike.
    for (path, token) in [
        ("/", None),
        ("/guide", None),
        ("/applications", Some(cast.producer.as_str())),
        ("/review", Some(cast.reviewer.as_str())),
        ("/no-such-page", None),
    ] {
        let (_, html) = page(&app, path, token).await;
        let footer = html.split("<footer").nth(1).unwrap_or_default();
        for shown in [
            "英德市英城街道和平中路1号",
            "0763-2345678",
            "zscq@example.gov.cn",
            "href=\"/guide\"",
        ] {
            assert!(footer.contains(shown), "{path}: {shown} not in {footer}");
        }
    }
}

#[tokio::test]
async fn the_guide_states_who_may_apply_the_materials_time_limits_fees_and_legal_basis() {
    let app = spawn_app().await;
    // The time limits come from the settings.
    app.state
        .run(|conn| {
            use diesel::connection::SimpleConnection;
            gi_registry::db::write_transaction(conn, |conn| {
                conn.batch_execute(
                    "UPDATE settings SET value = '15' WHERE key = 'review_due_working_days';
                     UPDATE settings SET value = '04-30' WHERE key = 'usage_report_due_month_day';",
                )
            })?;
            Ok(())
        })
        .await
        .expect("settings");

    let (status, html) = page(&app, "/guide", None).await;
    assert_eq!(status, 200);
    for basis in ["gi_product", "certification_mark", "collective_mark"] {
        assert!(html.contains(&format!("data-basis=\"{basis}\"")), "{basis}");
        assert!(
            html.contains(&format!("data-materials=\"{basis}\"")),
            "{basis}"
        );
    }
    let trademark = html
        .split("data-materials=\"certification_mark\"")
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .expect("the certification mark's materials");
    assert!(trademark.contains("商标使用许可合同"), "{trademark}");
    let gi = html
        .split("data-materials=\"gi_product\"")
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .expect("the GI product's materials");
    assert!(!gi.contains("商标使用许可合同"), "{gi}");
    assert!(gi.contains("检验检测报告"), "{gi}");

    let review = html
        .split("data-testid=\"review-days\"")
        .nth(1)
        .expect("review days");
    assert!(review.starts_with(">审查：15个工作日"), "{review}");
    assert!(html.contains("data-testid=\"acceptance-days\">受理：5个工作日"));
    assert!(html.contains("每年4月30日前报送上一年度使用情况"));
    assert!(html.contains("04-30"));
    assert!(html.contains("不收取任何费用"));
    assert!(html.contains("《地理标志专用标志使用管理办法（试行）》（国家知识产权局，2020年）"));
    assert!(html.contains("《广东省地理标志条例》（2022年）"));
    assert_eq!(html.matches("<ol class=\"steps\"").count(), 1);
    assert!(html.contains("YDSQ"), "the case number is explained");
    assert!(html.contains("id=\"office\""));

    let (_, english) = page(&app, "/guide?lang=en", None).await;
    assert!(english.contains("Free of charge") || english.contains("free of charge"));
    assert!(english.contains("15 working days"));
}

#[tokio::test]
async fn a_producer_is_pointed_to_the_guide_before_starting_an_application() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    for path in ["/applications", "/applications/new"] {
        let (status, html) = page(&app, path, Some(&cast.producer)).await;
        assert_eq!(status, 200, "{path}");
        let main = html.split("<footer").next().unwrap_or_default();
        assert!(
            main.contains("data-testid=\"guide-before-applying\""),
            "{path}: {main}"
        );
    }
}
