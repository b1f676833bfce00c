//! Server-rendered pages for people: the public search, counter and verify pages, and the
//! signed-in pages where producers apply and staff review. Embedded in the binary, one small
//! inline script (a form is sent once), no external requests, readable on a 375-px phone.
//! Pages call the same service functions as the JSON API; signed-in pages carry the token in a
//! cookie and a CSRF token in every form.

mod account;
mod applications;
mod authorizations;
mod components;
mod enterprise_changes;
mod errors;
mod format;
mod guide;
mod inbox;
mod labels;
mod lang;
mod office;
mod public;
mod resume;
mod review;
mod session;
pub use errors::{not_found, query_refused};
pub use office::with_office;
pub use resume::keep_what_was_typed;
pub use session::SESSION_COOKIE;

use actix_web::web;

/// `GET /assets/{name}`: the site's style sheet (kept a year by browsers), else not found.
async fn asset(
    request: actix_web::HttpRequest,
    name: web::Path<String>,
) -> actix_web::HttpResponse {
    match components::layout::stylesheet(&name) {
        Some(sheet) => sheet,
        None => errors::not_found(request).await,
    }
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::Data::new(public::HomeFragments::default()))
        .service(web::resource("/").get(public::home))
        // What a label's QR code opens: the busiest page after the home page.
        .service(web::resource("/l/{code}").get(public::label))
        .service(web::resource("/assets/{name}").get(asset))
        .service(web::resource("/guide").get(guide::guide))
        .service(web::resource("/announcements").get(public::announcements))
        .service(web::resource("/inbox").get(inbox::inbox))
        .service(web::resource("/inbox/{id}/read").post(inbox::mark_read))
        .service(web::resource("/abnormal").get(public::abnormal_list))
        // Before `/verify/{code}`, which would take `bulk` for a code.
        .service(
            web::resource("/verify/bulk")
                .get(public::bulk_verify_form)
                .post(public::bulk_verify_download),
        )
        .service(web::resource("/verify/{code}").get(public::verify))
        .service(web::resource("/verify/{code}/qr.svg").get(public::qr_code))
        .service(web::resource("/verify/{code}/report").post(public::report))
        .service(
            web::resource("/login")
                .get(account::login_form)
                .post(account::login),
        )
        .service(
            web::resource("/logout")
                .get(account::logout_form)
                .post(account::logout),
        )
        .service(
            web::resource("/register")
                .get(account::register_form)
                .post(account::register),
        )
        .service(
            web::resource("/password")
                .get(account::password_form)
                .post(account::change_password),
        )
        .service(
            web::resource("/password-reset")
                .get(account::request_form)
                .post(account::request_reset),
        )
        .service(
            web::resource("/password-reset/{token}")
                .get(account::new_password_form)
                .post(account::set_new_password),
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
        .service(web::resource("/review").get(review::queue))
        .service(
            web::resource("/review/enterprise-changes").get(enterprise_changes::changes_to_decide),
        )
        .service(
            web::resource("/review/enterprise-changes/{id}/{decision}")
                .post(enterprise_changes::decide_change),
        )
        .service(
            web::resource("/enterprise-changes")
                .get(enterprise_changes::my_changes)
                .post(enterprise_changes::request_change),
        )
        .service(
            web::resource("/enterprise-changes/{id}/documents")
                .post(enterprise_changes::upload_change_document),
        )
        .service(
            web::resource("/enterprise-changes/{id}/documents/{document_id}")
                .get(enterprise_changes::change_document),
        )
        .service(
            web::resource("/review/enterprises/new")
                .get(review::window_form)
                .post(review::register_at_window),
        )
        .service(web::resource("/review/watchlist").get(review::watchlist))
        .service(web::resource("/review/watchlist/{id}/abnormal").post(review::list_abnormal))
        .service(web::resource("/review/exports").get(review::exports_page))
        .service(web::resource("/review/reports").get(review::reports))
        .service(web::resource("/review/reports/{id}/close").post(review::close_report))
        .service(web::resource("/review/exports/authorizations.xlsx").get(review::export_xlsx))
        .service(web::resource("/review/exports/authorizations.csv").get(review::export_csv))
        .service(web::resource("/review/authorizations").get(authorizations::register_of_rights))
        .service(web::resource("/review/authorizations/{id}").get(authorizations::right))
        .service(
            web::resource("/review/authorizations/{id}/actions/{action}")
                .post(authorizations::act_on_right),
        )
        .service(
            web::resource("/authorizations/{id}/actions/{action}")
                .post(authorizations::act_on_right),
        )
        .service(web::resource("/review/{id}").get(applications::show))
        .service(web::resource("/authorizations").get(authorizations::my_rights))
        .service(web::resource("/authorizations/{id}/certificate").get(authorizations::certificate))
        .service(web::resource("/authorizations/{id}/labels").get(authorizations::labels_of_right))
        .service(
            web::resource("/authorizations/{id}/labels/batches")
                .post(authorizations::order_label_batch),
        )
        .service(
            web::resource("/authorizations/{id}/labels/quota")
                .post(authorizations::set_label_quota),
        )
        .service(
            web::resource("/label-batches/{id}/codes.csv").get(authorizations::label_codes_csv),
        )
        .service(web::resource("/label-batches/{id}/sheet").get(authorizations::label_print_sheet))
        .service(
            web::resource("/authorizations/{id}/usage-reports").post(authorizations::file_report),
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
