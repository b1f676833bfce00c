//! `/guide` (办事指南): what a producer needs to know before applying — who may apply, the
//! materials for each basis and what each must show, the time limits (from the settings),
//! fees, the legal basis, the steps of the workflow, and the office to ask.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use maud::{html, Markup};

use crate::domain::eligibility::{AttachmentKind, Basis};
use crate::service::office::{self, OfficeFacts};
use crate::service::{public, ServiceState};
use crate::web::components::public_page;
use crate::web::errors::PageError;
use crate::web::labels;
use crate::web::lang::Lang;
use crate::web::session::Visitor;

/// Who may apply on each basis.
fn who_may_apply(lang: Lang, basis: Basis) -> &'static str {
    match basis {
        Basis::GiProduct => lang.pick(
            "地理标志产品：在经公告保护的地理标志产品保护范围内（英德市相关镇、街道）生产该产品的企业，产品符合相应标准或管理规范。",
            "GI product: an enterprise that makes the product inside the protected area named by the protection announcement (the towns of Yingde concerned), to its standard or rules.",
        ),
        Basis::CertificationMark => lang.pick(
            "地理标志证明商标：经商标注册人许可使用该证明商标、许可合同已备案的企业。",
            "Certification mark: a licensee of the GI certification mark whose licence has been filed.",
        ),
        Basis::CollectiveMark => lang.pick(
            "地理标志集体商标：该集体商标注册人（协会等）的成员企业。",
            "Collective mark: a member of the association that owns the GI collective mark.",
        ),
    }
}

/// What each document must show.
fn what_it_must_show(lang: Lang, kind: AttachmentKind) -> &'static str {
    match kind {
        AttachmentKind::ApplicationForm => lang.pick(
            "《地理标志专用标志使用申请书》，写明产品、生产地址和规模，加盖企业公章。",
            "The application form for the special mark: the product, where and how much is made, stamped with the enterprise's seal.",
        ),
        AttachmentKind::BusinessLicense => lang.pick(
            "营业执照（副本）复印件：统一社会信用代码与注册时填写的一致，经营范围包含该产品。",
            "The business licence (copy): the same credit code as registered, and the product within its scope of business.",
        ),
        AttachmentKind::TestReport => lang.pick(
            "产品检验检测报告：由具有资质的检验检测机构出具，证明产品符合相应标准。",
            "A product test report from an accredited laboratory showing the product meets its standard.",
        ),
        AttachmentKind::TrademarkLicense => lang.pick(
            "商标使用许可合同及备案证明，或集体商标成员资格证明。",
            "The trademark licence with proof of its filing, or proof of membership of the collective mark's owner.",
        ),
        AttachmentKind::OriginVerificationReport => lang.pick(
            "产地核验报告：由审查人员现场核验后上传，企业无需提供。",
            "The origin verification report: uploaded by the reviewer after the on-site check; not for the producer to provide.",
        ),
        AttachmentKind::Other => lang.pick("其他证明材料（如有）。", "Other supporting documents, if any."),
    }
}

/// The workflow as numbered steps (an ordered list drawn as a row of steps).
fn steps(lang: Lang, facts: &OfficeFacts) -> Markup {
    let days = facts.step_days;
    let (month, day) = facts.usage_report_due;
    let items: Vec<(String, String)> = vec![
        (
            lang.pick("注册企业账号", "Register the enterprise").to_owned(),
            lang.pick("填写统一社会信用代码和联系方式。", "Credit code and contact details.").to_owned(),
        ),
        (
            lang.pick("在线填写申请", "Fill in the application").to_owned(),
            lang.pick("选择产品和依据，上传材料，可随时保存草稿。", "Choose the product and basis, upload the documents; drafts are kept.").to_owned(),
        ),
        (
            lang.pick("提交", "Submit").to_owned(),
            lang.pick("获得受理编号（YDSQ-年份-序号），咨询时请报此编号。", "You get a case number (YDSQ-year-number): quote it when you call.").to_owned(),
        ),
        (
            lang.pick("受理", "Acceptance").to_owned(),
            match lang {
                Lang::Zh => format!("{}个工作日内决定是否受理。", days.acceptance),
                Lang::En => format!("Accepted or not within {} working days.", days.acceptance),
            },
        ),
        (
            lang.pick("审查与产地核验", "Review and on-site check").to_owned(),
            match lang {
                Lang::Zh => format!("{}个工作日内完成；需补正的退回修改，重新提交后重新计算。", days.review),
                Lang::En => format!("Within {} working days; if returned for correction, the days run again from resubmission.", days.review),
            },
        ),
        (
            lang.pick("审批与公告", "Approval and announcement").to_owned(),
            match lang {
                Lang::Zh => format!("{}个工作日内审批；核准后公告并给予登记编号。", days.approval),
                Lang::En => format!("Decided within {} working days; once approved, announced with a registry number.", days.approval),
            },
        ),
        (
            lang.pick("使用与年度报告", "Use and yearly report").to_owned(),
            match lang {
                Lang::Zh => format!("按规定使用专用标志；每年{month}月{day}日前报送上一年度使用情况。"),
                Lang::En => format!("Use the mark as the rules say; report last year's use by {day:02}/{month:02} each year."),
            },
        ),
    ];
    html! {
        ol class="steps" aria-label=(lang.pick("办理流程", "The steps")) {
            @for (title, detail) in &items {
                li {
                    strong { (title) }
                    span class="muted" { (detail) }
                }
            }
        }
    }
}

