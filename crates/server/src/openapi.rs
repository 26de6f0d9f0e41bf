//! The OpenAPI 3.1 document, generated from the handlers.

use actix_web::App;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Customer Portal API",
        description = "Self-service API for the customers of appointment businesses: sign in with phone and SMS code, \
manage the profile and devices. Every error is an RFC 9457 `application/problem+json` document with a stable `code`; \
times are RFC 3339 instants. Access tokens are JWTs valid 15 minutes; refresh tokens rotate on every use.",
        license(name = "Proprietary")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "Public", description = "Before sign-in: the company's branding"),
        (name = "Sign-in", description = "Phone number and SMS code; tokens"),
        (name = "Sessions", description = "Signed-in devices"),
        (name = "Profile", description = "The customer's own details"),
        (name = "Preferences", description = "How the customer may be contacted, and the consent register"),
        (name = "Medical history", description = "Healthcare businesses only: encrypted, versioned, readable after a recent sign-in, every access audited"),
        (name = "Privacy", description = "GDPR rights: export, erasure, access log"),
        (name = "Messages", description = "The customer's message history (SMS, email, push), push subscriptions and live updates (server-sent events)"),
        (name = "Support", description = "Chat with the business"),
        (name = "Webhooks", description = "Callbacks from providers (Twilio)"),
        (name = "Integrations", description = "Integrator API (`/api/integrations/v1`): catalogue and customers, authenticated with a per-company API key (`Authorization: Bearer pk_…`); every POST needs an `Idempotency-Key`"),
    )
)]
struct ApiDoc;

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
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("pk_<prefix>_<secret>")
                    .description(Some(
                        "Integrator API key, created with `portal api-key create`",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document for every `/api` route.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(utoipa_actix_web::scope("/api").configure(crate::routes::configure_api))
        .split_for_parts();
    api
}

/// The document as committed in `openapi/openapi.json`.
pub fn document_json() -> Result<String, serde_json::Error> {
    document().to_pretty_json().map(|mut s| {
        s.push('\n');
        s
    })
}
