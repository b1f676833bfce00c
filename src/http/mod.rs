//! What both front ends share, below them: `api` (JSON) and `web` (pages) use this module and
//! never each other. Reading a document upload, answering with a document, CSV or XLSX, the
//! client's address behind trusted proxies, and a [`Problem`] built from a `ServiceError`.

pub mod client;
pub mod csv;
pub mod download;
pub mod forwarded;
pub mod negotiation;
pub mod problem;
pub mod upload;

pub use client::client_address;
pub use problem::Problem;

/// Percent-encodes a path segment or query value.
pub fn url_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            let _ = std::fmt::Write::write_fmt(&mut out, format_args!("%{byte:02X}"));
        }
    }
    out
}
