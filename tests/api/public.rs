//! The public registry: search, verify, the counter, open data — and nothing private in it.

use chrono::{TimeZone, Utc};
use serde_json::json;

use crate::helpers::{spawn_app, Cast, TestApp};

async fn act_on_right(app: &TestApp, token: &str, id: &str, action: &str, body: serde_json::Value) {
    let reply = app
        .post(
            &format!("/api/v1/authorizations/{id}/{action}"),
            Some(token),
            &body,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[tokio::test]
async fn the_products_list_their_protected_towns() {
    let app = spawn_app().await;
    let reply = app.get("/api/v1/public/products", None).await;
    assert_eq!(reply.status, 200);
    let products = reply.json.as_array().expect("list");
    assert_eq!(products.len(), 2);
    let tea = products
        .iter()
        .find(|p| p["code"] == "yingde-black-tea")
        .expect("tea");
    assert_eq!(tea["name_zh"], "英德红茶");
    assert_eq!(tea["category"], "tea");
    assert_eq!(tea["towns"].as_array().expect("towns").len(), 24);
    assert_eq!(
        tea["protection_announcement"],
        "原质检总局公告2006年第225号"
    );
}

#[tokio::test]
async fn authorized_users_are_found_by_name_part_code_or_registry_number_and_filtered() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let tea = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let shoot = app
        .grant(&cast, &cast.other_producer, "xiniu-bamboo-shoot", "西牛镇")
        .await;
    let tea_no = tea["registry_no"].as_str().expect("no").to_owned();

    let all = app.get("/api/v1/public/authorized-users", None).await;
    assert_eq!(all.json["total"], 2);
    let first = &all.json["items"][0];
    for field in [
        "enterprise_name",
        "uscc",
        "town",
        "product_code",
        "product_name_zh",
        "basis",
        "registry_no",
        "announcement_no",
        "announcement_date",
        "status",
        "granted_at",
    ] {
        assert!(!first[field].is_null(), "{field} missing");
    }

    let by_name = app
        .get("/api/v1/public/authorized-users?q=hongqi", None)
        .await;
    assert_eq!(by_name.json["total"], 1);
    assert_eq!(by_name.json["items"][0]["uscc"], "91441881MA4WTEA03K");
    let by_code = app
        .get("/api/v1/public/authorized-users?q=93441881ma52bm702t", None)
        .await;
    assert_eq!(
        by_code.json["items"][0]["product_code"],
        "xiniu-bamboo-shoot"
    );
    let by_number = app
        .get(
            &format!(
                "/api/v1/public/authorized-users?q={}",
                tea_no.to_lowercase()
            ),
            None,
        )
        .await;
    assert_eq!(by_number.json["total"], 1);
    assert_eq!(by_number.json["items"][0]["registry_no"], tea_no.as_str());
    let wildcard = app.get("/api/v1/public/authorized-users?q=%25", None).await;
    assert_eq!(
        wildcard.json["total"], 0,
        "a % searches for a literal percent sign"
    );

    let in_xiniu = app
        .get("/api/v1/public/authorized-users?town=西牛镇", None)
        .await;
    assert_eq!(in_xiniu.json["total"], 1);
    assert_eq!(in_xiniu.json["items"][0]["town"], "西牛镇");
    let by_english_town = app
        .get("/api/v1/public/authorized-users?town=Yinghong", None)
        .await;
    assert_eq!(by_english_town.json["total"], 1);
    let tea_only = app
        .get(
            "/api/v1/public/authorized-users?product=yingde-black-tea",
            None,
        )
        .await;
    assert_eq!(tea_only.json["total"], 1);
    app.get("/api/v1/public/authorized-users?town=Atlantis", None)
        .await
        .assert_problem(422);
    app.get("/api/v1/public/authorized-users?status=pending", None)
        .await
        .assert_problem(422);

    // A suspended right leaves the default list and shows only when asked for.
    act_on_right(
        &app,
        &cast.reviewer,
        shoot["authorization_id"].as_str().expect("id"),
        "suspend",
        json!({"reason": "抽检"}),
    )
    .await;
    assert_eq!(
        app.get("/api/v1/public/authorized-users", None).await.json["total"],
        1
    );
    let suspended = app
        .get("/api/v1/public/authorized-users?status=suspended", None)
        .await;
    assert_eq!(suspended.json["total"], 1);
    assert_eq!(suspended.json["items"][0]["status"], "suspended");
}

#[tokio::test]
async fn no_public_body_carries_contact_data_documents_comments_or_staff() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let tea = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let registry_no = tea["registry_no"].as_str().expect("no").to_owned();
    let bodies = [
        app.get("/api/v1/public/authorized-users", None).await.text,
        app.get("/api/v1/public/authorized-users.csv", None)
            .await
            .text,
        app.get(&format!("/api/v1/public/verify/{registry_no}"), None)
            .await
            .text,
        app.get("/api/v1/public/verify/91441881MA4WTEA03K", None)
            .await
            .text,
        app.get("/api/v1/public/goal", None).await.text,
        app.get("/api/v1/public/products", None).await.text,
    ];
    let private = [
        "黄丽",               // contact name
        "0763-2288000",       // phone
        "contact@example.cn", // email
        "陈明",               // legal representative
        "茶园路",             // address
        "li.reviewer",        // staff
        "wang.approver",
        "符合要求",     // review comment
        "产地核验报告", // document name
        ".pdf",
        "sha256",
    ];
    for body in &bodies {
        for secret in private {
            assert!(
                !body.contains(secret),
                "public body reveals {secret}: {body}"
            );
        }
    }
}

