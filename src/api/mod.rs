//! JSON handlers: DTOs, validation, authentication; they call `service` and nothing below it.

pub mod abnormal;
pub mod accounts;
pub mod announcements;
pub mod applications;
pub mod authorizations;
pub mod duties;
pub mod enterprise_changes;
pub mod enterprises;
pub mod exports;
pub mod extract;
pub mod feed;
pub mod health;
pub mod labels;
pub mod metrics;
pub mod notifications;
pub mod office;
pub mod openapi;
pub mod password_reset;
pub mod public;

/// Kept at its old path: CSV writing now lives in `http`, shared with the pages.
pub use crate::http::csv;

use actix_web::{web, HttpResponse};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/healthz").get(health::healthz))
        .service(web::resource("/readyz").get(health::readyz))
        .service(web::resource("/metrics").get(metrics::metrics))
        .service(web::resource("/feed.atom").get(feed::atom))
        .service(
            web::scope("/api/v1")
                // The public reads first: the router tries resources in order, and these are
                // most of the traffic (every verify would otherwise try thirty patterns first).
                .service(web::resource("/public/products").get(public::products))
                .service(web::resource("/public/authorized-users").get(public::authorized_users))
                .service(
                    web::resource("/public/authorized-users.csv").get(public::authorized_users_csv),
                )
                .service(web::resource("/public/verify/{code}").get(public::verify))
                .service(web::resource("/public/labels/{code}").get(labels::public_label))
                .service(web::resource("/public/bulk-verify").post(public::bulk_verify))
                .service(web::resource("/public/changes").get(feed::changes))
                .service(web::resource("/public/abnormal-users").get(abnormal::public_list))
                .service(web::resource("/public/abnormal-users.csv").get(abnormal::public_csv))
                .service(web::resource("/abnormal-users").post(abnormal::list_right))
                .service(web::resource("/abnormal-users/{id}/remove").post(abnormal::remove))
                .service(web::resource("/public/goal").get(public::goal))
                .service(web::resource("/public/announcements").get(announcements::list))
                .service(
                    web::resource("/public/announcements/{announcement_no}/rights.csv")
                        .get(announcements::rights_csv),
                )
                .service(
                    web::resource("/public/announcements/{announcement_no}/changes.csv")
                        .get(announcements::changes_csv),
                )
                .service(web::resource("/public/journal/head").get(public::journal_head))
                .service(web::resource("/auth/register").post(accounts::register))
                .service(web::resource("/auth/login").post(accounts::login))
                .service(web::resource("/auth/password").post(accounts::change_password))
                .service(web::resource("/auth/logout").post(accounts::logout))
                .service(web::resource("/auth/password-reset").post(password_reset::request_reset))
                .service(
                    web::resource("/auth/password-reset/confirm")
                        .post(password_reset::confirm_reset),
                )
                .service(
                    web::resource("/users/{id}/password-reset")
                        .post(password_reset::issue_at_window),
                )
                .service(web::resource("/me").get(accounts::me))
                .service(web::resource("/admin/users").post(accounts::create_user))
                .service(web::resource("/admin/users/{id}").patch(accounts::update_user))
                .service(web::resource("/enterprises").post(enterprises::register_at_window))
                .service(
                    web::resource("/enterprise-changes")
                        .get(enterprise_changes::list)
                        .post(enterprise_changes::request),
                )
                .service(
                    web::resource("/enterprise-changes/{id}/approve")
                        .post(enterprise_changes::approve),
                )
                .service(
                    web::resource("/enterprise-changes/{id}/reject")
                        .post(enterprise_changes::reject),
                )
                .service(
                    web::resource("/enterprise-changes/{id}/documents")
                        .post(enterprise_changes::upload_document),
                )
                .service(
                    web::resource("/enterprise-changes/{id}/documents/{document_id}")
                        .get(enterprise_changes::download_document),
                )
                .service(web::resource("/enterprises/{id}/release").post(enterprises::release))
                .service(
                    web::resource("/applications")
                        .post(applications::create)
                        .get(applications::list),
                )
                .service(
                    web::resource("/applications/{id}")
                        .get(applications::get)
                        .patch(applications::edit),
                )
                .service(web::resource("/applications/{id}/attachments").post(applications::upload))
                .service(
                    web::resource("/applications/{id}/attachments/{attachment_id}")
                        .get(applications::download)
                        .delete(applications::remove_attachment),
                )
                .service(web::resource("/applications/{id}/{action}").post(applications::act))
                .service(web::resource("/authorizations").get(authorizations::list))
                .service(web::resource("/authorizations/{id}").get(authorizations::get))
                .service(
                    web::resource("/authorizations/{id}/usage-reports")
                        .post(duties::file_usage_report)
                        .get(duties::usage_reports),
                )
                .service(web::resource("/authorizations/{id}/label-quota").put(labels::set_quota))
                .service(
                    web::resource("/authorizations/{id}/label-batches")
                        .post(labels::order_batch)
                        .get(labels::batches),
                )
                .service(web::resource("/label-batches/{id}/codes.csv").get(labels::codes_csv))
                .service(
                    web::resource("/admin/label-settings")
                        .get(labels::settings)
                        .put(labels::set_settings),
                )
                .service(web::resource("/authorizations/{id}/{action}").post(authorizations::act))
                .service(web::resource("/watchlist").get(duties::watchlist))
                .service(
                    web::resource("/exports/authorizations.xlsx").get(exports::authorizations_xlsx),
                )
                .service(
                    web::resource("/exports/authorizations.csv").get(exports::authorizations_csv),
                )
                .service(web::resource("/stats/review").get(duties::review_stats))
                .service(
                    web::resource("/admin/holidays")
                        .get(duties::holidays)
                        .put(duties::set_holidays),
                )
                .service(web::resource("/public/reports").post(duties::report_fake))
                .service(web::resource("/reports").get(duties::fake_report_list))
                .service(web::resource("/reports/{id}/close").post(duties::close_fake_report))
                .service(web::resource("/admin/goal").put(public::set_goal))
                .service(web::resource("/public/office").get(office::office))
                .service(web::resource("/notifications").get(notifications::list))
                .service(web::resource("/notifications/{id}/read").post(notifications::mark_read))
                .service(web::resource("/admin/outbox").get(notifications::outbox_report))
                .service(web::resource("/admin/outbox/{id}/retry").post(notifications::retry))
                .service(web::resource("/admin/office").put(office::set_office))
                .service(
                    web::resource("/admin/working-days")
                        .get(office::working_days)
                        .put(office::set_working_days),
                ),
        )
        .service(web::resource("/docs").get(redirect_to_docs))
        .service(
            SwaggerUi::new("/docs/{_:.*}")
                .url("/api-docs/openapi.json", openapi::ApiDoc::openapi()),
        );
}

async fn redirect_to_docs() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header(("Location", "/docs/"))
        .finish()
}
