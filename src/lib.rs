//! gi-registry: the registry of enterprises that apply for, and hold, the right to use the
//! geographical-indication special mark in Yingde.

pub mod api;
pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod http;
pub mod metrics;
pub mod service;
pub mod startup;
pub mod telemetry;
pub mod web;

/// Kept at its old path: the forwarded-header rules now live in `http`.
pub use http::forwarded;
