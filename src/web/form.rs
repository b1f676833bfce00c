//! Form controls drawn the same way everywhere: a label, the value the user typed, the
//! messages for that field beside it (linked by `aria-describedby`), and any note such as a
//! reviewer's comment on that field.

use std::fmt::Write;

use super::layout::{escape, Lang};
use super::session::FormErrors;

/// One control of a form.
pub struct Control<'a> {
    name: &'a str,
    label: &'a str,
    value: &'a str,
    kind: Kind<'a>,
    required: bool,
    attributes: String,
    hint: Option<&'a str>,
    note: String,
    scope: Option<&'a str>,
}

enum Kind<'a> {
    Input(&'a str),
    TextArea,
    Select(Vec<(String, String)>),
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
            attributes: String::new(),
            hint: None,
            note: String::new(),
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

    /// Extra attributes, e.g. `maxlength="300" autocomplete="street-address"`.
    pub fn attributes(mut self, attributes: impl Into<String>) -> Self {
        self.attributes = attributes.into();
        self
    }

    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }

    /// Markup shown under the control (a reviewer's comment on this field).
    pub fn note(mut self, note: String) -> Self {
        self.note = note;
        self
    }

    pub fn draw(&self, lang: Lang, errors: &FormErrors) -> String {
        let id = match self.scope {
            Some(scope) => format!("f-{scope}-{}", self.name.replace('.', "-")),
            None => format!("f-{}", self.name.replace('.', "-")),
        };
        let invalid = errors.has(self.name);
        let mut described = Vec::new();
        if self.hint.is_some() {
            described.push(format!("{id}-hint"));
        }
        if invalid {
            described.push(format!("{id}-error"));
        }
        let mut common = format!("id=\"{id}\" name=\"{}\"", escape(self.name));
        if self.required {
            common.push_str(" required");
        }
        if invalid {
            common.push_str(" aria-invalid=\"true\"");
        }
        if !described.is_empty() {
            let _ = write!(common, " aria-describedby=\"{}\"", described.join(" "));
        }
        if !self.attributes.is_empty() {
            common.push(' ');
            common.push_str(&self.attributes);
        }
        let control = match &self.kind {
            Kind::Input(kind) => format!(
                "<input type=\"{kind}\" {common} value=\"{}\">",
                escape(self.value)
            ),
            Kind::TextArea => format!(
                "<textarea {common} rows=\"3\">{}</textarea>",
                escape(self.value)
            ),
            Kind::Select(options) => {
                let mut html = format!("<select {common}>");
                if !options.iter().any(|(v, _)| v == self.value) {
                    let _ = write!(
                        html,
                        "<option value=\"\" selected>{}</option>",
                        lang.pick("请选择", "Choose")
                    );
                }
                for (value, label) in options {
                    let _ = write!(
                        html,
                        "<option value=\"{}\"{}>{}</option>",
                        escape(value),
                        if value == self.value { " selected" } else { "" },
                        escape(label)
                    );
                }
                html.push_str("</select>");
                html
            }
        };
        format!(
            "<div class=\"field{}\"><label for=\"{id}\">{}{}</label>{}{control}{}{}</div>",
            if invalid { " invalid" } else { "" },
            escape(self.label),
            if self.required { " *" } else { "" },
            self.hint
                .map(|h| format!("<p class=\"muted hint\" id=\"{id}-hint\">{}</p>", escape(h)))
                .unwrap_or_default(),
            errors.messages(lang, self.name, &id),
            self.note,
        )
    }
}

/// A button that posts a one-field form (an action such as submit or withdraw).
pub fn action_button(action: &str, csrf_field: &str, label: &str, class: &str) -> String {
    format!(
        "<form method=\"post\" action=\"{}\">{csrf_field}<button type=\"submit\" class=\"{class}\">{}</button></form>",
        escape(action),
        escape(label)
    )
}
