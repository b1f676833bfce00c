//! Server-rendered pages for people (public search, verify, goal; later the signed-in pages).

use actix_web::web;

pub fn routes(_cfg: &mut web::ServiceConfig) {}
