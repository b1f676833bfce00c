//! A producer's rights: each with the QR code to print beside the mark, its usage reports and
//! the form for the report of a past year.

use std::fmt::Write;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Datelike;
use serde::Deserialize;

use super::application_pages::{history, pager, when};
use super::form::Control;
use super::labels;
use super::layout::{escape, url_encode, Lang};
use super::review_pages::{product_choices, staff_only};
use super::session::{CsrfForm, FormErrors, PageError, SignedIn};
use crate::domain::authorization::{AuthorizationAction, AuthorizationStatus, RevocationGround};
use crate::domain::roles::Role;
use crate::domain::{FieldError, Localized};
use crate::service::authorizations::{
    self, AuthorizationActionInput, AuthorizationQuery, AuthorizationView,
};
use crate::service::paging::PageRequest;
use crate::service::usage::{self, UsageReportInput, UsageReportView};
use crate::service::{public, ServiceError, ServiceState};

/// The usage-report form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    year: String,
    marks_used: String,
    output_kg: String,
    sales_cny: String,
    note: String,
}

impl ReportForm {
    fn read(&self) -> Result<UsageReportInput, Vec<FieldError>> {
        let mut problems = Vec::new();
        let mut number = |field: &str, value: &str| -> i64 {
            match value.trim().parse::<i64>() {
                Ok(n) => n,
                Err(_) => {
                    problems.push(FieldError::new(
                        field,
                        "not_a_number",
                        Localized::new("must be a whole number", "请填写整数"),
                    ));
                    0
                }
            }
        };
        let input = UsageReportInput {
            year: number("year", &self.year) as i32,
            marks_used: number("marks_used", &self.marks_used),
            output_kg: number("output_kg", &self.output_kg),
            sales_cny: number("sales_cny", &self.sales_cny),
            note: Some(self.note.trim().to_owned()).filter(|n| !n.is_empty()),
        };
        if problems.is_empty() {
            Ok(input)
        } else {
            Err(problems)
        }
    }
}

/// The yearly usage reports of one right, for its holder and for staff.
fn reports_table(lang: Lang, reports: &[UsageReportView]) -> String {
    if reports.is_empty() {
        return format!(
            "<p class=\"muted\">{}</p>",
            lang.pick("尚未提交。", "None filed yet.")
        );
    }
    let mut html = format!(
        "<div class=\"table-wrap\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        lang.pick("年度", "Year"),
        lang.pick("使用标志（枚）", "Marks used"),
        lang.pick("产量（千克）", "Output (kg)"),
        lang.pick("销售额（元）", "Sales (CNY)"),
    );
    for r in reports {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r.year, r.marks_used, r.output_kg, r.sales_cny
        );
    }
    html.push_str("</tbody></table></div>");
    html
}

