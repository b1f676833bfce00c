//! `/` (search, counter, products) and `/verify/{code}` (the verdict a QR code points to).

use std::fmt::Write;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::labels;
use super::layout::{escape, page, url_encode, Lang};
use super::session::{CsrfForm, PageError, Visitor};
use crate::domain::authorization::{AuthorizationStatus, Verdict};
use crate::domain::uscc;
use crate::service::paging::PageRequest;
use crate::service::public::{self, AuthorizedUser, Goal, PublicQuery};
use crate::service::{ServiceError, ServiceState};

#[derive(Debug, Deserialize)]
pub struct HomeQuery {
    q: Option<String>,
    product: Option<String>,
    town: Option<String>,
    page: Option<i64>,
    lang: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// Monthly authorized enterprises as inline SVG bars (no script, no external request).
fn chart(lang: Lang, goal: &Goal) -> String {
    let months = &goal.monthly;
    if months.is_empty() {
        return format!(
            "<p class=\"muted\">{}</p>",
            lang.pick("尚无授权记录。", "No authorizations yet.")
        );
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
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {width} {}\" role=\"img\" aria-label=\"{}\">",
        height + 22.0,
        escape(lang.pick("每月授权企业数", "Authorized enterprises by month"))
    );
    let target_y = top + (height - top) * (1.0 - goal.target as f64 / max);
    let _ = write!(
        svg,
        "<line x1=\"0\" x2=\"{width}\" y1=\"{target_y:.1}\" y2=\"{target_y:.1}\" stroke=\"#b3261e\" stroke-dasharray=\"4 4\"/><text x=\"4\" y=\"{:.1}\" font-size=\"12\" fill=\"#b3261e\">{} {}</text>",
        target_y - 4.0,
        lang.pick("目标", "goal"),
        goal.target
    );
    for (i, month) in months.iter().enumerate() {
        let bar = (height - top) * month.authorized_enterprises as f64 / max;
        let x = i as f64 * slot + slot * 0.15;
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bar:.1}\" fill=\"#1b6e3a\"><title>{} {}</title></rect>",
            height - bar,
            slot * 0.7,
            escape(&month.month),
            month.authorized_enterprises
        );
    }
    for (i, month) in months
        .iter()
        .enumerate()
        .filter(|(i, _)| *i == 0 || *i + 1 == months.len())
    {
        let anchor = if i == 0 { "start" } else { "end" };
        let x = if i == 0 { 0.0 } else { width };
        let _ = write!(svg, "<text x=\"{x}\" y=\"{}\" font-size=\"12\" text-anchor=\"{anchor}\" fill=\"#5f5b53\">{}</text>", height + 16.0, escape(&month.month));
    }
    svg.push_str("</svg>");
    svg
}

fn result_item(lang: Lang, user: &AuthorizedUser) -> String {
    format!(
        "<li data-status=\"{status}\"><div class=\"name\">{name}</div><div class=\"code\">{uscc}</div><div>{product} · {town} · <span class=\"code\">{no}</span> <span class=\"tag {status}\">{label}</span> <span class=\"muted\">{since_label}{since}</span></div><a href=\"/verify/{no_url}{q}\">{verify}</a></li>",
        since_label = lang.pick("自 ", "since "),
        since = user.status_since.date_naive(),
        name = escape(&user.enterprise_name),
        uscc = escape(&user.uscc),
        product = escape(&user.product_name_zh),
        town = escape(&user.town),
        no = escape(&user.registry_no),
        status = user.status.as_str(),
        label = labels::authorization_status(lang, user.status),
        no_url = url_encode(&user.registry_no),
        q = lang.query(),
        verify = lang.pick("核验 ›", "Verify ›"),
    )
}

const RESULTS_PER_PAGE: i64 = 20;

