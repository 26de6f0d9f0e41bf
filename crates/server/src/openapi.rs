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
    modifiers(&BearerAuth, &Webhooks),
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
/// The webhook deliveries integrators receive (OpenAPI 3.1 `webhooks`), one per event, each body
/// `{id, event, created_at, data}` with the event's typed data from api-types.
struct Webhooks;

impl Modify for Webhooks {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use portal_api_types::webhooks::{
            AppointmentCancelled, AppointmentRescheduled, CustomerErased, SupportMessageCreated,
            WebhookEvent,
        };
        use utoipa::{
            ToSchema,
            openapi::{
                ContentBuilder, ObjectBuilder, Ref, RefOr, Required, ResponseBuilder,
                ResponsesBuilder, Schema, Type,
                path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder},
                request_body::RequestBodyBuilder,
                schema::{KnownFormat, SchemaFormat},
            },
        };

        fn data<T: ToSchema>() -> (String, RefOr<Schema>) {
            (T::name().into_owned(), T::schema())
        }
        let events = [
            (
                WebhookEvent::NAMES[0],
                "The customer cancelled an appointment in the portal.",
                data::<AppointmentCancelled>(),
            ),
            (
                WebhookEvent::NAMES[1],
                "The customer moved an appointment in the portal.",
                data::<AppointmentRescheduled>(),
            ),
            (
                WebhookEvent::NAMES[2],
                "The customer erased their account: delete what you hold about them.",
                data::<CustomerErased>(),
            ),
            (
                WebhookEvent::NAMES[3],
                "A support message was written (by the customer or by staff).",
                data::<SupportMessageCreated>(),
            ),
        ];
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut paths = PathsBuilder::new();
        for (event, description, (data_name, data_schema)) in events {
            components.schemas.insert(data_name.clone(), data_schema);
            let string = |format: Option<KnownFormat>| {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(format.map(SchemaFormat::KnownFormat))
            };
            let body = ObjectBuilder::new()
                .property(
                    "id",
                    string(Some(KnownFormat::Uuid)).description(Some(
                        "The delivery's id (also in `X-Portal-Delivery`); drop repeats",
                    )),
                )
                .property("event", string(None).enum_values(Some([event])))
                .property(
                    "created_at",
                    string(Some(KnownFormat::DateTime)).description(Some("When it happened")),
                )
                .property("data", Ref::from_schema_name(data_name))
                .required("id")
                .required("event")
                .required("created_at")
                .required("data");
            let operation = OperationBuilder::new()
                .summary(Some(event))
                .description(Some(format!(
                    "{description} Headers: `X-Portal-Event`, `X-Portal-Delivery` and \
                     `X-Portal-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" \
                     with the endpoint's secret>`. Answer 2xx; anything else is retried with backoff."
                )))
                .tag("Integrations")
                .request_body(Some(
                    RequestBodyBuilder::new()
                        .required(Some(Required::True))
                        .content("application/json", ContentBuilder::new().schema(Some(body)).build())
                        .build(),
                ))
                .responses(
                    ResponsesBuilder::new()
                        .response("2XX", ResponseBuilder::new().description("Received"))
                        .build(),
                );
            paths = paths.path(event, PathItem::new(HttpMethod::Post, operation));
        }
        openapi.webhooks = Some(paths.build());
    }
}

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