async fn rights_page(
    state: &ServiceState,
    session: &SignedIn,
    status: StatusCode,
    typed: Option<(&str, &ReportForm, FormErrors)>,
    notice: Option<&str>,
) -> Result<HttpResponse, PageError> {
    if session.actor.role != Role::Applicant {
        return Err(session.error(ServiceError::Forbidden));
    }
    let v = &session.visitor;
    let lang = v.lang;
    let paging = PageRequest {
        page: Some(1),
        per_page: Some(100),
    };
    let rights = authorizations::list(state, &session.actor, AuthorizationQuery::default(), paging)
        .await
        .map_err(|e| session.error(e))?;
    let last_year = state.clock.today().year() - 1;
    let mut body = String::new();
    if let Some(notice) = notice {
        let _ = write!(
            body,
            "<p class=\"notice\" role=\"status\">{}</p>",
            escape(notice)
        );
    }
    let _ = write!(body, "<h2>{}</h2>", v.pick("我的授权", "My authorizations"));
    if rights.items.is_empty() {
        let _ = write!(
            body,
            "<section><p>{}</p><p><a href=\"/applications\">{}</a></p></section>",
            v.pick(
                "还没有获准使用专用标志。申请核准后会显示在这里。",
                "No rights yet. Once an application is approved it appears here."
            ),
            v.pick("查看我的申请", "See my applications"),
        );
    }
    for right in &rights.items {
        let reports = usage::reports(state, &session.actor, right.id.clone())
            .await
            .map_err(|e| session.error(e))?;
        let verify = format!("/verify/{}", url_encode(&right.enterprise.uscc));
        let _ = write!(
            body,
            "<section data-right=\"{no_attr}\"><h2>{product} · <span class=\"code\">{no}</span></h2>\
             <p><span class=\"tag {status_class}\">{status}</span> {basis}</p>\
             <dl class=\"facts\"><dt>{ann_label}</dt><dd>{ann} ({ann_date})</dd><dt>{uscc_label}</dt><dd class=\"code\">{uscc}</dd></dl>\
             <div class=\"qr\"><p>{qr_hint}</p><a href=\"{verify}/qr.svg\" download=\"{no_attr}-qr.svg\"><img src=\"{verify}/qr.svg\" alt=\"{qr_alt}\"></a><p><a href=\"{verify}\">{verify_label}</a> · <a href=\"{verify}/qr.svg\" download=\"{no_attr}-qr.svg\">{download}</a></p></div>",
            no_attr = escape(&right.registry_no),
            product = escape(&right.product_name_zh),
            no = escape(&right.registry_no),
            status_class = right.status.as_str(),
            status = labels::authorization_status(lang, right.status),
            basis = escape(labels::basis(lang, right.basis)),
            ann_label = v.pick("核准公告", "Announcement"),
            ann = escape(&right.announcement_no),
            ann_date = escape(&right.announcement_date),
            uscc_label = v.pick("统一社会信用代码", "Credit code"),
            uscc = escape(&right.enterprise.uscc),
            qr_hint = v.pick(
                "请将统一社会信用代码和此二维码印在专用标志旁，消费者扫码即可核验。",
                "Print the credit code and this QR code beside the mark: shoppers scan it to verify.",
            ),
            qr_alt = v.pick("核验二维码", "QR code of the verify page"),
            verify_label = v.pick("查看公开核验页", "Open the public verify page"),
            download = v.pick("下载二维码（SVG，可印刷）", "Download the QR code (SVG, for print)"),
        );
        let _ = write!(
            body,
            "<h3>{}</h3>{}",
            v.pick("年度使用报告", "Yearly usage reports"),
            reports_table(v.lang, &reports)
        );
        let granted_year = right.granted_at.year();
        let filed: Vec<i32> = reports.iter().map(|r| r.year).collect();
        let open_years: Vec<i32> = (granted_year..=last_year)
            .rev()
            .filter(|y| !filed.contains(y))
            .collect();
        let (form, errors) = match &typed {
            Some((id, form, errors)) if *id == right.id => ((*form).clone(), errors.clone()),
            _ => (
                ReportForm {
                    year: open_years
                        .first()
                        .map(|y| y.to_string())
                        .unwrap_or_default(),
                    ..Default::default()
                },
                FormErrors::default(),
            ),
        };
        if right.status.is_live() && (!open_years.is_empty() || typed.is_some()) {
            let years = open_years
                .iter()
                .map(|y| (y.to_string(), y.to_string()))
                .collect();
            let _ = write!(
                body,
                "<form method=\"post\" action=\"/authorizations/{id}/usage-reports\" novalidate>{csrf}{others}{year}{marks}{output}{sales}{note}<p><button type=\"submit\">{button}</button></p></form>",
                id = url_encode(&right.id),
                csrf = v.csrf_field(),
                others = errors.others(lang, &["year", "marks_used", "output_kg", "sales_cny", "note"]),
                year = Control::select("year", v.pick("年度", "Year"), &form.year, years).required().draw(lang, &errors),
                marks = Control::input("text", "marks_used", v.pick("当年使用专用标志数量（枚）", "Special marks used that year"), &form.marks_used)
                    .required().attributes("inputmode=\"numeric\" maxlength=\"15\"").draw(lang, &errors),
                output = Control::input("text", "output_kg", v.pick("产量（千克）", "Output (kg)"), &form.output_kg)
                    .required().attributes("inputmode=\"numeric\" maxlength=\"15\"").draw(lang, &errors),
                sales = Control::input("text", "sales_cny", v.pick("销售额（元）", "Sales (CNY)"), &form.sales_cny)
                    .required().attributes("inputmode=\"numeric\" maxlength=\"18\"").draw(lang, &errors),
                note = Control::text_area("note", v.pick("说明（可选）", "Note (optional)"), &form.note)
                    .attributes("maxlength=\"2000\"").draw(lang, &errors),
                button = v.pick("提交使用报告", "File the report"),
            );
        }
        body.push_str(&right_actions(
            session,
            right,
            &format!("/authorizations/{}", url_encode(&right.id)),
            None,
        ));
        body.push_str("</section>");
    }
    Ok(session.render(status, v.pick("我的授权", "My authorizations"), &body))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RightsQuery {
    notice: String,
}

pub async fn my_rights(
    state: web::Data<ServiceState>,
    session: SignedIn,
    query: web::Query<RightsQuery>,
) -> Result<HttpResponse, PageError> {
    let notice = match query.notice.as_str() {
        "filed" => Some(
            session
                .visitor
                .pick("使用报告已提交。", "Usage report filed."),
        ),
        "surrendered" => Some(session.visitor.pick("已注销。", "Surrendered.")),
        _ => None,
    };
    rights_page(&state, &session, StatusCode::OK, None, notice).await
}

pub async fn file_report(
    state: web::Data<ServiceState>,
    session: SignedIn,
    id: web::Path<String>,
    form: CsrfForm<ReportForm>,
) -> Result<HttpResponse, PageError> {
    let (id, form) = (id.into_inner(), form.0);
    let refused = |problems| Some((id.as_str(), &form, FormErrors(problems)));
    let filed = match form.read() {
        Ok(input) => usage::file_report(&state, &session.actor, id.clone(), input).await,
        Err(problems) => Err(ServiceError::Invalid(problems)),
    };
    match filed {
        Ok(_) => Ok(session.visitor.redirect("/authorizations?notice=filed")),
        Err(ServiceError::Invalid(problems)) => {
            rights_page(
                &state,
                &session,
                StatusCode::UNPROCESSABLE_ENTITY,
                refused(problems),
                None,
            )
            .await
        }
        Err(ServiceError::Conflict(message)) => {
            let problem = FieldError::new("year", "conflict", message);
            rights_page(
                &state,
                &session,
                StatusCode::CONFLICT,
                refused(vec![problem]),
                None,
            )
            .await
        }
        Err(other) => Err(session.error(other)),
    }
}

// ---- staff: the register of rights, one right, and its moves ---------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterQuery {
    status: String,
    product: String,
    page: Option<i64>,
}