/// Links to the previous and next page of results, keeping the search and the language.
fn pager(lang: Lang, query: &HomeQuery, page: i64, total: i64) -> String {
    let pages = (total + RESULTS_PER_PAGE - 1) / RESULTS_PER_PAGE;
    if pages <= 1 {
        return String::new();
    }
    let link = |to: i64| {
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
    };
    let mut out = String::from("<nav class=\"pager\" data-testid=\"pager\">");
    if page > 1 {
        let _ = write!(
            out,
            "<a rel=\"prev\" href=\"{}\">{}</a> ",
            escape(&link(page - 1)),
            lang.pick("‹ 上一页", "‹ Previous")
        );
    }
    let _ = write!(
        out,
        "<span>{}</span>",
        match lang {
            Lang::Zh => format!("第 {page} / {pages} 页"),
            Lang::En => format!("Page {page} of {pages}"),
        }
    );
    if page < pages {
        let _ = write!(
            out,
            " <a rel=\"next\" href=\"{}\">{}</a>",
            escape(&link(page + 1)),
            lang.pick("下一页 ›", "Next ›")
        );
    }
    out.push_str("</nav>");
    out
}

/// The home page: the counter toward the goal, the search, the products.
pub async fn home(
    state: web::Data<ServiceState>,
    query: web::Query<HomeQuery>,
) -> Result<HttpResponse, PageError> {
    let query = query.into_inner();
    let lang = Lang::from_query(query.lang.as_deref());
    let failed = |error: ServiceError| PageError::failed(lang, error);
    let goal = public::goal(&state).await.map_err(failed)?;
    let products = public::products(&state).await.map_err(failed)?;
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
    let found = if searched {
        public::holders_of_any_status(&state, filters, paging).await
    } else {
        public::authorized_users(&state, filters, paging).await
    };
    let results = match found {
        Ok(page) => Ok(page),
        Err(ServiceError::Invalid(errors)) => Err(errors),
        Err(other) => return Err(failed(other)),
    };

    let mut body = String::new();
    let bar = goal.percent.min(100.0);
    let _ = write!(
        body,
        "<section class=\"counter\" aria-labelledby=\"counter-title\"><h2 id=\"counter-title\">{title}</h2>\
         <div class=\"number\" data-testid=\"authorized\">{n}<span class=\"muted\"> / {target}</span></div>\
         <div class=\"progress\" role=\"progressbar\" aria-valuemin=\"0\" aria-valuemax=\"{target}\" aria-valuenow=\"{n}\"><span style=\"width:{bar:.1}%\"></span></div>\
         <p class=\"muted\">{remaining_label} {remaining} · {deadline_label} {deadline} · {percent:.1}%</p>{chart}</section>",
        title = lang.pick("已获准使用地理标志专用标志的企业", "Enterprises authorized to use the GI special mark"),
        n = goal.authorized_enterprises,
        target = goal.target,
        remaining_label = lang.pick("距目标还差", "To go:"),
        remaining = goal.remaining,
        deadline_label = lang.pick("目标期限", "deadline"),
        deadline = goal.deadline,
        percent = goal.percent,
        chart = chart(lang, &goal),
    );

    let mut product_options = format!(
        "<option value=\"\">{}</option>",
        lang.pick("全部产品", "All products")
    );
    for p in &products {
        let selected = if query.product.as_deref() == Some(p.code.as_str()) {
            " selected"
        } else {
            ""
        };
        let name = if lang == Lang::Zh {
            &p.name_zh
        } else {
            &p.name_en
        };
        let _ = write!(
            product_options,
            "<option value=\"{}\"{selected}>{}</option>",
            escape(&p.code),
            escape(name)
        );
    }
    let _ = write!(
        body,
        "<section aria-labelledby=\"search-title\"><h2 id=\"search-title\">{title}</h2>\
         <form class=\"search\" method=\"get\" action=\"/\" role=\"search\">\
         <label class=\"muted\" for=\"q\" style=\"flex-basis:100%\">{hint}</label>\
         <input type=\"search\" id=\"q\" name=\"q\" value=\"{q}\" maxlength=\"100\" autocomplete=\"off\">\
         <select name=\"product\" aria-label=\"{product_label}\">{product_options}</select>\
         {lang_field}<button type=\"submit\">{button}</button></form>",
        title = lang.pick("查询授权企业", "Find an authorized user"),
        hint = lang.pick("输入企业名称、统一社会信用代码或登记编号", "Enterprise name, unified social credit code or registry number"),
        q = escape(query.q.as_deref().unwrap_or("")),
        product_label = lang.pick("产品", "Product"),
        lang_field = if lang == Lang::En { "<input type=\"hidden\" name=\"lang\" value=\"en\">" } else { "" },
        button = lang.pick("查询", "Search"),
    );
    match results {
        Ok(page) => {
            let _ = write!(
                body,
                "<p class=\"muted\" data-testid=\"total\">{}</p><ul class=\"results\">",
                match lang {
                    Lang::Zh => format!("共 {} 家企业", page.total),
                    Lang::En => format!("{} found", page.total),
                },
            );
            for user in &page.items {
                body.push_str(&result_item(lang, user));
            }
            body.push_str("</ul>");
            body.push_str(&pager(lang, &query, page.page, page.total));
            if page.total == 0 {
                let _ = write!(
                    body,
                    "<p>{}</p>",
                    lang.pick("没有符合条件的授权企业。", "No authorized user matches.")
                );
            }
        }
        Err(errors) => {
            for e in errors {
                let _ = write!(
                    body,
                    "<p role=\"alert\">{}: {}</p>",
                    escape(&e.field),
                    escape(e.message.pick(lang == Lang::Zh))
                );
            }
        }
    }
    body.push_str("</section>");

    let _ = write!(
        body,
        "<section aria-labelledby=\"products-title\"><h2 id=\"products-title\">{}</h2>",
        lang.pick("地理标志产品", "GI products")
    );
    for p in &products {
        let _ = write!(
            body,
            "<h3>{name}</h3><p>{announcement}</p><p class=\"muted\">{area_label}{area} ({towns} {towns_label})</p>",
            name = escape(&format!("{} {}", p.name_zh, p.name_en)),
            announcement = escape(&p.protection_announcement),
            area_label = lang.pick("保护范围：", "Protected area: "),
            area = escape(&p.protected_area),
            towns = p.towns.len(),
            towns_label = lang.pick("个镇（街道）", "towns"),
        );
    }
    body.push_str("</section>");
    let title = lang.pick(
        "英德市地理标志专用标志使用企业",
        "Yingde GI special mark users",
    );
    Ok(page(lang, StatusCode::OK, title, "/", &body))
}

