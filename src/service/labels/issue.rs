//! Quotas and batches: staff set a right's yearly quota; the holder orders batches within it
//! (only while the right is active) and downloads each batch's codes. Each change is one
//! transaction with its journal event (`authorization`, `label_quota` or `label_batch`).

use std::collections::HashSet;

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::db::models::label::{LabelBatchRow, LabelQuotaRow};
use crate::db::queries::{authorizations as rights_db, labels as db};
use crate::db::{write_transaction, DbConnection};
use crate::domain::labels as rules;
use crate::domain::labels::code::random_part;
use crate::domain::roles::Actor;
use crate::service::journal::{self, EventActor, NewEvent};
use crate::service::{validation, ServiceError, ServiceResult, ServiceState};

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
pub struct QuotaInput {
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// Labels the holder may order that year.
    #[validate(range(min = 0, max = 10_000_000))]
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub quantity: i64,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
pub struct BatchInput {
    /// Labels in the batch (1 to 100,000).
    #[validate(range(min = 1, max = 100_000))]
    #[schema(minimum = 1, maximum = 100_000)]
    pub quantity: i64,
}

/// A right's quota for one year and what was issued against it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuotaView {
    pub authorization_id: String,
    pub year: i32,
    pub quantity: i64,
    pub issued: i64,
    pub remaining: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchView {
    pub id: String,
    pub batch_no: String,
    pub authorization_id: String,
    pub year: i32,
    pub quantity: i64,
    pub issued_at: DateTime<Utc>,
}

/// A right's labels: this year's quota (null when none is set) and every batch, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LabelsOfRight {
    pub year: i32,
    pub quota: Option<QuotaView>,
    pub batches: Vec<BatchView>,
}

fn quota_view(row: &LabelQuotaRow) -> QuotaView {
    QuotaView {
        authorization_id: row.authorization_id.clone(),
        year: row.year,
        quantity: row.quantity,
        issued: row.issued,
        remaining: (row.quantity - row.issued).max(0),
    }
}

fn batch_view(row: LabelBatchRow) -> BatchView {
    BatchView {
        id: row.id,
        batch_no: row.batch_no,
        authorization_id: row.authorization_id,
        year: row.year,
        quantity: row.quantity,
        issued_at: row.issued_at.and_utc(),
    }
}

/// How long an order waits for its turn to draw and write codes before it is refused.
pub const ISSUING_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The year a batch counts in: the calendar year in Beijing.
fn label_year(state: &ServiceState) -> i32 {
    state.clock.beijing_today().year()
}

fn event<'a>(
    authorization_id: &'a str,
    action: &'a str,
    actor: &'a EventActor,
    data: serde_json::Value,
    at: NaiveDateTime,
) -> NewEvent<'a> {
    NewEvent {
        entity_type: "authorization",
        entity_id: authorization_id,
        action,
        from_status: None,
        to_status: None,
        actor,
        comment: None,
        data: Some(data),
        at,
    }
}

/// Staff set a right's quota for a year (200 with the quota).
pub async fn set_quota(
    state: &ServiceState,
    actor: &Actor,
    authorization_id: String,
    input: QuotaInput,
) -> ServiceResult<QuotaView> {
    if !rules::may_set_quota(actor) {
        return Err(ServiceError::Forbidden);
    }
    validation::check(&input, Vec::new())?;
    let (actor, now) = (actor.clone(), state.clock.now_naive());
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                rights_db::find(conn, &authorization_id)?.ok_or(ServiceError::NotFound)?;
                let held = db::quota(conn, &authorization_id, input.year)?;
                let issued = held.as_ref().map_or(0, |q| q.issued);
                rules::check_quota(input.quantity, issued)
                    .map_err(|e| ServiceError::Invalid(vec![e]))?;
                let updated = db::update_quota(
                    conn,
                    &authorization_id,
                    input.year,
                    input.quantity,
                    &actor.user_id,
                    now,
                )?;
                if !updated {
                    db::insert_quota(
                        conn,
                        &LabelQuotaRow {
                            authorization_id: authorization_id.clone(),
                            year: input.year,
                            quantity: input.quantity,
                            issued: 0,
                            batches: 0,
                            set_by: actor.user_id.clone(),
                            set_at: now,
                        },
                    )
                    .map_err(|e| {
                        ServiceError::on_duplicate(
                            e,
                            "the quota was set at the same moment by someone else; try again",
                            "配额刚被他人同时设置，请重试",
                        )
                    })?;
                }
                let by = EventActor::user(&actor.user_id, actor.role);
                journal::append(
                    conn,
                    event(
                        &authorization_id,
                        "label_quota",
                        &by,
                        serde_json::json!({
                            "year": input.year,
                            "quantity": input.quantity,
                            "before": held.as_ref().map(|q| q.quantity),
                        }),
                        now,
                    ),
                )?;
                let row = db::quota(conn, &authorization_id, input.year)?
                    .ok_or(ServiceError::NotFound)?;
                Ok(quota_view(&row))
            })
        })
        .await
}

