//! Authorizations (the right to use the mark) after approval: `active ⇄ suspended`,
//! `active|suspended → revoked` (approver, with a ground), `active|suspended → surrendered`
//! (the holder, or staff at its request). Revoked and surrendered are final.

use strum::{EnumCount, VariantArray};

use serde::{Deserialize, Serialize};

use super::roles::Actor;
use super::workflow::UnknownValue;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    strum::IntoStaticStr,
    strum::Display,
    strum::EnumString,
    strum::VariantArray,
    strum::EnumCount,
)]
#[serde(rename_all = "snake_case")]
#[strum(
    serialize_all = "snake_case",
    parse_err_ty = UnknownValue,
    parse_err_fn = UnknownValue::of
)]
pub enum AuthorizationStatus {
    Active,
    Suspended,
    Revoked,
    Surrendered,
}

impl AuthorizationStatus {
    /// Every variant, in declaration order.
    pub const ALL: [Self; <Self as EnumCount>::COUNT] =
        super::all_variants(<Self as VariantArray>::VARIANTS);

    /// The text form (snake_case), as stored and sent.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The status as the bureau's documents write it.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Active => "有效",
            Self::Suspended => "暂停",
            Self::Revoked => "已撤销",
            Self::Surrendered => "已注销",
        }
    }

    /// Active and suspended rights still belong to their holder: one per product.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Active | Self::Suspended)
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    strum::IntoStaticStr,
    strum::Display,
    strum::EnumString,
    strum::VariantArray,
    strum::EnumCount,
)]
#[serde(rename_all = "snake_case")]
#[strum(
    serialize_all = "snake_case",
    parse_err_ty = UnknownValue,
    parse_err_fn = UnknownValue::of
)]
pub enum AuthorizationAction {
    Suspend,
    Reinstate,
    Revoke,
    Surrender,
}

impl AuthorizationAction {
    /// Every variant, in declaration order.
    pub const ALL: [Self; <Self as EnumCount>::COUNT] =
        super::all_variants(<Self as VariantArray>::VARIANTS);

    /// The text form (snake_case), as stored and sent.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// What the body of this action must carry: a suspension its reason, a revocation its
    /// ground and reason.
    pub fn required_fields(self) -> &'static [&'static str] {
        match self {
            Self::Suspend => &["reason"],
            Self::Revoke => &["ground", "reason"],
            Self::Reinstate | Self::Surrender => &[],
        }
    }

    /// The state the move always ends in: a repeated request that finds the right already
    /// there asked for what is already done.
    pub fn leads_to(self) -> AuthorizationStatus {
        match self {
            Self::Suspend => AuthorizationStatus::Suspended,
            Self::Reinstate => AuthorizationStatus::Active,
            Self::Revoke => AuthorizationStatus::Revoked,
            Self::Surrender => AuthorizationStatus::Surrendered,
        }
    }

    pub fn next_status(self, from: AuthorizationStatus) -> Option<AuthorizationStatus> {
        use AuthorizationStatus as S;
        match (self, from) {
            (Self::Suspend, S::Active) => Some(S::Suspended),
            (Self::Reinstate, S::Suspended) => Some(S::Active),
            (Self::Revoke, S::Active | S::Suspended) => Some(S::Revoked),
            (Self::Surrender, S::Active | S::Suspended) => Some(S::Surrendered),
            _ => None,
        }
    }
}

/// Grounds for revoking a right (2020 CNIPA measures).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
    strum::IntoStaticStr,
    strum::Display,
    strum::EnumString,
    strum::VariantArray,
    strum::EnumCount,
)]
#[serde(rename_all = "snake_case")]
#[strum(
    serialize_all = "snake_case",
    parse_err_ty = UnknownValue,
    parse_err_fn = UnknownValue::of
)]
pub enum RevocationGround {
    NonconformingProduction,
    UnusedTwoYears,
    Other,
}

impl RevocationGround {
    /// The text form (snake_case), as stored and sent.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizationRefusal {
    NotPermitted,
    WrongState { status: AuthorizationStatus },
}

/// May `actor` take `action` on a right held by `holder_enterprise_id` in `status`?
pub fn authorize(
    action: AuthorizationAction,
    actor: &Actor,
    holder_enterprise_id: &str,
    status: AuthorizationStatus,
) -> Result<AuthorizationStatus, AuthorizationRefusal> {
    let permitted = match action {
        AuthorizationAction::Suspend | AuthorizationAction::Reinstate => actor.role.may_review(),
        AuthorizationAction::Revoke => actor.role.may_approve(),
        AuthorizationAction::Surrender => {
            actor.role.may_review() || actor.owns_enterprise(holder_enterprise_id)
        }
    };
    if !permitted {
        return Err(AuthorizationRefusal::NotPermitted);
    }
    action
        .next_status(status)
        .ok_or(AuthorizationRefusal::WrongState { status })
}

/// What a shopper is told about a code: one word for the whole enterprise (or the one right
/// a registry number names).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    strum::IntoStaticStr,
    strum::Display,
    strum::EnumString,
    strum::VariantArray,
    strum::EnumCount,
)]
#[strum(
    serialize_all = "snake_case",
    parse_err_ty = UnknownValue,
    parse_err_fn = UnknownValue::of
)]
pub enum Verdict {
    /// At least one right is active.
    Authorized,
    /// None active, at least one suspended.
    Suspended,
    /// Every right revoked or surrendered.
    Revoked,
    /// Known enterprise, never authorized.
    NotAuthorized,
}

