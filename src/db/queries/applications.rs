use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::application::{
    ApplicationForm, ApplicationRow, AttachmentRow, FieldCommentRow, ReviewOpinionRow,
};
use crate::db::schema::{
    application_counters, applications, attachments, review_field_comments, review_opinions,
};
use crate::db::DbConnection;

pub fn insert(conn: &mut DbConnection, row: &ApplicationRow) -> QueryResult<()> {
    diesel::insert_into(applications::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<ApplicationRow>> {
    applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .first(conn)
        .optional()
}

/// Filters for a list; `enterprise_id` restricts an applicant to its own records.
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub enterprise_id: Option<String>,
    /// Any of these statuses; every status when empty.
    pub statuses: Vec<String>,
    pub product_code: Option<String>,
    /// The review queue's order: the earliest deadline of the current step first, then the
    /// longest in state.
    pub by_urgency: bool,
}

fn filtered(
    filter: &ApplicationFilter,
) -> applications::BoxedQuery<'static, crate::db::MultiBackend> {
    let mut query = applications::table.into_boxed();
    if let Some(enterprise_id) = &filter.enterprise_id {
        query = query.filter(applications::enterprise_id.eq(enterprise_id.clone()));
    }
    if !filter.statuses.is_empty() {
        query = query.filter(applications::status.eq_any(filter.statuses.clone()));
    }
    if let Some(product) = &filter.product_code {
        query = query.filter(applications::product_code.eq(product.clone()));
    }
    query
}

/// One page, newest first; the id breaks ties so the order is stable.
pub fn list(
    conn: &mut DbConnection,
    filter: &ApplicationFilter,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<ApplicationRow>, i64)> {
    let total = filtered(filter).count().get_result(conn)?;
    let ordered = if filter.by_urgency {
        filtered(filter).order((
            applications::current_step_due.is_null().asc(),
            applications::current_step_due.asc(),
            applications::status_changed_at.asc(),
            applications::id.asc(),
        ))
    } else {
        filtered(filter).order((applications::created_at.desc(), applications::id.desc()))
    };
    let rows = ordered
        .offset(offset)
        .limit(limit)
        .select(ApplicationRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Writes the form if the application is still at `version` and editable; returns rows changed.
pub fn update_form(
    conn: &mut DbConnection,
    id: &str,
    version: i32,
    form: &ApplicationForm,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        applications::table
            .filter(applications::id.eq(id))
            .filter(applications::version.eq(version))
            .filter(applications::status.eq_any(["draft", "returned"])),
    )
    .set((
        form,
        applications::version.eq(version + 1),
        applications::updated_at.eq(now),
    ))
    .execute(conn)
}

/// The state change itself: only from the status and version the caller read, so a
/// concurrent or repeated move finds nothing to update.
pub fn move_status(
    conn: &mut DbConnection,
    id: &str,
    from_status: &str,
    version: i32,
    to_status: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        applications::table
            .filter(applications::id.eq(id))
            .filter(applications::status.eq(from_status))
            .filter(applications::version.eq(version)),
    )
    .set((
        applications::status.eq(to_status),
        applications::version.eq(version + 1),
        applications::status_changed_at.eq(now),
        applications::updated_at.eq(now),
    ))
    .execute(conn)
}

/// The next case number of `year`, from its counter row (made by the year's first submission).
pub fn next_application_sequence(conn: &mut DbConnection, year: i32) -> QueryResult<i32> {
    let bump = |conn: &mut DbConnection| {
        diesel::update(application_counters::table.find(year))
            .set(application_counters::last_no.eq(application_counters::last_no + 1))
            .execute(conn)
    };
    if bump(conn)? == 0 {
        // A concurrent first submission may insert the row too: the savepoint lets the loser
        // fall back to the UPDATE instead of failing its transaction.
        let inserted = conn.transaction(|conn| {
            diesel::insert_into(application_counters::table)
                .values((
                    application_counters::year.eq(year),
                    application_counters::last_no.eq(1),
                ))
                .execute(conn)
        });
        match inserted {
            Ok(_) => return Ok(1),
            Err(error) if super::is_unique_violation(&error) => {
                bump(conn)?;
            }
            Err(error) => return Err(error),
        }
    }
    application_counters::table
        .find(year)
        .select(application_counters::last_no)
        .first(conn)
}

/// Gives the case number, once: an application that has one keeps it.
pub fn set_application_no(conn: &mut DbConnection, id: &str, number: &str) -> QueryResult<usize> {
    diesel::update(
        applications::table
            .filter(applications::id.eq(id))
            .filter(applications::application_no.is_null()),
    )
    .set(applications::application_no.eq(number))
    .execute(conn)
}

