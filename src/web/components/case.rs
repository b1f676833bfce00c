//! An application's case on every page that shows it: the case number, the step it waits in
//! and that step's deadline, flagged when the office is past it.

use chrono::NaiveDate;
use maud::{html, Markup};

use crate::domain::case::Step;
use crate::web::lang::Lang;

pub fn step_label(lang: Lang, step: Step) -> &'static str {
    match step {
        Step::Acceptance => lang.pick("待受理", "Awaiting acceptance"),
        Step::Review => lang.pick("审查中", "In review"),
        Step::Correction => lang.pick("待企业补正", "Awaiting your correction"),
        Step::Approval => lang.pick("待审批", "Awaiting approval"),
    }
}

/// The case number, or a dash before submission.
pub fn case_number(number: Option<&str>) -> Markup {
    html! {
        @match number {
            Some(number) => span class="code" data-testid="application-no" { (number) },
            None => span class="muted" { "—" },
        }
    }
}

/// A deadline, marked overdue when the office is past it.
pub fn due_date(lang: Lang, due: Option<NaiveDate>, overdue: bool) -> Markup {
    html! {
        @if let Some(due) = due {
            @if overdue {
                span class="overdue" data-testid="step-due" data-overdue="true" {
                    (due.to_string()) " " (lang.pick("已超期", "overdue"))
                }
            } @else {
                span data-testid="step-due" { (due.to_string()) }
            }
        }
    }
}

/// The case facts of one application, as `dt`/`dd` pairs of a `dl.facts`.
pub fn case_facts(
    lang: Lang,
    number: Option<&str>,
    step: Option<Step>,
    due: Option<NaiveDate>,
    overdue: bool,
) -> Markup {
    html! {
        dt { (lang.pick("受理编号", "Case no.")) }
        dd { (case_number(number)) }
        @if let Some(step) = step {
            dt { (lang.pick("当前环节", "Current step")) }
            dd data-testid="current-step" { (step_label(lang, step)) }
        }
        @if due.is_some() {
            dt { (lang.pick("办理期限", "Due by")) }
            dd { (due_date(lang, due, overdue)) }
        }
    }
}
