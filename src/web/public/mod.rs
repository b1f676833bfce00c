//! Pages anyone may open without an account: the home page (counter, search, products), the
//! verdict a QR code points to with its QR code, and the report-a-fake form under it. The
//! language is `?lang=` when given (a shared link keeps it), else the one chosen before (the
//! `gi_lang` cookie the choice sets).

mod home;
mod report;
mod verify;

pub use home::{home, HomeFragments};
pub use report::report;
pub use verify::{qr_code, verify};