#[tokio::test]
async fn verify_accepts_a_code_in_any_case_with_spaces_or_a_registry_number() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let tea = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let registry_no = tea["registry_no"].as_str().expect("no").to_owned();

    let by_code = app
        .get("/api/v1/public/verify/%209144%201881ma4wtea03k%20", None)
        .await;
    assert_eq!(by_code.status, 200, "{}", by_code.text);
    assert_eq!(by_code.json["authorized"], true);
    assert_eq!(by_code.json["uscc"], "91441881MA4WTEA03K");
    assert_eq!(
        by_code.json["authorizations"][0]["registry_no"],
        registry_no.as_str()
    );
    assert_eq!(
        by_code.json["authorizations"][0]["product_name_zh"],
        "英德红茶"
    );

    let by_number = app
        .get(
            &format!("/api/v1/public/verify/{}", registry_no.to_lowercase()),
            None,
        )
        .await;
    assert_eq!(by_number.json["authorized"], true);
    assert_eq!(
        by_number.json["enterprise_name"],
        by_code.json["enterprise_name"]
    );

    // Registered but never authorized: not in the public register (API.md, Additions).
    app.get("/api/v1/public/verify/93441881MA52BM702T", None)
        .await
        .assert_problem(404);

    app.get("/api/v1/public/verify/91110000600037341L", None)
        .await
        .assert_problem(404);
    app.get("/api/v1/public/verify/YDGI-1999-9999", None)
        .await
        .assert_problem(404);

    act_on_right(
        &app,
        &cast.approver,
        tea["authorization_id"].as_str().expect("id"),
        "revoke",
        json!({"ground": "nonconforming_production", "reason": "抽检不合格"}),
    )
    .await;
    let revoked = app
        .get(&format!("/api/v1/public/verify/{registry_no}"), None)
        .await;
    assert_eq!(revoked.json["authorized"], false);
    assert_eq!(revoked.json["authorizations"][0]["status"], "revoked");
}

#[tokio::test]
async fn the_counter_counts_enterprises_once_and_only_active_rights() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let goal = app.get("/api/v1/public/goal", None).await;
    assert_eq!(goal.json["target"], 100);
    assert_eq!(goal.json["deadline"], "2027-12-31");
    assert_eq!(goal.json["authorized_enterprises"], 0);
    assert_eq!(goal.json["monthly"], json!([]));

    // Two products held by one enterprise count once.
    let tea = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    app.grant(&cast, &cast.producer, "xiniu-bamboo-shoot", "西牛镇")
        .await;
    let shoot = app
        .grant(&cast, &cast.other_producer, "xiniu-bamboo-shoot", "西牛镇")
        .await;
    let goal = app.get("/api/v1/public/goal", None).await;
    assert_eq!(goal.json["authorized_enterprises"], 2);
    assert_eq!(goal.json["remaining"], 98);
    assert_eq!(goal.json["percent"], 2.0);
    assert_eq!(
        goal.json["by_product"],
        json!([
            {"product_code": "xiniu-bamboo-shoot", "enterprises": 2},
            {"product_code": "yingde-black-tea", "enterprises": 1}
        ])
    );
    let towns = goal.json["by_town"].as_array().expect("towns");
    assert!(
        towns.contains(&json!({"town": "西牛镇", "enterprises": 2})),
        "{towns:?}"
    );

    // Suspended and revoked do not count; reinstated counts again.
    let other_right = shoot["authorization_id"].as_str().expect("id").to_owned();
    act_on_right(
        &app,
        &cast.reviewer,
        &other_right,
        "suspend",
        json!({"reason": "抽检"}),
    )
    .await;
    assert_eq!(
        app.get("/api/v1/public/goal", None).await.json["authorized_enterprises"],
        1
    );
    act_on_right(&app, &cast.reviewer, &other_right, "reinstate", json!({})).await;
    assert_eq!(
        app.get("/api/v1/public/goal", None).await.json["authorized_enterprises"],
        2
    );
    act_on_right(
        &app,
        &cast.approver,
        tea["authorization_id"].as_str().expect("id"),
        "revoke",
        json!({"ground": "other", "reason": "x"}),
    )
    .await;
    assert_eq!(
        app.get("/api/v1/public/goal", None).await.json["authorized_enterprises"],
        2,
        "still holds the shoot right"
    );
    act_on_right(
        &app,
        &cast.approver,
        &other_right,
        "revoke",
        json!({"ground": "unused_two_years", "reason": "x"}),
    )
    .await;
    assert_eq!(
        app.get("/api/v1/public/goal", None).await.json["authorized_enterprises"],
        1
    );
}

