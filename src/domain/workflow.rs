//! The application workflow (DESIGN §3): states, actions, who may take each, and from where.
//!
//! ```text
//! draft ─submit─▶ submitted ─accept─▶ under_review ─recommend─▶ recommended ─approve─▶ approved
//!                  └─refuse─▶ not_accepted   │  ▲                     └─reject─▶ rejected
//!                                     return │  │ resubmit
//!                                            ▼  │
//!                                          returned
//! withdraw (owner): draft | submitted | under_review | returned ─▶ withdrawn
//! reject (approver): under_review | recommended ─▶ rejected
//! ```

use strum::{EnumCount, VariantArray};

use serde::{Deserialize, Serialize};

use super::roles::{Actor, Role};

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
pub enum ApplicationStatus {
    Draft,
    Submitted,
    UnderReview,
    Returned,
    NotAccepted,
    Recommended,
    Approved,
    Rejected,
    Withdrawn,
}

impl ApplicationStatus {
    /// Every variant, in declaration order.
    pub const ALL: [Self; <Self as EnumCount>::COUNT] =
        super::all_variants(<Self as VariantArray>::VARIANTS);

    /// The text form (snake_case), as stored and sent.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Where an application waits for staff: the review queue's default.
    pub const WAITING_FOR_STAFF: [ApplicationStatus; 3] =
        [Self::Submitted, Self::UnderReview, Self::Recommended];

    /// The applicant may change the form and its documents only here.
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::NotAccepted | Self::Approved | Self::Rejected | Self::Withdrawn
        )
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Submitted => "已提交",
            Self::UnderReview => "审查中",
            Self::Returned => "退回补正",
            Self::NotAccepted => "不予受理",
            Self::Recommended => "已推荐",
            Self::Approved => "已核准",
            Self::Rejected => "未核准",
            Self::Withdrawn => "已撤回",
        }
    }
}

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
pub enum ApplicationAction {
    Submit,
    Withdraw,
    Accept,
    Refuse,
    Return,
    Resubmit,
    Recommend,
    Approve,
    Reject,
}

impl ApplicationAction {
    /// Every variant, in declaration order.
    pub const ALL: [Self; <Self as EnumCount>::COUNT] =
        super::all_variants(<Self as VariantArray>::VARIANTS);

    /// The text form (snake_case), as stored and sent.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Who may take the action, by role. Ownership and four-eyes are checked in [`authorize`].
    fn allowed_role(self, role: Role) -> bool {
        match self {
            Self::Submit | Self::Withdraw | Self::Resubmit => role == Role::Applicant,
            Self::Accept | Self::Refuse | Self::Return | Self::Recommend => role.may_review(),
            Self::Approve | Self::Reject => role.may_approve(),
        }
    }

    /// The state the action leads to from `from`, if it may be taken there.
    pub fn next_status(self, from: ApplicationStatus) -> Option<ApplicationStatus> {
        use ApplicationStatus as S;
        match (self, from) {
            (Self::Submit, S::Draft) => Some(S::Submitted),
            (Self::Withdraw, S::Draft | S::Submitted | S::UnderReview | S::Returned) => {
                Some(S::Withdrawn)
            }
            (Self::Accept, S::Submitted) => Some(S::UnderReview),
            (Self::Refuse, S::Submitted) => Some(S::NotAccepted),
            (Self::Return, S::UnderReview) => Some(S::Returned),
            (Self::Resubmit, S::Returned) => Some(S::UnderReview),
            (Self::Recommend, S::UnderReview) => Some(S::Recommended),
            (Self::Approve, S::Recommended) => Some(S::Approved),
            (Self::Reject, S::UnderReview | S::Recommended) => Some(S::Rejected),
            _ => None,
        }
    }

    /// The state the action always ends in (each action has one): a repeated request that
    /// finds the application already there asked for what is already done.
    pub fn leads_to(self) -> ApplicationStatus {
        use ApplicationStatus as S;
        match self {
            Self::Submit => S::Submitted,
            Self::Withdraw => S::Withdrawn,
            Self::Accept | Self::Resubmit => S::UnderReview,
            Self::Refuse => S::NotAccepted,
            Self::Return => S::Returned,
            Self::Recommend => S::Recommended,
            Self::Approve => S::Approved,
            Self::Reject => S::Rejected,
        }
    }

    /// The producer sends the application in (first time or after a return).
    pub fn is_submission(self) -> bool {
        matches!(self, Self::Submit | Self::Resubmit)
    }

    /// What the body of this action must carry (the contract's table).
    pub fn required_fields(self) -> &'static [&'static str] {
        match self {
            Self::Refuse | Self::Reject => &["reason"],
            Self::Return => &["comment"],
            Self::Approve => &["announcement_no", "announcement_date"],
            _ => &[],
        }
    }

    /// The states this action may be taken from.
    pub fn from_states(self) -> Vec<ApplicationStatus> {
        ApplicationStatus::ALL
            .into_iter()
            .filter(|s| self.next_status(*s).is_some())
            .collect()
    }
}

