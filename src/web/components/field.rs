//! Form controls drawn the same way everywhere: a label, the value the user typed, the
//! messages for that field beside it (linked by `aria-describedby`), and any note such as a
//! reviewer's comment on that field.

use maud::{html, Markup};

use crate::domain::{FieldError, Localized};
use crate::web::lang::Lang;

/// Field errors of a form, looked up by field name when each input is drawn.
#[derive(Debug, Default, Clone)]
pub struct FormErrors(pub Vec<FieldError>);

impl FormErrors {
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    /// The errors of fields not in `shown` (no input of the form draws them).
    pub fn not_shown<'a>(&'a self, shown: &'a [&str]) -> impl Iterator<Item = &'a FieldError> {
        self.0
            .iter()
            .filter(move |e| !shown.contains(&e.field.as_str()))
    }
}

/// A field the error summary points at: the name its errors carry, its label, its control's id.
#[derive(Debug, Clone)]
pub struct SummaryField {
    pub name: String,
    pub label: String,
    pub id: String,
}

impl SummaryField {
    /// A field drawn by a [`Control`] named `name` (within `scope`, if the page has several forms).
    pub fn new(name: &str, label: &str, scope: Option<&str>) -> Self {
        Self {
            name: name.to_owned(),
            label: label.to_owned(),
            id: control_id(scope, name),
        }
    }
}

/// The id a control named `name` gets: `f-` and its name (dots as dashes), within its scope.
/// A whole number as typed into `field`, or the problem to show beside it.
pub fn whole_number(field: &str, value: &str) -> Result<i64, FieldError> {
    value.trim().parse::<i64>().map_err(|_| {
        FieldError::new(
            field,
            "not_a_number",
            Localized::new("must be a whole number", "请填写整数"),
        )
    })
}

pub fn control_id(scope: Option<&str>, name: &str) -> String {
    match scope {
        Some(scope) => format!("f-{scope}-{}", name.replace('.', "-")),
        None => format!("f-{}", name.replace('.', "-")),
    }
}

/// The messages for `field`, as paragraphs the input with `id` names in `aria-describedby`.
pub fn field_errors(lang: Lang, errors: &FormErrors, field: &str, id: &str) -> Markup {
    html! {
        @for error in errors.0.iter().filter(|e| e.field == field) {
            p class="error" id={ (id) "-error" } role="alert" { (error.message.pick(lang.zh())) }
        }
    }
}

/// One control of a form.
pub struct Control<'a> {
    name: &'a str,
    label: &'a str,
    value: &'a str,
    kind: Kind<'a>,
    required: bool,
    attributes: Attributes<'a>,
    hint: Option<&'a str>,
    note: Option<Markup>,
    scope: Option<&'a str>,
}

enum Kind<'a> {
    Input(&'a str),
    TextArea,
    Select(Vec<(String, String)>),
}

/// The optional attributes a control may carry.
#[derive(Default)]
struct Attributes<'a> {
    max_length: Option<u32>,
    min_length: Option<u32>,
    autocomplete: Option<&'a str>,
    input_mode: Option<&'a str>,
    autocapitalize: Option<&'a str>,
    accept: Option<&'a str>,
    no_spellcheck: bool,
    autofocus: bool,
    form: Option<&'a str>,
}

impl<'a> Control<'a> {
    /// An `<input type=kind>`.
    pub fn input(kind: &'a str, name: &'a str, label: &'a str, value: &'a str) -> Self {
        Self::new(Kind::Input(kind), name, label, value)
    }

    pub fn text_area(name: &'a str, label: &'a str, value: &'a str) -> Self {
        Self::new(Kind::TextArea, name, label, value)
    }

    /// A `<select>` of `(value, label)` options; `value` is the one selected.
    pub fn select(
        name: &'a str,
        label: &'a str,
        value: &'a str,
        options: Vec<(String, String)>,
    ) -> Self {
        Self::new(Kind::Select(options), name, label, value)
    }

    fn new(kind: Kind<'a>, name: &'a str, label: &'a str, value: &'a str) -> Self {
        Self {
            name,
            label,
            value,
            kind,
            required: false,
            attributes: Attributes::default(),
            hint: None,
            note: None,
            scope: None,
        }
    }

