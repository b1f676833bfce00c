//! Applications in the browser. Producers work under `/applications` (their list, a new
//! application, one application with its form, documents and actions); staff open the same
//! application under `/review/{id}` with the actions their role may take now. Every page calls
//! the same use cases as `/api/v1/applications`.

use std::collections::HashMap;
use std::fmt::Write;

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;

use super::form::{action_button, Control};
use super::labels::{self, APPLICATION_FIELDS};
use super::layout::{escape, url_encode, Lang};
use super::session::{check_csrf, expected_csrf, CsrfForm, FormErrors, PageError, SignedIn};
use crate::domain::eligibility::{AttachmentKind, Basis};
use crate::domain::roles::{Actor, Role};
use crate::domain::workflow::{may_attach, ApplicationAction, ApplicationStatus};
use crate::domain::{FieldError, Localized};
use crate::http::download::document_response;
use crate::http::upload::{read_upload_fields, upload_of, UploadError};
use crate::service::applications::{
    self, ActionInput, ApplicationInput, ApplicationPatch, ApplicationQuery, ApplicationView,
    FieldCommentInput, HistoryEntry, IfMatch, ReviewOpinionView,
};
use crate::service::paging::PageRequest;
use crate::service::public::{self, ProductView};
use crate::service::{ServiceError, ServiceState};

/// Producers' pages live under `/applications`, staff's under `/review`.
pub fn base_of(actor: &Actor) -> &'static str {
    if actor.role == Role::Applicant {
        "/applications"
    } else {
        "/review"
    }
}

fn status_tag(lang: Lang, status: ApplicationStatus) -> String {
    format!(
        "<span class=\"tag app-{}\" data-status=\"{}\">{}</span>",
        status.as_str(),
        status.as_str(),
        labels::application_status(lang, status)
    )
}

pub fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    // Yingde keeps China Standard Time (UTC+8) all year.
    (at + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

// ---- the producer's list ---------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    page: Option<i64>,
}

pub async fn my_applications(
    state: web::Data<ServiceState>,
    session: SignedIn,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    if session.actor.role != Role::Applicant {
        return Ok(session.visitor.redirect("/review"));
    }
    let v = &session.visitor;
    let paging = PageRequest {
        page: query.page,
        per_page: Some(20),
    };
    let page = applications::list(&state, &session.actor, ApplicationQuery::default(), paging)
        .await
        .map_err(|e| session.error(e))?;
    let products = public::products(&state)
        .await
        .map_err(|e| session.error(e))?;
    let product_name = |code: &str| {
        products
            .iter()
            .find(|p| p.code == code)
            .map(|p| {
                if v.zh() {
                    p.name_zh.clone()
                } else {
                    p.name_en.clone()
                }
            })
            .unwrap_or_else(|| code.to_owned())
    };
    let mut body = format!(
        "<section><h2>{}</h2><p><a class=\"button\" href=\"/applications/new\" data-testid=\"new-application\">{}</a></p>",
        v.pick("我的申请", "My applications"),
        v.pick("＋ 申请使用专用标志", "+ Apply to use the special mark"),
    );
    if page.items.is_empty() {
        let _ = write!(
            body,
            "<p>{}</p>",
            v.pick(
                "还没有申请。点击上方按钮开始，可以随时保存草稿。",
                "No applications yet. Start with the button above; drafts are kept until you submit."
            )
        );
    } else {
        let _ = write!(
            body,
            "<div class=\"table-wrap\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            v.pick("产品", "Product"),
            v.pick("状态", "Status"),
            v.pick("创建时间", "Started"),
        );
        for item in &page.items {
            let _ = write!(
                body,
                "<tr><td><a href=\"/applications/{id}\">{product}</a></td><td>{status}</td><td>{created}</td></tr>",
                id = url_encode(&item.id),
                product = escape(&product_name(&item.product_code)),
                status = status_tag(v.lang, item.status),
                created = when(item.created_at),
            );
        }
        body.push_str("</tbody></table></div>");
        body.push_str(&pager(
            v.lang,
            "/applications?",
            page.page,
            page.per_page,
            page.total,
        ));
    }
    body.push_str("</section>");
    Ok(session.render(StatusCode::OK, v.pick("我的申请", "My applications"), &body))
}

/// Previous / next links for a list; `base` ends with `?` or `&`.
pub fn pager(lang: Lang, base: &str, page: i64, per_page: i64, total: i64) -> String {
    let last = (total + per_page - 1).max(1) / per_page.max(1);
    let last = last.max(1);
    let mut html = format!(
        "<p class=\"muted\">{} {total} · {} {page}/{last}</p><p class=\"actions\">",
        lang.pick("共", "Total"),
        lang.pick("页", "page"),
    );
    if page > 1 {
        let _ = write!(
            html,
            "<a href=\"{}page={}\">{}</a>",
            escape(base),
            page - 1,
            lang.pick("‹ 上一页", "‹ Previous")
        );
    }
    if page < last {
        let _ = write!(
            html,
            "<a href=\"{}page={}\">{}</a>",
            escape(base),
            page + 1,
            lang.pick("下一页 ›", "Next ›")
        );
    }
    html.push_str("</p>");
    html
}

// ---- the application form --------------------------------------------------------------

