//! Who a user is to the registry.

use std::fmt;

use strum::{EnumCount, VariantArray};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
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
    parse_err_ty = UnknownRole,
    parse_err_fn = UnknownRole::of
)]
pub enum Role {
    Applicant,
    Reviewer,
    Approver,
    Admin,
}

impl Role {
    /// Every variant, in declaration order.
    pub const ALL: [Self; <Self as EnumCount>::COUNT] =
        super::all_variants(<Self as VariantArray>::VARIANTS);

    /// The text form (snake_case), as stored and sent.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Market-regulation staff: may read every application and authorization.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Reviewer | Role::Approver | Role::Admin)
    }

    /// Reviewers' actions are open to approvers too (DESIGN §1).
    pub fn may_review(self) -> bool {
        matches!(self, Role::Reviewer | Role::Approver)
    }

    pub fn may_approve(self) -> bool {
        self == Role::Approver
    }
}

/// A signed-in user as the rules see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub role: Role,
    /// The enterprise an applicant acts for; staff have none.
    pub enterprise_id: Option<String>,
}

impl Actor {
    /// May this user act on a record of `enterprise_id`? Staff read all; an applicant only
    /// its own enterprise's records.
    pub fn may_see_enterprise(&self, enterprise_id: &str) -> bool {
        self.role.is_staff() || self.enterprise_id.as_deref() == Some(enterprise_id)
    }

    /// The enterprise whose records a list shows this user: all for staff (`None`), its own
    /// for a producer.
    pub fn list_scope(&self) -> Option<Option<&str>> {
        if self.role.is_staff() {
            Some(None)
        } else {
            self.enterprise_id.as_deref().map(Some)
        }
    }

    pub fn owns_enterprise(&self, enterprise_id: &str) -> bool {
        self.role == Role::Applicant && self.enterprise_id.as_deref() == Some(enterprise_id)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownRole;

impl UnknownRole {
    fn of(_text: &str) -> Self {
        UnknownRole
    }
}

impl fmt::Display for UnknownRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("role must be one of applicant, reviewer, approver, admin")
    }
}

impl std::error::Error for UnknownRole {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_text() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert_eq!("root".parse::<Role>(), Err(UnknownRole));
    }

    #[test]
    fn approvers_may_review_but_reviewers_may_not_approve() {
        assert!(Role::Approver.may_review() && Role::Approver.may_approve());
        assert!(Role::Reviewer.may_review() && !Role::Reviewer.may_approve());
        assert!(!Role::Applicant.is_staff() && Role::Admin.is_staff());
        assert!(!Role::Admin.may_review());
    }

    #[test]
    fn applicants_see_only_their_enterprise_and_staff_see_all() {
        let applicant = Actor {
            user_id: "u".into(),
            role: Role::Applicant,
            enterprise_id: Some("e1".into()),
        };
        assert!(applicant.may_see_enterprise("e1") && applicant.owns_enterprise("e1"));
        assert!(!applicant.may_see_enterprise("e2") && !applicant.owns_enterprise("e2"));
        let reviewer = Actor {
            user_id: "r".into(),
            role: Role::Reviewer,
            enterprise_id: None,
        };
        assert!(reviewer.may_see_enterprise("e2") && !reviewer.owns_enterprise("e2"));
    }
}
