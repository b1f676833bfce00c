//! The verdict as of a day (issue 16): rebuilt from the rights' history held by the register,
//! at the end of the day in Beijing time, against a history made on known days with the
//! injected clock.

use chrono::{TimeZone, Utc};
use serde_json::json;

use crate::helpers::{spawn_app, Cast, TestApp};

async fn statuses_on(app: &TestApp, code: &str, day: &str) -> (bool, Vec<String>) {
    let reply = app
        .get(&format!("/api/v1/public/verify/{code}?as_of={day}"), None)
        .await;
    assert_eq!(reply.status, 200, "{day}: {}", reply.text);
    assert_eq!(reply.json["as_of"], day);
    let statuses = reply.json["authorizations"]
        .as_array()
        .expect("rights")
        .iter()
        .map(|r| r["status"].as_str().expect("status").to_owned())
        .collect();
    (
        reply.json["authorized"].as_bool().expect("authorized"),
        statuses,
    )
}

#[tokio::test]
async fn the_verdict_as_of_a_day_follows_a_fabricated_history() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let at = |m, d, h| Utc.with_ymd_and_hms(2026, m, d, h, 0, 0).unwrap();
    app.clock.set(at(3, 1, 2));
    let right = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let id = right["authorization_id"].as_str().expect("id").to_owned();
    let act = |token: String, action: &'static str, body: serde_json::Value| {
        let (app, id) = (&app, id.clone());
        async move {
            let reply = app
                .post(
                    &format!("/api/v1/authorizations/{id}/{action}"),
                    Some(&token),
                    &body,
                )
                .await;
            assert_eq!(reply.status, 200, "{}", reply.text);
        }
    };
    // 17:00 UTC on 10 April is 01:00 on 11 April in Beijing.
    app.clock.set(at(4, 10, 17));
    act(cast.reviewer.clone(), "suspend", json!({"reason": "抽检"})).await;
    app.clock.set(at(5, 20, 3));
    act(cast.reviewer.clone(), "reinstate", json!({})).await;
    app.clock.set(at(6, 30, 9));
    act(
        cast.approver.clone(),
        "revoke",
        json!({"ground": "nonconforming_production", "reason": "不符合标准"}),
    )
    .await;

    let code = "91441881MA4WTEA03K";
    let active = (true, vec!["active".to_owned()]);
    assert_eq!(
        statuses_on(&app, code, "2026-02-28").await,
        (false, vec![]),
        "before the grant"
    );
    assert_eq!(statuses_on(&app, code, "2026-03-01").await, active);
    assert_eq!(
        statuses_on(&app, code, "2026-04-10").await,
        active,
        "Beijing's day"
    );
    assert_eq!(
        statuses_on(&app, code, "2026-04-11").await,
        (false, vec!["suspended".to_owned()])
    );
    assert_eq!(statuses_on(&app, code, "2026-05-19").await.1, ["suspended"]);
    assert_eq!(statuses_on(&app, code, "2026-05-20").await, active);
    assert_eq!(statuses_on(&app, code, "2026-06-29").await, active);
    assert_eq!(statuses_on(&app, code, "2026-06-30").await.1, ["revoked"]);
    let by_number = right["registry_no"].as_str().expect("no");
    assert_eq!(
        statuses_on(&app, by_number, "2026-04-11").await.1,
        ["suspended"]
    );
    let now = app
        .get(&format!("/api/v1/public/verify/{code}"), None)
        .await;
    assert_eq!(now.json["authorizations"][0]["status"], "revoked");
    assert!(now.json.get("as_of").is_none());

    for bad in ["2026-13-01", "yesterday", "2026-1-5", "2026-04-10T00:00"] {
        let reply = app
            .get(&format!("/api/v1/public/verify/{code}?as_of={bad}"), None)
            .await;
        reply.assert_problem(422);
        assert_eq!(reply.error_fields(), ["as_of"], "{bad}");
    }

    let page = app
        .get(&format!("/verify/{code}?as_of=2026-04-11"), None)
        .await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("查询历史状态"));
    assert!(
        page.text.contains("data-verdict=\"suspended\""),
        "{}",
        page.text
    );
    assert!(page.text.contains("2026-04-11"));
    let bad = app
        .get(&format!("/verify/{code}?as_of=nonsense"), None)
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.text.contains("as_of-error"),
        "the problem beside the field"
    );
}
