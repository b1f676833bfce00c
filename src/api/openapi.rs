//! The OpenAPI document of every endpoint, served at `/api-docs/openapi.json`.

use utoipa::OpenApi;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::Modify;

use super::{
    abnormal, accounts, announcements, applications, authorizations, duties, enterprise_changes,
    enterprises, exports, feed, health, labels, metrics, notifications, office, password_reset,
    public,
};
use crate::service::accounts as account_service;
use crate::service::applications as application_service;
use crate::service::authorizations as authorization_service;
use crate::service::paging::Page;
use crate::service::public as public_service;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gi-registry",
        description = "Registry of enterprises using the geographical-indication special mark (地理标志专用标志) in Yingde.",
    ),
    paths(
        health::healthz, health::readyz, metrics::metrics,
        accounts::register, accounts::login, accounts::logout, accounts::me, accounts::change_password,
        accounts::create_user, accounts::update_user, enterprises::release, enterprises::register_at_window,
        enterprise_changes::request, enterprise_changes::list, enterprise_changes::approve, enterprise_changes::reject,
        enterprise_changes::upload_document, enterprise_changes::download_document,
        applications::create, applications::list, applications::get, applications::edit,
        applications::upload, applications::download, applications::remove_attachment,
        applications::act,
        authorizations::list, authorizations::get, authorizations::act,
        public::products, public::authorized_users, public::authorized_users_csv, public::verify,
        public::bulk_verify, feed::changes, feed::atom,
        labels::set_quota, labels::order_batch, labels::batches, labels::codes_csv, labels::public_label,
        labels::settings, labels::set_settings,
        abnormal::list_right, abnormal::remove, abnormal::public_list, abnormal::public_csv,
        public::goal, public::set_goal, public::journal_head,
        announcements::list, announcements::rights_csv, announcements::changes_csv,
        duties::file_usage_report, duties::usage_reports, duties::watchlist, duties::review_stats,
        duties::holidays, duties::set_holidays, duties::report_fake, duties::fake_report_list,
        duties::close_fake_report, exports::authorizations_xlsx, exports::authorizations_csv,
        office::office, office::set_office, office::working_days, office::set_working_days,
        password_reset::request_reset, password_reset::confirm_reset, password_reset::issue_at_window,
        notifications::list, notifications::mark_read, notifications::outbox_report, notifications::retry,
    ),
    components(schemas(
        health::HealthStatus, ProblemDocument, FieldErrorDocument,
        account_service::RegisterInput, account_service::EnterpriseInput, account_service::LoginInput,
        account_service::ChangePasswordInput, account_service::CreateStaffInput, account_service::UpdateUserInput,
        account_service::UserView, account_service::EnterpriseView, account_service::Registered,
        account_service::AccessToken, account_service::Me, crate::domain::roles::Role,
        crate::service::enterprises::ReleasedEnterprise,
        account_service::WindowRegistrationInput, account_service::WindowRegistered,
        crate::service::enterprise_changes::EnterpriseChangeInput, crate::service::enterprise_changes::ChangeDecisionInput,
        crate::service::enterprise_changes::EnterpriseChangeView, Page<crate::service::enterprise_changes::EnterpriseChangeView>,
        crate::service::enterprise_changes::documents::ChangeDocumentView, enterprise_changes::ChangeDocumentForm,
        application_service::FormerName,
        application_service::ApplicationInput, application_service::ApplicationPatch,
        application_service::ActionInput, application_service::FieldCommentInput,
        application_service::ApplicationView, application_service::ApplicationSummary,
        application_service::AttachmentView, application_service::HistoryEntry,
        application_service::ReviewOpinionView, application_service::FieldCommentView,
        application_service::EnterpriseRef, applications::UploadForm,
        application_service::ReviewerContext, application_service::ApplicantContact,
        application_service::ApplicantAccount, application_service::ChangesSinceReturn,
        application_service::FieldChangeView, application_service::DocumentRef,
        Page<application_service::ApplicationSummary>, Page<authorization_service::AuthorizationView>,
        authorization_service::AuthorizationView, authorization_service::AuthorizationActionInput,
        crate::domain::workflow::ApplicationStatus, crate::domain::workflow::ApplicationAction,
        crate::domain::authorization::AuthorizationStatus, crate::domain::authorization::AuthorizationAction,
        crate::domain::authorization::RevocationGround, crate::domain::eligibility::Basis,
        crate::domain::eligibility::AttachmentKind,
        public_service::ProductView, public_service::TownView, public_service::AuthorizedUser,
        Page<public_service::AuthorizedUser>, public_service::Verification, public_service::VerifiedRight, crate::domain::labelling::LabelItem,
        public_service::Goal, public_service::GoalInput, public_service::ProductCount,
        public_service::TownCount, public_service::Pipeline, public_service::MonthCount,
        crate::service::journal::JournalHead,
        crate::service::announcements::AnnouncementView, crate::service::announcements::AnnouncedRight,
        crate::service::labels::issue::QuotaInput, crate::service::labels::issue::QuotaView,
        crate::service::labels::issue::BatchInput, crate::service::labels::issue::BatchView,
        crate::service::labels::issue::LabelsOfRight, crate::service::labels::issue::LabelSettings,
        crate::service::labels::lookup::LabelView, crate::domain::labels::LabelWarning,
        crate::service::announcements::AnnouncedChangeItem, crate::service::announcements::ChangedDetail,
        crate::service::abnormal::AbnormalInput, crate::service::abnormal::RemoveInput,
        crate::service::abnormal::AbnormalUserView, Page<crate::service::abnormal::AbnormalUserView>,
        crate::domain::abnormal::AbnormalReason, public_service::AbnormalListing,
        crate::service::changes::ChangePage, crate::service::changes::ChangeItem, crate::service::changes::ChangeEvent,
        crate::service::usage::UsageReportInput, crate::service::usage::UsageReportView,
        crate::service::usage::WatchEntry, Page<crate::service::usage::WatchEntry>, crate::domain::usage::WatchReason,
        crate::service::review::ReviewStats, crate::service::review::StateStats,
        crate::service::review::Holiday, crate::service::review::HolidayList,
        crate::service::fake_reports::FakeReportInput, crate::service::fake_reports::FakeReportReceipt,
        crate::service::fake_reports::FakeReportView, Page<crate::service::fake_reports::FakeReportView>,
        crate::service::fake_reports::CloseInput,
        crate::service::office::OfficeView, crate::service::office::WorkingDays, crate::domain::case::Step,
        account_service::PasswordResetRequest, account_service::PasswordResetConfirm,
        account_service::WindowReset,
        crate::service::notifications::NotificationView, Page<crate::service::notifications::NotificationView>,
        crate::domain::notification::NotificationKind,
        crate::service::outbox::OutboxReport, crate::service::outbox::OutboxEntry, crate::service::outbox::OutboxCounts,
    )),
    modifiers(&BearerAuth, &CommonResponses),
    tags(
        (name = "health", description = "Probes"),
        (name = "operations", description = "Metrics for operators"),
        (name = "accounts", description = "Registration, sign-in, the caller's account"),
        (name = "admin", description = "Staff accounts and settings"),
        (name = "applications", description = "Applications, documents and the review workflow"),
        (name = "authorizations", description = "Rights granted by approval"),
        (name = "labels", description = "Label quotas, batches and codes: one code per printed mark"),
        (name = "public", description = "The public registry: no sign-in"),
        (name = "review", description = "The review desk: watchlist, statistics, reports of fakes"),
    )
)]
pub struct ApiDoc;

