//! What a producer changed between a return and the resubmission: the application as the
//! reviewer returned it (a snapshot taken with the return) against the application now.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One document as the snapshot remembers it: enough to tell it apart from another upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentFingerprint {
    pub id: String,
    pub kind: String,
    pub filename: String,
    pub sha256: String,
}

/// The application at one moment: its form fields by their API names, and its documents.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseSnapshot {
    pub fields: BTreeMap<String, serde_json::Value>,
    pub documents: Vec<DocumentFingerprint>,
}

/// A field whose value differs, with both values.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDifference {
    pub field: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

/// Everything that differs between two snapshots. A replaced document shows as one removed
/// and one added (the reviewer reads both names).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SnapshotDifference {
    pub fields: Vec<FieldDifference>,
    pub documents_added: Vec<DocumentFingerprint>,
    pub documents_removed: Vec<DocumentFingerprint>,
}

impl SnapshotDifference {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
            && self.documents_added.is_empty()
            && self.documents_removed.is_empty()
    }
}

/// What changed from `before` to `after`. Fields in the order of their names; a field absent
/// on one side counts as null there (a field added to the form later).
pub fn difference(before: &CaseSnapshot, after: &CaseSnapshot) -> SnapshotDifference {
    let null = serde_json::Value::Null;
    let mut names: Vec<&String> = before.fields.keys().chain(after.fields.keys()).collect();
    names.sort();
    names.dedup();
    let fields = names
        .into_iter()
        .filter_map(|name| {
            let old = before.fields.get(name).unwrap_or(&null);
            let new = after.fields.get(name).unwrap_or(&null);
            (old != new).then(|| FieldDifference {
                field: name.clone(),
                before: old.clone(),
                after: new.clone(),
            })
        })
        .collect();
    let held_before = |doc: &DocumentFingerprint| before.documents.iter().any(|d| d.id == doc.id);
    let held_after = |doc: &DocumentFingerprint| after.documents.iter().any(|d| d.id == doc.id);
    SnapshotDifference {
        fields,
        documents_added: after
            .documents
            .iter()
            .filter(|d| !held_before(d))
            .cloned()
            .collect(),
        documents_removed: before
            .documents
            .iter()
            .filter(|d| !held_after(d))
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(id: &str, kind: &str) -> DocumentFingerprint {
        DocumentFingerprint {
            id: id.into(),
            kind: kind.into(),
            filename: format!("{kind}.pdf"),
            sha256: format!("hash-{id}"),
        }
    }

    fn snapshot(
        address: &str,
        area: serde_json::Value,
        docs: Vec<DocumentFingerprint>,
    ) -> CaseSnapshot {
        CaseSnapshot {
            fields: BTreeMap::from([
                ("production_address".to_owned(), json!(address)),
                ("area_mu".to_owned(), area),
                ("basis".to_owned(), json!("gi_product")),
            ]),
            documents: docs,
        }
    }

    #[test]
    fn an_unchanged_application_has_no_difference() {
        let one = snapshot("茶园路8号", json!(120.5), vec![doc("a", "test_report")]);
        assert!(difference(&one, &one.clone()).is_empty());
    }

    #[test]
    fn changed_fields_and_a_replaced_document_are_told_with_both_sides() {
        let before = snapshot(
            "茶园路8号",
            json!(120.5),
            vec![doc("a", "application_form"), doc("b", "test_report")],
        );
        let after = snapshot(
            "茶园路18号",
            json!(null),
            vec![doc("a", "application_form"), doc("c", "test_report")],
        );
        let diff = difference(&before, &after);
        assert_eq!(
            diff.fields,
            vec![
                FieldDifference {
                    field: "area_mu".into(),
                    before: json!(120.5),
                    after: json!(null)
                },
                FieldDifference {
                    field: "production_address".into(),
                    before: json!("茶园路8号"),
                    after: json!("茶园路18号")
                },
            ]
        );
        assert_eq!(diff.documents_added, vec![doc("c", "test_report")]);
        assert_eq!(diff.documents_removed, vec![doc("b", "test_report")]);
    }

    #[test]
    fn a_field_missing_on_one_side_counts_as_null() {
        let mut before = snapshot("x", json!(1), vec![]);
        let after = before.clone();
        before.fields.remove("area_mu");
        let diff = difference(&before, &after);
        assert_eq!(diff.fields.len(), 1);
        assert_eq!(diff.fields[0].before, json!(null));
    }
}
