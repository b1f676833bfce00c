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

/// The codes of a bulk-verify body: one a line (CRLF or LF), the first field of a CSV line if
/// it has more, quotes, spaces and a byte-order mark aside; blank lines and a first line
/// reading `code` (a header) are skipped.
pub fn codes_of(body: &str) -> Vec<String> {
    let body = body.strip_prefix('\u{FEFF}').unwrap_or(body);
    let mut codes: Vec<String> = Vec::new();
    for (i, line) in body.lines().enumerate() {
        let first = line.split(',').next().unwrap_or("").trim();
        let first = first.trim_matches('"').trim();
        if first.is_empty() || (i == 0 && first.eq_ignore_ascii_case("code")) {
            continue;
        }
        codes.push(first.to_owned());
    }
    codes
}

/// The columns of a bulk-verify answer.
pub const BULK_VERIFY_HEADER: [&str; 6] = [
    "code",
    "found",
    "authorized",
    "enterprise_name",
    "registry_nos",
    "statuses",
];

/// The bulk-verify answer: one line per code, in input order; lists joined by `;`.
pub fn bulk_verify_csv(lines: &[crate::service::bulk_verify::BulkLine]) -> String {
    let mut body = with_bom(&BULK_VERIFY_HEADER);
    for line in lines {
        let statuses: Vec<&str> = line.statuses.iter().map(|s| s.as_str()).collect();
        body.push_str(&csv_line(&[
            &line.code,
            if line.found { "true" } else { "false" },
            if line.authorized { "true" } else { "false" },
            &line.enterprise_name,
            &line.registry_nos.join(";"),
            &statuses.join(";"),
        ]));
    }
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

    #[test]
    fn bulk_codes_are_one_a_line_header_and_blanks_aside() {
        let body = "\u{FEFF}code\r\n 91441881MA4WTEA03K \r\n\r\n\"YDGI-2026-0001\",shop\nx\n";
        assert_eq!(
            codes_of(body),
            vec!["91441881MA4WTEA03K", "YDGI-2026-0001", "x"]
        );
        assert_eq!(
            codes_of("code\ncode\n"),
            vec!["code"],
            "only a first line is a header"
        );
    }
}