/// The form as typed: strings, so a wrong number comes back exactly as the user wrote it.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ApplicationForm {
    product_code: String,
    basis: String,
    trademark_reg_no: String,
    production_town: String,
    production_address: String,
    area_mu: String,
    annual_output_kg: String,
    description: String,
    /// The version the form was drawn from (optimistic locking, as If-Match in the API).
    version: String,
}

fn optional(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

impl ApplicationForm {
    fn of(view: &ApplicationView) -> Self {
        Self {
            product_code: view.product_code.clone(),
            basis: view.basis.as_str().to_owned(),
            trademark_reg_no: view.trademark_reg_no.clone().unwrap_or_default(),
            production_town: view.production_town_code.clone(),
            production_address: view.production_address.clone(),
            area_mu: view.area_mu.map(|a| a.to_string()).unwrap_or_default(),
            annual_output_kg: view
                .annual_output_kg
                .map(|a| a.to_string())
                .unwrap_or_default(),
            description: view.description.clone().unwrap_or_default(),
            version: view.version.to_string(),
        }
    }

    /// The typed values the use case takes, or why some cannot be read at all.
    fn read(&self) -> Result<ReadValues, Vec<FieldError>> {
        let mut problems = Vec::new();
        let number = |field: &str, problems: &mut Vec<FieldError>| {
            problems.push(FieldError::new(
                field,
                "not_a_number",
                Localized::new("must be a number", "请填写数字"),
            ))
        };
        let basis = match optional(&self.basis) {
            None => {
                problems.push(FieldError::new(
                    "basis",
                    "required",
                    Localized::new("is required", "请选择使用依据"),
                ));
                None
            }
            Some(b) => b.parse::<Basis>().ok().or_else(|| {
                problems.push(FieldError::new(
                    "basis",
                    "invalid_choice",
                    Localized::new("is not one of the choices", "请从选项中选择"),
                ));
                None
            }),
        };
        let area = match optional(&self.area_mu) {
            None => None,
            Some(a) => a.parse::<f64>().ok().filter(|a| a.is_finite()).or_else(|| {
                number("area_mu", &mut problems);
                None
            }),
        };
        let output = match optional(&self.annual_output_kg) {
            None => None,
            Some(o) => o.parse::<i64>().ok().or_else(|| {
                number("annual_output_kg", &mut problems);
                None
            }),
        };
        if problems.is_empty() {
            Ok(ReadValues {
                basis,
                area_mu: area,
                annual_output_kg: output,
            })
        } else {
            Err(problems)
        }
    }
}

/// The form's values that are not text.
struct ReadValues {
    basis: Option<Basis>,
    area_mu: Option<f64>,
    annual_output_kg: Option<i64>,
}

/// The reviewer's comments on `field`, shown beside it.
fn opinion_on(lang: Lang, opinion: Option<&ReviewOpinionView>, field: &str) -> String {
    opinion
        .into_iter()
        .flat_map(|o| o.field_comments.iter())
        .filter(|c| c.field == field)
        .map(|c| {
            format!(
                "<p class=\"opinion\" data-opinion=\"{}\"><strong>{}</strong>{}</p>",
                escape(field),
                lang.pick("审查意见：", "Reviewer: "),
                escape(&c.comment)
            )
        })
        .collect()
}

fn product_name(lang: Lang, product: &ProductView) -> String {
    if lang == Lang::Zh {
        product.name_zh.clone()
    } else {
        product.name_en.clone()
    }
}

/// The fields of an application; `product` fixes the product and the towns offered.
fn form_fields(
    lang: Lang,
    product: &ProductView,
    form: &ApplicationForm,
    errors: &FormErrors,
    opinion: Option<&ReviewOpinionView>,
) -> String {
    let label = |name: &'static str| -> &'static str {
        APPLICATION_FIELDS
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, zh, en)| lang.pick(zh, en))
            .unwrap_or(name)
    };
    let bases = Basis::ALL
        .iter()
        .map(|b| (b.as_str().to_owned(), labels::basis(lang, *b).to_owned()))
        .collect();
    let towns = product
        .towns
        .iter()
        .map(|t| {
            let name = if lang == Lang::Zh {
                &t.name_zh
            } else {
                &t.name_en
            };
            (t.code.clone(), name.clone())
        })
        .collect();
    let mut html = format!(
        "<input type=\"hidden\" name=\"product_code\" value=\"{}\"><div class=\"field\"><span class=\"muted\">{}</span><p class=\"name\">{}</p>{}</div>",
        escape(&product.code),
        label("product_code"),
        escape(&product_name(lang, product)),
        errors.messages(lang, "product_code", "f-product_code"),
    );
    let controls = [
        Control::select("basis", label("basis"), &form.basis, bases).required(),
        Control::input(
            "text",
            "trademark_reg_no",
            label("trademark_reg_no"),
            &form.trademark_reg_no,
        )
        .hint(lang.pick(
            "以证明商标或集体商标为依据时必填",
            "Required for a certification or collective mark",
        ))
        .attributes("maxlength=\"50\""),
        Control::select(
            "production_town",
            label("production_town"),
            &form.production_town,
            towns,
        )
        .required()
        .hint(lang.pick(
            "只列出该产品保护范围内的镇（街道）",
            "Only the towns inside this product's protected area",
        )),
        Control::input(
            "text",
            "production_address",
            label("production_address"),
            &form.production_address,
        )
        .required()
        .attributes("maxlength=\"300\" autocomplete=\"street-address\""),
        Control::input("text", "area_mu", label("area_mu"), &form.area_mu)
            .attributes("inputmode=\"decimal\" maxlength=\"20\""),
        Control::input(
            "text",
            "annual_output_kg",
            label("annual_output_kg"),
            &form.annual_output_kg,
        )
        .attributes("inputmode=\"numeric\" maxlength=\"20\""),
        Control::text_area("description", label("description"), &form.description)
            .attributes("maxlength=\"2000\""),
    ];
    for control in controls {
        let name = control.name();
        html.push_str(
            &control
                .note(opinion_on(lang, opinion, name))
                .draw(lang, errors),
        );
    }
    html
}