pub fn set_current_step_due(
    conn: &mut DbConnection,
    id: &str,
    due: Option<String>,
) -> QueryResult<()> {
    diesel::update(applications::table.find(id))
        .set(applications::current_step_due.eq(due))
        .execute(conn)
        .map(|_| ())
}

/// Applications submitted before case numbers existed (oldest first), and those waiting
/// without a deadline: what the start-up back-fill completes.
pub fn without_case_facts(conn: &mut DbConnection) -> QueryResult<Vec<ApplicationRow>> {
    applications::table
        .filter(
            applications::submitted_at
                .is_not_null()
                .and(applications::application_no.is_null())
                .or(applications::current_step_due
                    .is_null()
                    .and(applications::status.eq_any([
                        "submitted",
                        "under_review",
                        "recommended",
                    ]))),
        )
        .order((applications::submitted_at.asc(), applications::id.asc()))
        .select(ApplicationRow::as_select())
        .load(conn)
}

pub fn set_submitted_at(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(applications::table.find(id))
        .set(applications::submitted_at.eq(at))
        .execute(conn)
        .map(|_| ())
}

pub fn set_recommended_by(conn: &mut DbConnection, id: &str, user_id: &str) -> QueryResult<()> {
    diesel::update(applications::table.find(id))
        .set(applications::recommended_by.eq(user_id))
        .execute(conn)
        .map(|_| ())
}

pub fn set_review_due_date(
    conn: &mut DbConnection,
    id: &str,
    due: Option<String>,
) -> QueryResult<()> {
    diesel::update(applications::table.find(id))
        .set(applications::review_due_date.eq(due))
        .execute(conn)
        .map(|_| ())
}

pub fn insert_attachment(conn: &mut DbConnection, row: &AttachmentRow) -> QueryResult<()> {
    diesel::insert_into(attachments::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn attachments_of(
    conn: &mut DbConnection,
    application_id: &str,
) -> QueryResult<Vec<AttachmentRow>> {
    attachments::table
        .filter(attachments::application_id.eq(application_id))
        .order((attachments::created_at.asc(), attachments::id.asc()))
        .select(AttachmentRow::as_select())
        .load(conn)
}

pub fn attachment(
    conn: &mut DbConnection,
    application_id: &str,
    id: &str,
) -> QueryResult<Option<AttachmentRow>> {
    attachments::table
        .filter(attachments::application_id.eq(application_id))
        .filter(attachments::id.eq(id))
        .select(AttachmentRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert_opinion(
    conn: &mut DbConnection,
    opinion: &ReviewOpinionRow,
    comments: &[FieldCommentRow],
) -> QueryResult<()> {
    diesel::insert_into(review_opinions::table)
        .values(opinion)
        .execute(conn)?;
    // One row at a time: multi-row inserts are not available through the connection enum.
    for comment in comments {
        diesel::insert_into(review_field_comments::table)
            .values(comment)
            .execute(conn)?;
    }
    Ok(())
}

pub fn latest_opinion(
    conn: &mut DbConnection,
    application_id: &str,
) -> QueryResult<Option<(ReviewOpinionRow, Vec<FieldCommentRow>)>> {
    let opinion = review_opinions::table
        .filter(review_opinions::application_id.eq(application_id))
        .order((
            review_opinions::created_at.desc(),
            review_opinions::id.desc(),
        ))
        .select(ReviewOpinionRow::as_select())
        .first(conn)
        .optional()?;
    let Some(opinion) = opinion else {
        return Ok(None);
    };
    let comments = review_field_comments::table
        .filter(review_field_comments::opinion_id.eq(&opinion.id))
        .order(review_field_comments::id.asc())
        .select(FieldCommentRow::as_select())
        .load(conn)?;
    Ok(Some((opinion, comments)))
}

/// Moves the version on without other change (a document was added).
pub fn touch(
    conn: &mut DbConnection,
    id: &str,
    version: i32,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        applications::table
            .filter(applications::id.eq(id))
            .filter(applications::version.eq(version)),
    )
    .set((
        applications::version.eq(version + 1),
        applications::updated_at.eq(now),
    ))
    .execute(conn)
}

pub fn count_attachments(conn: &mut DbConnection, application_id: &str) -> QueryResult<i64> {
    attachments::table
        .filter(attachments::application_id.eq(application_id))
        .count()
        .get_result(conn)
}

pub fn delete_attachment(
    conn: &mut DbConnection,
    application_id: &str,
    id: &str,
) -> QueryResult<usize> {
    diesel::delete(
        attachments::table
            .filter(attachments::application_id.eq(application_id))
            .filter(attachments::id.eq(id)),
    )
    .execute(conn)
}