/// An RFC 9457 problem, as every error is answered.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ProblemDocument {
    #[schema(rename = "type")]
    type_uri: String,
    title: String,
    status: u16,
    detail: String,
    request_id: Option<String>,
    errors: Option<Vec<FieldErrorDocument>>,
}

/// One invalid field.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct FieldErrorDocument {
    field: String,
    code: String,
    message: String,
}

/// Declares the `bearer` scheme that protected operations refer to.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// Documents the answers every operation can give besides its own: a malformed request
/// (400), a body that is too large, of the wrong type or invalid (413, 415, 422), a missing or
/// refused sign-in (401, 403), an unknown id (404) and throttling on sign-in (429), all as
/// problem+json. Added here once rather than on every handler.
pub struct CommonResponses;

fn problem_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            crate::error::PROBLEM_CONTENT_TYPE,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ProblemDocument")))
                .build(),
        )
        .build()
        .into()
}

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let has_path_params = path.contains('{');
            for operation in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                let has_body = operation.request_body.is_some();
                let has_params = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
                let mut add = |status: &str, description: &str| {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| problem_response(description));
                };
                if has_body || has_params {
                    add("400", "The request could not be read");
                    add("422", "Invalid fields, each named in `errors`");
                }
                if has_body {
                    add("413", "The body is too large");
                    add("415", "The body is not of the documented content type");
                }
                if secured {
                    add("401", "Missing or invalid access token");
                    add("403", "This role or owner may not do this");
                }
                if has_path_params {
                    add("404", "No such resource");
                }
            }
        }
    }
}
