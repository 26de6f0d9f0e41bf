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
            SecurityScheme::ApiKey(utoipa::openapi::security::ApiKey::Header(
                utoipa::openapi::security::ApiKeyValue::with_description(
                    "X-Api-Key",
                    "Integrator API key (`pk_<prefix>_<secret>`), created with `portal api-key \
                     create`; `Authorization: Bearer pk_…` is accepted too",
                ),
            )),
        );
    }
}

/// What every operation shares, added to each so the document lists every status it can return:
/// `security: []` on public operations, 401 on secured ones, 400/413/415/422 where a JSON body is
/// read, 404 where the path names something, 500 and 503 everywhere, `Retry-After` on 429 and 503,
/// the `Idempotency-Key` rule (1–255 visible ASCII characters), and the portal's own origin as the
/// server.
struct Contract;

impl Modify for Contract {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{
            ContentBuilder, HeaderBuilder, ObjectBuilder, Ref, RefOr, ResponseBuilder, Type,
            server::ServerBuilder,
        };
        openapi.servers = Some(vec![
            ServerBuilder::new()
                .url("/")
                .description(Some(
                    "The portal itself: the API is served from the portal's origin",
                ))
                .build(),
        ]);
        let retry_after = || {
            HeaderBuilder::new()
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::Integer)
                        .minimum(Some(1)),
                ))
                .description(Some("Seconds to wait before trying again"))
                .build()
        };
        let problem = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/problem+json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("Problem")))
                            .build(),
                    )
                    .build(),
            )
        };
        for (path, item) in &mut openapi.paths.paths {
            let names_something = path.contains('{');
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
                if !secured {
                    operation.security = Some(Vec::new());
                }
                // The rule the idempotency middleware enforces, stated once for every operation.
                for parameter in operation.parameters.iter_mut().flatten() {
                    if let RefOr::T(parameter) = parameter
                        && parameter.name == "Idempotency-Key"
                    {
                        parameter.schema = Some(
                            ObjectBuilder::new()
                                .schema_type(Type::String)
                                .min_length(Some(1))
                                .max_length(Some(255))
                                .pattern(Some("^[!-~]+$"))
                                .into(),
                        );
                    }
                }
                let reads_json = matches!(
                    &operation.request_body,
                    Some(RefOr::T(body)) if body.content.contains_key("application/json")
                );
                let responses = &mut operation.responses.responses;
                let mut add = |status: &str, description: &str| {
                    responses
                        .entry(status.to_owned())
                        .or_insert_with(|| problem(description));
                };
                if secured {
                    add(
                        "401",
                        "Not signed in, or the key or token is not valid (`unauthorized`)",
                    );
                }
                if reads_json {
                    add("400", "The body is not valid JSON (`invalid_json`)");
                    add("413", "The body is too large (`payload_too_large`)");
                    add(
                        "415",
                        "The body is not `application/json` (`unsupported_media_type`)",
                    );
                    add(
                        "422",
                        "A field is missing, unknown or invalid (`validation_failed`, naming it in `errors`)",
                    );
                }
                if names_something {
                    add("404", "Nothing with this id, for this caller (`not_found`)");
                }
                add(
                    "500",
                    "An unexpected error (`internal`); `X-Request-Id` helps support find it",
                );
                add(
                    "503",
                    "A dependency (the database) is unavailable (`service_unavailable`)",
                );
                for (status, response) in responses.iter_mut() {
                    if let (true, RefOr::T(response)) =
                        (status == "429" || status == "503", response)
                    {
                        response
                            .headers
                            .entry("Retry-After".to_owned())
                            .or_insert_with(|| RefOr::T(retry_after()));
                    }
                }
            }
        }
    }
}

/// A file in a response body (PDF, calendar file): bytes, not JSON — `type: string, format:
/// binary`, which generators turn into a file or blob (an array of integers would be read as JSON).
pub struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::{
            ObjectBuilder, Type,
            schema::{KnownFormat, SchemaFormat},
        };
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl utoipa::ToSchema for Binary {}

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
                .operation_id(Some(format!("webhook_{}", event.replace('.', "_"))))
                // The receiver checks the signature header, not a scheme of ours.
                .securities(Some(Vec::<utoipa::openapi::security::SecurityRequirement>::new()))
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

/// The methods each documented path answers, so a request with a wrong method gets 405 with
/// `Allow` instead of 404 — taken from the document, which is taken from the routes.
#[derive(Debug, Default)]
pub struct Methods(Vec<(Vec<Option<String>>, Vec<&'static str>)>);

impl Methods {
    /// The table of `doc`'s paths.
    pub fn of(doc: &utoipa::openapi::OpenApi) -> Self {
        Self(
            doc.paths
                .paths
                .iter()
                .map(|(path, item)| {
                    let segments = path
                        .split('/')
                        .map(|s| (!s.starts_with('{')).then(|| s.to_owned()))
                        .collect();
                    let methods = [
                        ("GET", item.get.is_some()),
                        ("PUT", item.put.is_some()),
                        ("POST", item.post.is_some()),
                        ("DELETE", item.delete.is_some()),
                        ("PATCH", item.patch.is_some()),
                    ]
                    .into_iter()
                    .filter_map(|(m, present)| present.then_some(m))
                    .collect();
                    (segments, methods)
                })
                .collect(),
        )
    }

    /// The `Allow` value for `path`, if some documented path matches it.
    pub fn allowed(&self, path: &str) -> Option<String> {
        let parts: Vec<&str> = path.split('/').collect();
        let mut methods: Vec<&str> = self
            .0
            .iter()
            .filter(|(segments, _)| {
                segments.len() == parts.len()
                    && segments
                        .iter()
                        .zip(&parts)
                        .all(|(s, p)| s.as_deref().is_none_or(|s| s == *p))
            })
            .flat_map(|(_, methods)| methods.iter().copied())
            .collect();
        methods.sort_unstable();
        methods.dedup();
        (!methods.is_empty()).then(|| methods.join(", "))
    }
}

/// The document for every `/api` route.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(utoipa_actix_web::scope("/api").configure(crate::routes::configure_api))
        .split_for_parts();
    // After the routes are in: it works on their operations.
    let mut api = api;
    Contract.modify(&mut api);
    api
}

/// The document as committed in `openapi/openapi.json`.
pub fn document_json() -> Result<String, serde_json::Error> {
    document().to_pretty_json().map(|mut s| {
        s.push('\n');
        s
    })
}