/// Every right, filtered by status and product (staff): where suspensions and revocations
/// start.
pub async fn register_of_rights(
    state: web::Data<ServiceState>,
    session: SignedIn,
    query: web::Query<RegisterQuery>,
) -> Result<HttpResponse, PageError> {
    staff_only(&session)?;
    let v = &session.visitor;
    let lang = v.lang;
    let query = query.into_inner();
    let products = public::products(&state)
        .await
        .map_err(|e| session.error(e))?;
    let filter = AuthorizationQuery {
        status: (!query.status.is_empty()).then(|| query.status.clone()),
        product: (!query.product.is_empty()).then(|| query.product.clone()),
    };
    let paging = PageRequest {
        page: query.page,
        per_page: Some(50),
    };
    let (page, errors) = match authorizations::list(&state, &session.actor, filter, paging).await {
        Ok(page) => (Some(page), FormErrors::default()),
        Err(ServiceError::Invalid(problems)) => (None, FormErrors(problems)),
        Err(other) => return Err(session.error(other)),
    };
    let mut statuses = vec![(String::new(), v.pick("全部状态", "All states").to_owned())];
    statuses.extend(AuthorizationStatus::ALL.iter().map(|s| {
        (
            s.as_str().to_owned(),
            labels::authorization_status(lang, *s).to_owned(),
        )
    }));
    let product_options = product_choices(lang, &products);
    let mut body = format!(
        "<section><h2>{title}</h2><form method=\"get\" action=\"/review/authorizations\" class=\"search\">{status}{product}<p><button type=\"submit\">{button}</button></p></form>",
        title = v.pick("授权名册", "Register of rights"),
        status = Control::select("status", v.pick("状态", "Status"), &query.status, statuses).draw(lang, &errors),
        product = Control::select("product", v.pick("产品", "Product"), &query.product, product_options).draw(lang, &errors),
        button = v.pick("筛选", "Filter"),
    );
    if let Some(page) = page {
        let _ = write!(
            body,
            "<div class=\"table-wrap\"><table class=\"stack\" data-testid=\"rights\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            v.pick("企业", "Enterprise"),
            v.pick("登记编号", "Registry no."),
            v.pick("产品", "Product"),
            v.pick("状态", "Status"),
        );
        for right in &page.items {
            let _ = write!(
                body,
                "<tr><td><a href=\"/review/authorizations/{id}\">{name}</a><div class=\"code muted\">{uscc}</div></td><td class=\"code\" data-label=\"{no_label}\">{no}</td><td data-label=\"{product_label}\">{product}</td><td data-label=\"{status_label}\"><span class=\"tag {status_class}\">{status}</span></td></tr>",
                id = url_encode(&right.id),
                name = escape(&right.enterprise.name),
                uscc = escape(&right.enterprise.uscc),
                no_label = v.pick("登记编号", "Registry no."),
                no = escape(&right.registry_no),
                product_label = v.pick("产品", "Product"),
                product = escape(&right.product_name_zh),
                status_label = v.pick("状态", "Status"),
                status_class = right.status.as_str(),
                status = labels::authorization_status(lang, right.status),
            );
        }
        body.push_str("</tbody></table></div>");
        let base = format!(
            "/review/authorizations?status={}&product={}&",
            url_encode(&query.status),
            url_encode(&query.product)
        );
        body.push_str(&pager(lang, &base, page.page, page.per_page, page.total));
    }
    body.push_str("</section>");
    Ok(session.render(
        StatusCode::OK,
        v.pick("授权名册", "Register of rights"),
        &body,
    ))
}

