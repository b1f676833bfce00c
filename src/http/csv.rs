//! CSV for spreadsheets: UTF-8 with a BOM (so Excel reads Chinese), CRLF lines, quoted
//! fields, and no cell a spreadsheet would run as a formula.

/// One CSV field: quoted when needed, and never read by a spreadsheet as a formula.
pub fn csv_field(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

pub fn csv_line(fields: &[&str]) -> String {
    let mut line = fields
        .iter()
        .map(|f| csv_field(f))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// A new CSV document: the byte-order mark and the header line.
pub fn with_bom(header: &[&str]) -> String {
    let mut body = String::from("\u{FEFF}");
    body.push_str(&csv_line(header));
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("英德红茶"), "英德红茶");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    }
}
