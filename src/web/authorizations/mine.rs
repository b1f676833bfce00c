//! `/authorizations`: a producer's rights, each with the QR code to print beside the mark,
//! its usage reports and the form for the report of a past year.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Datelike;
use maud::{html, Markup};
use serde::Deserialize;

use super::act::right_actions;
use super::labels::labels_link;
use super::reports_table;
use crate::domain::roles::Role;
use crate::domain::FieldError;
use crate::service::authorizations::{self, AuthorizationQuery, AuthorizationView};
use crate::service::labels::issue;
use crate::service::paging::PageRequest;
use crate::service::usage::{self, UsageReportInput, UsageReportView};
use crate::service::{ServiceError, ServiceState};
use crate::web::components::{
    error_summary, notice, post_form, right_status_tag, submit_button, whole_number, Control,
    FormErrors, SummaryField,
};
use crate::web::errors::PageError;
use crate::web::format::url_encode;
use crate::web::labels;
use crate::web::session::{CsrfForm, SignedIn};

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
            whole_number(field, value).unwrap_or_else(|problem| {
                problems.push(problem);
                0
            })
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

/// What a refused report's form held: the right's id, what was typed, the problems.
type Typed<'a> = (&'a str, &'a ReportForm, FormErrors);

/// One right of the holder: its facts, the QR code, its reports and the report form.
fn right_section(
    session: &SignedIn,
    right: &AuthorizationView,
    reports: &[UsageReportView],
    last_year: i32,
    issued_by_year: &[(i32, i64)],
    typed: Option<&Typed<'_>>,
) -> Markup {
    let v = &session.visitor;
    let lang = v.lang;
    let verify = format!("/verify/{}", url_encode(&right.enterprise.uscc));
    let qr = format!("{verify}/qr.svg");
    let qr_file = format!("{}-qr.svg", right.registry_no);
    let filed: Vec<i32> = reports.iter().map(|r| r.year).collect();
    let open_years: Vec<i32> = (right.granted_at.year()..=last_year)
        .rev()
        .filter(|y| !filed.contains(y))
        .collect();
    let this = typed.filter(|(id, _, _)| *id == right.id);
    // The report starts from the labels issued that year (issue 17); the holder corrects it.
    let issued = open_years
        .first()
        .and_then(|y| issued_by_year.iter().find(|(year, _)| year == y))
        .map(|(_, n)| *n);
    let blank = ReportForm {
        year: open_years
            .first()
            .map(|y| y.to_string())
            .unwrap_or_default(),
        marks_used: issued.map(|n| n.to_string()).unwrap_or_default(),
        ..Default::default()
    };
    let issued_hint = issued.map(|n| {
        format!(
            "{}{n}{}",
            v.pick("该年度发放标签 ", "Labels issued that year: "),
            v.pick(
                " 枚（已预填，请按实际使用修改）",
                " (filled in; correct it to what was used)"
            )
        )
    });
    let no_errors = FormErrors::default();
    let (form, errors) = this.map_or((&blank, &no_errors), |(_, form, errors)| (*form, errors));
    let years = open_years
        .iter()
        .map(|y| (y.to_string(), y.to_string()))
        .collect();
    html! {
        section data-right=(right.registry_no) {
            h2 { (right.product_name_zh) " · " span class="code" { (right.registry_no) } }
            p { (right_status_tag(lang, right.status)) " " (labels::basis(lang, right.basis)) }
            dl class="facts" {
                dt { (v.pick("核准公告", "Announcement")) }
                dd { (right.announcement_no) " (" (right.announcement_date) ")" }
                dt { (v.pick("统一社会信用代码", "Credit code")) }
                dd class="code" { (right.enterprise.uscc) }
            }
            div class="qr" {
                p {
                    (v.pick(
                        "请将统一社会信用代码和此二维码印在专用标志旁，消费者扫码即可核验。",
                        "Print the credit code and this QR code beside the mark: shoppers scan it to verify.",
                    ))
                }
                a href=(qr) download=(qr_file) {
                    img src=(qr) alt=(v.pick("核验二维码", "QR code of the verify page"));
                }
                p {
                    a href=(verify) { (v.pick("查看公开核验页", "Open the public verify page")) }
                    " · "
                    a href=(qr) download=(qr_file) { (v.pick("下载二维码（SVG，可印刷）", "Download the QR code (SVG, for print)")) }
                    " · "
                    a href={ "/authorizations/" (url_encode(&right.id)) "/certificate" } data-testid="certificate-link" {
                        (v.pick("打印证书", "Print the certificate"))
                    }
                    " · "
                    (labels_link(session, &right.id, None))
                }
            }
            h3 { (v.pick("年度使用报告", "Yearly usage reports")) }
            (reports_table(lang, reports))
            @if right.status.is_live() && (!open_years.is_empty() || typed.is_some()) {
                @let controls = [
                    Control::select("year", v.pick("年度", "Year"), &form.year, years).required(),
                    {
                        let marks = Control::input("text", "marks_used", v.pick("当年使用专用标志数量（枚）", "Special marks used that year"), &form.marks_used)
                            .required().input_mode("numeric").max_length(15);
                        match issued_hint.as_deref() {
                            Some(hint) => marks.hint(hint),
                            None => marks,
                        }
                    },
                    Control::input("text", "output_kg", v.pick("产量（千克）", "Output (kg)"), &form.output_kg)
                        .required().input_mode("numeric").max_length(15),
                    Control::input("text", "sales_cny", v.pick("销售额（元）", "Sales (CNY)"), &form.sales_cny)
                        .required().input_mode("numeric").max_length(18),
                    Control::text_area("note", v.pick("说明（可选）", "Note (optional)"), &form.note)
                        .max_length(2000),
                ];
                @let shown: Vec<SummaryField> = controls.iter().map(Control::summary_field).collect();
                (post_form(&format!("/authorizations/{}/usage-reports", url_encode(&right.id)), &v.csrf, html! {
                    (error_summary(lang, errors, &shown))
                    @for control in &controls { (control.draw(lang, errors)) }
                    (submit_button(v.pick("提交使用报告", "File the report"), None, None))
                }))
            }
            (right_actions(session, right, &format!("/authorizations/{}", url_encode(&right.id)), None))
        }
    }
}

