//! Staff pages: the review queue (most urgent first), the watchlist and the exports. One
//! application opens under `/review/{id}` (see `application_pages`).

use std::fmt::Write;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::application_pages::{pager, when};
use super::form::Control;
use super::labels;
use super::layout::{escape, url_encode, Lang};
use super::session::{CsrfForm, FormErrors, PageError, SignedIn};
use crate::domain::usage::WatchReason;
use crate::domain::workflow::ApplicationStatus;
use crate::http::download::{csv_response, xlsx_response};
use crate::service::applications::{self, ApplicationQuery};
use crate::service::exports::Cell;
use crate::service::fake_reports::{self, CloseInput, FakeReportQuery};
use crate::service::paging::PageRequest;
use crate::service::public::ProductView;
use crate::service::usage::{self, WatchQuery};
use crate::service::{exports, public, ServiceError, ServiceState};

/// The product filter's choices: every product, or one.
pub fn product_choices(lang: Lang, products: &[ProductView]) -> Vec<(String, String)> {
    std::iter::once((
        String::new(),
        lang.pick("全部产品", "All products").to_owned(),
    ))
    .chain(products.iter().map(|p| {
        let name = if lang == Lang::Zh {
            &p.name_zh
        } else {
            &p.name_en
        };
        (p.code.clone(), name.clone())
    }))
    .collect()
}

