//! The change feed (issue 16): public changes in journal order, paged by `after` without a
//! change missed or repeated, and the same as an Atom document that parses.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, Cast, TestApp};

async fn act(app: &TestApp, token: &str, right: &Value, action: &str, body: Value) {
    let id = right["authorization_id"].as_str().expect("id");
    let reply = app
        .post(
            &format!("/api/v1/authorizations/{id}/{action}"),
            Some(token),
            &body,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

/// Every item, page by page of `limit`.
async fn all_pages(app: &TestApp, limit: usize) -> (Vec<Value>, i64) {
    let (mut items, mut after) = (Vec::new(), 0);
    loop {
        let page = app
            .get(
                &format!("/api/v1/public/changes?after={after}&limit={limit}"),
                None,
            )
            .await;
        assert_eq!(page.status, 200, "{}", page.text);
        let got = page.json["items"].as_array().expect("items").clone();
        assert!(got.len() <= limit, "a page holds at most `limit` items");
        let next = page.json["next_after"].as_i64().expect("next_after");
        assert!(next >= after);
        if got.is_empty() {
            return (items, next);
        }
        items.extend(got);
        after = next;
    }
}

#[tokio::test]
async fn the_feed_lists_every_change_in_order_across_pages_and_as_atom() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let tea = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let shoot = app
        .grant(&cast, &cast.other_producer, "xiniu-bamboo-shoot", "西牛镇")
        .await;
    act(
        &app,
        &cast.reviewer,
        &shoot,
        "suspend",
        json!({"reason": "抽检"}),
    )
    .await;
    act(&app, &cast.reviewer, &shoot, "reinstate", json!({})).await;
    act(
        &app,
        &cast.approver,
        &tea,
        "revoke",
        json!({"ground": "nonconforming_production", "reason": "不符合标准"}),
    )
    .await;

    let whole = app.get("/api/v1/public/changes", None).await;
    assert_eq!(whole.status, 200);
    let items = whole.json["items"].as_array().expect("items").clone();
    let events: Vec<&str> = items
        .iter()
        .map(|i| i["event"].as_str().expect("event"))
        .collect();
    assert_eq!(
        events,
        ["granted", "granted", "suspended", "reinstated", "revoked"]
    );
    let statuses: Vec<&str> = items
        .iter()
        .map(|i| i["status"].as_str().expect("s"))
        .collect();
    assert_eq!(
        statuses,
        ["active", "active", "suspended", "active", "revoked"]
    );
    let seqs: Vec<i64> = items
        .iter()
        .map(|i| i["seq"].as_i64().expect("seq"))
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "journal order: {seqs:?}"
    );
    assert_eq!(items[0]["registry_no"], tea["registry_no"]);
    assert_eq!(items[0]["uscc"], "91441881MA4WTEA03K");
    assert_eq!(items[1]["product_code"], "xiniu-bamboo-shoot");
    for field in ["at", "enterprise_name"] {
        assert!(items.iter().all(|i| i[field].is_string()), "{field}");
    }
    let head = app.get("/api/v1/public/journal/head", None).await;
    assert_eq!(
        whole.json["next_after"], head.json["count"],
        "nothing more to read"
    );

    for limit in [1, 2, 3] {
        let (paged, last) = all_pages(&app, limit).await;
        assert_eq!(paged, items, "pages of {limit}: nothing missed or repeated");
        assert_eq!(last, head.json["count"].as_i64().expect("count"));
    }
    let from_middle = app
        .get(&format!("/api/v1/public/changes?after={}", seqs[2]), None)
        .await;
    assert_eq!(
        from_middle.json["items"].as_array().expect("items")[..],
        items[3..]
    );

    for bad in ["limit=0", "limit=1001", "after=-1"] {
        let reply = app
            .get(&format!("/api/v1/public/changes?{bad}"), None)
            .await;
        reply.assert_problem(422);
        assert_eq!(reply.error_fields(), [bad.split('=').next().expect("name")]);
    }

    let atom = app.get("/feed.atom", None).await;
    assert_eq!(atom.status, 200);
    assert!(atom.content_type().starts_with("application/atom+xml"));
    let feed: atom_syndication::Feed = atom.text.parse().expect("the Atom document parses");
    assert_eq!(feed.entries().len(), 5);
    let newest = &feed.entries()[0];
    assert!(newest
        .title()
        .as_str()
        .contains(tea["registry_no"].as_str().expect("no")));
    assert!(
        newest.title().as_str().contains("撤销"),
        "{}",
        newest.title().as_str()
    );
    let public_url = app.state.settings.public_url.clone().expect("public url");
    assert!(feed.id().starts_with(&public_url));
    assert!(newest.links()[0]
        .href()
        .starts_with(&format!("{public_url}/verify/")));
    let ids: std::collections::HashSet<&str> = feed.entries().iter().map(|e| e.id()).collect();
    assert_eq!(ids.len(), 5, "each entry its own id");
}
