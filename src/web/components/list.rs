//! The skeleton of a list page, drawn in one place: its heading, a line on what it lists,
//! what comes before the list (links, a filter), then one page of the list with its pager,
//! or the sentence that says there is nothing.

use maud::{html, Markup};

use serde::Deserialize;

use super::{pager, FormErrors, PagerStyle};
use crate::service::paging::Page;
use crate::service::{ServiceError, ServiceResult};
use crate::web::format::url_encode;
use crate::web::lang::Lang;

/// A list page's section.
pub struct ListSection<'a> {
    pub title: &'a str,
    /// What the list holds, under the heading (muted).
    pub intro: Option<&'a str>,
    /// Links or a filter form between the heading and the list.
    pub before: Markup,
    /// The list itself, from [`listing`]; nothing when there is no list to show (a filter
    /// that was refused says why on the filter).
    pub list: Markup,
}

pub fn list_section(section: ListSection<'_>) -> Markup {
    html! {
        section {
            h2 { (section.title) }
            @if let Some(intro) = section.intro { p class="muted" { (intro) } }
            (section.before)
            (section.list)
        }
    }
}

/// One page of a list: `draw` of its items and the pager (`link(n)` is page `n`'s address),
/// or, when there are none and `empty` is given, that sentence instead.
pub fn listing<T>(
    lang: Lang,
    style: PagerStyle,
    page: &Page<T>,
    empty: Option<&str>,
    link: impl Fn(i64) -> String,
    draw: impl FnOnce(&[T]) -> Markup,
) -> Markup {
    html! {
        @match empty.filter(|_| page.items.is_empty()) {
            Some(empty) => p { (empty) },
            None => {
                (draw(&page.items))
                (pager(lang, style, page.page, page.per_page, page.total, link))
            }
        }
    }
}

/// The query of a staff list filtered by status and product: `?status=&product=&page=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FilterQuery {
    pub status: String,
    pub product: String,
    pub page: Option<i64>,
}

impl FilterQuery {
    /// The status chosen, if any.
    pub fn status(&self) -> Option<String> {
        (!self.status.is_empty()).then(|| self.status.clone())
    }

    /// The product chosen, if any.
    pub fn product(&self) -> Option<String> {
        (!self.product.is_empty()).then(|| self.product.clone())
    }

    /// The address of page `n` of the list at `base`, filtered the same.
    pub fn page_link(&self, base: &str, n: i64) -> String {
        format!(
            "{base}?status={}&product={}&page={n}",
            url_encode(&self.status),
            url_encode(&self.product)
        )
    }
}

/// A filtered list as its page draws it: one page of it, or none when a filter value was
/// refused, with why (shown on the filter form).
pub fn filtered<T>(
    listed: ServiceResult<Page<T>>,
) -> Result<(Option<Page<T>>, FormErrors), ServiceError> {
    match listed {
        Ok(page) => Ok((Some(page), FormErrors::default())),
        Err(ServiceError::Invalid(problems)) => Ok((None, FormErrors(problems))),
        Err(other) => Err(other),
    }
}
