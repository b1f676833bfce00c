//! The OpenAPI document of every endpoint, served at `/api-docs/openapi.json`.

use utoipa::OpenApi;

use super::health;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gi-registry",
        description = "Registry of enterprises using the geographical-indication special mark (地理标志专用标志) in Yingde.",
    ),
    paths(health::healthz, health::readyz),
    components(schemas(health::HealthStatus, ProblemDocument, FieldErrorDocument)),
    tags(
        (name = "health", description = "Probes"),
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
