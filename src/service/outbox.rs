//! Delivering the outbox: each replica's worker claims due messages (a lease, so two replicas
//! never hold the same row), sends them through the SMTP server outside any transaction, and
//! marks each sent, or failed with the time of its next try (exponential backoff), or given
//! up. A worker that dies mid-send leaves its claim to expire and the message is tried again:
//! delivery is at least once. Without an SMTP server nothing is claimed and messages wait.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::mail::OutgoingMail;
use super::paging::PageRequest;
use super::{ServiceError, ServiceResult, ServiceState};
use crate::db::models::notification::OutboxRow;
use crate::db::queries::notifications::{self as db, OutboxState};
use crate::db::write_transaction;
use crate::domain::notification::{gives_up, retry_after};
use crate::domain::roles::{Actor, Role};

/// Messages one worker claims at a time.
const BATCH: i64 = 20;
/// How long a claim holds: well beyond the SMTP timeout of each message in a batch.
const LEASE: Duration = Duration::minutes(5);
/// The longest error text kept.
const ERROR_CHARS: usize = 500;

/// Sends what is due; how many messages went out. Nothing is claimed without a mail server.
pub async fn deliver_due(state: &ServiceState, worker: &str) -> ServiceResult<usize> {
    if !state.mailer.is_configured() {
        return Ok(0);
    }
    let now = state.clock.now_naive();
    let claimer = worker.to_owned();
    let claimed = state
        .run(move |conn| {
            write_transaction(conn, |conn| {
                Ok::<_, ServiceError>(db::claim_due(conn, &claimer, now, now + LEASE, BATCH)?)
            })
        })
        .await?;
    let mut sent = 0;
    for row in claimed {
        let outcome = state.mailer.send(&mail_of(state, &row)).await;
        let now = state.clock.now_naive();
        let (id, worker) = (row.id.clone(), worker.to_owned());
        match outcome {
            Ok(()) => {
                sent += 1;
                state
                    .run(move |conn| {
                        write_transaction(conn, |conn| Ok(db::mark_sent(conn, &id, &worker, now)?))
                    })
                    .await?;
            }
            Err(error) => {
                let given_up = gives_up(row.attempts, error.is_transient());
                let next = now + retry_after(row.attempts, retry_base(state));
                let text: String = error.to_string().chars().take(ERROR_CHARS).collect();
                tracing::warn!(
                    message = %row.id,
                    attempts = row.attempts,
                    given_up,
                    error = %text,
                    "an e-mail was not delivered"
                );
                state
                    .run(move |conn| {
                        write_transaction(conn, |conn| {
                            Ok(db::mark_failed(
                                conn,
                                &id,
                                &worker,
                                &text,
                                next,
                                given_up.then_some(now),
                            )?)
                        })
                    })
                    .await?;
            }
        }
    }
    Ok(sent)
}

fn retry_base(state: &ServiceState) -> Duration {
    Duration::from_std(state.settings.outbox_retry_base).unwrap_or(Duration::seconds(30))
}

/// The e-mail of an outbox row: its text, the link to the page it is about, the office.
fn mail_of(state: &ServiceState, row: &OutboxRow) -> OutgoingMail {
    let base = state.settings.public_base();
    let link = row
        .link_path
        .as_deref()
        .map(|path| format!("\n\n查看详情 / Details: {base}{path}"))
        .unwrap_or_default();
    OutgoingMail {
        to: row.recipient.clone(),
        subject: format!("【英德市地理标志】{}", row.subject),
        body: format!(
            "{}{link}\n\n—— 英德市地理标志专用标志使用登记（系统邮件，请勿直接回复）\nYingde GI special mark registry (automatic message)\n",
            row.body
        ),
        // The same row sent again (after a lost claim) carries the same Message-ID.
        message_id: format!("{}@gi-registry", row.id),
    }
}

/// What an admin sees of one message in the outbox.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutboxEntry {
    pub id: String,
    pub channel: String,
    pub recipient: String,
    pub kind: String,
    pub subject: String,
    pub created_at: DateTime<Utc>,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub gave_up_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutboxCounts {
    /// Not sent yet and not given up.
    pub waiting: i64,
    /// Waiting after a failed try.
    pub failing: i64,
    pub given_up: i64,
    pub sent: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutboxReport {
    /// Whether an SMTP server is configured on the replica that answered.
    pub smtp_configured: bool,
    pub counts: OutboxCounts,
    pub items: Vec<OutboxEntry>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct OutboxQuery {
    /// `waiting`, `failing`, `given_up` or `sent`; every message without it.
    #[param(pattern = "^(waiting|failing|given_up|sent)$")]
    pub status: Option<String>,
}

fn entry(row: OutboxRow) -> OutboxEntry {
    OutboxEntry {
        id: row.id,
        channel: row.channel,
        recipient: row.recipient,
        kind: row.kind,
        subject: row.subject,
        created_at: row.created_at.and_utc(),
        attempts: row.attempts,
        next_attempt_at: row.next_attempt_at.and_utc(),
        sent_at: row.sent_at.map(|t| t.and_utc()),
        last_error: row.last_error,
        gave_up_at: row.gave_up_at.map(|t| t.and_utc()),
    }
}

/// The outbox as admins watch it: counts, and one page of messages (newest first).
pub async fn report(
    state: &ServiceState,
    actor: &Actor,
    query: OutboxQuery,
    paging: PageRequest,
) -> ServiceResult<OutboxReport> {
    if actor.role != Role::Admin {
        return Err(ServiceError::Forbidden);
    }
    let (page, per_page, offset) = paging.resolve()?;
    let status = match query.status.as_deref() {
        None | Some("") => None,
        Some("waiting") => Some(OutboxState::Waiting),
        Some("failing") => Some(OutboxState::Failing),
        Some("given_up") => Some(OutboxState::GaveUp),
        Some("sent") => Some(OutboxState::Sent),
        Some(_) => {
            return Err(ServiceError::invalid(
                "status",
                "invalid_choice",
                "must be waiting, failing, given_up or sent",
                "须为 waiting、failing、given_up 或 sent",
            ))
        }
    };
    let smtp_configured = state.mailer.is_configured();
    state
        .run(move |conn| {
            let [waiting, failing, given_up, sent] = db::outbox_counts(conn)?;
            let (rows, total) = db::outbox_page(conn, status, offset, per_page)?;
            Ok(OutboxReport {
                smtp_configured,
                counts: OutboxCounts {
                    waiting,
                    failing,
                    given_up,
                    sent,
                },
                items: rows.into_iter().map(entry).collect(),
                total,
                page,
                per_page,
            })
        })
        .await
}

/// An admin has a given-up (or failing) message tried again at once.
pub async fn retry(state: &ServiceState, actor: &Actor, id: String) -> ServiceResult<()> {
    if actor.role != Role::Admin {
        return Err(ServiceError::Forbidden);
    }
    let now = state.clock.now_naive();
    let changed = state
        .run(move |conn| write_transaction(conn, |conn| Ok(db::retry(conn, &id, now)?)))
        .await?;
    if changed == 0 {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}
