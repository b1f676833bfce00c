//! Rows as diesel reads and writes them.

pub mod account;
pub mod journal;
pub mod reference;
