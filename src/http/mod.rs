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
