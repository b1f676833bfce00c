//! HS256 access tokens with issuer, audience, expiry, subject, role and token version.

use hmac::{Hmac, Mac};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::domain::roles::Role;

pub const ISSUER: &str = "gi-registry";
pub const AUDIENCE: &str = "gi-registry-api";
pub const TOKEN_LIFETIME_SECS: i64 = 3600;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub role: Role,
    /// The user's token version when issued; a password change or deactivation bumps it.
    pub ver: i32,
    /// The session this token belongs to; signing out ends it (a token without one is refused).
    #[serde(default)]
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
}

pub struct JwtKeys {
    /// For HMACs of other things bound to the same secret (form tokens of a session). HMAC
    /// takes a key of any length, so this is always present.
    mac: Option<Hmac<Sha256>>,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Self {
            mac: Hmac::<Sha256>::new_from_slice(secret).ok(),
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    pub fn issue(
        &self,
        user_id: &str,
        role: Role,
        token_version: i32,
        session_id: &str,
        now_unix: i64,
    ) -> anyhow::Result<String> {
        self.issue_for(
            user_id,
            role,
            token_version,
            session_id,
            now_unix,
            TOKEN_LIFETIME_SECS,
        )
    }

    /// A token that expires `lifetime_secs` after `now_unix` (a page session's, longer: its
    /// inactivity limit is the session's, checked against the database).
    pub fn issue_for(
        &self,
        user_id: &str,
        role: Role,
        token_version: i32,
        session_id: &str,
        now_unix: i64,
        lifetime_secs: i64,
    ) -> anyhow::Result<String> {
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user_id.into(),
            role,
            ver: token_version,
            sid: session_id.into(),
            iat: now_unix,
            exp: now_unix + lifetime_secs,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| anyhow::anyhow!("cannot sign: {e}"))
    }

    /// HMAC-SHA256 of `value` for `purpose` under the service's secret, hex: a token nobody
    /// without the secret can make from `value`, and no other purpose's token.
    pub fn mac(&self, purpose: &str, value: &str) -> String {
        let Some(mut mac) = self.mac.clone() else {
            return String::new();
        };
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Checks signature (HS256 only: `alg: none` and others are refused), issuer, audience
    /// and expiry. Token version and account state are checked against the database after.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_token_verifies_and_a_tampered_one_does_not() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef");
        let now = chrono::Utc::now().timestamp();
        let token = keys
            .issue("user-1", Role::Reviewer, 3, "session-1", now)
            .expect("sign");
        let claims = keys.verify(&token).expect("verify");
        assert_eq!(
            (
                claims.sub.as_str(),
                claims.role,
                claims.ver,
                claims.sid.as_str()
            ),
            ("user-1", Role::Reviewer, 3, "session-1")
        );
        let other = JwtKeys::new(b"another-secret-another-secret-xx");
        assert!(other.verify(&token).is_none());
        let expired = keys
            .issue(
                "user-1",
                Role::Reviewer,
                3,
                "session-1",
                now - 2 * TOKEN_LIFETIME_SECS,
            )
            .expect("sign");
        assert!(keys.verify(&expired).is_none());
    }
}