/// The verdict page for a credit code or registry number.
pub async fn verify(
    state: web::Data<ServiceState>,
    visitor: Visitor,
    code: web::Path<String>,
    query: web::Query<LangQuery>,
) -> Result<HttpResponse, PageError> {
    let lang = Lang::from_query(query.lang.as_deref());
    let code = code.into_inner();
    let shown = uscc::normalise(&code);
    let path = format!("/verify/{}", url_encode(&shown));
    let result = match public::verify(&state, code).await {
        Ok(found) => Some(found),
        Err(ServiceError::NotFound) => None,
        Err(other) => return Err(PageError::failed(lang, other)),
    };
    let mut body = String::new();
    let status = match &result {
        None => {
            let _ = write!(
                body,
                "<section class=\"verdict not_found\" data-verdict=\"not_found\"><div class=\"mark\" aria-hidden=\"true\">?</div><h2>{}</h2><p class=\"code\">{}</p><p>{}</p></section>",
                lang.pick("未找到该代码对应的企业", "No enterprise found for this code"),
                escape(&shown),
                lang.pick("请核对代码。标有此代码的产品可能未获授权使用地理标志专用标志。", "Check the code. A product carrying it may not be authorized to use the GI special mark."),
            );
            StatusCode::NOT_FOUND
        }
        Some(found) => {
            let statuses: Vec<AuthorizationStatus> =
                found.authorizations.iter().map(|a| a.status).collect();
            let verdict = Verdict::of(&statuses);
            let (mark, headline) = match verdict {
                Verdict::Authorized => (
                    "✓",
                    lang.pick(
                        "已获准使用地理标志专用标志",
                        "Authorized to use the GI special mark",
                    ),
                ),
                Verdict::Suspended => ("!", lang.pick("使用资格已暂停", "Authorization suspended")),
                Verdict::Revoked => (
                    "✗",
                    lang.pick(
                        "使用资格已撤销或注销",
                        "Authorization revoked or surrendered",
                    ),
                ),
                Verdict::NotAuthorized => (
                    "✗",
                    lang.pick(
                        "未获准使用地理标志专用标志",
                        "Not authorized to use the GI special mark",
                    ),
                ),
            };
            let _ = write!(
                body,
                "<section class=\"verdict {v}\" data-verdict=\"{v}\"><div class=\"mark\" aria-hidden=\"true\">{mark}</div><h2>{headline}</h2><p class=\"name\">{name}</p><p class=\"code\">{uscc}</p></section>",
                v = verdict.as_str(),
                name = escape(&found.enterprise_name),
                uscc = escape(&found.uscc),
            );
            if !found.authorizations.is_empty() {
                let _ = write!(
                    body,
                    "<section><h2>{}</h2><table class=\"stack\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
                    lang.pick("授权信息", "Rights"),
                    lang.pick("登记编号", "Registry no."),
                    lang.pick("产品", "Product"),
                    lang.pick("状态", "Status"),
                    lang.pick("核准公告", "Announcement"),
                );
                let cell_labels = [
                    lang.pick("登记编号", "Registry no."),
                    lang.pick("产品", "Product"),
                    lang.pick("状态", "Status"),
                    lang.pick("核准公告", "Announcement"),
                ];
                for right in &found.authorizations {
                    let _ = write!(
                        body,
                        "<tr><td class=\"code\" data-label=\"{}\">{}</td><td data-label=\"{}\">{}</td><td data-label=\"{}\"><span class=\"tag {}\">{}</span></td><td data-label=\"{}\">{} ({})</td></tr>",
                        cell_labels[0],
                        escape(&right.registry_no),
                        cell_labels[1],
                        escape(&right.product_name_zh),
                        cell_labels[2],
                        right.status.as_str(),
                        labels::authorization_status(lang, right.status),
                        cell_labels[3],
                        escape(&right.announcement_no),
                        escape(&right.announcement_date),
                    );
                }
                body.push_str("</tbody></table></section>");
            }
            StatusCode::OK
        }
    };
    body.push_str(&report_form(
        lang,
        &shown,
        &visitor.csrf_field(),
        &ReportForm::default(),
        None,
    ));
    let _ = write!(
        body,
        "<p><a href=\"/{q}\">{back}</a></p>",
        q = lang.query(),
        back = lang.pick("‹ 返回查询", "‹ Back to search"),
    );
    let title = format!("{} {}", lang.pick("核验", "Verify"), shown);
    Ok(visitor.keep_cookies(page(lang, status, &title, &path, &body)))
}

