//! Issue 12: the public register in memory. Every change shows in every public answer of the
//! same process at once; the search finds exactly what SQL `LIKE` over the same rows finds;
//! the home page lists every match with pages, suspended and revoked holders too.

use diesel::sql_types::Text;
use diesel::{QueryableByName, RunQueryDsl};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, Cast, TestApp};

const HOLDER: &str = "91441881MA4WTEA03K";

/// What the public sees of the holder's code in each answer: (verdict, statuses found by the
/// search of each status, CSV rows, counter, home page status tags).
async fn public_view(app: &TestApp) -> Value {
    let verify = app
        .get(&format!("/api/v1/public/verify/{HOLDER}"), None)
        .await;
    let mut found = serde_json::Map::new();
    for status in ["active", "suspended", "revoked", "surrendered"] {
        let list = app
            .get(
                &format!("/api/v1/public/authorized-users?q={HOLDER}&status={status}"),
                None,
            )
            .await;
        found.insert(status.into(), list.json["total"].clone());
    }
    let csv = app
        .get("/api/v1/public/authorized-users.csv?status=suspended", None)
        .await;
    let goal = app.get("/api/v1/public/goal", None).await;
    // The home page's counter is rendered once per state of the register: it must follow
    // every change at once, in both languages.
    for path in ["/", "/?lang=en"] {
        let page = app.get(path, None).await;
        let shown = page
            .text
            .split("data-testid=\"authorized\">")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .map(str::to_owned);
        assert_eq!(
            shown,
            Some(goal.json["authorized_enterprises"].to_string()),
            "the counter of {path}"
        );
    }
    let home = app.get(&format!("/?q={HOLDER}"), None).await;
    let tags: Vec<&str> = home
        .text
        .match_indices("<li data-status=\"")
        .map(|(at, m)| {
            let rest = &home.text[at + m.len()..];
            &rest[..rest.find('"').unwrap_or(0)]
        })
        .collect();
    let page = app.get(&format!("/verify/{HOLDER}"), None).await;
    json!({
        "authorized": verify.json["authorized"],
        "statuses": verify.json["authorizations"].as_array().map(|a| a.iter().map(|r| r["status"].clone()).collect::<Vec<_>>()),
        "found": found,
        "csv_suspended": csv.text.contains(HOLDER),
        "counter": goal.json["authorized_enterprises"],
        "home": tags,
        "page": page.status.as_u16(),
    })
}

#[tokio::test]
async fn every_change_shows_at_once_in_verify_search_csv_goal_and_pages() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    assert_eq!(public_view(&app).await["page"], 404, "nothing granted yet");

    let tea = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let tea = tea["authorization_id"].as_str().expect("right").to_owned();
    let view = public_view(&app).await;
    assert_eq!(view["authorized"], true);
    assert_eq!(view["found"]["active"], 1);
    assert_eq!(view["counter"], 1);
    assert_eq!(view["home"], json!(["active"]));
    assert_eq!(view["page"], 200);

    let act = |id: String, action: &'static str, body: Value| {
        let app = &app;
        let cast = &cast;
        async move {
            let token = match action {
                "revoke" => &cast.approver,
                "surrender" => &cast.producer,
                _ => &cast.reviewer,
            };
            let reply = app
                .post(
                    &format!("/api/v1/authorizations/{id}/{action}"),
                    Some(token),
                    &body,
                )
                .await;
            assert_eq!(reply.status, 200, "{action}: {}", reply.text);
        }
    };
    act(tea.clone(), "suspend", json!({"reason": "抽检不合格"})).await;
    let view = public_view(&app).await;
    assert_eq!(view["authorized"], false);
    assert_eq!(view["statuses"], json!(["suspended"]));
    assert_eq!(
        (
            view["found"]["active"].clone(),
            view["found"]["suspended"].clone()
        ),
        (json!(0), json!(1))
    );
    assert_eq!(view["csv_suspended"], true);
    assert_eq!(view["counter"], 0);
    assert_eq!(
        view["home"],
        json!(["suspended"]),
        "a buyer still finds a suspended holder"
    );

    act(tea.clone(), "reinstate", json!({})).await;
    let view = public_view(&app).await;
    assert_eq!(
        (view["authorized"].clone(), view["counter"].clone()),
        (json!(true), json!(1))
    );
    assert_eq!(view["csv_suspended"], false);

    // A second right of the same enterprise: still one enterprise on the counter.
    let shoots = app
        .grant(&cast, &cast.producer, "xiniu-bamboo-shoot", "西牛镇")
        .await;
    let shoots = shoots["authorization_id"]
        .as_str()
        .expect("right")
        .to_owned();
    let view = public_view(&app).await;
    assert_eq!(view["found"]["active"], 2);
    assert_eq!(view["counter"], 1);

    act(
        tea,
        "revoke",
        json!({"ground": "nonconforming_production", "reason": "不符合标准"}),
    )
    .await;
    act(shoots, "surrender", json!({"reason": "停产"})).await;
    let view = public_view(&app).await;
    assert_eq!(view["authorized"], false);
    assert_eq!(
        view["found"],
        json!({"active": 0, "suspended": 0, "revoked": 1, "surrendered": 1})
    );
    assert_eq!(view["counter"], 0);
    let mut home = view["home"].as_array().expect("tags").clone();
    home.sort_by_key(|v| v.to_string());
    assert_eq!(home, vec![json!("revoked"), json!("surrendered")]);
    let goal = app.get("/api/v1/public/goal", None).await;
    let months = goal.json["monthly"].as_array().expect("monthly");
    assert_eq!(
        months.last().expect("this month")["authorized_enterprises"],
        0
    );
}

