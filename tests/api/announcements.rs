//! Issue 15: the approval announcements, public: an approval appears in its announcement at
//! once, newest announcement first, with its rights; one announcement as CSV; the page.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Cast};
use crate::page_client::PageClient;

fn registry_nos(announcement: &Value) -> Vec<String> {
    announcement["rights"]
        .as_array()
        .expect("rights")
        .iter()
        .map(|r| r["registry_no"].as_str().expect("no").to_owned())
        .collect()
}

#[tokio::test]
async fn an_approval_appears_in_its_announcement_newest_first_and_as_csv() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let empty = app.get("/api/v1/public/announcements", None).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.json, json!([]));

    // Two rights under 〔2026〕3号 of 3 November (the helper's announcement)...
    let first = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let second = app
        .grant(&cast, &cast.other_producer, "xiniu-bamboo-shoot", "西牛镇")
        .await;
    // ...and one under a later announcement.
    let id = app
        .complete_draft_of(&cast.producer, "xiniu-bamboo-shoot", "西牛镇")
        .await;
    app.take_to_recommended(&cast, &cast.producer, &id, &cast.reviewer)
        .await;
    let third = app
        .expect_ok(
            app.action(
                &cast.approver,
                &id,
                "approve",
                json!({"announcement_no": "英市监公告〔2026〕9号", "announcement_date": "2026-12-01"}),
            )
            .await,
        )
        .json;

    let list = app
        .expect_ok(app.get("/api/v1/public/announcements", None).await)
        .json;
    assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");
    assert_eq!(list[0]["announcement_no"], "英市监公告〔2026〕9号");
    assert_eq!(list[0]["announcement_date"], "2026-12-01");
    assert_eq!(
        registry_nos(&list[0]),
        vec![third["registry_no"].as_str().unwrap()]
    );
    assert_eq!(list[1]["announcement_no"], "英市监公告〔2026〕3号");
    assert_eq!(
        registry_nos(&list[1]),
        vec![
            first["registry_no"].as_str().unwrap(),
            second["registry_no"].as_str().unwrap()
        ]
    );
    let right = &list[1]["rights"][1];
    assert_eq!(right["enterprise_name"], "英德市xiniu-coop茶业有限公司");
    assert_eq!(right["uscc"], "93441881MA52BM702T");
    assert_eq!(right["product_code"], "xiniu-bamboo-shoot");
    assert_eq!(right["status"], "active");

    // One announcement as CSV.
    let csv = app
        .get(
            "/api/v1/public/announcements/%E8%8B%B1%E5%B8%82%E7%9B%91%E5%85%AC%E5%91%8A%E3%80%942026%E3%80%953%E5%8F%B7/rights.csv",
            None,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text);
    assert!(csv.content_type().starts_with("text/csv"));
    assert!(csv.text.starts_with('\u{FEFF}'), "a BOM for spreadsheets");
    let lines: Vec<&str> = csv.text.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 3, "{}", csv.text);
    assert!(lines[1].contains(first["registry_no"].as_str().unwrap()));
    assert!(lines[2].contains("93441881MA52BM702T"));
    app.get("/api/v1/public/announcements/%E6%97%A0/rights.csv", None)
        .await
        .assert_problem(404);

    // The page lists both, newest first, each with its CSV.
    let page = PageClient::new(&app).get("/announcements").await;
    assert_eq!(page.status, StatusCode::OK);
    let later = page
        .html
        .find("英市监公告〔2026〕9号")
        .expect("the later one");
    let earlier = page
        .html
        .find("英市监公告〔2026〕3号")
        .expect("the earlier one");
    assert!(later < earlier, "newest first");
    assert!(page.html.contains("/rights.csv"));
    assert!(page.html.contains(third["registry_no"].as_str().unwrap()));
}

const CHANGE_NO: &str = "英市监公告〔2026〕12号";

