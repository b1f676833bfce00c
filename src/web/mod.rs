//! Server-rendered pages for people: the public search, counter and verify pages. Embedded
//! in the binary, no external requests, readable on a 375-px phone. Pages call the same
//! service functions as the JSON API.

mod layout;
mod public_pages;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/").get(public_pages::home))
        .service(web::resource("/verify/{code}").get(public_pages::verify))
        .service(web::resource("/verify/{code}/qr.svg").get(public_pages::qr_code))
        .service(web::resource("/verify/{code}/report").post(public_pages::report));
}
