//! Every way a token can be wrong answers 401; the key survives a restart.

use base64_url_free::encode_segment;
use chrono::Utc;
use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_with, test_settings, TestApp, TestDatabase};

mod base64_url_free {
    /// Unpadded base64url, enough to forge an `alg: none` token by hand.
    pub fn encode_segment(bytes: &[u8]) -> String {
        const TABLE: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..=chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }
}

fn secret(app: &TestApp) -> Vec<u8> {
    std::fs::read_to_string(app.state.settings.data_dir.join("jwt-secret"))
        .expect("secret")
        .trim()
        .as_bytes()
        .to_vec()
}

/// The session a real token names (its payload, read without checking the signature).
pub fn session_of(token: &str) -> String {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url");
    let claims: Value = serde_json::from_slice(&bytes).expect("claims");
    claims["sid"].as_str().expect("sid").to_owned()
}

fn claims(app_user: &Value, session: &str, overrides: Value) -> Value {
    let now = Utc::now().timestamp();
    let mut claims = json!({
        "iss": "gi-registry", "aud": "gi-registry-api",
        "sub": app_user["id"], "role": app_user["role"], "ver": 1, "sid": session,
        "iat": now, "exp": now + 600
    });
    for (key, value) in overrides.as_object().expect("object") {
        claims[key] = value.clone();
    }
    claims
}

fn sign(secret: &[u8], claims: &Value) -> String {
    encode(
        &Header::default(),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .expect("sign")
}

#[tokio::test]
async fn a_hand_made_token_with_the_right_key_and_claims_is_accepted() {
    // The control for the refusals below: they fail for the reason each names, not another.
    let app = spawn_app().await;
    let (real, registered) = app.producer("holder", "91110000600037341L").await;
    let token = sign(
        &secret(&app),
        &claims(&registered["user"], &session_of(&real), json!({})),
    );
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, 200);
}

#[tokio::test]
async fn missing_malformed_expired_forged_and_mismatched_tokens_are_all_401() {
    let app = spawn_app().await;
    let (real, registered) = app.producer("holder", "91110000600037341L").await;
    let user = &registered["user"];
    let sid = session_of(&real);
    let claims = |user: &Value, overrides: Value| claims(user, &sid, overrides);
    let key = secret(&app);
    // A session of this user that has ended, and one of another user.
    let ended = app.token_for("holder", crate::helpers::PASSWORD).await;
    let ended_sid = session_of(&ended);
    app.post("/api/v1/auth/logout", Some(&ended), &json!({}))
        .await;
    let (other, _) = app.producer("other", "9144030071526726XG").await;
    let other_sid = session_of(&other);
    let now = Utc::now().timestamp();

    let header_none = encode_segment(br#"{"alg":"none","typ":"JWT"}"#);
    let body_none = encode_segment(claims(user, json!({})).to_string().as_bytes());
    let cases: Vec<(&str, String)> = vec![
        ("malformed", "not-a-token".into()),
        (
            "expired",
            sign(
                &key,
                &claims(user, json!({"iat": now - 7200, "exp": now - 3600})),
            ),
        ),
        (
            "wrong key",
            sign(
                b"someone-elses-secret-of-32-bytes!!",
                &claims(user, json!({})),
            ),
        ),
        ("alg none", format!("{header_none}.{body_none}.")),
        (
            "wrong issuer",
            sign(&key, &claims(user, json!({"iss": "elsewhere"}))),
        ),
        (
            "wrong audience",
            sign(&key, &claims(user, json!({"aud": "another-api"}))),
        ),
        (
            "old token version",
            sign(&key, &claims(user, json!({"ver": 0}))),
        ),
        (
            "role not held",
            sign(&key, &claims(user, json!({"role": "admin"}))),
        ),
        (
            "unknown user",
            sign(&key, &claims(user, json!({"sub": "nobody"}))),
        ),
        ("no session", sign(&key, &claims(user, json!({"sid": ""})))),
        (
            "ended session",
            sign(&key, &claims(user, json!({"sid": ended_sid}))),
        ),
        (
            "another user's session",
            sign(&key, &claims(user, json!({"sid": other_sid}))),
        ),
    ];
    app.get("/api/v1/me", None).await.assert_problem(401);
    for (what, token) in cases {
        let reply = app.get("/api/v1/me", Some(&token)).await;
        assert_eq!(reply.status, 401, "{what}: {}", reply.text);
        assert!(reply.headers.contains_key("www-authenticate"), "{what}");
    }
    let response = app
        .client
        .get(app.url("/api/v1/me"))
        .header("authorization", "Basic YWRtaW46YWRtaW4=")
        .send()
        .await;
    assert_eq!(response.expect("sent").status(), 401);
}

#[tokio::test]
async fn tokens_survive_a_restart_on_the_same_data_directory() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let TestApp { db, .. } = app;
    let settings = test_settings(&db);
    let restarted = spawn_with(db, settings).await;
    assert_eq!(restarted.get("/api/v1/me", Some(&token)).await.status, 200);
}

#[tokio::test]
async fn a_short_jwt_secret_refuses_to_start() {
    let db = TestDatabase::create();
    let mut settings = test_settings(&db);
    settings.jwt_secret = Some("too-short".into());
    let outcome =
        gi_registry::startup::Application::build(settings, gi_registry::clock::Clock::system())
            .await;
    let error = outcome.err().expect("refused").to_string();
    assert!(
        error.contains("GI_JWT_SECRET must be at least 32 bytes"),
        "{error}"
    );
}

#[tokio::test]
async fn a_configured_jwt_secret_signs_tokens_and_no_key_file_is_written() {
    let db = TestDatabase::create();
    let mut settings = test_settings(&db);
    settings.jwt_secret = Some("a-configured-secret-of-at-least-32-bytes".into());
    let app = spawn_with(db, settings).await;
    let token = app.admin_token().await;
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, 200);
    assert!(!app.state.settings.data_dir.join("jwt-secret").exists());
}