/// The absolute address of a verify page, for the QR code printed beside the mark: always
/// `GI_PUBLIC_URL` (or the listen address), never the request's `Host` or forwarded headers.
fn verify_url(state: &ServiceState, code: &str) -> String {
    let base = state
        .settings
        .public_url
        .as_deref()
        .unwrap_or("")
        .trim_end_matches('/');
    format!("{base}/verify/{}", url_encode(code))
}

/// A QR code (SVG) of the verify page's absolute address.
pub async fn qr_code(
    state: web::Data<ServiceState>,
    visitor: Visitor,
    code: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let code = uscc::normalise(&code);
    if !uscc::is_plausible_lookup(&code) {
        return Err(visitor.error(ServiceError::NotFound));
    }
    let url = verify_url(&state, &code);
    let qr = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| {
            visitor.error(ServiceError::Internal(anyhow::anyhow!(
                "QR encoding failed: {e}"
            )))
        })?;
    let svg = qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "image/svg+xml"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(svg))
}

/// The report-a-fake form under every verdict; `problems` are shown beside their fields.
fn report_form(
    lang: Lang,
    code: &str,
    csrf_field: &str,
    typed: &ReportForm,
    problems: Option<&[crate::domain::FieldError]>,
) -> String {
    let message = |field: &str| {
        problems
            .into_iter()
            .flatten()
            .filter(|p| p.field == field)
            .map(|p| {
                format!(
                    "<p role=\"alert\" class=\"muted\">{}</p>",
                    escape(p.message.pick(lang == Lang::Zh))
                )
            })
            .collect::<String>()
    };
    format!(
        "<section aria-labelledby=\"report-title\"><h2 id=\"report-title\">{title}</h2><p class=\"muted\">{hint}</p>\
         <form method=\"post\" action=\"/verify/{code_url}/report{q}\" class=\"search\">{csrf_field}\
         <input type=\"hidden\" name=\"code_seen\" value=\"{code}\">\
         <label for=\"place\" style=\"flex-basis:100%\">{place_label}</label>\
         <input id=\"place\" name=\"place\" required maxlength=\"300\" style=\"flex:1 1 100%\" value=\"{place}\">{place_error}\
         <label for=\"description\" style=\"flex-basis:100%\">{description_label}</label>\
         <textarea id=\"description\" name=\"description\" required maxlength=\"4000\" rows=\"3\" style=\"flex:1 1 100%;font:inherit;padding:10px\">{description}</textarea>{description_error}\
         <button type=\"submit\">{button}</button></form></section>",
        title = lang.pick("举报疑似冒用", "Report a suspected fake"),
        hint = lang.pick("如发现产品使用此代码但信息不符，请告诉我们。", "If a product carries this code but something is wrong, tell us."),
        code_url = url_encode(code),
        q = lang.query(),
        code = escape(code),
        place_label = lang.pick("在哪里看到（店铺、市场或网址）", "Where you saw it (shop, market or web address)"),
        place = escape(&typed.place),
        place_error = message("place"),
        description_label = lang.pick("情况说明", "What is wrong"),
        description = escape(&typed.description),
        description_error = message("description"),
        button = lang.pick("提交举报", "Send report"),
    )
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    code_seen: String,
    place: String,
    description: String,
}

