//! Every protected endpoint × {no token, each role, another enterprise's applicant}.
//! The table grows with every new endpoint.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, PASSWORD};

#[derive(Clone, Copy, Debug)]
enum Who {
    Nobody,
    Applicant,
    OtherApplicant,
    Reviewer,
    Approver,
    Admin,
}

const EVERYONE: [Who; 6] = [
    Who::Nobody,
    Who::Applicant,
    Who::OtherApplicant,
    Who::Reviewer,
    Who::Approver,
    Who::Admin,
];

struct Case {
    method: Method,
    path: String,
    body: Option<Value>,
    /// The expected status for each caller in `EVERYONE` order.
    expected: [u16; 6],
}

#[tokio::test]
async fn every_protected_endpoint_answers_401_without_a_token_and_403_to_the_wrong_role() {
    let app = spawn_app().await;
    let (applicant, _) = app.producer("owner", "91110000600037341L").await;
    let (other, _) = app.producer("other", "9144030071526726XG").await;
    let reviewer = app.staff_token("reviewer1", "reviewer").await;
    let approver = app.staff_token("approver1", "approver").await;
    let admin = app.admin_token().await;
    let target = app
        .post(
            "/api/v1/admin/users",
            Some(&admin),
            &json!({"username": "target", "password": PASSWORD, "role": "reviewer"}),
        )
        .await;
    let target_id = target.json["id"].as_str().expect("id").to_owned();
    let draft = app.complete_draft(&applicant).await;
    let attachment = app
        .get(&format!("/api/v1/applications/{draft}"), Some(&applicant))
        .await
        .json["attachments"][0]["id"]
        .as_str()
        .expect("attachment")
        .to_owned();
    let application_body = crate::helpers::draft_body("yingde-black-tea", "gi_product", "英红镇");

    let cases = vec![
        Case {
            method: Method::GET,
            path: "/api/v1/me".into(),
            body: None,
            expected: [401, 200, 200, 200, 200, 200],
        },
        Case {
            method: Method::POST,
            path: "/api/v1/admin/users".into(),
            // Each allowed call makes a distinct user; only the admin gets that far.
            body: Some(
                json!({"username": "matrix-made", "password": PASSWORD, "role": "reviewer"}),
            ),
            expected: [401, 403, 403, 403, 403, 201],
        },
        Case {
            method: Method::PATCH,
            path: format!("/api/v1/admin/users/{target_id}"),
            body: Some(json!({"active": true})),
            expected: [401, 403, 403, 403, 403, 200],
        },
        Case {
            method: Method::POST,
            path: "/api/v1/auth/password".into(),
            // A wrong current password: authenticated callers get 422, proving they got in.
            body: Some(
                json!({"current_password": "not-the-password", "new_password": "another-pass-2026"}),
            ),
            expected: [401, 422, 422, 422, 422, 422],
        },
        Case {
            method: Method::POST,
            path: "/api/v1/applications".into(),
            body: Some(application_body),
            expected: [401, 201, 201, 403, 403, 403],
        },
        Case {
            method: Method::GET,
            path: "/api/v1/applications".into(),
            body: None,
            expected: [401, 200, 200, 200, 200, 200],
        },
        Case {
            method: Method::GET,
            path: format!("/api/v1/applications/{draft}"),
            body: None,
            expected: [401, 200, 403, 200, 200, 200],
        },
        Case {
            method: Method::PATCH,
            path: format!("/api/v1/applications/{draft}"),
            body: Some(json!({"description": "matrix"})),
            expected: [401, 200, 403, 403, 403, 403],
        },
        Case {
            method: Method::GET,
            path: format!("/api/v1/applications/{draft}/attachments/{attachment}"),
            body: None,
            expected: [401, 200, 403, 200, 200, 200],
        },
        Case {
            method: Method::POST,
            path: format!("/api/v1/applications/{draft}/accept"),
            body: Some(json!({})),
            // Staff who may review reach the state check (409 on a draft); others are refused.
            expected: [401, 403, 403, 409, 409, 403],
        },
        Case {
            method: Method::GET,
            path: "/api/v1/authorizations".into(),
            body: None,
            expected: [401, 200, 200, 200, 200, 200],
        },
        Case {
            method: Method::PUT,
            path: "/api/v1/admin/goal".into(),
            body: Some(json!({"target": 100, "deadline": "2027-12-31"})),
            expected: [401, 403, 403, 403, 403, 200],
        },
    ];

    for case in cases {
        for (who, expected) in EVERYONE.iter().zip(case.expected) {
            let token = match who {
                Who::Nobody => None,
                Who::Applicant => Some(applicant.as_str()),
                Who::OtherApplicant => Some(other.as_str()),
                Who::Reviewer => Some(reviewer.as_str()),
                Who::Approver => Some(approver.as_str()),
                Who::Admin => Some(admin.as_str()),
            };
            let reply = app
                .request(case.method.clone(), &case.path, token, case.body.as_ref())
                .await;
            assert_eq!(
                reply.status.as_u16(),
                expected,
                "{} {} as {who:?}: {}",
                case.method,
                case.path,
                reply.text
            );
        }
    }
}