/// Fresh random parts for a batch: none twice, none held already (the database's key is the
/// last word: a repeat there fails the transaction, which is then tried once more).
fn draw_randoms(
    conn: &mut DbConnection,
    state: &ServiceState,
    quantity: usize,
) -> ServiceResult<Vec<i64>> {
    let mut rng = rand::thread_rng();
    let mut drawn: HashSet<u64> = HashSet::with_capacity(quantity);
    let index = state.labels.read()?;
    while drawn.len() < quantity {
        let random = random_part(&mut rng);
        if !index.contains(random) {
            drawn.insert(random);
        }
    }
    drop(index);
    let mut randoms: Vec<i64> = drawn.into_iter().map(|r| r as i64).collect();
    // Issued by another replica and not yet in this one's index: draw those again.
    let taken: HashSet<i64> = db::taken(conn, &randoms)?.into_iter().collect();
    if !taken.is_empty() {
        randoms.retain(|r| !taken.contains(r));
        while randoms.len() < quantity {
            let random = random_part(&mut rng) as i64;
            if !taken.contains(&random) && !randoms.contains(&random) {
                randoms.push(random);
            }
        }
    }
    Ok(randoms)
}

fn order_once(
    conn: &mut DbConnection,
    state: &ServiceState,
    actor: &Actor,
    authorization_id: &str,
    quantity: i64,
    year: i32,
    now: NaiveDateTime,
) -> ServiceResult<LabelBatchRow> {
    let randoms = draw_randoms(conn, state, quantity as usize)?;
    write_transaction(conn, |conn| {
        let right = rights_db::find(conn, authorization_id)?.ok_or(ServiceError::NotFound)?;
        if !rules::may_handle_batches(actor, &right.enterprise_id) {
            return Err(ServiceError::Forbidden);
        }
        // Holds the right's row to the end of the transaction, so a suspension waits for
        // the batch or the batch for the suspension: never a batch for a suspended right.
        if !rights_db::hold_if_status(conn, authorization_id, rules::ISSUED_UNDER)? {
            return Err(ServiceError::conflict(
                "labels are issued only for an active right",
                "仅对有效的授权发放标签",
            ));
        }
        let Some(nth) = db::take_from_quota(conn, authorization_id, year, quantity)? else {
            let quota = db::quota(conn, authorization_id, year)?;
            return Err(ServiceError::Invalid(vec![rules::beyond_quota(
                year,
                quota.as_ref().map(|q| q.quantity),
                quota.as_ref().map_or(0, |q| q.issued),
            )]));
        };
        let by = EventActor::user(&actor.user_id, actor.role);
        let id = Uuid::now_v7().to_string();
        let batch_no = rules::batch_no(&right.registry_no, year, nth);
        let appended = journal::append(
            conn,
            event(
                authorization_id,
                "label_batch",
                &by,
                serde_json::json!({"batch_id": id, "batch_no": batch_no, "quantity": quantity, "year": year}),
                now,
            ),
        )?;
        let row = LabelBatchRow {
            seq: appended.seq,
            id,
            batch_no,
            authorization_id: authorization_id.to_owned(),
            year,
            quantity,
            issued_by: actor.user_id.clone(),
            issued_at: now,
        };
        db::insert_batch(conn, &row)?;
        db::insert_labels(conn, row.seq, &randoms)?;
        Ok(row)
    })
}