pub async fn guide(
    state: web::Data<ServiceState>,
    visitor: Visitor,
) -> Result<HttpResponse, PageError> {
    let lang = visitor.lang;
    let facts = office::facts(&state)
        .await
        .map_err(|e| PageError::failed(lang, e))?;
    let products = public::products(&state)
        .await
        .map_err(|e| PageError::failed(lang, e))?;
    let title = lang.pick(
        "办事指南：地理标志专用标志使用申请",
        "Service guide: applying to use the GI special mark",
    );
    let body = html! {
        section {
            h2 { (title) }
            p {
                (lang.pick(
                    "英德市的企业可以在线申请使用地理标志专用标志。本页说明谁可以申请、需要哪些材料、办理时限和流程。",
                    "Enterprises of Yingde can apply online to use the geographical-indication special mark. This page says who may apply, what to provide, how long it takes and how it goes."
                ))
            }
            p {
                a class="button" href="/applications/new" data-testid="start-application" { (lang.pick("开始申请", "Start an application")) }
                " "
                a href={ "/register" (lang.query()) } { (lang.pick("还没有账号？注册企业", "No account yet? Register the enterprise")) }
            }
        }
        section id="who" {
            h2 { (lang.pick("谁可以申请", "Who may apply")) }
            ul {
                @for basis in Basis::ALL {
                    li data-basis=(basis.as_str()) { strong { (labels::basis(lang, basis)) } " — " (who_may_apply(lang, basis)) }
                }
            }
            @if !products.is_empty() {
                p class="muted" {
                    (lang.pick("可申请的产品：", "Products: "))
                    @for (i, product) in products.iter().enumerate() {
                        @if i > 0 { (lang.pick("、", ", ")) }
                        (labels::product(lang, product))
                    }
                }
            }
        }
        section id="materials" {
            h2 { (lang.pick("申请材料", "Documents")) }
            @for basis in Basis::ALL {
                h3 { (labels::basis(lang, basis)) }
                ul data-materials=(basis.as_str()) {
                    @for kind in basis.required_documents() {
                        li { strong { (labels::document(lang, *kind)) } "：" (what_it_must_show(lang, *kind)) }
                    }
                }
            }
            p class="muted" {
                (lang.pick("材料为 PDF、JPEG 或 PNG 文件。", "Documents are PDF, JPEG or PNG files. "))
                (what_it_must_show(lang, AttachmentKind::OriginVerificationReport))
            }
        }
        section id="time-limits" {
            h2 { (lang.pick("办理时限", "Time limits")) }
            ul {
                li data-testid="acceptance-days" { (lang.pick("受理：", "Acceptance: ")) (facts.step_days.acceptance) (lang.pick("个工作日", " working days")) }
                li data-testid="review-days" { (lang.pick("审查：", "Review: ")) (facts.step_days.review) (lang.pick("个工作日（自受理或重新提交之日起）", " working days (from acceptance or resubmission)")) }
                li data-testid="approval-days" { (lang.pick("审批：", "Approval: ")) (facts.step_days.approval) (lang.pick("个工作日", " working days")) }
                li data-testid="change-review-days" { (lang.pick("企业信息变更（名称、住所、法定代表人）：", "Changes of a holder's details (name, address, legal representative): ")) (facts.change_review_days) (lang.pick("个工作日内审核", " working days for the decision")) }
                li data-testid="usage-report-due" {
                    (lang.pick("年度使用情况报告：每年", "Yearly usage report: by "))
                    (format!("{:02}-{:02}", facts.usage_report_due.0, facts.usage_report_due.1))
                    (lang.pick("前报送上一年度", " each year, for the year before"))
                }
            }
            p class="muted" { (lang.pick("工作日不含周末和法定节假日；企业补正材料的时间不计入。", "Working days leave out weekends and public holidays; the time you take to correct is not counted.")) }
        }
        section id="fees" {
            h2 { (lang.pick("收费", "Fees")) }
            p data-testid="fees" { (lang.pick("不收取任何费用。", "None: applying and using the mark are free of charge.")) }
        }
        section id="legal-basis" {
            h2 { (lang.pick("办理依据", "Legal basis")) }
            ul {
                li { (lang.pick("《地理标志专用标志使用管理办法（试行）》（国家知识产权局，2020年）", "Measures for the Administration of the Use of the GI Special Mark (trial), CNIPA, 2020")) }
                li { (lang.pick("《广东省地理标志条例》（2022年）", "Regulations of Guangdong Province on Geographical Indications, 2022")) }
            }
        }
        section id="steps" {
            h2 { (lang.pick("办理流程", "How it goes")) }
            (steps(lang, &facts))
        }
        section id="office" {
            h2 { (lang.pick("咨询与投诉", "Questions and complaints")) }
            p { (crate::web::office::contact(lang, &facts)) }
        }
    };
    Ok(visitor.keep_cookies(public_page(lang, StatusCode::OK, title, "/guide", body)))
}