async fn products_of(
    state: &ServiceState,
    session: &SignedIn,
) -> Result<Vec<ProductView>, PageError> {
    public::products(state).await.map_err(|e| session.error(e))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    product: String,
}

fn new_application_page(
    session: &SignedIn,
    status: StatusCode,
    product: &ProductView,
    form: &ApplicationForm,
    errors: &FormErrors,
) -> HttpResponse {
    let v = &session.visitor;
    let shown: Vec<&str> = APPLICATION_FIELDS.iter().map(|(n, _, _)| *n).collect();
    let body = format!(
        "<section><h2>{title}</h2><p class=\"muted\">{hint}</p><form method=\"post\" action=\"/applications/new\" novalidate>{csrf}{others}{fields}<p><button type=\"submit\">{button}</button></p></form></section>",
        title = v.pick("申请使用地理标志专用标志", "Apply to use the GI special mark"),
        hint = v.pick(
            "先保存为草稿，再上传材料并提交。带 * 的为必填项。",
            "Save a draft first, then upload the documents and submit. Fields marked * are required.",
        ),
        csrf = v.csrf_field(),
        others = errors.others(v.lang, &shown),
        fields = form_fields(v.lang, product, form, errors, None),
        button = v.pick("保存草稿", "Save draft"),
    );
    session.render(status, v.pick("新申请", "New application"), &body)
}

