//! Pages anyone may open without an account: the home page (counter, search, products), the
//! verdict a QR code points to with its QR code, and the report-a-fake form under it.

mod abnormal;
mod bulk_verify;
mod home;
mod report;
mod verify;

pub use abnormal::abnormal_list;
pub use bulk_verify::{bulk_verify_download, bulk_verify_form};
pub use home::{home, HomeFragments};
pub use report::report;
pub use verify::{qr_code, verify};

use serde::Deserialize;

/// Public pages keep the language in the address, so a shared link keeps it.
#[derive(Debug, Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}