/// A text that is none of an enum's forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownValue;

impl UnknownValue {
    pub(crate) fn of(_text: &str) -> Self {
        UnknownValue
    }
}

/// Why an action may not be taken now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The role may never take this action, or the record is another enterprise's.
    NotPermitted,
    /// The approver is the user who recommended (four-eyes).
    SameAsRecommender,
    /// The action is not possible from the current state.
    WrongState {
        status: ApplicationStatus,
        allowed_from: Vec<ApplicationStatus>,
    },
}

/// What the rules need to know about the application an action is aimed at.
#[derive(Debug, Clone)]
pub struct ApplicationFacts<'a> {
    pub enterprise_id: &'a str,
    pub status: ApplicationStatus,
    pub recommended_by: Option<&'a str>,
}

/// Decides whether `actor` may take `action` on the application now, and where it leads.
/// Checks in order: role and ownership (403), state (409), four-eyes (403).
pub fn authorize(
    action: ApplicationAction,
    actor: &Actor,
    facts: &ApplicationFacts<'_>,
) -> Result<ApplicationStatus, Refusal> {
    if !action.allowed_role(actor.role) {
        return Err(Refusal::NotPermitted);
    }
    if actor.role == Role::Applicant && !actor.owns_enterprise(facts.enterprise_id) {
        return Err(Refusal::NotPermitted);
    }
    let next = action
        .next_status(facts.status)
        .ok_or_else(|| Refusal::WrongState {
            status: facts.status,
            allowed_from: action.from_states(),
        })?;
    if action == ApplicationAction::Approve && facts.recommended_by == Some(actor.user_id.as_str())
    {
        return Err(Refusal::SameAsRecommender);
    }
    Ok(next)
}

/// Why a document may not be added now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachRefusal {
    /// Not this user's document to add (another enterprise's, or the wrong role).
    NotPermitted,
    /// Review documents are added while the application is under review only.
    ReviewDocumentOutsideReview,
    /// The producer's documents are added while the application is editable only.
    NotEditable,
}

/// Who may add which document when: the owning producer adds its own documents while the
/// application is a draft or returned; reviewers and approvers add the origin-verification
/// report (and other review documents) while it is under review.
pub fn may_attach(
    actor: &Actor,
    enterprise_id: &str,
    status: ApplicationStatus,
    kind: super::eligibility::AttachmentKind,
) -> Result<(), AttachRefusal> {
    let review_document = kind.is_reviewers()
        || (actor.role.is_staff() && kind == super::eligibility::AttachmentKind::Other);
    if review_document {
        if !actor.role.may_review() {
            return Err(AttachRefusal::NotPermitted);
        }
        if status != ApplicationStatus::UnderReview {
            return Err(AttachRefusal::ReviewDocumentOutsideReview);
        }
        return Ok(());
    }
    if !actor.owns_enterprise(enterprise_id) {
        return Err(AttachRefusal::NotPermitted);
    }
    if !status.is_editable() {
        return Err(AttachRefusal::NotEditable);
    }
    Ok(())
}

/// The most documents one application may hold: enough for every kind several times over,
/// few enough that a client cannot fill the document store through one application.
pub const MAX_ATTACHMENTS_PER_APPLICATION: i64 = 30;

/// Whether one more document fits beside the `held` ones.
pub fn has_room_for_attachment(held: i64) -> bool {
    held < MAX_ATTACHMENTS_PER_APPLICATION
}

