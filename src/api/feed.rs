//! The change feed as JSON pages and as an Atom document (`/feed.atom`), both from the
//! register's log in memory. Links are absolute from `GI_PUBLIC_URL` (or the listen address),
//! never from the request's `Host`.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use atom_syndication::{Entry, Feed, Link, Person, Text};

use super::openapi::ProblemDocument;
use crate::error::ApiError;
use crate::service::changes::{self, ChangeItem, ChangePage, ChangesQuery};
use crate::service::ServiceState;

/// Public changes in journal order, after `after`: page on with `next_after`.
#[utoipa::path(get, path = "/api/v1/public/changes", tag = "public", params(ChangesQuery),
    responses(
        (status = 200, body = ChangePage),
        (status = 422, description = "`after` below 0 or `limit` outside 1–1000", body = ProblemDocument, content_type = "application/problem+json"),
))]
pub async fn changes(
    state: web::Data<ServiceState>,
    query: web::Query<ChangesQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(changes::changes(&state, query.into_inner()).await?))
}

/// The newest public changes (100) as an Atom feed, newest first.
#[utoipa::path(get, path = "/feed.atom", tag = "public",
    responses((status = 200, description = "Atom 1.0", content_type = "application/atom+xml")))]
pub async fn atom(state: web::Data<ServiceState>) -> Result<HttpResponse, ApiError> {
    let items = changes::latest(&state).await?;
    let feed = atom_feed(state.settings.public_base(), &items, state.clock.now());
    let xml = feed
        .write_to(Vec::new())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("Atom feed: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"))
        .body(xml))
}

fn link(href: String, rel: &str) -> Link {
    let mut link = Link::default();
    link.set_href(href);
    link.set_rel(rel);
    link
}

fn event_zh(item: &ChangeItem) -> &'static str {
    use crate::service::changes::ChangeEvent as E;
    match item.event {
        E::Granted => "核准使用",
        E::Suspended => "暂停使用",
        E::Reinstated => "恢复使用",
        E::Revoked => "撤销",
        E::Surrendered => "注销",
        E::EnterpriseChanged => "企业信息变更",
    }
}

/// The feed: its id is its own address; each entry's id names the journal event and the
/// right, so a reader never takes two changes for one.
pub fn atom_feed(base: &str, items: &[ChangeItem], now: chrono::DateTime<chrono::Utc>) -> Feed {
    let mut feed = Feed::default();
    feed.set_title(Text::plain("英德市地理标志专用标志使用企业名录 · 变更"));
    feed.set_id(format!("{base}/feed.atom"));
    let updated = items.first().map_or(now, |i| i.at);
    feed.set_updated(updated.fixed_offset());
    feed.set_authors(vec![Person {
        name: "英德市地理标志专用标志登记 gi-registry".into(),
        uri: Some(format!("{base}/")),
        ..Default::default()
    }]);
    feed.set_links(vec![
        link(format!("{base}/feed.atom"), "self"),
        link(format!("{base}/api/v1/public/changes"), "alternate"),
    ]);
    feed.set_entries(
        items
            .iter()
            .map(|item| {
                let mut entry = Entry::default();
                entry.set_id(format!(
                    "{base}/api/v1/public/changes?after={}#{}",
                    item.seq - 1,
                    item.registry_no
                ));
                entry.set_title(Text::plain(format!(
                    "{} {} {}",
                    item.registry_no,
                    event_zh(item),
                    item.enterprise_name
                )));
                entry.set_updated(item.at.fixed_offset());
                entry.set_links(vec![link(
                    format!(
                        "{base}/verify/{}",
                        crate::http::url_encode(&item.registry_no)
                    ),
                    "alternate",
                )]);
                entry.set_summary(Some(Text::plain(format!(
                    "seq {} · {} · {} · {} · {} · status {}",
                    item.seq,
                    item.event.as_str(),
                    item.uscc,
                    item.product_code,
                    item.registry_no,
                    item.status.as_str()
                ))));
                entry
            })
            .collect::<Vec<_>>(),
    );
    feed
}
