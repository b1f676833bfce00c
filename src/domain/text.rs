//! Rules for text people type: which characters may never be stored in a name.

/// Control characters (Unicode Cc) and format characters (Cf: bidi overrides and isolates,
/// zero-width joiners, the byte-order mark…). A right-to-left override in a stored name makes
/// `exe.pdf` read as `fdp.exe` and a name read as another: none of them belongs in a name.
pub fn is_format_or_control(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}')
}

/// Whether `text` holds any character [`is_format_or_control`] refuses.
pub fn has_format_or_control(text: &str) -> bool {
    text.chars().any(is_format_or_control)
}

/// The longest stored file name, in characters.
const MAX_FILENAME_CHARS: usize = 200;

/// A client's file name as it may be stored and shown: the last path segment, without any
/// character [`is_format_or_control`] refuses, trimmed and at most 200 characters; a name
/// that is left empty becomes `document` followed by `extension` (e.g. `.pdf`).
pub fn clean_filename(raw: &str, extension: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = last
        .chars()
        .filter(|c| !is_format_or_control(*c))
        .take(MAX_FILENAME_CHARS)
        .collect();
    let cleaned = cleaned.trim().trim_matches('.').trim();
    if cleaned.is_empty() {
        format!("document{extension}")
    } else {
        cleaned.to_owned()
    }
}

/// The name a document is downloaded under: the stored name without the client's extension,
/// followed by the extension of the type the content was sniffed as (`.pdf`, `.jpg`, `.png`),
/// so `report.exe.pdf` that holds a PNG is saved as `report.exe.png`.
pub fn download_filename(stored: &str, extension: &str) -> String {
    let cleaned = clean_filename(stored, extension);
    let stem = match cleaned.rsplit_once('.') {
        Some((stem, _)) if !stem.trim().is_empty() => stem.trim_end(),
        _ => cleaned.as_str(),
    };
    format!("{stem}{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_zero_width_and_control_characters_are_refused() {
        for c in [
            '\u{0}',
            '\n',
            '\r',
            '\t',
            '\u{7F}',
            '\u{85}',
            '\u{202E}',
            '\u{200F}',
            '\u{2066}',
            '\u{2069}',
            '\u{200B}',
            '\u{FEFF}',
            '\u{E0041}',
        ] {
            assert!(is_format_or_control(c), "{:?}", c);
        }
    }

    #[test]
    fn letters_of_every_script_and_punctuation_pass() {
        assert!(!has_format_or_control("英德市红旗茶业有限公司（西牛镇）"));
        assert!(!has_format_or_control("Yingde Tea Co., Ltd. No.8 · 路"));
        assert!(!has_format_or_control("مرحبا"));
    }

    #[test]
    fn a_stored_file_name_keeps_no_bidi_or_control_character() {
        assert_eq!(
            clean_filename("invoice\u{202E}fdp.exe", ".pdf"),
            "invoicefdp.exe"
        );
        assert_eq!(
            clean_filename("a\u{200F}b\u{2066}c\u{2069}\u{0}\u{1F}\u{7F}.pdf", ".pdf"),
            "abc.pdf"
        );
        assert_eq!(
            clean_filename("C:\\Users\\x\\检测报告.pdf", ".pdf"),
            "检测报告.pdf"
        );
        assert_eq!(clean_filename("../../etc/passwd", ".pdf"), "passwd");
        assert!(!has_format_or_control(&clean_filename(
            "\u{FEFF}\u{200B}x\u{E0041}",
            ".png"
        )));
    }

    #[test]
    fn a_name_left_empty_gets_a_default() {
        assert_eq!(clean_filename("\u{202E}\u{200F}", ".pdf"), "document.pdf");
        assert_eq!(clean_filename("  ", ".png"), "document.png");
        assert_eq!(clean_filename("dir/", ".jpg"), "document.jpg");
        assert_eq!(clean_filename("...", ".pdf"), "document.pdf");
    }

    #[test]
    fn a_long_name_is_cut() {
        assert_eq!(
            clean_filename(&"检".repeat(500), ".pdf").chars().count(),
            200
        );
    }

    #[test]
    fn the_download_name_ends_in_the_sniffed_type() {
        assert_eq!(
            download_filename("report.exe.pdf", ".png"),
            "report.exe.png"
        );
        assert_eq!(download_filename("scan.PDF", ".pdf"), "scan.pdf");
        assert_eq!(download_filename("licence", ".jpg"), "licence.jpg");
        assert_eq!(download_filename(".pdf", ".pdf"), "pdf.pdf");
        assert_eq!(download_filename("营业执照.jpeg", ".jpg"), "营业执照.jpg");
        assert_eq!(download_filename("x\u{202E}gpj.exe", ".png"), "xgpj.png");
    }
}
