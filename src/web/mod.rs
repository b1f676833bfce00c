//! Server-rendered pages for people: the public search, counter and verify pages, and the
//! signed-in pages where producers apply and staff review. Embedded in the binary, no script,
//! no external requests, readable on a 375-px phone. Pages call the same service functions as
//! the JSON API; signed-in pages carry the token in a cookie and a CSRF token in every form.

mod account_pages;
mod application_pages;
mod authorization_pages;
mod form;
mod labels;
mod layout;
mod public_pages;
mod review_pages;
mod session;
pub use session::{not_found, query_refused, SESSION_COOKIE};

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use application_pages as applications;
    cfg.service(web::resource("/").get(public_pages::home))
        .service(web::resource("/verify/{code}").get(public_pages::verify))
        .service(web::resource("/verify/{code}/qr.svg").get(public_pages::qr_code))
        .service(web::resource("/verify/{code}/report").post(public_pages::report))
        .service(
            web::resource("/login")
                .get(account_pages::login_form)
                .post(account_pages::login),
        )
        .service(
            web::resource("/logout")
                .get(account_pages::logout_form)
                .post(account_pages::logout),
        )
        .service(
            web::resource("/register")
                .get(account_pages::register_form)
                .post(account_pages::register),
        )
        .service(
            web::resource("/password")
                .get(account_pages::password_form)
                .post(account_pages::change_password),
        )
        .service(web::resource("/applications").get(applications::my_applications))
        .service(
            web::resource("/applications/new")
                .get(applications::new_application)
                .post(applications::create_application),
        )
        .service(
            web::resource("/applications/{id}")
                .get(applications::show)
                .post(applications::save),
        )
        .service(web::resource("/review").get(review_pages::queue))
        .service(web::resource("/review/watchlist").get(review_pages::watchlist))
        .service(web::resource("/review/exports").get(review_pages::exports_page))
        .service(web::resource("/review/reports").get(review_pages::reports))
        .service(web::resource("/review/reports/{id}/close").post(review_pages::close_report))
        .service(
            web::resource("/review/exports/authorizations.xlsx").get(review_pages::export_xlsx),
        )
        .service(web::resource("/review/exports/authorizations.csv").get(review_pages::export_csv))
        .service(
            web::resource("/review/authorizations").get(authorization_pages::register_of_rights),
        )
        .service(web::resource("/review/authorizations/{id}").get(authorization_pages::right))
        .service(
            web::resource("/review/authorizations/{id}/actions/{action}")
                .post(authorization_pages::act_on_right),
        )
        .service(
            web::resource("/authorizations/{id}/actions/{action}")
                .post(authorization_pages::act_on_right),
        )
        .service(web::resource("/review/{id}").get(applications::show))
        .service(web::resource("/authorizations").get(authorization_pages::my_rights))
        .service(
            web::resource("/authorizations/{id}/usage-reports")
                .post(authorization_pages::file_report),
        );
    // The same handlers serve a producer under /applications and staff under /review.
    for base in ["/applications", "/review"] {
        cfg.service(web::resource(format!("{base}/{{id}}/documents")).post(applications::upload))
            .service(
                web::resource(format!("{base}/{{id}}/documents/{{attachment_id}}"))
                    .get(applications::download),
            )
            .service(
                web::resource(format!("{base}/{{id}}/documents/{{attachment_id}}/delete"))
                    .post(applications::remove_document),
            )
            .service(
                web::resource(format!("{base}/{{id}}/actions/{{action}}")).post(applications::act),
            );
    }
}
