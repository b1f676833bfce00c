//! News of every decision that concerns an enterprise: a message in each of its users' inbox
//! and one e-mail to its address in the outbox, both written inside the transaction of the
//! change itself (so a decision never goes out without its message, nor a message without
//! its decision). `service::outbox` delivers the e-mail.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::Serialize;
use utoipa::ToSchema;

use super::applications::new_id;
use super::paging::{Page, PageRequest};
use super::{ServiceError, ServiceResult, ServiceState};
use crate::db::models::application::ApplicationRow;
use crate::db::models::authorization::AuthorizationRow;
use crate::db::models::notification::{NotificationRow, OutboxRow};
use crate::db::queries::{
    accounts as account_db, notifications as db, reference, usage as usage_db,
};
use crate::db::{write_transaction, DbConnection};
use crate::domain::authorization::{AuthorizationAction, RevocationGround};
use crate::domain::notification::NotificationKind;
use crate::domain::roles::Actor;
use crate::domain::usage::report_due_date;
use crate::domain::workflow::ApplicationAction;

/// One message of the inbox (`GET /api/v1/notifications`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: String,
    pub kind: NotificationKind,
    pub subject: String,
    pub body: String,
    pub application_no: Option<String>,
    pub registry_no: Option<String>,
    /// The page the message is about (`/applications/<id>`, `/authorizations`).
    pub link: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub read_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A message about to be written: what it says and what it is about.
struct Message {
    kind: NotificationKind,
    subject: String,
    body: String,
    link_path: String,
    application: Option<(String, Option<String>)>,
    right: Option<(String, String)>,
}

/// Writes `message` to the inbox of every active user of `enterprise_id` and one e-mail to
/// the enterprise's address (when it has one) into the outbox. Inside the caller's
/// transaction.
fn deliver(
    conn: &mut DbConnection,
    enterprise_id: &str,
    message: Message,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let users: Vec<_> = account_db::users_of_enterprise(conn, enterprise_id)?
        .into_iter()
        .filter(|u| u.active)
        .collect();
    let (application_id, application_no) = message.application.clone().unzip();
    let (authorization_id, registry_no) = message.right.clone().unzip();
    for user in &users {
        db::insert_notification(
            conn,
            &NotificationRow {
                id: new_id(),
                user_id: user.id.clone(),
                enterprise_id: enterprise_id.to_owned(),
                kind: message.kind.as_str().to_owned(),
                subject: message.subject.clone(),
                body: message.body.clone(),
                link_path: message.link_path.clone(),
                application_id: application_id.clone(),
                application_no: application_no.clone().flatten(),
                authorization_id: authorization_id.clone(),
                registry_no: registry_no.clone(),
                created_at: now,
                read_at: None,
            },
        )?;
    }
    let address = account_db::enterprise_by_id(conn, enterprise_id)?
        .map(|e| e.email.trim().to_owned())
        .filter(|e| !e.is_empty());
    if let Some(recipient) = address {
        db::insert_outbox(
            conn,
            &OutboxRow {
                id: new_id(),
                user_id: users.first().map(|u| u.id.clone()),
                channel: "email".into(),
                recipient,
                kind: message.kind.as_str().to_owned(),
                subject: message.subject,
                body: message.body,
                link_path: Some(message.link_path),
                created_at: now,
                attempts: 0,
                next_attempt_at: now,
                sent_at: None,
                last_error: None,
                claimed_by: None,
                claimed_until: None,
                gave_up_at: None,
            },
        )?;
    }
    Ok(())
}

fn product_name(conn: &mut DbConnection, code: &str) -> ServiceResult<String> {
    Ok(reference::product(conn, code)?
        .map(|p| p.name_zh)
        .unwrap_or_else(|| code.to_owned()))
}

fn with_reason(text: &mut String, label: &str, reason: Option<&str>) {
    if let Some(reason) = reason.map(str::trim).filter(|r| !r.is_empty()) {
        text.push_str(&format!("\n\n{label}{reason}"));
    }
}

/// What a decision on an application tells its producer; nothing for the moves the producer
/// made or that need no news (submit, resubmit, withdraw, recommend).
pub(crate) struct ApplicationDecision<'a> {
    pub action: ApplicationAction,
    /// The comment or reason given with the move.
    pub comment: Option<&'a str>,
    pub field_comments: usize,
    pub registry_no: Option<&'a str>,
    pub authorization_id: Option<&'a str>,
    pub step_due: Option<NaiveDate>,
}