impl Verdict {
    pub fn of(statuses: &[AuthorizationStatus]) -> Self {
        use AuthorizationStatus as S;
        if statuses.contains(&S::Active) {
            Verdict::Authorized
        } else if statuses.contains(&S::Suspended) {
            Verdict::Suspended
        } else if statuses.is_empty() {
            Verdict::NotAuthorized
        } else {
            Verdict::Revoked
        }
    }

    /// The text form (snake_case), as stored and sent.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// What the public search matches for a right: holder name, credit code, registry number.
/// Upper-cased so a search typed in lower case finds codes and numbers.
pub fn search_text(enterprise_name: &str, uscc: &str, registry_no: &str) -> String {
    format!("{enterprise_name} {uscc} {registry_no}").to_uppercase()
}

/// The public registry number: `YDGI-<year>-<4 digits>` (more digits past 9999).
pub fn registry_number(year: i32, sequence: i32) -> String {
    format!("YDGI-{year}-{sequence:04}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::roles::Role;
    use AuthorizationAction as A;
    use AuthorizationStatus as S;

    #[test]
    fn every_move_leads_where_its_transitions_do() {
        for action in A::ALL {
            for from in S::ALL {
                if let Some(next) = action.next_status(from) {
                    assert_eq!(next, action.leads_to());
                }
            }
        }
    }

    #[test]
    fn the_transition_table() {
        let table = [
            (A::Suspend, S::Active, S::Suspended),
            (A::Reinstate, S::Suspended, S::Active),
            (A::Revoke, S::Active, S::Revoked),
            (A::Revoke, S::Suspended, S::Revoked),
            (A::Surrender, S::Active, S::Surrendered),
            (A::Surrender, S::Suspended, S::Surrendered),
        ];
        for action in A::ALL {
            for from in S::ALL {
                let expected = table
                    .iter()
                    .find(|(a, f, _)| *a == action && *f == from)
                    .map(|(_, _, t)| *t);
                assert_eq!(action.next_status(from), expected, "{action:?} from {from}");
            }
        }
    }

    #[test]
    fn who_may_act_on_a_right() {
        let holder = Actor {
            user_id: "u".into(),
            role: Role::Applicant,
            enterprise_id: Some("e1".into()),
        };
        let stranger = Actor {
            user_id: "x".into(),
            role: Role::Applicant,
            enterprise_id: Some("e2".into()),
        };
        let reviewer = Actor {
            user_id: "r".into(),
            role: Role::Reviewer,
            enterprise_id: None,
        };
        let approver = Actor {
            user_id: "a".into(),
            role: Role::Approver,
            enterprise_id: None,
        };
        let admin = Actor {
            user_id: "ad".into(),
            role: Role::Admin,
            enterprise_id: None,
        };
        assert_eq!(
            authorize(A::Surrender, &holder, "e1", S::Active),
            Ok(S::Surrendered)
        );
        assert_eq!(
            authorize(A::Surrender, &stranger, "e1", S::Active),
            Err(AuthorizationRefusal::NotPermitted)
        );
        assert_eq!(
            authorize(A::Surrender, &reviewer, "e1", S::Active),
            Ok(S::Surrendered)
        );
        assert_eq!(
            authorize(A::Suspend, &holder, "e1", S::Active),
            Err(AuthorizationRefusal::NotPermitted)
        );
        assert_eq!(
            authorize(A::Suspend, &reviewer, "e1", S::Active),
            Ok(S::Suspended)
        );
        assert_eq!(
            authorize(A::Revoke, &reviewer, "e1", S::Active),
            Err(AuthorizationRefusal::NotPermitted)
        );
        assert_eq!(
            authorize(A::Revoke, &approver, "e1", S::Suspended),
            Ok(S::Revoked)
        );
        assert_eq!(
            authorize(A::Suspend, &admin, "e1", S::Active),
            Err(AuthorizationRefusal::NotPermitted)
        );
        assert_eq!(
            authorize(A::Reinstate, &reviewer, "e1", S::Revoked),
            Err(AuthorizationRefusal::WrongState { status: S::Revoked })
        );
    }

    #[test]
    fn the_verdict_follows_the_best_status() {
        assert_eq!(Verdict::of(&[S::Revoked, S::Active]), Verdict::Authorized);
        assert_eq!(Verdict::of(&[S::Revoked, S::Suspended]), Verdict::Suspended);
        assert_eq!(Verdict::of(&[S::Revoked, S::Surrendered]), Verdict::Revoked);
        assert_eq!(Verdict::of(&[]), Verdict::NotAuthorized);
    }

    #[test]
    fn suspension_and_revocation_need_their_reasons() {
        assert_eq!(A::Suspend.required_fields(), ["reason"]);
        assert_eq!(A::Revoke.required_fields(), ["ground", "reason"]);
        assert!(
            A::Reinstate.required_fields().is_empty() && A::Surrender.required_fields().is_empty()
        );
    }

    #[test]
    fn registry_numbers_are_zero_padded_to_four_digits() {
        assert_eq!(registry_number(2026, 1), "YDGI-2026-0001");
        assert_eq!(registry_number(2027, 123), "YDGI-2027-0123");
        assert_eq!(registry_number(2027, 12345), "YDGI-2027-12345");
    }
}