/// The holder (or staff for it) orders a batch within this year's quota (201).
pub async fn order_batch(
    state: &ServiceState,
    actor: &Actor,
    authorization_id: String,
    input: BatchInput,
) -> ServiceResult<BatchView> {
    validation::check(&input, Vec::new())?;
    rules::check_batch_quantity(input.quantity).map_err(|e| ServiceError::Invalid(vec![e]))?;
    // Drawing and writing the codes is the costly step: a bounded number of labels at once.
    let permits = state
        .labels
        .issuing
        .clone()
        .acquire_many_owned(input.quantity as u32);
    let _permits = match tokio::time::timeout(ISSUING_WAIT, permits).await {
        Ok(Ok(permits)) => permits,
        _ => {
            return Err(ServiceError::Busy {
                retry_after_secs: 5,
            })
        }
    };
    let (actor, now, year) = (actor.clone(), state.clock.now_naive(), label_year(state));
    let worker = state.clone();
    let row = state
        .run(move |conn| {
            match order_once(
                conn,
                &worker,
                &actor,
                &authorization_id,
                input.quantity,
                year,
                now,
            ) {
                Err(ServiceError::Internal(cause)) if is_repeat(&cause) => order_once(
                    conn,
                    &worker,
                    &actor,
                    &authorization_id,
                    input.quantity,
                    year,
                    now,
                ),
                other => other,
            }
        })
        .await?;
    Ok(batch_view(row))
}

fn is_repeat(cause: &anyhow::Error) -> bool {
    cause
        .downcast_ref::<diesel::result::Error>()
        .is_some_and(crate::db::queries::is_unique_violation)
}