pub(crate) fn application_decided(
    conn: &mut DbConnection,
    row: &ApplicationRow,
    decision: ApplicationDecision<'_>,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let number = row.application_no.clone().unwrap_or_default();
    let product = product_name(conn, &row.product_code)?;
    let today = now.date();
    let (kind, subject, mut body) = match decision.action {
        ApplicationAction::Accept => (
            NotificationKind::ApplicationAccepted,
            format!("申请已受理 {number}"),
            format!(
                "您的{product}专用标志使用申请（受理编号 {number}）已于{today}受理，进入审查。{}",
                decision
                    .step_due
                    .map(|d| format!("审查期限：{d}。"))
                    .unwrap_or_default()
            ),
        ),
        ApplicationAction::Refuse => (
            NotificationKind::ApplicationNotAccepted,
            format!("申请未予受理 {number}"),
            format!("您的{product}专用标志使用申请（受理编号 {number}）于{today}决定不予受理。"),
        ),
        ApplicationAction::Return => (
            NotificationKind::ApplicationReturned,
            format!("申请需补正 {number}"),
            format!(
                "您的{product}专用标志使用申请（受理编号 {number}）于{today}退回补正。{}请登录按意见修改后重新提交。",
                if decision.field_comments > 0 {
                    format!("另有{}条具体意见，", decision.field_comments)
                } else {
                    String::new()
                }
            ),
        ),
        ApplicationAction::Approve => (
            NotificationKind::ApplicationApproved,
            format!(
                "申请已核准 {number}，登记编号 {}",
                decision.registry_no.unwrap_or_default()
            ),
            format!(
                "您的{product}专用标志使用申请（受理编号 {number}）已于{today}核准，登记编号 {}。请按规定使用专用标志，并每年报送使用情况。",
                decision.registry_no.unwrap_or_default()
            ),
        ),
        ApplicationAction::Reject => (
            NotificationKind::ApplicationRejected,
            format!("申请未获核准 {number}"),
            format!("您的{product}专用标志使用申请（受理编号 {number}）于{today}决定不予核准。"),
        ),
        _ => return Ok(()),
    };
    let label = match kind {
        NotificationKind::ApplicationReturned => "审查意见：",
        NotificationKind::ApplicationAccepted | NotificationKind::ApplicationApproved => "说明：",
        _ => "理由：",
    };
    with_reason(&mut body, label, decision.comment);
    let (link_path, right) = match (decision.authorization_id, decision.registry_no) {
        (Some(id), Some(no)) => (
            "/authorizations".to_owned(),
            Some((id.to_owned(), no.to_owned())),
        ),
        _ => (format!("/applications/{}", row.id), None),
    };
    deliver(
        conn,
        &row.enterprise_id,
        Message {
            kind,
            subject,
            body,
            link_path,
            application: Some((row.id.clone(), row.application_no.clone())),
            right,
        },
        now,
    )
}

fn ground_zh(ground: RevocationGround) -> &'static str {
    match ground {
        RevocationGround::NonconformingProduction => "生产不符合标准或使用管理规范",
        RevocationGround::UnusedTwoYears => "连续两年未使用专用标志",
        RevocationGround::Other => "其他",
    }
}

/// What a move of a right tells its holder (suspended, reinstated, revoked); nothing for a
/// surrender, which the holder asked for.
pub(crate) fn right_changed(
    conn: &mut DbConnection,
    row: &AuthorizationRow,
    action: AuthorizationAction,
    reason: Option<&str>,
    ground: Option<RevocationGround>,
    now: NaiveDateTime,
) -> ServiceResult<()> {
    let product = product_name(conn, &row.product_code)?;
    let no = &row.registry_no;
    let today = now.date();
    let (kind, subject, mut body) = match action {
        AuthorizationAction::Suspend => (
            NotificationKind::RightSuspended,
            format!("专用标志使用已暂停 {no}"),
            format!("您的{product}地理标志专用标志使用（登记编号 {no}）自{today}起暂停，暂停期间不得使用专用标志。"),
        ),
        AuthorizationAction::Reinstate => (
            NotificationKind::RightReinstated,
            format!("专用标志使用已恢复 {no}"),
            format!("您的{product}地理标志专用标志使用（登记编号 {no}）自{today}起恢复。"),
        ),
        AuthorizationAction::Revoke => (
            NotificationKind::RightRevoked,
            format!("专用标志使用资格已撤销 {no}"),
            format!(
                "您的{product}地理标志专用标志使用资格（登记编号 {no}）于{today}撤销{}，自即日起不得使用专用标志。",
                ground.map(|g| format!("，依据：{}", ground_zh(g))).unwrap_or_default()
            ),
        ),
        _ => return Ok(()),
    };
    with_reason(&mut body, "理由：", reason);
    deliver(
        conn,
        &row.enterprise_id,
        Message {
            kind,
            subject,
            body,
            link_path: "/authorizations".into(),
            application: None,
            right: Some((row.id.clone(), row.registry_no.clone())),
        },
        now,
    )
}

