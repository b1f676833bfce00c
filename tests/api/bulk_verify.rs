//! Bulk verify (issue 16): a thousand codes in one CSV answer the same as a thousand single
//! verifies, in input order; the bounds answer as problems; the page downloads the same CSV.

use serde_json::json;

use crate::helpers::{spawn_app, Cast, Reply, TestApp};

async fn post_csv(app: &TestApp, content_type: &str, body: String) -> Reply {
    let response = app
        .client
        .post(app.url("/api/v1/public/bulk-verify"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("sent");
    Reply::read(response).await
}

/// The CSV's lines as fields (no field of these answers holds a comma or a quote).
fn rows(text: &str) -> Vec<Vec<String>> {
    text.trim_start_matches('\u{FEFF}')
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn a_thousand_lines_answer_as_a_thousand_single_verifies_in_order() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    let tea = app
        .grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let shoot = app
        .grant(&cast, &cast.other_producer, "xiniu-bamboo-shoot", "西牛镇")
        .await;
    let suspended = app
        .post(
            &format!(
                "/api/v1/authorizations/{}/suspend",
                shoot["authorization_id"].as_str().expect("id")
            ),
            Some(&cast.reviewer),
            &json!({"reason": "抽检"}),
        )
        .await;
    assert_eq!(suspended.status, 200, "{}", suspended.text);
    let tea_no = tea["registry_no"].as_str().expect("no").to_owned();
    let kinds = [
        "91441881MA4WTEA03K".to_owned(),
        " 93441881ma52bm702t ".to_owned(),
        tea_no.to_lowercase(),
        "91110000600037341L".to_owned(),
        "YDGI-1999-9999".to_owned(),
        "<script>".to_owned(),
        "英红".to_owned(),
    ];
    let codes: Vec<String> = (0..1000).map(|i| kinds[i % kinds.len()].clone()).collect();
    let body = format!("code\r\n{}\r\n", codes.join("\r\n"));
    let reply = post_csv(&app, "text/csv", body).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply.content_type().starts_with("text/csv"));
    let lines = rows(&reply.text);
    assert_eq!(
        lines[0],
        [
            "code",
            "found",
            "authorized",
            "enterprise_name",
            "registry_nos",
            "statuses"
        ]
    );
    assert_eq!(lines.len(), 1001, "a header and one line per code");
    for (code, line) in codes.iter().zip(&lines[1..]) {
        assert_eq!(line[0], code.trim(), "input order");
        let single = app
            .get(&format!("/api/v1/public/verify/{}", code.trim()), None)
            .await;
        if single.status == 404 {
            assert_eq!(line[1..], ["false", "false", "", "", ""], "{code}");
            continue;
        }
        assert_eq!(single.status, 200, "{}", single.text);
        let rights = single.json["authorizations"].as_array().expect("rights");
        let field = |name: &str| {
            rights
                .iter()
                .map(|r| r[name].as_str().expect("text").to_owned())
                .collect::<Vec<_>>()
                .join(";")
        };
        assert_eq!(line[1], "true");
        assert_eq!(line[2], single.json["authorized"].to_string(), "{code}");
        assert_eq!(
            line[3],
            single.json["enterprise_name"].as_str().expect("name")
        );
        assert_eq!(line[4], field("registry_no"));
        assert_eq!(line[5], field("status"));
    }
    assert!(lines.iter().any(|l| l[5] == "suspended" && l[2] == "false"));
}

#[tokio::test]
async fn bulk_verify_refuses_too_many_lines_a_body_too_large_and_other_types() {
    let app = spawn_app().await;
    let many = vec!["YDGI-2026-0001"; 1001].join("\n");
    let reply = post_csv(&app, "text/csv", many).await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["codes"]);
    let exactly = vec!["YDGI-2026-0001"; 1000].join("\n");
    assert_eq!(post_csv(&app, "text/csv", exactly).await.status, 200);
    let huge = "9".repeat(200 * 1024);
    post_csv(&app, "text/csv", huge).await.assert_problem(413);
    post_csv(&app, "application/json", "{}".into())
        .await
        .assert_problem(415);
    let empty = post_csv(&app, "text/plain", String::new()).await;
    assert_eq!(empty.status, 200);
    assert_eq!(rows(&empty.text).len(), 1, "only the header");
}

#[tokio::test]
async fn the_bulk_page_takes_pasted_codes_and_a_file_and_downloads_the_csv() {
    let app = spawn_app().await;
    let cast = Cast::assemble(&app).await;
    app.grant(&cast, &cast.producer, "yingde-black-tea", "英红镇")
        .await;
    let page = app.get("/verify/bulk", None).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("enctype=\"multipart/form-data\""));
    assert!(page.text.contains("name=\"codes\"") && page.text.contains("name=\"file\""));

    let form = reqwest::multipart::Form::new()
        .text("codes", "91441881MA4WTEA03K\r\nnobody")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"code\n93441881MA52BM702T\n".to_vec())
                .file_name("sweep.csv"),
        );
    let response = app
        .client
        .post(app.url("/verify/bulk"))
        .multipart(form)
        .send()
        .await
        .expect("sent");
    let reply = Reply::read(response).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply
        .headers
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("attachment")));
    let lines = rows(&reply.text);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[1][..3], ["91441881MA4WTEA03K", "true", "true"]);
    assert_eq!(lines[2][..2], ["nobody", "false"]);
    assert_eq!(lines[3][..3], ["93441881MA52BM702T", "false", "false"]);

    let empty = reqwest::multipart::Form::new().text("codes", "  ");
    let response = app
        .client
        .post(app.url("/verify/bulk"))
        .multipart(empty)
        .send()
        .await
        .expect("sent");
    let reply = Reply::read(response).await;
    assert_eq!(reply.status, 422);
    assert!(
        reply.text.contains("codes-error"),
        "the problem beside its field"
    );
}