#[tokio::test]
async fn the_monthly_series_shows_a_suspension_in_the_month_it_happened() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0)
            .single()
            .expect("date"),
    );
    let first = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 5, 2, 9, 0, 0)
            .single()
            .expect("date"),
    );
    app.grant(&cast, &cast.other_producer, "xiniu-bamboo-shoot", "西牛镇")
        .await;
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 6, 15, 9, 0, 0)
            .single()
            .expect("date"),
    );
    let id = first["authorization_id"].as_str().expect("id").to_owned();
    act_on_right(
        &app,
        &cast.reviewer,
        &id,
        "suspend",
        json!({"reason": "抽检"}),
    )
    .await;
    app.clock.set(
        Utc.with_ymd_and_hms(2026, 8, 1, 9, 0, 0)
            .single()
            .expect("date"),
    );
    act_on_right(&app, &cast.reviewer, &id, "reinstate", json!({})).await;

    let goal = app.get("/api/v1/public/goal", None).await;
    assert_eq!(
        goal.json["monthly"],
        json!([
            {"month": "2026-03", "authorized_enterprises": 1},
            {"month": "2026-04", "authorized_enterprises": 1},
            {"month": "2026-05", "authorized_enterprises": 2},
            {"month": "2026-06", "authorized_enterprises": 1},
            {"month": "2026-07", "authorized_enterprises": 1},
            {"month": "2026-08", "authorized_enterprises": 2}
        ])
    );
    assert!(goal.json["as_of"]
        .as_str()
        .expect("as_of")
        .starts_with("2026-08-01"));
}

#[tokio::test]
async fn the_pipeline_counts_applications_in_review() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let submitted = app.complete_draft(&cast.producer).await;
    app.expect_ok(
        app.action(&cast.producer, &submitted, "submit", json!({}))
            .await,
    );
    app.recommended_application(&cast, &cast.reviewer).await;
    app.complete_draft(&cast.producer).await;
    let goal = app.get("/api/v1/public/goal", None).await;
    assert_eq!(
        goal.json["pipeline"],
        json!({"submitted": 1, "under_review": 0, "returned": 0, "recommended": 1})
    );
}

#[tokio::test]
async fn only_an_admin_sets_the_goal() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let body = json!({"target": 120, "deadline": "2027-06-30"});
    app.request(
        reqwest::Method::PUT,
        "/api/v1/admin/goal",
        None,
        Some(&body),
    )
    .await
    .assert_problem(401);
    for who in [&cast.producer, &cast.reviewer, &cast.approver] {
        app.request(
            reqwest::Method::PUT,
            "/api/v1/admin/goal",
            Some(who),
            Some(&body),
        )
        .await
        .assert_problem(403);
    }
    let bad = json!({"target": 0, "deadline": "2027-06-30"});
    app.request(
        reqwest::Method::PUT,
        "/api/v1/admin/goal",
        Some(&cast.admin),
        Some(&bad),
    )
    .await
    .assert_problem(422);
    let set = app
        .request(
            reqwest::Method::PUT,
            "/api/v1/admin/goal",
            Some(&cast.admin),
            Some(&body),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.json["target"], 120);
    let goal = app.get("/api/v1/public/goal", None).await;
    assert_eq!(
        (goal.json["target"].as_i64(), goal.json["deadline"].as_str()),
        (Some(120), Some("2027-06-30"))
    );
    assert_eq!(goal.json["remaining"], 120);
}

#[tokio::test]
async fn the_csv_export_has_a_bom_a_header_and_the_same_filters() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    app.grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    app.grant(&cast, &cast.other_producer, "xiniu-bamboo-shoot", "西牛镇")
        .await;
    let response = app
        .client
        .get(app.url("/api/v1/public/authorized-users.csv"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .starts_with("text/csv"));
    let bytes = response.bytes().await.expect("body");
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 BOM first");
    let text = String::from_utf8(bytes[3..].to_vec()).expect("utf-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("企业名称 enterprise_name,统一社会信用代码 uscc"));
    let filtered = app
        .get(
            "/api/v1/public/authorized-users.csv?product=xiniu-bamboo-shoot",
            None,
        )
        .await;
    let rows: Vec<&str> = filtered.text.lines().collect();
    assert_eq!(rows.len(), 2);
    assert!(rows[1].contains("93441881MA52BM702T") && rows[1].contains("西牛麻竹笋"));
}