/// A move of a right as typed: the reason, and for a revocation its ground.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct RightActionForm {
    reason: String,
    ground: String,
}

/// The forms of the moves this user may make on `right` now, and only those.
fn right_actions(
    session: &SignedIn,
    right: &AuthorizationView,
    url_base: &str,
    typed: Option<&(AuthorizationAction, RightActionForm, FormErrors)>,
) -> String {
    let v = &session.visitor;
    let lang = v.lang;
    if right.allowed_actions.is_empty() {
        return String::new();
    }
    let mut html = format!(
        "<h3>{}</h3><div data-testid=\"right-actions\">",
        v.pick("办理", "Actions")
    );
    let blank = (RightActionForm::default(), FormErrors::default());
    for action in &right.allowed_actions {
        let (form, errors) = match typed {
            Some((a, form, errors)) if a == action => (form, errors),
            _ => (&blank.0, &blank.1),
        };
        let scope = action.as_str();
        let label = labels::authorization_action(lang, *action);
        let mut inputs = String::new();
        let warning = match action {
            AuthorizationAction::Revoke => Some(v.pick(
                "撤销后该企业不得再使用专用标志，公示页将显示“已撤销”。",
                "After revocation the enterprise may no longer use the mark; the public page says revoked.",
            )),
            AuthorizationAction::Surrender => Some(v.pick(
                "注销后不能恢复，不得再使用专用标志；如需再使用，须重新申请。",
                "Surrender cannot be undone: the mark may no longer be used, and using it again needs a new application.",
            )),
            _ => None,
        };
        if let Some(warning) = warning {
            let _ = write!(inputs, "<p class=\"alert\">{warning}</p>");
        }
        if *action == AuthorizationAction::Revoke {
            let grounds = [
                RevocationGround::NonconformingProduction,
                RevocationGround::UnusedTwoYears,
                RevocationGround::Other,
            ]
            .iter()
            .map(|g| (g.as_str().to_owned(), labels::ground(lang, *g).to_owned()))
            .collect();
            inputs.push_str(
                &Control::select(
                    "ground",
                    v.pick("撤销事由", "Ground"),
                    &form.ground,
                    grounds,
                )
                .required()
                .within(scope)
                .draw(lang, errors),
            );
        }
        let required = action.required_fields().contains(&"reason");
        let reason = Control::text_area(
            "reason",
            if required {
                v.pick("理由", "Reason")
            } else {
                v.pick("说明（可选）", "Note (optional)")
            },
            &form.reason,
        )
        .attributes("maxlength=\"2000\"")
        .within(scope);
        inputs.push_str(&if required { reason.required() } else { reason }.draw(lang, errors));
        let danger = matches!(
            action,
            AuthorizationAction::Revoke
                | AuthorizationAction::Surrender
                | AuthorizationAction::Suspend
        );
        let _ = write!(
            html,
            "<details data-action=\"{scope}\"{open}><summary>{label}</summary><form method=\"post\" action=\"{url_base}/actions/{scope}\" novalidate>{csrf}{others}{inputs}<p><button type=\"submit\" class=\"{class}\">{label}</button></p></form></details>",
            open = if typed.is_some_and(|(a, _, _)| a == action) { " open" } else { "" },
            csrf = v.csrf_field(),
            others = errors.others(lang, &["reason", "ground"]),
            class = if danger { "danger" } else { "" },
        );
    }
    html.push_str("</div>");
    html
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RightQuery {
    notice: String,
}

async fn right_page(
    state: &ServiceState,
    session: &SignedIn,
    id: &str,
    status: StatusCode,
    typed: Option<&(AuthorizationAction, RightActionForm, FormErrors)>,
    message: Option<(&str, &str)>,
) -> Result<HttpResponse, PageError> {
    staff_only(session)?;
    let v = &session.visitor;
    let lang = v.lang;
    let right = authorizations::get(state, &session.actor, id.to_owned())
        .await
        .map_err(|e| session.error(e))?;
    let reports = usage::reports(state, &session.actor, right.id.clone())
        .await
        .map_err(|e| session.error(e))?;
    let mut body = String::new();
    if let Some((class, text)) = message {
        let _ = write!(
            body,
            "<p class=\"{class}\" role=\"status\">{}</p>",
            escape(text)
        );
    }
    let _ = write!(
        body,
        "<section><h2>{name} · <span class=\"code\">{no}</span></h2><p><span class=\"tag {status_class}\" data-right-status=\"{status_class}\">{status}</span></p>\
         <dl class=\"facts\"><dt>{uscc_label}</dt><dd class=\"code\">{uscc}</dd><dt>{product_label}</dt><dd>{product} · {basis}</dd>\
         <dt>{ann_label}</dt><dd>{ann} ({ann_date})</dd><dt>{granted_label}</dt><dd>{granted}</dd>\
         <dt>{application_label}</dt><dd><a href=\"/review/{application}\">{open}</a> · <a href=\"/verify/{no_url}\">{public}</a></dd></dl>{actions}</section>",
        name = escape(&right.enterprise.name),
        no = escape(&right.registry_no),
        no_url = url_encode(&right.registry_no),
        status_class = right.status.as_str(),
        status = labels::authorization_status(lang, right.status),
        uscc_label = v.pick("统一社会信用代码", "Credit code"),
        uscc = escape(&right.enterprise.uscc),
        product_label = v.pick("产品与依据", "Product and basis"),
        product = escape(&right.product_name_zh),
        basis = labels::basis(lang, right.basis),
        ann_label = v.pick("核准公告", "Announcement"),
        ann = escape(&right.announcement_no),
        ann_date = escape(&right.announcement_date),
        granted_label = v.pick("授权时间", "Granted"),
        granted = when(right.granted_at),
        application_label = v.pick("来源", "Source"),
        application = url_encode(&right.application_id),
        open = v.pick("原申请", "the application"),
        public = v.pick("公开核验页", "the public verify page"),
        actions = right_actions(session, &right, &format!("/review/authorizations/{}", url_encode(&right.id)), typed),
    );
    let _ = write!(
        body,
        "<section><h2>{}</h2>{}",
        v.pick("年度使用报告", "Yearly usage reports"),
        reports_table(lang, &reports)
    );
    body.push_str("</section>");
    body.push_str(&history(lang, &right.history));
    let _ = write!(
        body,
        "<p><a href=\"/review/authorizations\">{}</a></p>",
        v.pick("‹ 授权名册", "‹ Register of rights")
    );
    Ok(session.render(status, &right.registry_no, &body))
}

pub async fn right(
    state: web::Data<ServiceState>,
    session: SignedIn,
    id: web::Path<String>,
    query: web::Query<RightQuery>,
) -> Result<HttpResponse, PageError> {
    let notice = query.notice.parse::<AuthorizationAction>().ok().map(|a| {
        format!(
            "{}{}",
            labels::authorization_action(session.visitor.lang, a),
            session.visitor.pick("：已完成。", ": done.")
        )
    });
    let message = notice.as_deref().map(|n| ("notice", n));
    right_page(&state, &session, &id, StatusCode::OK, None, message).await
}

/// Suspends, reinstates, revokes (staff) or surrenders (staff or the holder) a right.
pub async fn act_on_right(
    state: web::Data<ServiceState>,
    session: SignedIn,
    path: web::Path<(String, String)>,
    form: CsrfForm<RightActionForm>,
) -> Result<HttpResponse, PageError> {
    let (id, action) = path.into_inner();
    let action: AuthorizationAction = action
        .parse()
        .map_err(|_| session.error(ServiceError::NotFound))?;
    let form = form.0;
    let lang = session.visitor.lang;
    let ground = match form.ground.trim() {
        "" => Ok(None),
        g => g.parse::<RevocationGround>().map(Some).map_err(|_| {
            vec![FieldError::new(
                "ground",
                "invalid_choice",
                Localized::new("is not one of the choices", "请从选项中选择"),
            )]
        }),
    };
    let acted = match ground {
        Ok(ground) => {
            let input = AuthorizationActionInput {
                reason: Some(form.reason.trim().to_owned()).filter(|r| !r.is_empty()),
                ground,
            };
            authorizations::act(&state, &session.actor, id.clone(), action, input).await
        }
        Err(problems) => Err(ServiceError::Invalid(problems)),
    };
    let is_holder = session.actor.role == Role::Applicant;
    match acted {
        Ok(_) if is_holder => Ok(session
            .visitor
            .redirect("/authorizations?notice=surrendered")),
        Ok(right) => Ok(session.visitor.redirect(&format!(
            "/review/authorizations/{}?notice={}",
            url_encode(&right.id),
            action.as_str()
        ))),
        Err(ServiceError::Invalid(problems)) if !is_holder => {
            let typed = (action, form, FormErrors(problems));
            right_page(
                &state,
                &session,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&typed),
                None,
            )
            .await
        }
        Err(ServiceError::Conflict(message)) if !is_holder => {
            let text = message.pick(lang == Lang::Zh).to_owned();
            right_page(
                &state,
                &session,
                &id,
                StatusCode::CONFLICT,
                None,
                Some(("alert", &text)),
            )
            .await
        }
        Err(other) => Err(session.error(other)),
    }
}
