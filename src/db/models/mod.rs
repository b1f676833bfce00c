//! Rows as diesel reads and writes them.

pub mod abnormal;
pub mod account;
pub mod application;
pub mod authorization;
pub mod enterprise_change;
pub mod journal;
pub mod label;
pub mod notification;
pub mod password_reset;
pub mod reference;
pub mod usage;
