//! `/`: the counter toward the goal, the search of authorized users, the products.

use std::sync::{Arc, Mutex};

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use crate::domain::register::RightFacts;
use crate::service::paging::PageRequest;
use crate::service::public::{self, Goal, PageOf, ProductView, PublicQuery};
use crate::service::register::Reference;
use crate::service::{ServiceError, ServiceState};
use crate::web::components::{pager, public_page, right_status_tag, PagerStyle};
use crate::web::errors::PageError;
use crate::web::format::{beijing_date, url_encode};
use crate::web::labels;
use crate::web::lang::Lang;
use crate::web::session::Visitor;

#[derive(Debug, Deserialize)]
pub struct HomeQuery {
    q: Option<String>,
    product: Option<String>,
    town: Option<String>,
    page: Option<i64>,
    lang: Option<String>,
}

const RESULTS_PER_PAGE: i64 = 20;

/// Monthly authorized enterprises as inline SVG bars (no script, no external request).
fn chart(lang: Lang, goal: &Goal) -> Markup {
    let months = &goal.monthly;
    if months.is_empty() {
        return html! { p class="muted" { (lang.pick("尚无授权记录。", "No authorizations yet.")) } };
    }
    let (width, height, top) = (640.0, 180.0, 16.0);
    let max = months
        .iter()
        .map(|m| m.authorized_enterprises)
        .max()
        .unwrap_or(1)
        .max(goal.target)
        .max(1) as f64;
    let slot = width / months.len() as f64;
    let target_y = format!(
        "{:.1}",
        top + (height - top) * (1.0 - goal.target as f64 / max)
    );
    let target_label_y = format!(
        "{:.1}",
        top + (height - top) * (1.0 - goal.target as f64 / max) - 4.0
    );
    let ends = months
        .iter()
        .enumerate()
        .filter(|(i, _)| *i == 0 || *i + 1 == months.len());
    html! {
        svg class="chart" viewBox=(format!("0 0 {width} {}", height + 22.0)) role="img"
            aria-label=(lang.pick("每月授权企业数", "Authorized enterprises by month")) {
            line x1="0" x2=(format!("{width}")) y1=(target_y) y2=(target_y) stroke="#b3261e" stroke-dasharray="4 4" {}
            text x="4" y=(target_label_y) font-size="12" fill="#b3261e" {
                (lang.pick("目标", "goal")) " " (goal.target)
            }
            @for (i, month) in months.iter().enumerate() {
                @let bar = (height - top) * month.authorized_enterprises as f64 / max;
                rect x=(format!("{:.1}", i as f64 * slot + slot * 0.15)) y=(format!("{:.1}", height - bar))
                    width=(format!("{:.1}", slot * 0.7)) height=(format!("{bar:.1}")) fill="#1b6e3a" {
                    title { (month.month) " " (month.authorized_enterprises) }
                }
            }
            @for (i, month) in ends {
                text x=(if i == 0 { "0".to_owned() } else { format!("{width}") }) y=(format!("{}", height + 16.0)) font-size="12"
                    text-anchor=(if i == 0 { "start" } else { "end" }) fill="#5f5b53" { (month.month) }
            }
        }
    }
}

/// One result row, drawn from the register's own facts (no copy per row).
fn result_item(lang: Lang, reference: &Reference, right: &RightFacts) -> Markup {
    let town = reference
        .town(&right.town_code)
        .map_or(right.town_code.as_str(), |t| labels::town(lang, t));
    html! {
        li data-status=(right.status.as_str()) {
            div class="name" { (right.enterprise_name) }
            div class="code" { (right.uscc) }
            div {
                (labels::product_of(lang, &reference.products, &right.product_code)) " · "
                (town) " · "
                span class="code" { (right.registry_no) } " "
                (right_status_tag(lang, right.status)) " "
                span class="muted" { (lang.pick("自 ", "since ")) (beijing_date(right.status_since.and_utc())) }
            }
            a href={ "/verify/" (url_encode(&right.registry_no)) (lang.query()) } { (lang.pick("核验 ›", "Verify ›")) }
        }
    }
}

/// The results part of the page: how many, one page of rows, the pager.
fn results_section(
    lang: Lang,
    query: &HomeQuery,
    reference: &Reference,
    page: PageOf<'_>,
) -> Markup {
    html! {
        p class="muted" data-testid="total" {
            @if lang.zh() { "共 " (page.total) " 家企业" }
            @else { (page.total) @if page.total == 1 { " enterprise" } @else { " enterprises" } }
        }
        ul class="results" { @for right in page.items { (result_item(lang, reference, right)) } }
        (pager(lang, PagerStyle::Public, page.page, RESULTS_PER_PAGE, page.total, |to| page_link(query, to)))
        @if page.total == 0 {
            p { (lang.pick("没有符合条件的授权企业。", "No authorized user matches.")) }
        }
    }
}