fn may_see_right(
    conn: &mut DbConnection,
    actor: &Actor,
    authorization_id: &str,
) -> ServiceResult<()> {
    let right = rights_db::find(conn, authorization_id)?.ok_or(ServiceError::NotFound)?;
    if rules::may_handle_batches(actor, &right.enterprise_id) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// A right's quota this year and its batches (holder and staff).
pub async fn of_right(
    state: &ServiceState,
    actor: &Actor,
    authorization_id: String,
) -> ServiceResult<LabelsOfRight> {
    let (actor, year) = (actor.clone(), label_year(state));
    state
        .run(move |conn| {
            may_see_right(conn, &actor, &authorization_id)?;
            let quota = db::quota(conn, &authorization_id, year)?;
            let batches = db::batches_of(conn, &authorization_id)?;
            Ok(LabelsOfRight {
                year,
                quota: quota.as_ref().map(quota_view),
                batches: batches.into_iter().map(batch_view).collect(),
            })
        })
        .await
}

/// Labels issued to each right in `year` against its quota: (authorization id → quantity,
/// issued), for the staff's register and the holder's usage report.
pub async fn issued_in_year(
    state: &ServiceState,
    year: i32,
    authorization_ids: Vec<String>,
) -> ServiceResult<Vec<(String, i64, i64)>> {
    state
        .run(move |conn| Ok(db::quotas_in_year(conn, year, &authorization_ids)?))
        .await
}

/// A batch's codes, each with the address its QR code opens, in the order stored.
pub struct BatchCodes {
    pub batch: BatchView,
    pub registry_no: String,
    pub codes: Vec<(String, String)>,
}

pub async fn batch_codes(
    state: &ServiceState,
    actor: &Actor,
    batch_id: String,
) -> ServiceResult<BatchCodes> {
    let actor = actor.clone();
    let (batch, registry_no, randoms) = state
        .run(move |conn| {
            let batch = db::batch(conn, &batch_id)?.ok_or(ServiceError::NotFound)?;
            may_see_right(conn, &actor, &batch.authorization_id)?;
            let registry_no = rights_db::find(conn, &batch.authorization_id)?
                .map(|r| r.registry_no)
                .unwrap_or_default();
            let randoms = db::labels_of(conn, batch.seq)?;
            Ok((batch, registry_no, randoms))
        })
        .await?;
    let key = state.labels.key();
    let base = state.settings.public_base();
    let codes = randoms
        .into_iter()
        .map(|(random, _, _, _)| {
            let code = key.encode(random as u64);
            let url = format!("{base}/l/{code}");
            (code, url)
        })
        .collect();
    Ok(BatchCodes {
        batch: batch_view(batch),
        registry_no,
        codes,
    })
}

/// What the watchlist flags: rights with at least `label_watch_codes` codes checked more
/// often than `label_scan_warning` allows, with how many.
pub fn rights_with_copied_codes(state: &ServiceState) -> ServiceResult<Vec<(String, usize)>> {
    let labels = &state.labels;
    let (threshold, least) = (labels.scan_warning(), labels.watch_codes().max(1) as usize);
    let index = labels.read()?;
    Ok(index
        .many_scans_by_right(threshold)
        .into_iter()
        .filter(|(_, n)| *n >= least)
        .map(|(id, n)| (id.to_owned(), n))
        .collect())
}

#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
pub struct LabelSettings {
    /// Checks of one code beyond which its page warns it may be a copy (default 10).
    #[validate(range(min = 1, max = 1_000_000))]
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub scan_warning: i64,
    /// Codes of one right past that before the watchlist flags the right (default 3).
    #[validate(range(min = 1, max = 1_000_000))]
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub watch_codes: i64,
}

/// The label settings as this process holds them (staff).
pub fn settings(state: &ServiceState, actor: &Actor) -> ServiceResult<LabelSettings> {
    if !rules::may_set_quota(actor) {
        return Err(ServiceError::Forbidden);
    }
    Ok(LabelSettings {
        scan_warning: state.labels.scan_warning(),
        watch_codes: state.labels.watch_codes(),
    })
}

/// Admins set the two label settings (journalled); every replica reads them at its next flush,
/// this one at once.
pub async fn set_settings(
    state: &ServiceState,
    actor: &Actor,
    input: LabelSettings,
) -> ServiceResult<LabelSettings> {
    if !rules::may_change_settings(actor) {
        return Err(ServiceError::Forbidden);
    }
    validation::check(&input, Vec::new())?;
    let (actor, now, labels) = (actor.clone(), state.clock.now_naive(), state.labels.clone());
    state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                use crate::db::queries::settings;
                settings::set(conn, rules::SCAN_WARNING_SETTING, &input.scan_warning.to_string(), now)?;
                settings::set(conn, rules::WATCH_CODES_SETTING, &input.watch_codes.to_string(), now)?;
                let by = EventActor::user(&actor.user_id, actor.role);
                journal::append(
                    conn,
                    NewEvent {
                        entity_type: "setting",
                        entity_id: "labels",
                        action: "set_label_settings",
                        from_status: None,
                        to_status: None,
                        actor: &by,
                        comment: None,
                        data: Some(serde_json::json!({"scan_warning": input.scan_warning, "watch_codes": input.watch_codes})),
                        at: now,
                    },
                )?;
                Ok::<(), ServiceError>(())
            })?;
            labels.refresh_settings(conn)?;
            Ok(input)
        })
        .await
}

/// Labels issued to a right in each year it had a quota, newest first: what its usage report
/// for that year starts from (holder and staff).
pub async fn issued_by_year(
    state: &ServiceState,
    actor: &Actor,
    authorization_id: String,
) -> ServiceResult<Vec<(i32, i64)>> {
    let actor = actor.clone();
    state
        .run(move |conn| {
            may_see_right(conn, &actor, &authorization_id)?;
            Ok(db::quotas_of(conn, &authorization_id)?
                .into_iter()
                .map(|q| (q.year, q.issued))
                .collect())
        })
        .await
}