/// Takes the verify page's report form through the same use case as the JSON API.
pub async fn report(
    state: web::Data<ServiceState>,
    request: HttpRequest,
    code: web::Path<String>,
    query: web::Query<LangQuery>,
    visitor: Visitor,
    form: CsrfForm<ReportForm>,
) -> Result<HttpResponse, PageError> {
    let lang = Lang::from_query(query.lang.as_deref());
    let shown = uscc::normalise(&code);
    let form = form.0;
    let input = crate::service::fake_reports::FakeReportInput {
        code_seen: if form.code_seen.trim().is_empty() {
            shown.clone()
        } else {
            form.code_seen.clone()
        },
        place: form.place.clone(),
        description: form.description.clone(),
    };
    let address = crate::http::client_address(&request);
    let path = format!("/verify/{}", url_encode(&shown));
    match crate::service::fake_reports::submit(&state, input, address).await {
        Ok(_) => {
            let body = format!(
                "<section data-testid=\"report-received\"><h2>{}</h2><p>{}</p><p><a href=\"{path}{q}\">{}</a></p></section>",
                lang.pick("举报已收到", "Report received"),
                lang.pick("谢谢！市场监管部门将核查处理。", "Thank you: market regulation staff will look into it."),
                lang.pick("‹ 返回核验结果", "‹ Back to the verdict"),
                q = lang.query(),
            );
            Ok(page(
                lang,
                StatusCode::CREATED,
                lang.pick("举报已收到", "Report received"),
                &path,
                &body,
            ))
        }
        Err(ServiceError::Invalid(problems)) => {
            let body = report_form(lang, &shown, &visitor.csrf_field(), &form, Some(&problems));
            Ok(page(
                lang,
                StatusCode::UNPROCESSABLE_ENTITY,
                lang.pick("举报疑似冒用", "Report a suspected fake"),
                &path,
                &body,
            ))
        }
        Err(other) => Err(PageError::failed(lang, other)),
    }
}