/// Staff only: a producer who opens a staff page is sent to their own pages.
pub fn staff_only(session: &SignedIn) -> Result<(), PageError> {
    if session.actor.role.is_staff() {
        Ok(())
    } else {
        Err(session.error(ServiceError::Forbidden))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueueQuery {
    status: String,
    product: String,
    page: Option<i64>,
}

/// The queue: applications waiting for staff, the most urgent first, with days in state.
pub async fn queue(
    state: web::Data<ServiceState>,
    session: SignedIn,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, PageError> {
    if session.actor.role == crate::domain::roles::Role::Applicant {
        return Ok(session.visitor.redirect("/applications"));
    }
    staff_only(&session)?;
    let v = &session.visitor;
    let lang = v.lang;
    let query = query.into_inner();
    let products = public::products(&state)
        .await
        .map_err(|e| session.error(e))?;
    let filter = ApplicationQuery {
        status: (!query.status.is_empty()).then(|| query.status.clone()),
        product: (!query.product.is_empty()).then(|| query.product.clone()),
        sort: Some("urgency".into()),
        waiting_for_staff: true,
    };
    let paging = PageRequest {
        page: query.page,
        per_page: Some(50),
    };
    let (page, errors) = match applications::list(&state, &session.actor, filter, paging).await {
        Ok(page) => (Some(page), FormErrors::default()),
        Err(ServiceError::Invalid(problems)) => (None, FormErrors(problems)),
        Err(other) => return Err(session.error(other)),
    };

    let waiting = ApplicationStatus::WAITING_FOR_STAFF;
    let mut statuses = vec![(
        String::new(),
        v.pick(
            "待办（已提交、审查中、已推荐）",
            "Waiting (submitted, under review, recommended)",
        )
        .to_owned(),
    )];
    statuses.extend(
        waiting
            .iter()
            .chain(
                ApplicationStatus::ALL
                    .iter()
                    .filter(|s| !waiting.contains(s)),
            )
            .map(|s| {
                (
                    s.as_str().to_owned(),
                    labels::application_status(lang, *s).to_owned(),
                )
            }),
    );
    let product_options = product_choices(lang, &products);
    let mut body = format!(
        "<section><h2>{title}</h2><p class=\"muted\">{hint}</p><form method=\"get\" action=\"/review\" class=\"search\">{status}{product}<p><button type=\"submit\">{button}</button></p></form>",
        title = v.pick("审查队列", "Review queue"),
        hint = v.pick(
            "按紧急程度排列：审查期限最早的在前，其次是等待最久的。",
            "Most urgent first: the earliest review deadline, then the longest waiting."
        ),
        status = Control::select("status", v.pick("状态", "Status"), &query.status, statuses).draw(lang, &errors),
        product = Control::select("product", v.pick("产品", "Product"), &query.product, product_options).draw(lang, &errors),
        button = v.pick("筛选", "Filter"),
    );
    if let Some(page) = page {
        if page.items.is_empty() {
            let _ = write!(
                body,
                "<p>{}</p>",
                v.pick("没有待办的申请。", "Nothing waiting.")
            );
        } else {
            let _ = write!(
                body,
                "<div class=\"table-wrap\"><table class=\"stack\" data-testid=\"queue\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
                v.pick("企业", "Enterprise"),
                v.pick("产品", "Product"),
                v.pick("状态", "Status"),
                v.pick("已停留（天）", "Days in state"),
                v.pick("审查期限", "Due"),
            );
            for item in &page.items {
                let product = products
                    .iter()
                    .find(|p| p.code == item.product_code)
                    .map(|p| {
                        if lang == Lang::Zh {
                            p.name_zh.clone()
                        } else {
                            p.name_en.clone()
                        }
                    })
                    .unwrap_or_else(|| item.product_code.clone());
                let due = item
                    .review_due_date
                    .map(|d| {
                        if item.overdue {
                            format!(
                                "<span class=\"overdue\">{d} {}</span>",
                                v.pick("已超期", "overdue")
                            )
                        } else {
                            d.to_string()
                        }
                    })
                    .unwrap_or_default();
                let _ = write!(
                    body,
                    "<tr data-id=\"{id_attr}\"><td><a href=\"/review/{id}\">{name}</a><div class=\"code muted\">{uscc}</div></td><td data-label=\"{product_label}\">{product}</td><td data-label=\"{status_label}\">{status}</td><td data-label=\"{days_label}\">{days}</td><td data-label=\"{due_label}\">{due}</td></tr>",
                    product_label = v.pick("产品", "Product"),
                    status_label = v.pick("状态", "Status"),
                    days_label = v.pick("已停留（天）", "Days in state"),
                    due_label = v.pick("审查期限", "Due"),
                    id_attr = escape(&item.id),
                    id = url_encode(&item.id),
                    name = escape(&item.enterprise.name),
                    uscc = escape(&item.enterprise.uscc),
                    product = escape(&product),
                    status = escape(labels::application_status(lang, item.status)),
                    days = item.days_in_state,
                );
            }
            body.push_str("</tbody></table></div>");
            let base = format!(
                "/review?status={}&product={}&",
                url_encode(&query.status),
                url_encode(&query.product)
            );
            body.push_str(&pager(lang, &base, page.page, page.per_page, page.total));
        }
    }
    body.push_str("</section>");
    Ok(session.render(StatusCode::OK, v.pick("审查队列", "Review queue"), &body))
}

fn reason_text(lang: Lang, reason: &WatchReason) -> String {
    match reason {
        WatchReason::OverdueReport { year, due } => match lang {
            Lang::Zh => format!("{year} 年度使用报告逾期未交（应于 {due} 前提交）"),
            Lang::En => format!("usage report for {year} overdue (due {due})"),
        },
        WatchReason::NoMarksUsed { years: [a, b] } => match lang {
            Lang::Zh => format!("{a}、{b} 连续两年报告未使用专用标志"),
            Lang::En => format!("reported no marks used in {a} and {b}"),
        },
        WatchReason::NoReports { years: [a, b] } => match lang {
            Lang::Zh => format!("{a}、{b} 连续两年未提交使用报告"),
            Lang::En => format!("no usage report for {a} or {b}"),
        },
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WatchPageQuery {
    page: Option<i64>,
}

/// Rights with an overdue usage report or meeting the two-year non-use ground.
pub async fn watchlist(
    state: web::Data<ServiceState>,
    session: SignedIn,
    query: web::Query<WatchPageQuery>,
) -> Result<HttpResponse, PageError> {
    staff_only(&session)?;
    let v = &session.visitor;
    let lang = v.lang;
    let paging = PageRequest {
        page: query.page,
        per_page: Some(50),
    };
    let page = usage::watchlist(&state, &session.actor, WatchQuery::default(), paging)
        .await
        .map_err(|e| session.error(e))?;
    let mut body = format!(
        "<section><h2>{}</h2><p class=\"muted\">{}</p>",
        v.pick("监管名单", "Watchlist"),
        v.pick(
            "使用报告逾期，或连续两年未使用专用标志（可依法撤销）的授权。",
            "Rights with an overdue usage report, or two years without use (grounds for revocation)."
        ),
    );
    if page.items.is_empty() {
        let _ = write!(
            body,
            "<p>{}</p>",
            v.pick("名单为空。", "Nobody is on the watchlist.")
        );
    } else {
        let _ = write!(
            body,
            "<div class=\"table-wrap\"><table data-testid=\"watchlist\"><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            v.pick("企业", "Enterprise"),
            v.pick("登记编号", "Registry no."),
            v.pick("原因", "Why"),
        );
        for entry in &page.items {
            let reasons: Vec<String> = entry
                .reasons
                .iter()
                .map(|r| format!("<li>{}</li>", escape(&reason_text(lang, r))))
                .collect();
            let _ = write!(
                body,
                "<tr><td>{name}<div class=\"code muted\">{uscc}</div></td><td class=\"code\"><a href=\"/review/authorizations/{id}\">{no}</a></td><td><ul>{reasons}</ul>{ground}</td></tr>",
                id = url_encode(&entry.authorization_id),
                name = escape(&entry.enterprise_name),
                uscc = escape(&entry.uscc),
                no = escape(&entry.registry_no),
                reasons = reasons.concat(),
                ground = if entry.non_use_ground {
                    format!("<p class=\"overdue\">{}</p>", v.pick("符合连续两年未使用的撤销条件", "Meets the two-year non-use ground"))
                } else {
                    String::new()
                },
            );
        }
        body.push_str("</tbody></table></div>");
        body.push_str(&pager(
            lang,
            "/review/watchlist?",
            page.page,
            page.per_page,
            page.total,
        ));
    }
    body.push_str("</section>");
    Ok(session.render(StatusCode::OK, v.pick("监管名单", "Watchlist"), &body))
}

pub async fn exports_page(session: SignedIn) -> Result<HttpResponse, PageError> {
    staff_only(&session)?;
    let v = &session.visitor;
    let body = format!(
        "<section><h2>{}</h2><p class=\"muted\">{}</p><ul><li><a href=\"/review/exports/authorizations.xlsx\" download>{}</a></li><li><a href=\"/review/exports/authorizations.csv\" download>{}</a></li></ul></section>",
        v.pick("导出", "Exports"),
        v.pick(
            "全部授权及持有企业的联系方式、产品、依据、状态、日期和最近一次使用报告，每项一行。仅供内部使用。",
            "Every right with its holder's contact data, product, basis, status, dates and last usage report, one row each. For internal use only."
        ),
        v.pick("授权名册（Excel）", "Register of rights (Excel)"),
        v.pick("授权名册（CSV）", "Register of rights (CSV)"),
    );
    Ok(session.render(StatusCode::OK, v.pick("导出", "Exports"), &body))
}

/// The rows of the exports (the use case refuses anyone but staff).
async fn export_rows(
    state: &ServiceState,
    session: &SignedIn,
) -> Result<Vec<Vec<Cell>>, PageError> {
    exports::authorization_rows(state, &session.actor)
        .await
        .map_err(|e| session.error(e))
}

pub async fn export_xlsx(
    state: web::Data<ServiceState>,
    session: SignedIn,
) -> Result<HttpResponse, PageError> {
    let rows = export_rows(&state, &session).await?;
    xlsx_response(rows).await.map_err(|e| session.error(e))
}

pub async fn export_csv(
    state: web::Data<ServiceState>,
    session: SignedIn,
) -> Result<HttpResponse, PageError> {
    Ok(csv_response(&export_rows(&state, &session).await?))
}

// ---- reports of suspected fakes -----------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportsQuery {
    status: String,
    page: Option<i64>,
    notice: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CloseForm {
    resolution: String,
}

async fn reports_page(
    state: &ServiceState,
    session: &SignedIn,
    query: &ReportsQuery,
    status: StatusCode,
    typed: Option<(&str, &CloseForm, FormErrors)>,
) -> Result<HttpResponse, PageError> {
    staff_only(session)?;
    let v = &session.visitor;
    let lang = v.lang;
    let which = if query.status == "closed" {
        "closed"
    } else {
        "open"
    };
    let filter = FakeReportQuery {
        status: Some(which.to_owned()),
    };
    let paging = PageRequest {
        page: query.page,
        per_page: Some(50),
    };
    let page = fake_reports::list(state, &session.actor, filter, paging)
        .await
        .map_err(|e| session.error(e))?;
    let mut body = String::new();
    if query.notice == "closed" {
        let _ = write!(
            body,
            "<p class=\"notice\" role=\"status\">{}</p>",
            v.pick("举报已办结。", "Report closed.")
        );
    }
    let _ = write!(
        body,
        "<section><h2>{title}</h2><p class=\"actions\"><a href=\"/review/reports\">{open}</a><a href=\"/review/reports?status=closed\">{closed}</a></p>",
        title = v.pick("冒用举报", "Reports of fakes"),
        open = v.pick("待处理", "Open"),
        closed = v.pick("已办结", "Closed"),
    );
    if page.items.is_empty() {
        let _ = write!(body, "<p>{}</p>", v.pick("没有举报。", "No reports."));
    }
    body.push_str("<ul class=\"results\" data-testid=\"reports\">");
    for report in &page.items {
        let _ = write!(
            body,
            "<li data-report=\"{id}\"><div><a class=\"code\" href=\"/verify/{code_url}\">{code}</a> · {at}</div><div><strong>{place}</strong></div><p>{description}</p>",
            id = escape(&report.id),
            code_url = url_encode(&report.code_seen),
            code = escape(&report.code_seen),
            at = when(report.created_at),
            place = escape(&report.place),
            description = escape(&report.description),
        );
        if let Some(resolution) = &report.resolution {
            let _ = write!(
                body,
                "<p class=\"notice\">{} {}</p>",
                v.pick("处理结果：", "Outcome:"),
                escape(resolution)
            );
        } else {
            let (form, errors) = match &typed {
                Some((id, form, errors)) if *id == report.id => ((*form).clone(), errors.clone()),
                _ => (CloseForm::default(), FormErrors::default()),
            };
            let _ = write!(
                body,
                "<details{open}><summary>{label}</summary><form method=\"post\" action=\"/review/reports/{id}/close\" novalidate>{csrf}{others}{resolution}<p><button type=\"submit\">{label}</button></p></form></details>",
                open = if typed.as_ref().is_some_and(|(id, _, _)| *id == report.id) { " open" } else { "" },
                label = v.pick("办结", "Close"),
                id = url_encode(&report.id),
                csrf = v.csrf_field(),
                others = errors.others(lang, &["resolution"]),
                resolution = Control::text_area("resolution", v.pick("核查与处理结果", "What was found and done"), &form.resolution)
                    .required()
                    .attributes("maxlength=\"2000\"")
                    .within(&report.id)
                    .draw(lang, &errors),
            );
        }
        body.push_str("</li>");
    }
    body.push_str("</ul>");
    let base = format!("/review/reports?status={which}&");
    body.push_str(&pager(lang, &base, page.page, page.per_page, page.total));
    body.push_str("</section>");
    Ok(session.render(status, v.pick("冒用举报", "Reports of fakes"), &body))
}

pub async fn reports(
    state: web::Data<ServiceState>,
    session: SignedIn,
    query: web::Query<ReportsQuery>,
) -> Result<HttpResponse, PageError> {
    reports_page(&state, &session, &query, StatusCode::OK, None).await
}

pub async fn close_report(
    state: web::Data<ServiceState>,
    session: SignedIn,
    id: web::Path<String>,
    form: CsrfForm<CloseForm>,
) -> Result<HttpResponse, PageError> {
    let (id, form) = (id.into_inner(), form.0);
    let input = CloseInput {
        resolution: form.resolution.trim().to_owned(),
    };
    match fake_reports::close(&state, &session.actor, id.clone(), input).await {
        Ok(_) => Ok(session.visitor.redirect("/review/reports?notice=closed")),
        Err(ServiceError::Invalid(problems)) => {
            let typed = Some((id.as_str(), &form, FormErrors(problems)));
            let query = ReportsQuery::default();
            reports_page(
                &state,
                &session,
                &query,
                StatusCode::UNPROCESSABLE_ENTITY,
                typed,
            )
            .await
        }
        Err(other) => Err(session.error(other)),
    }
}