#[derive(QueryableByName)]
struct RegistryNo {
    #[diesel(sql_type = Text)]
    registry_no: String,
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// What SQL `LIKE '%q%'` over the stored search text finds, in the public order.
async fn like(app: &TestApp, q: &str, status: &str) -> Vec<String> {
    let pattern = format!(
        "%{}%",
        q.to_uppercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let status = status.to_owned();
    app.state
        .run(move |conn| {
            let rows: Vec<RegistryNo> = diesel::sql_query(
                "SELECT registry_no FROM authorizations WHERE status = $1 \
                 AND search_text LIKE $2 ESCAPE '\\' ORDER BY granted_at DESC, registry_no DESC",
            )
            .bind::<Text, _>(status)
            .bind::<Text, _>(pattern)
            .load(conn)?;
            Ok(rows.into_iter().map(|r| r.registry_no).collect())
        })
        .await
        .expect("like")
}

#[tokio::test]
async fn the_search_finds_what_sql_like_finds_for_random_queries() {
    let app = spawn_app().await;
    gi_registry::service::demo::fill(&app.state, 120, 7)
        .await
        .expect("demo data");
    let names: Vec<String> = app
        .state
        .run(|conn| {
            let rows: Vec<Name> = diesel::sql_query(
                "SELECT e.name AS name FROM enterprises e JOIN authorizations a ON a.enterprise_id = e.id",
            )
            .load(conn)?;
            Ok(rows.into_iter().map(|r| r.name).collect())
        })
        .await
        .expect("names");
    let mut rng = rand::rngs::StdRng::seed_from_u64(2027);
    let mut queries: Vec<String> = vec![
        "茶".into(),
        "无此企业".into(),
        "ydgi-20".into(),
        "9144".into(),
        "_".into(),
        "%".into(),
    ];
    for _ in 0..40 {
        let name: Vec<char> = names.choose(&mut rng).expect("a name").chars().collect();
        let len = rng.gen_range(1..=3).min(name.len());
        let start = rng.gen_range(0..=name.len() - len);
        queries.push(name[start..start + len].iter().collect());
    }
    for q in &queries {
        for status in ["active", "suspended"] {
            let expected = like(&app, q, status).await;
            let path = format!(
                "/api/v1/public/authorized-users?q={}&status={status}&per_page=100",
                urlencode(q)
            );
            let reply = app.get(&path, None).await;
            assert_eq!(reply.status, 200, "{q}: {}", reply.text);
            assert_eq!(
                reply.json["total"],
                expected.len(),
                "total for {q:?} {status}"
            );
            let got: Vec<String> = reply.json["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["registry_no"].as_str().expect("no").to_owned())
                .collect();
            let first: Vec<String> = expected.iter().take(100).cloned().collect();
            assert_eq!(got, first, "order for {q:?} {status}");
        }
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn the_home_page_lists_every_match_with_pages() {
    let app = spawn_app().await;
    gi_registry::service::demo::fill(&app.state, 120, 11)
        .await
        .expect("demo data");
    let total = app
        .get(
            "/api/v1/public/authorized-users?q=%E8%8C%B6&per_page=1",
            None,
        )
        .await
        .json["total"]
        .as_i64()
        .expect("total");
    assert!(total > 20, "enough matches for two pages: {total}");
    let mut seen = std::collections::BTreeSet::new();
    let mut page = 1;
    loop {
        let html = app
            .get(&format!("/?q=%E8%8C%B6&page={page}"), None)
            .await
            .text;
        let items = html.matches("<li data-status=").count();
        assert!(items <= 20);
        for (at, _) in html.match_indices("href=\"/verify/YDGI-") {
            let rest = &html[at + 14..];
            seen.insert(rest[..rest.find('"').unwrap_or(0)].to_owned());
        }
        if !html.contains("rel=\"next\"") {
            break;
        }
        page += 1;
    }
    let any_status = app
        .get(
            "/api/v1/public/authorized-users?q=%E8%8C%B6&status=active&per_page=1",
            None,
        )
        .await;
    assert!(seen.len() as i64 >= any_status.json["total"].as_i64().expect("total"));
    assert!(page > 1, "the results span pages");
}
