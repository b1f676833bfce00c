//! Pages anyone may open without an account: the home page (counter, search, products), the
//! verdict a QR code points to with its QR code, and the report-a-fake form under it. The
//! language is `?lang=` when given (a shared link keeps it), else the one chosen before (the
//! `gi_lang` cookie the choice sets).

mod abnormal;
mod announcements;
mod bulk_verify;
mod home;
mod label;
mod report;
mod verify;

pub use abnormal::abnormal_list;
pub use announcements::announcements;
pub use bulk_verify::{bulk_verify_download, bulk_verify_form};
pub use home::{home, HomeFragments};
pub use label::label;
pub use report::report;
pub use verify::{qr_code, verify};
pub(crate) use verify::{verify_qr_svg, verify_url};