/// Days before the usage report's due date that its reminder goes out.
pub const REMINDER_DAYS_BEFORE: i64 = 30;

/// Reminds the holders of live rights whose report of last year is not filed, once per right
/// and year, from [`REMINDER_DAYS_BEFORE`] days before the due date on (and after it, for a
/// right granted late). Each reminder is its own transaction; a replica that finds the
/// reminder written already writes nothing.
pub async fn remind_usage_reports(state: &ServiceState) -> ServiceResult<usize> {
    let now = state.clock.now_naive();
    state
        .run(move |conn| {
            let (month, day) = super::usage::due_month_day(conn)?;
            let year = now.year() - 1;
            let due = report_due_date(year, month, day);
            if (due - now.date()).num_days() > REMINDER_DAYS_BEFORE {
                return Ok(0);
            }
            let reminded: std::collections::HashSet<String> =
                db::reminded(conn, year)?.into_iter().collect();
            let reported: std::collections::HashSet<String> = usage_db::live_report_marks(conn)?
                .into_iter()
                .filter(|(_, y, _)| *y == year)
                .map(|(id, _, _)| id)
                .collect();
            // (id, registry no, name, uscc, product, status, granted at)
            let candidates: Vec<String> = usage_db::live_rights(conn)?
                .into_iter()
                .filter(|r| r.5 == "active" && r.6.year() <= year)
                .filter(|r| !reminded.contains(&r.0) && !reported.contains(&r.0))
                .map(|r| r.0)
                .collect();
            let mut written = 0;
            for right in candidates {
                let wrote = write_transaction(conn, |conn| {
                    if !db::record_reminder(conn, &right, year, now)? {
                        return Ok::<_, ServiceError>(false);
                    }
                    let Some(row) = crate::db::queries::authorizations::find(conn, &right)?
                    else {
                        return Ok(false);
                    };
                    let product = product_name(conn, &row.product_code)?;
                    let no = row.registry_no.clone();
                    deliver(
                        conn,
                        &row.enterprise_id,
                        Message {
                            kind: NotificationKind::UsageReportDue,
                            subject: format!("请报送{year}年度专用标志使用情况 {no}"),
                            body: format!(
                                "您的{product}地理标志专用标志（登记编号 {no}）{year}年度使用情况报告应于{due}前报送。请登录“我的授权”填报。"
                            ),
                            link_path: "/authorizations".into(),
                            application: None,
                            right: Some((row.id.clone(), no)),
                        },
                        now,
                    )?;
                    Ok(true)
                })?;
                written += usize::from(wrote);
            }
            Ok(written)
        })
        .await
}

fn view(row: NotificationRow) -> ServiceResult<NotificationView> {
    Ok(NotificationView {
        kind: row.kind.parse().map_err(|_| {
            ServiceError::Internal(anyhow::anyhow!("stored notification kind unknown"))
        })?,
        id: row.id,
        subject: row.subject,
        body: row.body,
        application_no: row.application_no,
        registry_no: row.registry_no,
        link: row.link_path,
        created_at: row.created_at.and_utc(),
        read_at: row.read_at.map(|t| t.and_utc()),
    })
}

/// The caller's messages, newest first (staff have none).
pub async fn list(
    state: &ServiceState,
    actor: &Actor,
    paging: PageRequest,
) -> ServiceResult<Page<NotificationView>> {
    let (page, per_page, offset) = paging.resolve()?;
    let user_id = actor.user_id.clone();
    state
        .run(move |conn| {
            let (rows, total) = db::of_user(conn, &user_id, offset, per_page)?;
            Ok(Page {
                items: rows.into_iter().map(view).collect::<ServiceResult<_>>()?,
                total,
                page,
                per_page,
            })
        })
        .await
}

/// How many of the caller's messages are unread.
pub async fn unread(state: &ServiceState, actor: &Actor) -> ServiceResult<i64> {
    let user_id = actor.user_id.clone();
    state
        .run(move |conn| Ok(db::unread_count(conn, &user_id)?))
        .await
}

/// Marks one of the caller's messages read; another's, or none, is 404.
pub async fn mark_read(state: &ServiceState, actor: &Actor, id: String) -> ServiceResult<()> {
    let (user_id, now) = (actor.user_id.clone(), state.clock.now_naive());
    let found = state
        .run(move |conn| {
            write_transaction(conn, |conn| Ok(db::mark_read(conn, &id, &user_id, now)?))
        })
        .await?;
    if found {
        Ok(())
    } else {
        Err(ServiceError::NotFound)
    }
}
