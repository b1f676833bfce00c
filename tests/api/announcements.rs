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