pub async fn new_application(
    state: web::Data<ServiceState>,
    session: SignedIn,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, PageError> {
    if session.actor.role != Role::Applicant {
        return Err(session.error(ServiceError::Forbidden));
    }
    let v = &session.visitor;
    let products = products_of(&state, &session).await?;
    let chosen = products.iter().find(|p| p.code == query.product);
    let Some(product) = chosen.or(if products.len() == 1 {
        products.first()
    } else {
        None
    }) else {
        // First step: which product? The towns offered depend on it.
        let mut body = format!(
            "<section><h2>{}</h2><p>{}</p><ul class=\"results\">",
            v.pick(
                "申请使用地理标志专用标志",
                "Apply to use the GI special mark"
            ),
            v.pick("请选择产品：", "Choose the product:")
        );
        for p in &products {
            let _ = write!(
                body,
                "<li><a href=\"/applications/new?product={}\" data-product=\"{}\">{}</a><p class=\"muted\">{}</p></li>",
                url_encode(&p.code),
                escape(&p.code),
                escape(&product_name(v.lang, p)),
                escape(&p.protected_area),
            );
        }
        body.push_str("</ul></section>");
        return Ok(session.render(StatusCode::OK, v.pick("新申请", "New application"), &body));
    };
    let form = ApplicationForm {
        product_code: product.code.clone(),
        basis: Basis::GiProduct.as_str().to_owned(),
        ..Default::default()
    };
    Ok(new_application_page(
        &session,
        StatusCode::OK,
        product,
        &form,
        &FormErrors::default(),
    ))
}

pub async fn create_application(
    state: web::Data<ServiceState>,
    session: SignedIn,
    form: CsrfForm<ApplicationForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.0;
    let products = products_of(&state, &session).await?;
    let Some(product) = products.iter().find(|p| p.code == form.product_code) else {
        return Ok(session.visitor.redirect("/applications/new"));
    };
    let refused = |problems| {
        Ok(new_application_page(
            &session,
            StatusCode::UNPROCESSABLE_ENTITY,
            product,
            &form,
            &FormErrors(problems),
        ))
    };
    // A value that cannot be read is refused like one the use case refuses.
    let created = match form.read() {
        Ok(values) => {
            let input = ApplicationInput {
                product_code: form.product_code.clone(),
                basis: values.basis.unwrap_or(Basis::GiProduct),
                trademark_reg_no: optional(&form.trademark_reg_no),
                production_town: form.production_town.clone(),
                production_address: form.production_address.trim().to_owned(),
                area_mu: values.area_mu,
                annual_output_kg: values.annual_output_kg,
                description: optional(&form.description),
            };
            applications::create(&state, &session.actor, input).await
        }
        Err(problems) => Err(ServiceError::Invalid(problems)),
    };
    match created {
        Ok(view) => Ok(session.visitor.redirect(&format!(
            "/applications/{}?notice=created",
            url_encode(&view.id)
        ))),
        Err(ServiceError::Invalid(problems)) => refused(problems),
        Err(other) => Err(session.error(other)),
    }
}

// ---- one application -------------------------------------------------------------------

/// What a re-drawn page shows beyond the stored application: what the user typed, the
/// problems with it, a notice or an alert.
#[derive(Default)]
struct Redraw {
    form: Option<ApplicationForm>,
    form_errors: FormErrors,
    upload_errors: FormErrors,
    action: Option<(ApplicationAction, HashMap<String, String>, FormErrors)>,
    notice: Option<String>,
    alert: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeQuery {
    notice: String,
}

fn notice_text(lang: Lang, notice: &str) -> Option<String> {
    let text = match notice {
        "created" => lang.pick(
            "草稿已保存。请上传材料，然后提交。",
            "Draft saved. Upload the documents, then submit.",
        ),
        "saved" => lang.pick("已保存。", "Saved."),
        "uploaded" => lang.pick("材料已上传。", "Document uploaded."),
        "removed" => lang.pick("材料已删除。", "Document removed."),
        other => {
            let action = other.parse::<ApplicationAction>().ok()?;
            return Some(format!(
                "{}{}",
                labels::action(lang, action),
                lang.pick("：已完成。", ": done.")
            ));
        }
    };
    Some(text.to_owned())
}

pub async fn show(
    state: web::Data<ServiceState>,
    session: SignedIn,
    id: web::Path<String>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, PageError> {
    let redraw = Redraw {
        notice: notice_text(session.visitor.lang, &query.notice),
        ..Default::default()
    };
    application_page(&state, &session, &id, StatusCode::OK, redraw).await
}

async fn application_page(
    state: &ServiceState,
    session: &SignedIn,
    id: &str,
    status: StatusCode,
    redraw: Redraw,
) -> Result<HttpResponse, PageError> {
    let view = applications::get(state, &session.actor, id.to_owned())
        .await
        .map_err(|e| session.error(e))?;
    let products = products_of(state, session).await?;
    let v = &session.visitor;
    let lang = v.lang;
    let base = format!("{}/{}", base_of(&session.actor), url_encode(&view.id));
    let is_owner = session.actor.role == Role::Applicant;
    let opinion = view.review_opinion.as_ref();
    let product = products.iter().find(|p| p.code == view.product_code);

    let mut body = String::new();
    if let Some(notice) = &redraw.notice {
        let _ = write!(
            body,
            "<p class=\"notice\" role=\"status\">{}</p>",
            escape(notice)
        );
    }
    if let Some(alert) = &redraw.alert {
        let _ = write!(
            body,
            "<p class=\"alert\" role=\"alert\">{}</p>",
            escape(alert)
        );
    }
    let _ = write!(
        body,
        "<section><h2>{product} · {enterprise}</h2><p>{status}</p><dl class=\"facts\"><dt>{uscc_label}</dt><dd class=\"code\">{uscc}</dd><dt>{started_label}</dt><dd>{started}</dd>{submitted}{registry}</dl></section>",
        product = escape(&view.product_name_zh),
        enterprise = escape(&view.enterprise.name),
        status = status_tag(lang, view.status),
        uscc_label = v.pick("统一社会信用代码", "Credit code"),
        uscc = escape(&view.enterprise.uscc),
        started_label = v.pick("创建", "Started"),
        started = when(view.created_at),
        submitted = view
            .submitted_at
            .map(|at| format!("<dt>{}</dt><dd>{}</dd>", v.pick("提交", "Submitted"), when(at)))
            .unwrap_or_default(),
        registry = view
            .registry_no
            .as_ref()
            .map(|no| format!(
                "<dt>{}</dt><dd><a class=\"code\" href=\"/verify/{}\" data-testid=\"registry-no\">{}</a></dd>",
                v.pick("登记编号", "Registry no."),
                url_encode(no),
                escape(no)
            ))
            .unwrap_or_default(),
    );

    if let Some(opinion) = opinion {
        let _ = write!(
            body,
            "<section class=\"opinion\" data-testid=\"review-opinion\"><h2>{}</h2><p>{}</p>{}</section>",
            v.pick("审查意见", "Review opinion"),
            escape(&opinion.comment),
            if is_owner && view.status == ApplicationStatus::Returned {
                format!(
                    "<p class=\"muted\">{}</p>",
                    v.pick(
                        "请按意见修改下方标注的内容，保存后重新提交。",
                        "Correct what is marked below, save, then resubmit."
                    )
                )
            } else {
                String::new()
            }
        );
    }

    // The application's fields: a form while its producer may change them, facts otherwise.
    let editable = is_owner && view.status.is_editable();
    match (editable, product) {
        (true, Some(product)) => {
            let form = redraw
                .form
                .clone()
                .unwrap_or_else(|| ApplicationForm::of(&view));
            let shown: Vec<&str> = APPLICATION_FIELDS.iter().map(|(n, _, _)| *n).collect();
            let _ = write!(
                body,
                "<section><h2>{title}</h2><form method=\"post\" action=\"{base}\" novalidate>{csrf}<input type=\"hidden\" name=\"version\" value=\"{version}\">{others}{fields}<p><button type=\"submit\" class=\"secondary\" data-testid=\"save\">{button}</button></p></form></section>",
                title = v.pick("申请信息", "Application"),
                csrf = v.csrf_field(),
                version = escape(&form.version),
                others = redraw.form_errors.others(lang, &shown),
                fields = form_fields(lang, product, &form, &redraw.form_errors, opinion),
                button = v.pick("保存修改", "Save changes"),
            );
        }
        _ => body.push_str(&facts(lang, &view, opinion)),
    }

    body.push_str(&documents(session, &view, &base, &redraw.upload_errors));
    body.push_str(&actions(
        session,
        &view,
        &base,
        redraw.action.as_ref(),
        state.clock.today(),
    ));
    body.push_str(&history(lang, &view.history));
    let _ = write!(
        body,
        "<p><a href=\"{}\">{}</a></p>",
        base_of(&session.actor),
        if is_owner {
            v.pick("‹ 我的申请", "‹ My applications")
        } else {
            v.pick("‹ 审查队列", "‹ Review queue")
        }
    );
    let title = format!("{} · {}", view.product_name_zh, view.enterprise.name);
    Ok(session.render(status, &title, &body))
}

fn facts(lang: Lang, view: &ApplicationView, opinion: Option<&ReviewOpinionView>) -> String {
    let value = |name: &str| -> String {
        match name {
            "product_code" => view.product_name_zh.clone(),
            "basis" => labels::basis(lang, view.basis).to_owned(),
            "trademark_reg_no" => view.trademark_reg_no.clone().unwrap_or_default(),
            "production_town" => view.production_town.clone(),
            "production_address" => view.production_address.clone(),
            "area_mu" => view.area_mu.map(|a| a.to_string()).unwrap_or_default(),
            "annual_output_kg" => view
                .annual_output_kg
                .map(|a| a.to_string())
                .unwrap_or_default(),
            _ => view.description.clone().unwrap_or_default(),
        }
    };
    let mut html = format!(
        "<section><h2>{}</h2><dl class=\"facts\">",
        lang.pick("申请信息", "Application")
    );
    for (name, zh, en) in APPLICATION_FIELDS {
        let _ = write!(
            html,
            "<dt>{}</dt><dd data-field=\"{name}\">{}{}</dd>",
            lang.pick(zh, en),
            escape(&value(name)),
            opinion_on(lang, opinion, name)
        );
    }
    html.push_str("</dl></section>");
    html
}

fn documents(
    session: &SignedIn,
    view: &ApplicationView,
    base: &str,
    errors: &FormErrors,
) -> String {
    let v = &session.visitor;
    let lang = v.lang;
    let opinion = view.review_opinion.as_ref();
    let mut html = format!(
        "<section aria-labelledby=\"documents-title\"><h2 id=\"documents-title\">{}</h2>",
        v.pick("申请材料", "Documents")
    );
    if view.attachments.is_empty() {
        let _ = write!(
            html,
            "<p class=\"muted\">{}</p>",
            v.pick("尚未上传材料。", "No documents yet.")
        );
    } else {
        html.push_str("<ul class=\"results\" data-testid=\"documents\">");
        for a in &view.attachments {
            let _ = write!(
                html,
                "<li><strong>{kind}</strong> · <a href=\"{base}/documents/{id}\">{name}</a> <span class=\"muted\">{size} KB · {at}</span>{remove}{opinion}</li>",
                kind = escape(&labels::document(lang, a.kind)),
                id = url_encode(&a.id),
                // A wrong file or the wrong kind: its uploader removes it while they could add it.
                remove = if view.removable_attachments.contains(&a.id) {
                    action_button(
                        &format!("{base}/documents/{}/delete", url_encode(&a.id)),
                        &v.csrf_field(),
                        v.pick("删除", "Remove"),
                        "secondary",
                    )
                } else {
                    String::new()
                },
                name = escape(&a.filename),
                size = (a.size + 1023) / 1024,
                at = when(a.uploaded_at),
                opinion = opinion_on(lang, opinion, &format!("attachments.{}", a.kind.as_str())),
            );
        }
        html.push_str("</ul>");
    }
    // Comments on documents that are not there yet.
    for kind in &view.missing_documents {
        html.push_str(&opinion_on(
            lang,
            opinion,
            &format!("attachments.{}", kind.as_str()),
        ));
    }
    if !view.missing_documents.is_empty() {
        let _ = write!(
            html,
            "<div class=\"alert\" data-testid=\"missing-documents\"><p>{}</p><ul>",
            v.pick("提交前还需上传：", "Still needed before you can submit:")
        );
        for kind in &view.missing_documents {
            let _ = write!(
                html,
                "<li data-kind=\"{}\">{}</li>",
                kind.as_str(),
                escape(&labels::document(lang, *kind))
            );
        }
        html.push_str("</ul></div>");
    }
    // The upload form offers exactly the documents the domain lets this person add now.
    let kinds: Vec<AttachmentKind> = AttachmentKind::ALL
        .into_iter()
        .filter(|k| may_attach(&session.actor, &view.enterprise.id, view.status, *k).is_ok())
        .collect();
    if let Some(first) = kinds.first() {
        let preselected = view
            .missing_documents
            .first()
            .filter(|k| kinds.contains(k))
            .unwrap_or(first);
        let options = kinds
            .iter()
            .map(|k| (k.as_str().to_owned(), labels::document(lang, *k)))
            .collect();
        let _ = write!(
            html,
            "<form method=\"post\" action=\"{base}/documents\" enctype=\"multipart/form-data\" novalidate>{csrf}{others}{kind}{file}<p><button type=\"submit\" class=\"secondary\">{button}</button></p></form>",
            csrf = v.csrf_field(),
            others = errors.others(lang, &["kind", "file"]),
            kind = Control::select("kind", v.pick("材料类型", "Document"), preselected.as_str(), options)
                .required()
                .draw(lang, errors),
            file = Control::input("file", "file", v.pick("文件", "File"), "")
                .required()
                .hint(v.pick("PDF、JPEG 或 PNG，可用手机拍照", "PDF, JPEG or PNG; a phone photo will do"))
                .attributes("accept=\".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png\"")
                .draw(lang, errors),
            button = v.pick("上传", "Upload"),
        );
    }
    html.push_str("</section>");
    html
}

/// The forms of the actions this user may take now, and only those.
fn actions(
    session: &SignedIn,
    view: &ApplicationView,
    base: &str,
    typed: Option<&(ApplicationAction, HashMap<String, String>, FormErrors)>,
    today: NaiveDate,
) -> String {
    let today = today.to_string();
    let v = &session.visitor;
    let lang = v.lang;
    if view.allowed_actions.is_empty() {
        return String::new();
    }
    let mut html = format!(
        "<section aria-labelledby=\"actions-title\" data-testid=\"actions\"><h2 id=\"actions-title\">{}</h2>",
        v.pick("办理", "Actions")
    );
    let empty = (HashMap::new(), FormErrors::default());
    for action in &view.allowed_actions {
        let (values, errors) = match typed {
            Some((a, values, errors)) if a == action => (values, errors),
            _ => (&empty.0, &empty.1),
        };
        let value = |name: &str| values.get(name).map(String::as_str).unwrap_or("");
        let url = format!("{base}/actions/{}", action.as_str());
        let label = labels::action(lang, *action);
        let danger = matches!(
            action,
            ApplicationAction::Withdraw | ApplicationAction::Refuse | ApplicationAction::Reject
        );
        let class = if danger { "danger" } else { "" };
        let scope = action.as_str();
        let mut inputs = String::new();
        match action {
            // Withdrawing cannot be undone: it opens with a warning instead of acting at once.
            ApplicationAction::Submit | ApplicationAction::Resubmit
                if session.actor.role == Role::Applicant =>
            {
                let _ = write!(
                    html,
                    "<div class=\"actions\" data-action=\"{}\">{}</div>",
                    action.as_str(),
                    action_button(&url, &v.csrf_field(), label, class)
                );
                continue;
            }
            ApplicationAction::Refuse | ApplicationAction::Reject => {
                inputs.push_str(
                    &Control::text_area("reason", v.pick("理由", "Reason"), value("reason"))
                        .required()
                        .attributes("maxlength=\"2000\"")
                        .within(scope)
                        .draw(lang, errors),
                );
            }
            ApplicationAction::Return => {
                inputs.push_str(
                    &Control::text_area("comment", v.pick("审查意见", "Opinion"), value("comment"))
                        .required()
                        .attributes("maxlength=\"2000\"")
                        .within(scope)
                        .draw(lang, errors),
                );
                let _ = write!(
                    inputs,
                    "<p class=\"muted\">{}</p>",
                    v.pick(
                        "需要修改的项目请逐项写明，申请人会在该项旁边看到：",
                        "Comment on each item to correct; the producer sees it beside that item:"
                    )
                );
                let mut fields: Vec<String> = APPLICATION_FIELDS
                    .iter()
                    .map(|(n, _, _)| n.to_string())
                    .collect();
                fields.extend(
                    view.basis
                        .required_documents()
                        .iter()
                        .map(|k| format!("attachments.{}", k.as_str())),
                );
                for field in fields {
                    let name = format!("field_comments.{field}");
                    let label = labels::field(lang, &field);
                    inputs.push_str(
                        &Control::input("text", &name, &label, value(&name))
                            .attributes("maxlength=\"2000\"")
                            .within(scope)
                            .draw(lang, errors),
                    );
                }
            }
            ApplicationAction::Approve => {
                inputs.push_str(
                    &Control::input(
                        "text",
                        "announcement_no",
                        v.pick("核准公告号", "Announcement no."),
                        value("announcement_no"),
                    )
                    .required()
                    .attributes("maxlength=\"100\"")
                    .within(scope)
                    .draw(lang, errors),
                );
                inputs.push_str(
                    &Control::input(
                        "text",
                        "announcement_date",
                        v.pick("公告日期", "Announcement date"),
                        values
                            .get("announcement_date")
                            .map(String::as_str)
                            .unwrap_or(&today),
                    )
                    .required()
                    .hint("YYYY-MM-DD")
                    .attributes("inputmode=\"numeric\" maxlength=\"10\"")
                    .within(scope)
                    .draw(lang, errors),
                );
                inputs.push_str(
                    &Control::text_area("comment", v.pick("备注", "Comment"), value("comment"))
                        .attributes("maxlength=\"2000\"")
                        .within(scope)
                        .draw(lang, errors),
                );
            }
            _ => {
                if *action == ApplicationAction::Withdraw {
                    let _ = write!(
                        inputs,
                        "<p class=\"alert\">{}</p>",
                        v.pick(
                            "撤回后本申请即告结束，不能恢复；如需再申请，请新建申请。",
                            "Withdrawing ends this application for good; to apply again, start a new one."
                        )
                    );
                }
                inputs.push_str(
                    &Control::text_area(
                        "comment",
                        v.pick("备注（可选）", "Comment (optional)"),
                        value("comment"),
                    )
                    .attributes("maxlength=\"2000\"")
                    .within(scope)
                    .draw(lang, errors),
                );
            }
        }
        let shown: Vec<String> = std::iter::once("comment".to_owned())
            .chain(["reason", "announcement_no", "announcement_date"].map(String::from))
            .chain(values.keys().cloned())
            .collect();
        let shown: Vec<&str> = shown.iter().map(String::as_str).collect();
        let _ = write!(
            html,
            "<details data-action=\"{action}\"{open}><summary>{label}</summary><form method=\"post\" action=\"{url}\" novalidate>{csrf}{others}{inputs}<p><button type=\"submit\" class=\"{class}\">{label}</button></p></form></details>",
            action = action.as_str(),
            open = if typed.is_some_and(|(a, _, _)| a == action) { " open" } else { "" },
            url = escape(&url),
            csrf = v.csrf_field(),
            others = errors.others(lang, &shown),
        );
    }
    html.push_str("</section>");
    html
}

/// The history of an application or a right, from its journal events.
pub fn history(lang: Lang, entries: &[HistoryEntry]) -> String {
    let mut html = format!(
        "<section><h2>{}</h2><div class=\"table-wrap\"><table data-testid=\"history\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        lang.pick("办理记录", "History"),
        lang.pick("时间", "When"),
        lang.pick("事项", "What"),
        lang.pick("状态", "Status"),
        lang.pick("说明", "Comment"),
    );
    for entry in entries {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            when(entry.at),
            escape(&labels::history_action(lang, &entry.action)),
            escape(labels::history_status(
                lang,
                entry.to_status.as_deref().unwrap_or("")
            )),
            escape(entry.comment.as_deref().unwrap_or("")),
        );
    }
    html.push_str("</tbody></table></div></section>");
    html
}

// ---- changes ---------------------------------------------------------------------------

/// Saves the producer's edits; the form's version must still be the stored one.
pub async fn save(
    state: web::Data<ServiceState>,
    session: SignedIn,
    id: web::Path<String>,
    form: CsrfForm<ApplicationForm>,
) -> Result<HttpResponse, PageError> {
    let (id, form) = (id.into_inner(), form.0);
    let lang = session.visitor.lang;
    let redraw = |form: ApplicationForm, problems: Vec<FieldError>, alert: Option<String>| Redraw {
        form: Some(form),
        form_errors: FormErrors(problems),
        alert,
        ..Default::default()
    };
    let version = form
        .version
        .trim()
        .parse()
        .map_or(IfMatch::Never, IfMatch::Version);
    let saved = match form.read() {
        Ok(values) => {
            let patch = ApplicationPatch {
                product_code: optional(&form.product_code),
                basis: values.basis,
                trademark_reg_no: optional(&form.trademark_reg_no),
                production_town: Some(form.production_town.clone()),
                production_address: Some(form.production_address.trim().to_owned()),
                area_mu: values.area_mu,
                annual_output_kg: values.annual_output_kg,
                description: Some(form.description.trim().to_owned()),
            };
            applications::edit(&state, &session.actor, id.clone(), version, patch).await
        }
        Err(problems) => Err(ServiceError::Invalid(problems)),
    };
    match saved {
        Ok(view) => Ok(session.visitor.redirect(&format!(
            "/applications/{}?notice=saved",
            url_encode(&view.id)
        ))),
        Err(ServiceError::Invalid(problems)) => {
            application_page(
                &state,
                &session,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                redraw(form, problems, None),
            )
            .await
        }
        Err(ServiceError::PreconditionFailed) => {
            let alert = lang.pick(
                "这份申请刚刚在别处被修改过。下面是您填写的内容，请核对后再保存。",
                "This application was just changed elsewhere. What you typed is below: check it and save again.",
            );
            // Keep what was typed but against the new version, so a second save goes through.
            let current = applications::get(&state, &session.actor, id.clone())
                .await
                .map_err(|e| session.error(e))?;
            let form = ApplicationForm {
                version: current.version.to_string(),
                ..form
            };
            application_page(
                &state,
                &session,
                &id,
                StatusCode::PRECONDITION_FAILED,
                redraw(form, Vec::new(), Some(alert.to_owned())),
            )
            .await
        }
        Err(ServiceError::Conflict(message)) => {
            application_page(
                &state,
                &session,
                &id,
                StatusCode::CONFLICT,
                redraw(
                    form,
                    Vec::new(),
                    Some(message.pick(lang == Lang::Zh).to_owned()),
                ),
            )
            .await
        }
        Err(other) => Err(session.error(other)),
    }
}

/// The action's body from its form: empty fields are absent, `field_comments.<field>` are
/// the comments on single fields.
fn action_input(values: &HashMap<String, String>) -> Result<ActionInput, Vec<FieldError>> {
    let get = |name: &str| values.get(name).and_then(|v| optional(v));
    let announcement_date = match get("announcement_date") {
        None => None,
        Some(date) => Some(
            NaiveDate::parse_from_str(&date.replace(['/', '.'], "-"), "%Y-%m-%d").map_err(
                |_| {
                    vec![FieldError::new(
                        "announcement_date",
                        "invalid_date",
                        Localized::new("must be a date, YYYY-MM-DD", "请填写日期，格式为 年-月-日"),
                    )]
                },
            )?,
        ),
    };
    let mut field_comments: Vec<FieldCommentInput> = values
        .iter()
        .filter_map(|(name, comment)| {
            let field = name.strip_prefix("field_comments.")?;
            Some(FieldCommentInput {
                field: field.to_owned(),
                comment: optional(comment)?,
            })
        })
        .collect();
    field_comments.sort_by(|a, b| a.field.cmp(&b.field));
    Ok(ActionInput {
        comment: get("comment"),
        reason: get("reason"),
        field_comments: (!field_comments.is_empty()).then_some(field_comments),
        announcement_no: get("announcement_no"),
        announcement_date,
    })
}

pub async fn act(
    state: web::Data<ServiceState>,
    session: SignedIn,
    path: web::Path<(String, String)>,
    form: CsrfForm<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let (id, action) = path.into_inner();
    let action: ApplicationAction = action
        .parse()
        .map_err(|_| session.error(ServiceError::NotFound))?;
    let values = form.0;
    let lang = session.visitor.lang;
    let refused = |problems: Vec<FieldError>| Redraw {
        action: Some((action, values.clone(), FormErrors(problems))),
        ..Default::default()
    };
    let acted = match action_input(&values) {
        Ok(input) => applications::act(&state, &session.actor, id.clone(), action, input).await,
        Err(problems) => Err(ServiceError::Invalid(problems)),
    };
    match acted {
        Ok(view) => Ok(session.visitor.redirect(&format!(
            "{}/{}?notice={}",
            base_of(&session.actor),
            url_encode(&view.id),
            action.as_str()
        ))),
        Err(ServiceError::Invalid(problems)) => {
            application_page(
                &state,
                &session,
                &id,
                StatusCode::UNPROCESSABLE_ENTITY,
                refused(problems),
            )
            .await
        }
        Err(ServiceError::Conflict(message)) => {
            let redraw = Redraw {
                alert: Some(message.pick(lang == Lang::Zh).to_owned()),
                ..refused(Vec::new())
            };
            application_page(&state, &session, &id, StatusCode::CONFLICT, redraw).await
        }
        Err(other) => Err(session.error(other)),
    }
}

/// A document from the upload form (multipart, with the CSRF token as a field).
pub async fn upload(
    state: web::Data<ServiceState>,
    session: SignedIn,
    request: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, PageError> {
    let id = id.into_inner();
    let lang = session.visitor.lang;
    let redraw = |problems: Vec<FieldError>| Redraw {
        upload_errors: FormErrors(problems),
        ..Default::default()
    };
    let form = Multipart::new(request.headers(), payload);
    let limit = state.settings.max_upload_bytes;
    let fields = match read_upload_fields(form, limit, &["csrf"]).await {
        Ok(fields) => fields,
        Err(UploadError::TooLarge) => {
            // Nothing of the form was trusted, and nothing was kept.
            let megabytes = limit / (1024 * 1024);
            let r = redraw(vec![FieldError::new(
                "file",
                "too_large",
                Localized::new(
                    format!("is larger than {megabytes} MB"),
                    format!("文件超过 {megabytes} MB"),
                ),
            )]);
            return application_page(&state, &session, &id, StatusCode::PAYLOAD_TOO_LARGE, r).await;
        }
        Err(other) => return Err(session.error(other)),
    };
    check_csrf(
        lang,
        expected_csrf(&request).as_deref(),
        fields.extra.get("csrf").map(String::as_str),
    )?;
    let upload = match upload_of(fields) {
        Ok(upload) => upload,
        Err(UploadError::Invalid(problems)) => {
            let r = redraw(problems);
            return application_page(&state, &session, &id, StatusCode::UNPROCESSABLE_ENTITY, r)
                .await;
        }
        Err(other) => return Err(session.error(other)),
    };
    match applications::add_attachment(&state, &session.actor, id.clone(), upload).await {
        Ok(_) => Ok(session.visitor.redirect(&format!(
            "{}/{}?notice=uploaded",
            base_of(&session.actor),
            url_encode(&id)
        ))),
        Err(ServiceError::Invalid(problems)) => {
            let r = redraw(problems);
            application_page(&state, &session, &id, StatusCode::UNPROCESSABLE_ENTITY, r).await
        }
        Err(ServiceError::Conflict(message)) => {
            let redraw = Redraw {
                alert: Some(message.pick(lang == Lang::Zh).to_owned()),
                ..Default::default()
            };
            application_page(&state, &session, &id, StatusCode::CONFLICT, redraw).await
        }
        Err(other) => Err(session.error(other)),
    }
}

/// The remove button beside a document (a CSRF-protected form).
pub async fn remove_document(
    state: web::Data<ServiceState>,
    session: SignedIn,
    path: web::Path<(String, String)>,
    _form: CsrfForm<HashMap<String, String>>,
) -> Result<HttpResponse, PageError> {
    let (id, attachment_id) = path.into_inner();
    let lang = session.visitor.lang;
    match applications::remove_attachment(&state, &session.actor, id.clone(), attachment_id).await {
        Ok(()) => Ok(session.visitor.redirect(&format!(
            "{}/{}?notice=removed",
            base_of(&session.actor),
            url_encode(&id)
        ))),
        Err(ServiceError::Conflict(message)) => {
            let redraw = Redraw {
                alert: Some(message.pick(lang == Lang::Zh).to_owned()),
                ..Default::default()
            };
            application_page(&state, &session, &id, StatusCode::CONFLICT, redraw).await
        }
        Err(other) => Err(session.error(other)),
    }
}

pub async fn download(
    state: web::Data<ServiceState>,
    session: SignedIn,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let (id, attachment_id) = path.into_inner();
    let (attachment, bytes) =
        applications::attachment_content(&state, &session.actor, id, attachment_id)
            .await
            .map_err(|e| session.error(e))?;
    Ok(document_response(attachment, bytes))
}
