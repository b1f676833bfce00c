//! Passwords, tokens, and the extractor that tells handlers who is calling.

pub mod extractor;
pub mod jwt;
pub mod password;
pub mod secrets;
