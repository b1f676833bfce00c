//! A producer's rights: each with the QR code to print beside the mark, its usage reports and
//! the form for the report of a past year.

use std::fmt::Write;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Datelike;
use serde::Deserialize;

use super::form::Control;
use super::labels;
use super::layout::{escape, url_encode};
use super::session::{CsrfForm, FormErrors, PageError, SignedIn};
use crate::domain::roles::Role;
use crate::domain::{FieldError, Localized};
use crate::error::ApiError;
use crate::service::authorizations::{self, AuthorizationQuery};
use crate::service::paging::PageRequest;
use crate::service::usage::{self, UsageReportInput};
use crate::service::{ServiceError, ServiceState};

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

async fn rights_page(
    state: &ServiceState,
    session: &SignedIn,
    status: StatusCode,
    typed: Option<(&str, &ReportForm, FormErrors)>,
    notice: Option<&str>,
) -> Result<HttpResponse, PageError> {
    if session.actor.role != Role::Applicant {
        return Err(session.error(ApiError::Forbidden));
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
            "<h3>{}</h3>",
            v.pick("年度使用报告", "Yearly usage reports")
        );
        if reports.is_empty() {
            let _ = write!(
                body,
                "<p class=\"muted\">{}</p>",
                v.pick("尚未提交。", "None filed yet.")
            );
        } else {
            let _ = write!(
                body,
                "<div class=\"table-wrap\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
                v.pick("年度", "Year"),
                v.pick("使用标志（枚）", "Marks used"),
                v.pick("产量（千克）", "Output (kg)"),
                v.pick("销售额（元）", "Sales (CNY)"),
            );
            for r in &reports {
                let _ = write!(
                    body,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    r.year, r.marks_used, r.output_kg, r.sales_cny
                );
            }
            body.push_str("</tbody></table></div>");
        }
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
    let notice = (query.notice == "filed").then(|| {
        session
            .visitor
            .pick("使用报告已提交。", "Usage report filed.")
    });
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
