//! Staff pages: the review queue (most urgent first), the watchlist, the reports of fakes and
//! the exports. One application opens under `/review/{id}` (see `applications`), one right
//! under `/review/authorizations/{id}` (see `authorizations`).

mod exports;
mod queue;
mod reports;
mod watchlist;
mod window;

pub use exports::{export_csv, export_xlsx, exports_page};
pub use queue::queue;
pub use reports::{close_report, reports};
pub use watchlist::{list_abnormal, watchlist};
pub use window::{register_at_window, window_form};

use crate::service::ServiceError;
use crate::web::errors::PageError;
use crate::web::session::SignedIn;

/// Staff only: anyone else is refused (403 page).
pub(crate) fn staff_only(session: &SignedIn) -> Result<(), PageError> {
    if session.actor.role.is_staff() {
        Ok(())
    } else {
        Err(session.error(ServiceError::Forbidden))
    }
}