/// Who may remove a document: the user who uploaded it, while they could add that kind now
/// (the producer while the application is editable; a reviewer their review document while it
/// is under review). A wrong file is replaced by removing it and uploading again.
pub fn may_remove_attachment(
    actor: &Actor,
    enterprise_id: &str,
    status: ApplicationStatus,
    kind: super::eligibility::AttachmentKind,
    uploaded_by: &str,
) -> Result<(), AttachRefusal> {
    if uploaded_by != actor.user_id {
        return Err(AttachRefusal::NotPermitted);
    }
    may_attach(actor, enterprise_id, status, kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_leads_where_its_transitions_do() {
        for action in ApplicationAction::ALL {
            for from in ApplicationStatus::ALL {
                if let Some(next) = action.next_status(from) {
                    assert_eq!(next, action.leads_to(), "{action} from {from}");
                }
            }
        }
    }
    use ApplicationAction as A;
    use ApplicationStatus as S;

    /// The whole transition table, written out: every (action, state) pair not listed is refused.
    const TABLE: [(A, S, S); 13] = [
        (A::Submit, S::Draft, S::Submitted),
        (A::Withdraw, S::Draft, S::Withdrawn),
        (A::Withdraw, S::Submitted, S::Withdrawn),
        (A::Withdraw, S::UnderReview, S::Withdrawn),
        (A::Withdraw, S::Returned, S::Withdrawn),
        (A::Accept, S::Submitted, S::UnderReview),
        (A::Refuse, S::Submitted, S::NotAccepted),
        (A::Return, S::UnderReview, S::Returned),
        (A::Resubmit, S::Returned, S::UnderReview),
        (A::Recommend, S::UnderReview, S::Recommended),
        (A::Approve, S::Recommended, S::Approved),
        (A::Reject, S::UnderReview, S::Rejected),
        (A::Reject, S::Recommended, S::Rejected),
    ];

    #[test]
    fn every_action_from_every_state_matches_the_table() {
        for action in A::ALL {
            for from in S::ALL {
                let expected = TABLE
                    .iter()
                    .find(|(a, f, _)| *a == action && *f == from)
                    .map(|(_, _, to)| *to);
                assert_eq!(action.next_status(from), expected, "{action} from {from}");
            }
        }
    }

    #[test]
    fn final_states_allow_no_action() {
        for from in S::ALL.into_iter().filter(|s| s.is_final()) {
            assert!(
                A::ALL.iter().all(|a| a.next_status(from).is_none()),
                "{from}"
            );
        }
    }

    fn actor(role: Role, id: &str, enterprise: Option<&str>) -> Actor {
        Actor {
            user_id: id.into(),
            role,
            enterprise_id: enterprise.map(str::to_owned),
        }
    }

    fn facts(status: S, recommended_by: Option<&'static str>) -> ApplicationFacts<'static> {
        ApplicationFacts {
            enterprise_id: "ent-1",
            status,
            recommended_by,
        }
    }

    #[test]
    fn only_the_owning_applicant_submits_withdraws_and_resubmits() {
        let owner = actor(Role::Applicant, "u1", Some("ent-1"));
        let stranger = actor(Role::Applicant, "u2", Some("ent-2"));
        let reviewer = actor(Role::Reviewer, "r1", None);
        assert_eq!(
            authorize(A::Submit, &owner, &facts(S::Draft, None)),
            Ok(S::Submitted)
        );
        assert_eq!(
            authorize(A::Submit, &stranger, &facts(S::Draft, None)),
            Err(Refusal::NotPermitted)
        );
        assert_eq!(
            authorize(A::Submit, &reviewer, &facts(S::Draft, None)),
            Err(Refusal::NotPermitted)
        );
        assert_eq!(
            authorize(A::Resubmit, &owner, &facts(S::Returned, None)),
            Ok(S::UnderReview)
        );
    }

    #[test]
    fn the_role_matrix_for_every_action() {
        let roles = [Role::Applicant, Role::Reviewer, Role::Approver, Role::Admin];
        for action in A::ALL {
            let from = action.from_states()[0];
            for role in roles {
                let who = actor(
                    role,
                    "someone",
                    (role == Role::Applicant).then_some("ent-1"),
                );
                let allowed = match action {
                    A::Submit | A::Withdraw | A::Resubmit => role == Role::Applicant,
                    A::Accept | A::Refuse | A::Return | A::Recommend => {
                        matches!(role, Role::Reviewer | Role::Approver)
                    }
                    A::Approve | A::Reject => role == Role::Approver,
                };
                let outcome = authorize(action, &who, &facts(from, Some("recommender")));
                assert_eq!(outcome.is_ok(), allowed, "{action} by {role}: {outcome:?}");
            }
        }
    }

    #[test]
    fn the_recommender_may_not_approve_but_another_approver_may() {
        let recommender = actor(Role::Approver, "a1", None);
        let second = actor(Role::Approver, "a2", None);
        let recommended = facts(S::Recommended, Some("a1"));
        assert_eq!(
            authorize(A::Approve, &recommender, &recommended),
            Err(Refusal::SameAsRecommender)
        );
        assert_eq!(
            authorize(A::Approve, &second, &recommended),
            Ok(S::Approved)
        );
        // The recommender may still reject: four-eyes guards the grant, not the refusal.
        assert_eq!(
            authorize(A::Reject, &recommender, &recommended),
            Ok(S::Rejected)
        );
    }

    #[test]
    fn a_wrong_state_names_where_the_action_is_allowed() {
        let reviewer = actor(Role::Reviewer, "r1", None);
        assert_eq!(
            authorize(A::Accept, &reviewer, &facts(S::Draft, None)),
            Err(Refusal::WrongState {
                status: S::Draft,
                allowed_from: vec![S::Submitted]
            })
        );
    }

    #[test]
    fn documents_are_added_by_the_owner_while_editable_and_by_reviewers_during_review() {
        use crate::domain::eligibility::AttachmentKind as K;
        let owner = actor(Role::Applicant, "u1", Some("ent-1"));
        let stranger = actor(Role::Applicant, "u2", Some("ent-2"));
        let reviewer = actor(Role::Reviewer, "r1", None);
        let admin = actor(Role::Admin, "ad", None);
        assert_eq!(may_attach(&owner, "ent-1", S::Draft, K::TestReport), Ok(()));
        assert_eq!(may_attach(&owner, "ent-1", S::Returned, K::Other), Ok(()));
        assert_eq!(
            may_attach(&owner, "ent-1", S::Submitted, K::TestReport),
            Err(AttachRefusal::NotEditable)
        );
        assert_eq!(
            may_attach(&stranger, "ent-1", S::Draft, K::TestReport),
            Err(AttachRefusal::NotPermitted)
        );
        assert_eq!(
            may_attach(&owner, "ent-1", S::UnderReview, K::OriginVerificationReport),
            Err(AttachRefusal::NotPermitted)
        );
        assert_eq!(
            may_attach(
                &reviewer,
                "ent-1",
                S::UnderReview,
                K::OriginVerificationReport
            ),
            Ok(())
        );
        assert_eq!(
            may_attach(&reviewer, "ent-1", S::UnderReview, K::Other),
            Ok(())
        );
        assert_eq!(
            may_attach(
                &reviewer,
                "ent-1",
                S::Recommended,
                K::OriginVerificationReport
            ),
            Err(AttachRefusal::ReviewDocumentOutsideReview)
        );
        assert_eq!(
            may_attach(&reviewer, "ent-1", S::Draft, K::TestReport),
            Err(AttachRefusal::NotPermitted)
        );
        assert_eq!(
            may_attach(&admin, "ent-1", S::UnderReview, K::OriginVerificationReport),
            Err(AttachRefusal::NotPermitted)
        );
    }

    #[test]
    fn refusals_need_a_reason_returns_a_comment_and_approvals_the_announcement() {
        assert_eq!(A::Refuse.required_fields(), ["reason"]);
        assert_eq!(A::Reject.required_fields(), ["reason"]);
        assert_eq!(A::Return.required_fields(), ["comment"]);
        assert_eq!(
            A::Approve.required_fields(),
            ["announcement_no", "announcement_date"]
        );
        assert!(A::Submit.required_fields().is_empty() && A::Accept.required_fields().is_empty());
    }

    #[test]
    fn statuses_and_actions_round_trip_through_text() {
        for s in S::ALL {
            assert_eq!(s.as_str().parse::<S>(), Ok(s));
        }
        for a in A::ALL {
            assert_eq!(a.as_str().parse::<A>(), Ok(a));
        }
        assert!("approved!".parse::<S>().is_err());
    }

    #[test]
    fn thirty_documents_fill_an_application() {
        assert!(has_room_for_attachment(0));
        assert!(has_room_for_attachment(MAX_ATTACHMENTS_PER_APPLICATION - 1));
        assert!(!has_room_for_attachment(MAX_ATTACHMENTS_PER_APPLICATION));
        assert_eq!(MAX_ATTACHMENTS_PER_APPLICATION, 30);
    }

    #[test]
    fn only_the_uploader_removes_a_document_and_only_while_they_could_add_it() {
        use super::super::eligibility::AttachmentKind as K;
        let owner = Actor {
            user_id: "u-1".into(),
            role: Role::Applicant,
            enterprise_id: Some("ent-1".into()),
        };
        let reviewer = Actor {
            user_id: "r-1".into(),
            role: Role::Reviewer,
            enterprise_id: None,
        };
        assert_eq!(
            may_remove_attachment(&owner, "ent-1", S::Draft, K::TestReport, "u-1"),
            Ok(())
        );
        assert_eq!(
            may_remove_attachment(&owner, "ent-1", S::Returned, K::Other, "u-1"),
            Ok(())
        );
        assert_eq!(
            may_remove_attachment(&owner, "ent-1", S::Submitted, K::TestReport, "u-1"),
            Err(AttachRefusal::NotEditable)
        );
        assert_eq!(
            may_remove_attachment(&owner, "ent-1", S::Draft, K::Other, "r-1"),
            Err(AttachRefusal::NotPermitted)
        );
        assert_eq!(
            may_remove_attachment(
                &reviewer,
                "ent-1",
                S::UnderReview,
                K::OriginVerificationReport,
                "r-1"
            ),
            Ok(())
        );
        assert_eq!(
            may_remove_attachment(&reviewer, "ent-1", S::UnderReview, K::TestReport, "u-1"),
            Err(AttachRefusal::NotPermitted)
        );
        assert_eq!(
            may_remove_attachment(
                &reviewer,
                "ent-1",
                S::Approved,
                K::OriginVerificationReport,
                "r-1"
            ),
            Err(AttachRefusal::ReviewDocumentOutsideReview)
        );
    }
}