    pub fn name(&self) -> &'a str {
        self.name
    }

    /// Makes the control's id unique on a page with several forms (one per action).
    pub fn within(mut self, scope: &'a str) -> Self {
        self.scope = Some(scope);
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn max_length(mut self, length: u32) -> Self {
        self.attributes.max_length = Some(length);
        self
    }

    pub fn min_length(mut self, length: u32) -> Self {
        self.attributes.min_length = Some(length);
        self
    }

    pub fn autocomplete(mut self, what: &'a str) -> Self {
        self.attributes.autocomplete = Some(what);
        self
    }

    /// The keyboard a phone shows (`numeric`, `decimal`).
    pub fn input_mode(mut self, mode: &'a str) -> Self {
        self.attributes.input_mode = Some(mode);
        self
    }

    pub fn autocapitalize(mut self, how: &'a str) -> Self {
        self.attributes.autocapitalize = Some(how);
        self
    }

    /// The file types a file input offers.
    pub fn accept(mut self, types: &'a str) -> Self {
        self.attributes.accept = Some(types);
        self
    }

    /// No spell checking (codes, not words).
    pub fn no_spellcheck(mut self) -> Self {
        self.attributes.no_spellcheck = true;
        self
    }

    /// Makes the control part of the form with id `form` though drawn outside it (the upload
    /// controls of an application sent with its unsaved fields).
    pub fn in_form(mut self, form: &'a str) -> Self {
        self.attributes.form = Some(form);
        self
    }

    pub fn autofocus(mut self) -> Self {
        self.attributes.autofocus = true;
        self
    }

    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }

    /// Markup shown under the control (a reviewer's comment on this field).
    pub fn note(mut self, note: Markup) -> Self {
        self.note = Some(note);
        self
    }

    /// The control's id: `f-` and its name (dots as dashes), within its scope if any.
    pub fn id(&self) -> String {
        control_id(self.scope, self.name)
    }

    /// What the error summary needs to point at this control.
    pub fn summary_field(&self) -> SummaryField {
        SummaryField {
            name: self.name.to_owned(),
            label: self.label.trim_end_matches(['*', ' ']).to_owned(),
            id: self.id(),
        }
    }

    /// The label, the control with what was typed, its hint, its errors and its note.
    pub fn draw(&self, lang: Lang, errors: &FormErrors) -> Markup {
        let id = self.id();
        let invalid = errors.has(self.name);
        let mut described = Vec::new();
        if self.hint.is_some() {
            described.push(format!("{id}-hint"));
        }
        if invalid {
            described.push(format!("{id}-error"));
        }
        let described = (!described.is_empty()).then(|| described.join(" "));
        let invalid_attr = invalid.then_some("true");
        let a = &self.attributes;
        let spellcheck = a.no_spellcheck.then_some("false");
        html! {
            div.field.invalid[invalid] {
                label for=(id) { (self.label) @if self.required { " *" } }
                @if let Some(hint) = self.hint {
                    p class="muted hint" id={ (id) "-hint" } { (hint) }
                }
                @match &self.kind {
                    Kind::Input(kind) => {
                        input type=(kind) id=(id) name=(self.name) required[self.required]
                            aria-invalid=[invalid_attr] aria-describedby=[&described]
                            maxlength=[a.max_length] minlength=[a.min_length]
                            autocomplete=[a.autocomplete] inputmode=[a.input_mode]
                            autocapitalize=[a.autocapitalize] spellcheck=[spellcheck]
                            accept=[a.accept] autofocus[a.autofocus && errors.0.is_empty()]
                            form=[a.form] value=(self.value);
                    }
                    Kind::TextArea => {
                        textarea id=(id) name=(self.name) required[self.required]
                            aria-invalid=[invalid_attr] aria-describedby=[&described]
                            maxlength=[a.max_length] form=[a.form] rows="3" { (self.value) }
                    }
                    Kind::Select(options) => {
                        select id=(id) name=(self.name) required[self.required] form=[a.form]
                            aria-invalid=[invalid_attr] aria-describedby=[&described] {
                            @if !options.iter().any(|(v, _)| v == self.value) {
                                option value="" selected { (lang.pick("请选择", "Choose")) }
                            }
                            @for (value, label) in options {
                                option value=(value) selected[value == self.value] { (label) }
                            }
                        }
                    }
                }
                (field_errors(lang, errors, self.name, &id))
                @if let Some(note) = &self.note { (note) }
            }
        }
    }
}