#[tokio::test]
async fn an_announced_change_of_a_holder_is_listed_beside_the_rights_granted() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let granted = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let registry_no = granted["registry_no"].as_str().expect("no").to_owned();
    app.grant(&cast, &cast.other_producer, "xiniu-bamboo-shoot", "西牛镇")
        .await;
    let ask = |token: String, body: Value| {
        let app = &app;
        async move {
            let asked = app
                .post("/api/v1/enterprise-changes", Some(&token), &body)
                .await;
            assert_eq!(asked.status, StatusCode::CREATED, "{}", asked.text);
            asked.json["id"].as_str().expect("id").to_owned()
        }
    };
    let change = ask(
        cast.producer.clone(),
        json!({"name": "英德市红旗茶业集团有限公司", "address": "英德市英红镇茶园路18号", "reason": "已换发新营业执照"}),
    )
    .await;
    let approve = format!("/api/v1/enterprise-changes/{change}/approve");

    // The announcement's two fields come together, and only with an approval.
    let half = app
        .post(
            &approve,
            Some(&cast.approver),
            &json!({"announcement_no": CHANGE_NO}),
        )
        .await;
    half.assert_problem(422);
    assert_eq!(half.error_fields(), vec!["announcement_date"]);
    let other = ask(
        cast.other_producer.clone(),
        json!({"legal_representative": "陈新", "reason": "法定代表人变更"}),
    )
    .await;
    let on_reject = app
        .post(
            &format!("/api/v1/enterprise-changes/{other}/reject"),
            Some(&cast.reviewer),
            &json!({"announcement_no": CHANGE_NO, "announcement_date": "2026-12-08"}),
        )
        .await;
    on_reject.assert_problem(422);
    assert_eq!(
        on_reject.error_fields(),
        vec!["announcement_date", "announcement_no"]
    );

    let done = app
        .post(
            &approve,
            Some(&cast.approver),
            &json!({"announcement_no": CHANGE_NO, "announcement_date": "2026-12-08"}),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    assert_eq!(done.json["announcement_no"], CHANGE_NO);
    assert_eq!(done.json["announcement_date"], "2026-12-08");
    // A change approved without an announcement is in none.
    app.expect_ok(
        app.post(
            &format!("/api/v1/enterprise-changes/{other}/approve"),
            Some(&cast.reviewer),
            &json!({}),
        )
        .await,
    );
    // An enterprise that holds no right has no public name: its change is not listed either.
    let (stranger, _) = app.producer("no-rights", "92340604MA2PENA300").await;
    let unlisted = ask(stranger, json!({"name": "无权企业新名", "reason": "改名"})).await;
    app.expect_ok(
        app.post(
            &format!("/api/v1/enterprise-changes/{unlisted}/approve"),
            Some(&cast.reviewer),
            &json!({"announcement_no": CHANGE_NO, "announcement_date": "2026-12-08"}),
        )
        .await,
    );

    let check = |list: &Value| {
        assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");
        let latest = &list[0];
        assert_eq!(latest["announcement_no"], CHANGE_NO);
        assert_eq!(latest["announcement_date"], "2026-12-08");
        assert_eq!(latest["rights"], json!([]));
        let changes = latest["changes"].as_array().expect("changes");
        assert_eq!(changes.len(), 1, "{latest}");
        let c = &changes[0];
        assert_eq!(c["uscc"], "91441881MA4WTEA03K");
        assert_eq!(c["enterprise_name"], "英德市红旗茶业集团有限公司");
        assert_eq!(c["name"]["from"], "英德市hongqi茶业有限公司");
        assert_eq!(c["name"]["to"], "英德市红旗茶业集团有限公司");
        assert_eq!(c["address"]["to"], "英德市英红镇茶园路18号");
        assert!(c["legal_representative"].is_null());
        assert_eq!(c["registry_nos"], json!([registry_no.as_str()]));
        // The grants' announcement keeps its rights and lists no change.
        assert_eq!(list[1]["announcement_no"], "英市监公告〔2026〕3号");
        assert_eq!(list[1]["rights"].as_array().map(Vec::len), Some(2));
        assert_eq!(list[1]["changes"], json!([]));
    };
    let list = app
        .expect_ok(app.get("/api/v1/public/announcements", None).await)
        .json;
    check(&list);
    assert!(!list.to_string().contains("无权企业新名"));

    // The same after the register is built again from the database.
    let handle = app.state.register.clone();
    app.state
        .run(move |conn| handle.rebuild(conn))
        .await
        .expect("rebuilt");
    let rebuilt = app
        .expect_ok(app.get("/api/v1/public/announcements", None).await)
        .json;
    check(&rebuilt);

    // One announcement's changes as CSV; its rights CSV is there, empty.
    let encoded = "%E8%8B%B1%E5%B8%82%E7%9B%91%E5%85%AC%E5%91%8A%E3%80%942026%E3%80%9512%E5%8F%B7";
    let csv = app
        .get(
            &format!("/api/v1/public/announcements/{encoded}/changes.csv"),
            None,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text);
    assert!(csv.content_type().starts_with("text/csv"));
    let lines: Vec<&str> = csv.text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 2, "{}", csv.text);
    assert!(lines[1].contains("英德市hongqi茶业有限公司"));
    assert!(lines[1].contains("英德市红旗茶业集团有限公司"));
    assert!(lines[1].contains(&registry_no));
    let rights = app
        .get(
            &format!("/api/v1/public/announcements/{encoded}/rights.csv"),
            None,
        )
        .await;
    assert_eq!(rights.status, StatusCode::OK);
    assert_eq!(
        rights.text.trim_start_matches('\u{feff}').lines().count(),
        1
    );

    // The page lists it.
    let page = PageClient::new(&app).get("/announcements").await;
    assert!(page.html.contains("data-testid=\"announced-changes\""));
    assert!(page.html.contains("英德市红旗茶业集团有限公司"));
    assert!(page.html.contains("/changes.csv"));
}

#[tokio::test]
async fn staff_give_the_announcement_in_the_approval_form() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    app.grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let asked = app
        .post(
            "/api/v1/enterprise-changes",
            Some(&cast.producer),
            &json!({"legal_representative": "陈新", "reason": "法定代表人变更"}),
        )
        .await;
    let change = asked.json["id"].as_str().expect("id").to_owned();
    let mut reviewer = PageClient::new(&app);
    reviewer.sign_in("li.reviewer").await;
    let form = reviewer.get("/review/enterprise-changes").await;
    assert!(form.html.contains("name=\"announcement_no\""));
    let url = format!("/review/enterprise-changes/{change}/approve");
    let bad = reviewer
        .submit(
            "/review/enterprise-changes",
            &url,
            &[("announcement_no", CHANGE_NO), ("announcement_date", "")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let approved = reviewer
        .submit(
            "/review/enterprise-changes",
            &url,
            &[
                ("announcement_no", CHANGE_NO),
                ("announcement_date", "2026-12-08"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.html);
    let list = app
        .expect_ok(app.get("/api/v1/public/announcements", None).await)
        .json;
    assert_eq!(list[0]["announcement_no"], CHANGE_NO);
    assert_eq!(list[0]["changes"][0]["legal_representative"]["to"], "陈新");
}
