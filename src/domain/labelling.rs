//! What a label bearing the GI special mark must carry, by the basis of the right (CNIPA,
//! 《地理标志专用标志使用管理办法（试行）》, 2020): the user's unified social credit code in the
//! mark's designated place always; with a GI product (protected by announcement), the GI's
//! name and the standard's code or the announcement's number; with a certification or
//! collective mark, that mark and its registration number. A shopper compares these with the
//! box in hand.

use serde::Serialize;
use utoipa::ToSchema;

use super::eligibility::Basis;

/// One thing the label must show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct LabelItem {
    /// `uscc_in_mark`, `gi_name`, `standard_or_announcement`, `trademark` or `trademark_reg_no`.
    pub item: &'static str,
    /// What it must read, where the register knows it.
    pub value: Option<String>,
    pub text_zh: String,
    pub text_en: String,
}

/// What the product's GI and the right say about the label.
#[derive(Debug, Clone, Copy)]
pub struct LabelFacts<'a> {
    pub basis: Basis,
    pub uscc: &'a str,
    pub gi_name: &'a str,
    pub standard_code: Option<&'a str>,
    pub protection_announcement: &'a str,
    pub trademark_reg_no: Option<&'a str>,
}

fn item(item: &'static str, value: Option<String>, zh: &str, en: &str) -> LabelItem {
    LabelItem {
        item,
        value,
        text_zh: zh.to_owned(),
        text_en: en.to_owned(),
    }
}

pub fn label_requirements(facts: &LabelFacts<'_>) -> Vec<LabelItem> {
    let mut out = vec![item(
        "uscc_in_mark",
        Some(facts.uscc.to_owned()),
        "专用标志指定位置标注的统一社会信用代码",
        "the unified social credit code in the mark's designated place",
    )];
    match facts.basis {
        Basis::GiProduct => {
            out.push(item(
                "gi_name",
                Some(facts.gi_name.to_owned()),
                "地理标志名称（与专用标志同时使用）",
                "the GI's name, used together with the mark",
            ));
            let (value, zh, en) = match facts.standard_code.filter(|c| !c.trim().is_empty()) {
                Some(code) => (
                    code.to_owned(),
                    "所执行的地理标志标准代号（或批准公告号）",
                    "the code of the GI standard followed (or the approval announcement number)",
                ),
                None => (
                    facts.protection_announcement.to_owned(),
                    "地理标志产品批准公告号",
                    "the GI product's approval announcement number",
                ),
            };
            out.push(item("standard_or_announcement", Some(value), zh, en));
        }
        Basis::CertificationMark | Basis::CollectiveMark => {
            let (zh, en) = if facts.basis == Basis::CertificationMark {
                (
                    "地理标志证明商标（与专用标志同时使用）",
                    "the GI certification mark, used together with the special mark",
                )
            } else {
                (
                    "地理标志集体商标（与专用标志同时使用）",
                    "the GI collective mark, used together with the special mark",
                )
            };
            out.push(item("trademark", Some(facts.gi_name.to_owned()), zh, en));
            out.push(item(
                "trademark_reg_no",
                facts.trademark_reg_no.map(str::to_owned),
                "商标注册号",
                "the mark's registration number",
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(basis: Basis, standard: Option<&'static str>) -> LabelFacts<'static> {
        LabelFacts {
            basis,
            uscc: "91441881MA4WTEA03K",
            gi_name: "英德红茶",
            standard_code: standard,
            protection_announcement: "原质检总局公告2006年第225号",
            trademark_reg_no: Some("第1234567号"),
        }
    }

    fn items(list: &[LabelItem]) -> Vec<(&str, Option<&str>)> {
        list.iter().map(|i| (i.item, i.value.as_deref())).collect()
    }

    #[test]
    fn each_basis_names_what_its_label_carries() {
        let uscc = ("uscc_in_mark", Some("91441881MA4WTEA03K"));
        assert_eq!(
            items(&label_requirements(&facts(
                Basis::GiProduct,
                Some("GB/T 13738.2")
            ))),
            [
                uscc,
                ("gi_name", Some("英德红茶")),
                ("standard_or_announcement", Some("GB/T 13738.2"))
            ]
        );
        assert_eq!(
            items(&label_requirements(&facts(Basis::GiProduct, None)))[2],
            (
                "standard_or_announcement",
                Some("原质检总局公告2006年第225号")
            ),
            "without a standard, the announcement"
        );
        assert_eq!(
            items(&label_requirements(&facts(Basis::CertificationMark, None))),
            [
                uscc,
                ("trademark", Some("英德红茶")),
                ("trademark_reg_no", Some("第1234567号"))
            ]
        );
        let collective = label_requirements(&facts(Basis::CollectiveMark, None));
        assert!(collective[1].text_zh.contains("集体商标"));
    }
}
