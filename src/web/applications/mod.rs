//! Applications in the browser, one file per use case as in the service. Producers work
//! under `/applications` (their list, a new application, one application with its form,
//! documents and actions); staff open the same application under `/review/{id}` with the
//! actions their role may take now. Every page calls the same use cases as
//! `/api/v1/applications`.

mod act;
mod context;
mod documents;
mod edit;
mod list;
mod new;
mod show;

pub use act::act;
pub use documents::{download, remove_document, upload};
pub use edit::save;
pub use list::my_applications;
pub use new::{create_application, new_application, resume_new};
pub use show::resume;
pub use show::show;

use std::collections::HashMap;

use maud::{html, Markup};
use serde::Deserialize;

use crate::domain::eligibility::Basis;
use crate::domain::roles::{Actor, Role};
use crate::domain::{FieldError, Localized};
use crate::service::applications::{ApplicationView, ReviewOpinionView};
use crate::service::public::{self, ProductView};
use crate::service::ServiceState;
use crate::web::components::{field_errors, Control, FormErrors, SummaryField};
use crate::web::errors::PageError;
use crate::web::labels::{self, APPLICATION_FIELDS};
use crate::web::lang::Lang;
use crate::web::session::SignedIn;

/// Producers' pages live under `/applications`, staff's under `/review`.
fn base_of(actor: &Actor) -> &'static str {
    if actor.role == Role::Applicant {
        "/applications"
    } else {
        "/review"
    }
}

async fn products_of(
    state: &ServiceState,
    session: &SignedIn,
) -> Result<Vec<ProductView>, PageError> {
    public::products(state).await.map_err(|e| session.error(e))
}

/// An optional text: absent when only blanks were typed.
fn optional(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

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

/// The form's values that are not text.
struct ReadValues {
    basis: Option<Basis>,
    area_mu: Option<f64>,
    annual_output_kg: Option<i64>,
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

    /// The application's fields among a form's values (an upload or a submission sent from
    /// the application's form), or `None` when they were not sent (no `version`).
    fn from_values(values: &HashMap<String, String>) -> Option<Self> {
        let get = |name: &str| values.get(name).cloned().unwrap_or_default();
        values.contains_key("version").then(|| Self {
            product_code: get("product_code"),
            basis: get("basis"),
            trademark_reg_no: get("trademark_reg_no"),
            production_town: get("production_town"),
            production_address: get("production_address"),
            area_mu: get("area_mu"),
            annual_output_kg: get("annual_output_kg"),
            description: get("description"),
            version: get("version"),
        })
    }

    /// Whether the two hold the same fields (the version aside).
    fn same_fields(&self, other: &Self) -> bool {
        let trimmed = |form: &Self| {
            [
                form.product_code.trim().to_owned(),
                form.basis.trim().to_owned(),
                form.trademark_reg_no.trim().to_owned(),
                form.production_town.trim().to_owned(),
                form.production_address.trim().to_owned(),
                form.area_mu.trim().to_owned(),
                form.annual_output_kg.trim().to_owned(),
                form.description.trim().to_owned(),
            ]
        };
        trimmed(self) == trimmed(other)
    }

    /// The typed values the use case takes (`None` where one cannot be read), and why some
    /// cannot be read at all: those problems go to the use case, which reports them with its
    /// own and stores nothing.
    fn read(&self) -> (ReadValues, Vec<FieldError>) {
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
        let values = ReadValues {
            basis,
            area_mu: area,
            annual_output_kg: output,
        };
        (values, problems)
    }
}

/// The fields the application form draws, for its error summary (its other errors go on
/// top unlinked). The product is fixed on the form: its errors point at its line.
fn form_field_names(lang: Lang) -> Vec<SummaryField> {
    APPLICATION_FIELDS
        .iter()
        .map(|(name, zh, en)| SummaryField::new(name, lang.pick(zh, en), None))
        .collect()
}

/// The reviewer's comments on `field`, shown beside it.
fn opinion_on(lang: Lang, opinion: Option<&ReviewOpinionView>, field: &str) -> Markup {
    html! {
        @for c in opinion.into_iter().flat_map(|o| o.field_comments.iter()).filter(|c| c.field == field) {
            p class="opinion" data-opinion=(field) {
                strong { (lang.pick("审查意见：", "Reviewer: ")) } (c.comment)
            }
        }
    }
}

/// The fields of an application; `product` fixes the product and the towns offered.
fn form_fields(
    lang: Lang,
    product: &ProductView,
    form: &ApplicationForm,
    errors: &FormErrors,
    opinion: Option<&ReviewOpinionView>,
) -> Markup {
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
        .map(|t| (t.code.clone(), labels::town(lang, t).to_owned()))
        .collect();
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
        .max_length(50),
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
        .max_length(300)
        .autocomplete("street-address"),
        Control::input("text", "area_mu", label("area_mu"), &form.area_mu)
            .input_mode("decimal")
            .max_length(20),
        Control::input(
            "text",
            "annual_output_kg",
            label("annual_output_kg"),
            &form.annual_output_kg,
        )
        .input_mode("numeric")
        .max_length(20),
        Control::text_area("description", label("description"), &form.description).max_length(2000),
    ];
    html! {
        input type="hidden" name="product_code" value=(product.code);
        div class="field" id="f-product_code" tabindex="-1" {
            span class="muted" { (label("product_code")) }
            p class="name" { (labels::product(lang, product)) }
            (field_errors(lang, errors, "product_code", "f-product_code"))
        }
        @for control in controls {
            @let name = control.name();
            (control.note(opinion_on(lang, opinion, name)).draw(lang, errors))
        }
    }
}