async fn rights_page(
    state: &ServiceState,
    session: &SignedIn,
    status: StatusCode,
    typed: Option<Typed<'_>>,
    said: Option<&str>,
) -> Result<HttpResponse, PageError> {
    if session.actor.role != Role::Applicant {
        return Err(session.error(ServiceError::Forbidden));
    }
    let v = &session.visitor;
    let paging = PageRequest {
        page: Some(1),
        per_page: Some(100),
    };
    let rights = authorizations::list(state, &session.actor, AuthorizationQuery::default(), paging)
        .await
        .map_err(|e| session.error(e))?;
    let last_year = state.clock.today().year() - 1;
    let mut sections = Vec::with_capacity(rights.items.len());
    for right in &rights.items {
        let reports = usage::reports(state, &session.actor, right.id.clone())
            .await
            .map_err(|e| session.error(e))?;
        let issued = issue::issued_by_year(state, &session.actor, right.id.clone())
            .await
            .map_err(|e| session.error(e))?;
        sections.push(right_section(
            session,
            right,
            &reports,
            last_year,
            &issued,
            typed.as_ref(),
        ));
    }
    let title = v.pick("我的授权", "My authorizations");
    let body = html! {
        @if let Some(said) = said { (notice(said)) }
        h2 { (title) }
        @if rights.items.is_empty() {
            section {
                p {
                    (v.pick(
                        "还没有获准使用专用标志。申请核准后会显示在这里。",
                        "No rights yet. Once an application is approved it appears here."
                    ))
                }
                p { a href="/applications" { (v.pick("查看我的申请", "See my applications")) } }
            }
        }
        @for section in sections { (section) }
        p {
            a href="/enterprise-changes" data-testid="enterprise-changes" {
                (v.pick("企业名称、住所或法定代表人变更", "Change of the enterprise's name, address or legal representative"))
            }
        }
    };
    Ok(session.render(status, title, body))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RightsQuery {
    notice: String,
    /// The year of the report a notice speaks of.
    year: String,
}

/// Whether `filed` is the report `input` would file (the same year and the same figures).
fn same_report(filed: &UsageReportView, input: &UsageReportInput) -> bool {
    filed.year == input.year
        && filed.marks_used == input.marks_used
        && filed.output_kg == input.output_kg
        && filed.sales_cny == input.sales_cny
        && filed.note.as_deref().map(str::trim) == input.note.as_deref().map(str::trim)
}

pub async fn my_rights(
    state: web::Data<ServiceState>,
    session: SignedIn,
    query: web::Query<RightsQuery>,
) -> Result<HttpResponse, PageError> {
    let v = &session.visitor;
    let year = query.year.parse::<i32>().ok();
    let said = match (query.notice.as_str(), year) {
        ("filed", _) => Some(v.pick("使用报告已提交。", "Usage report filed.").to_owned()),
        ("already_filed", Some(year)) => Some(if v.lang.zh() {
            format!("{year} 年度的使用报告已经提交，无需再次提交；已提交的报告见下表。")
        } else {
            format!("The report for {year} was already filed, no need to send it again: it is in the table below.")
        }),
        ("surrendered", _) => Some(v.pick("已注销。", "Surrendered.").to_owned()),
        _ => None,
    };
    rights_page(&state, &session, StatusCode::OK, None, said.as_deref()).await
}

pub async fn file_report(
    state: web::Data<ServiceState>,
    session: SignedIn,
    id: web::Path<String>,
    form: CsrfForm<ReportForm>,
) -> Result<HttpResponse, PageError> {
    let (id, form) = (id.into_inner(), form.0);
    let refused = |problems| Some((id.as_str(), &form, FormErrors(problems)));
    let read = form.read();
    let filed = match &read {
        Ok(input) => usage::file_report(&state, &session.actor, id.clone(), input.clone()).await,
        Err(problems) => Err(ServiceError::Invalid(problems.clone())),
    };
    // A second click (or a resent form) finds the very report the first one filed: that is
    // what was asked for, so show it filed rather than refuse. A different report for a
    // year already reported is still refused, beside the year.
    if let (Err(ServiceError::Conflict(_)), Ok(input)) = (&filed, &read) {
        let reports = usage::reports(&state, &session.actor, id.clone())
            .await
            .map_err(|e| session.error(e))?;
        if reports.iter().any(|report| same_report(report, input)) {
            return Ok(session.visitor.redirect(&format!(
                "/authorizations?notice=already_filed&year={}",
                input.year
            )));
        }
    }
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

/// The producer's rights again with the report typed before the session timed out in its
/// right's form (`said` on top), after signing in; nothing is filed until it is sent again.
pub async fn resume_report(
    state: &ServiceState,
    session: &SignedIn,
    right: &str,
    form: ReportForm,
    said: String,
) -> Result<HttpResponse, PageError> {
    let typed = (right, &form, FormErrors::default());
    rights_page(state, session, StatusCode::OK, Some(typed), Some(&said)).await
}
