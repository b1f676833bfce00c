//! After approval: yearly usage reports, and the watchlist of rights that lapsed in their duty.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::journal::{self, EventActor, NewEvent};
use super::paging::{Page, PageRequest};
use super::{validation, ServiceError, ServiceResult, ServiceState};
use crate::db::models::usage::UsageReportRow;
use crate::db::queries::{authorizations as authorization_db, settings, usage as db};
use crate::db::{write_transaction, DbConnection};
use crate::domain::authorization::AuthorizationStatus;
use crate::domain::roles::Actor;
use crate::domain::usage::{
    check_report_year, parse_due_month_day, watch_reasons, WatchReason, YearRefusal,
};
use crate::domain::{FieldError, Localized};

pub const DUE_SETTING: &str = "usage_report_due_month_day";

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
pub struct UsageReportInput {
    /// A year that has ended, not before the grant.
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// Special marks printed or applied that year.
    #[validate(range(min = 0, max = 1000000000000i64))]
    #[schema(minimum = 0, maximum = 1000000000000i64)]
    pub marks_used: i64,
    #[validate(range(min = 0, max = 1000000000000i64))]
    #[schema(minimum = 0, maximum = 1000000000000i64)]
    pub output_kg: i64,
    /// Sales in yuan.
    #[validate(range(min = 0, max = 1000000000000000i64))]
    #[schema(minimum = 0, maximum = 1000000000000000i64)]
    pub sales_cny: i64,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UsageReportView {
    pub id: String,
    pub year: i32,
    pub marks_used: i64,
    pub output_kg: i64,
    pub sales_cny: i64,
    pub note: Option<String>,
    pub filed_at: DateTime<Utc>,
}

impl From<UsageReportRow> for UsageReportView {
    fn from(row: UsageReportRow) -> Self {
        Self {
            id: row.id,
            year: row.year,
            marks_used: row.marks_used,
            output_kg: row.output_kg,
            sales_cny: row.sales_cny,
            note: row.note,
            filed_at: row.created_at.and_utc(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WatchEntry {
    pub authorization_id: String,
    pub registry_no: String,
    pub enterprise_name: String,
    pub uscc: String,
    pub product_code: String,
    pub status: String,
    pub granted_at: DateTime<Utc>,
    /// Each reason with its evidence.
    pub reasons: Vec<WatchReason>,
    /// The two-year non-use ground is met: an approver may revoke with `unused_two_years`.
    pub non_use_ground: bool,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct WatchQuery {
    /// Only rights that meet the two-year non-use ground.
    pub non_use_only: Option<bool>,
}

pub(crate) fn due_month_day(conn: &mut DbConnection) -> ServiceResult<(u32, u32)> {
    Ok(settings::get(conn, DUE_SETTING)?
        .as_deref()
        .and_then(parse_due_month_day)
        .unwrap_or((3, 31)))
}

/// The holder files the report of a past year for one of its rights.
pub async fn file_report(
    state: &ServiceState,
    actor: &Actor,
    authorization_id: String,
    input: UsageReportInput,
) -> ServiceResult<UsageReportView> {
    validation::check(&input, Vec::new())?;
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                file_report_in(conn, &actor, &authorization_id, &input, now)
            })
        })
        .await
}

pub(crate) fn file_report_in(
    conn: &mut DbConnection,
    actor: &Actor,
    authorization_id: &str,
    input: &UsageReportInput,
    now: chrono::NaiveDateTime,
) -> ServiceResult<UsageReportView> {
    let right = authorization_db::find(conn, authorization_id)?.ok_or(ServiceError::NotFound)?;
    if !actor.owns_enterprise(&right.enterprise_id) {
        return Err(ServiceError::Forbidden);
    }
    let live = right
        .status
        .parse::<AuthorizationStatus>()
        .is_ok_and(AuthorizationStatus::is_live);
    if !live {
        return Err(ServiceError::conflict(
            "Reports are filed for active or suspended rights only.",
            "只有有效或暂停的授权需要报告使用情况。",
        ));
    }
    check_report_year(input.year, right.granted_at.date(), now.date()).map_err(|refusal| {
        let (en, zh) = match refusal {
            YearRefusal::NotPast => ("must be a year that has ended", "只能报告已结束的年度"),
            YearRefusal::BeforeGrant => ("is before the right was granted", "早于授权年度"),
        };
        ServiceError::Invalid(vec![FieldError::new(
            "year",
            "invalid_year",
            Localized::new(en, zh),
        )])
    })?;
    if db::report_exists(conn, authorization_id, input.year)? {
        return Err(ServiceError::conflict(
            format!("The report for {} has been filed already.", input.year),
            format!("{}年度的报告已提交。", input.year),
        ));
    }
    let row = UsageReportRow {
        id: super::applications::new_id(),
        authorization_id: authorization_id.to_owned(),
        year: input.year,
        marks_used: input.marks_used,
        output_kg: input.output_kg,
        sales_cny: input.sales_cny,
        note: input
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned),
        filed_by: actor.user_id.clone(),
        created_at: now,
    };
    db::insert_report(conn, &row).map_err(|e| {
        ServiceError::on_duplicate(
            e,
            "The report for this year has been filed already.",
            "该年度的报告已提交。",
        )
    })?;
    journal::append(
        conn,
        NewEvent {
            entity_type: "authorization",
            entity_id: authorization_id,
            action: "usage_report",
            from_status: None,
            to_status: None,
            actor: &EventActor::user(&actor.user_id, actor.role),
            comment: None,
            data: Some(serde_json::json!({"year": row.year, "marks_used": row.marks_used})),
            at: now,
        },
    )?;
    // A filed report puts a report_overdue listing right, in the same transaction.
    super::abnormal::report_filed(conn, authorization_id, now)?;
    Ok(row.into())
}

/// The reports of one right, for its holder and staff.
pub async fn reports(
    state: &ServiceState,
    actor: &Actor,
    authorization_id: String,
) -> ServiceResult<Vec<UsageReportView>> {
    let actor = actor.clone();
    state
        .run(move |conn| {
            let right =
                authorization_db::find(conn, &authorization_id)?.ok_or(ServiceError::NotFound)?;
            if !actor.may_see_enterprise(&right.enterprise_id) {
                return Err(ServiceError::Forbidden);
            }
            Ok(db::reports_of(conn, &authorization_id)?
                .into_iter()
                .map(UsageReportView::from)
                .collect())
        })
        .await
}

/// Live rights with an overdue report or meeting the two-year non-use ground (staff only).
pub async fn watchlist(
    state: &ServiceState,
    actor: &Actor,
    query: WatchQuery,
    paging: PageRequest,
) -> ServiceResult<Page<WatchEntry>> {
    if !actor.role.is_staff() {
        return Err(ServiceError::Forbidden);
    }
    let (page, per_page, offset) = paging.resolve()?;
    let today = state.clock.today();
    // From the label index in memory: rights whose codes look copied (issue 17).
    let copied: HashMap<String, usize> = super::labels::issue::rights_with_copied_codes(state)?
        .into_iter()
        .collect();
    let threshold = state.labels.scan_warning();
    state
        .run(move |conn| {
            let due = due_month_day(conn)?;
            let mut marks: HashMap<String, BTreeMap<i32, i64>> = HashMap::new();
            for (id, year, used) in db::live_report_marks(conn)? {
                marks.entry(id).or_default().insert(year, used);
            }
            let empty = BTreeMap::new();
            let mut entries: Vec<WatchEntry> = db::live_rights(conn)?
                .into_iter()
                .filter_map(
                    |(id, registry_no, enterprise_name, uscc, product_code, status, granted_at)| {
                        let mut reasons = watch_reasons(
                            granted_at.date(),
                            marks.get(&id).unwrap_or(&empty),
                            today,
                            due,
                        );
                        if let Some(&codes) = copied.get(&id) {
                            reasons.push(WatchReason::ManyScans { codes, threshold });
                        }
                        let non_use_ground = reasons.iter().any(WatchReason::is_non_use);
                        (!reasons.is_empty()
                            && (non_use_ground || !query.non_use_only.unwrap_or(false)))
                        .then(|| WatchEntry {
                            authorization_id: id,
                            registry_no,
                            enterprise_name,
                            uscc,
                            product_code,
                            status,
                            granted_at: granted_at.and_utc(),
                            reasons,
                            non_use_ground,
                        })
                    },
                )
                .collect();
            // The non-use ground first (it is grounds for revocation), then by registry number.
            entries.sort_by(|a, b| {
                b.non_use_ground
                    .cmp(&a.non_use_ground)
                    .then(a.registry_no.cmp(&b.registry_no))
            });
            let total = entries.len() as i64;
            let items = entries
                .into_iter()
                .skip(offset as usize)
                .take(per_page as usize)
                .collect();
            Ok(Page {
                items,
                total,
                page,
                per_page,
            })
        })
        .await
}