/// The address of another page of results, keeping the search and the language.
fn page_link(query: &HomeQuery, to: i64) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for (name, value) in [
        ("q", &query.q),
        ("product", &query.product),
        ("town", &query.town),
        ("lang", &query.lang),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            pairs.push((name, v.to_owned()));
        }
    }
    pairs.push(("page", to.to_string()));
    format!(
        "/?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

fn counter(lang: Lang, goal: &Goal) -> Markup {
    let bar = goal.percent.min(100.0);
    html! {
        section class="counter" aria-labelledby="counter-title" {
            h2 id="counter-title" {
                (lang.pick("已获准使用地理标志专用标志的企业", "Enterprises authorized to use the GI special mark"))
            }
            div class="number" data-testid="authorized" {
                (goal.authorized_enterprises) span class="muted" { " / " (goal.target) }
            }
            div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax=(goal.target)
                aria-valuenow=(goal.authorized_enterprises) {
                span style=(format!("width:{bar:.1}%")) {}
            }
            p class="muted" {
                (lang.pick("距目标还差", "To go:")) " " (goal.remaining) " · "
                (lang.pick("目标期限", "deadline")) " " (goal.deadline.to_string()) " · "
                (format!("{:.1}%", goal.percent))
            }
            p class="muted" data-testid="abnormal-listed" {
                a href={ "/abnormal" (lang.query()) } { (lang.pick("列入使用异常名录", "On the abnormal-use list")) }
                "：" (goal.abnormal_listed) (lang.pick(" 项（仍计入授权企业）", " rights (still counted)"))
            }
            (chart(lang, goal))
        }
    }
}

fn products_section(lang: Lang, products: &[ProductView]) -> Markup {
    html! {
        section aria-labelledby="products-title" {
            h2 id="products-title" { (lang.pick("地理标志产品", "GI products")) }
            @for p in products {
                h3 { (p.name_zh) " " (p.name_en) }
                p { (p.protection_announcement) }
                p class="muted" {
                    (lang.pick("保护范围：", "Protected area: ")) (p.protected_area)
                    " (" (p.towns.len()) " " (lang.pick("个镇（街道）", "towns")) ")"
                }
            }
        }
    }
}

type Stamp = (i64, NaiveDate);

/// The counter (with its chart) and the products, as rendered for one language at one stamp
/// of the register: the same for every visitor, so they are rendered once per journal event
/// and day instead of on every request (issue 12: the home page under load).
#[derive(Default)]
pub struct HomeFragments(Mutex<Vec<(Lang, Stamp, Fragments)>>);

#[derive(Clone)]
struct Fragments {
    counter: PreEscaped<Arc<str>>,
    products: PreEscaped<Arc<str>>,
}

impl HomeFragments {
    fn get(&self, lang: Lang, stamp: Stamp) -> Option<Fragments> {
        let kept = self.0.lock().ok()?;
        kept.iter()
            .find(|(l, s, _)| *l == lang && *s == stamp)
            .map(|(_, _, f)| f.clone())
    }

    /// Keeps one rendering per language. A rendering may be newer than its stamp (the register
    /// moved on while it was made), never older, so nothing stale is served.
    fn put(&self, lang: Lang, stamp: Stamp, fragments: Fragments) {
        if let Ok(mut kept) = self.0.lock() {
            kept.retain(|(l, _, _)| *l != lang);
            kept.push((lang, stamp, fragments));
        }
    }
}

/// The home page: the counter toward the goal, the search, the products.
pub async fn home(
    state: web::Data<ServiceState>,
    fragments: web::Data<HomeFragments>,
    query: web::Query<HomeQuery>,
    visitor: Visitor,
) -> Result<HttpResponse, PageError> {
    let query = query.into_inner();
    // `?lang=` when given (then remembered in a cookie), else the remembered language.
    let lang = visitor.lang;
    let failed = |error: ServiceError| PageError::failed(lang, error);
    let reference = public::reference(&state);
    let products = &reference.products;
    let stamp = public::register_stamp(&state).map_err(failed)?;
    let rendered = match fragments.get(lang, stamp) {
        Some(rendered) => rendered,
        None => {
            let goal = public::goal(&state).await.map_err(failed)?;
            let rendered = Fragments {
                counter: PreEscaped(counter(lang, &goal).into_string().into()),
                products: PreEscaped(products_section(lang, products).into_string().into()),
            };
            fragments.put(lang, stamp, rendered.clone());
            rendered
        }
    };
    let filters = PublicQuery {
        q: query.q.clone(),
        product: query.product.clone(),
        town: query.town.clone(),
        status: None,
    };
    let paging = PageRequest {
        page: query.page,
        per_page: Some(RESULTS_PER_PAGE),
    };
    // A name typed in: every holder it matches, suspended and revoked ones too.
    let searched = query.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let found = public::with_holders(&state, &filters, paging, searched, |reference, page| {
        results_section(lang, &query, reference, page)
    });
    let results = match found {
        Ok(rows) => Ok(rows),
        Err(ServiceError::Invalid(errors)) => Err(errors),
        Err(other) => return Err(failed(other)),
    };

    let body = html! {
        (rendered.counter)
        section aria-labelledby="search-title" {
            h2 id="search-title" { (lang.pick("查询授权企业", "Find an authorized user")) }
            form class="search" method="get" action="/" role="search" {
                label class="muted" for="q" style="flex-basis:100%" {
                    (lang.pick("输入企业名称、统一社会信用代码或登记编号", "Enterprise name, unified social credit code or registry number"))
                }
                input type="search" id="q" name="q" value=(query.q.as_deref().unwrap_or(""))
                    maxlength="100" autocomplete="off";
                select name="product" aria-label=(lang.pick("产品", "Product")) {
                    option value="" { (lang.pick("全部产品", "All products")) }
                    @for p in products {
                        option value=(p.code) selected[query.product.as_deref() == Some(p.code.as_str())] {
                            (labels::product(lang, p))
                        }
                    }
                }
                @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
                button type="submit" { (lang.pick("查询", "Search")) }
            }
            @match &results {
                Ok(rows) => { (rows) }
                Err(errors) => {
                    @for e in errors {
                        p role="alert" { (e.field) ": " (e.message.pick(lang.zh())) }
                    }
                }
            }
        }
        (rendered.products)
    };
    let title = lang.pick(
        "英德市地理标志专用标志使用企业",
        "Yingde GI special mark users",
    );
    Ok(visitor.keep_cookies(public_page(lang, StatusCode::OK, title, "/", body)))
}
