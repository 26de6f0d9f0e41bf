//! `/customers`: the company's customers, upserted and found by phone number.

use actix_web::{HttpRequest, HttpResponse, get, http::StatusCode, put, web};
use portal_api_types::{
    ErrorCode, Problem,
    integrations::{CustomerPage, CustomerRecord, UpsertCustomer},
};
use portal_db::{
    api_keys::ApiScope,
    catalog::{self, CustomerPatch, Page, Upserted},
    companies::Company,
};
use portal_domain::{CustomerId, PhoneNumber, phone::InvalidPhone};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

use super::{
    auth::Integrator,
    company_of,
    query::{QueryParams, next_cursor},
};
use crate::{
    error::{ApiError, ApiResult},
    extract::Json,
    state::AppState,
};

/// Registers the routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(upsert_customer)
        .service(list_customers)
        .service(get_customer);
}

fn customer_record(c: catalog::CustomerRecord) -> CustomerRecord {
    CustomerRecord {
        id: c.id.as_uuid(),
        phone: c.phone.map(String::from).unwrap_or_default(),
        name: c.name,
        email: c.email,
        language: c.locale,
    }
}

/// Normalises like sign-in does, so the number an integrator stores is the one the customer signs
/// in with: national numbers in the company's country, only countries the company serves.
fn customer_phone(field: &str, input: &str, company: &Company) -> ApiResult<PhoneNumber> {
    PhoneNumber::normalize(input, &company.region, &company.allowed_countries).map_err(|e| {
        let code = match e {
            InvalidPhone::Invalid => ErrorCode::InvalidPhone,
            InvalidPhone::CountryNotAllowed(_) => ErrorCode::CountryNotAllowed,
        };
        ApiError::invalid_field(code, field, e.to_string())
    })
}

/// Create or update a customer by phone
///
/// Finds the customer by phone number (national or international form; both reach the same
/// customer) and sets the name, email and language sent; fields left out keep their value. Answers
/// 201 when the customer was created and 200 when updated.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    request_body(content = UpsertCustomer, example = json!({"phone": "0151 00000001", "name": "Anna Schmidt", "language": "de"})),
    responses(
        (status = 200, description = "Updated", body = CustomerRecord,
            example = json!({"id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "phone": "+4915100000001", "name": "Anna Schmidt", "email": "anna@example.org", "language": "de"})),
        (status = 201, description = "Created", body = CustomerRecord),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `customers` scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_phone`, `country_not_allowed` or `validation_failed`", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:invalid_phone", "title": "Invalid phone number", "status": 422, "detail": "phone: not a valid phone number", "code": "invalid_phone", "errors": [{"field": "phone", "message": "not a valid phone number"}]})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/customers")]
#[tracing::instrument(skip_all)]
pub async fn upsert_customer(
    state: web::Data<AppState>,
    integrator: Integrator,
    body: Json<UpsertCustomer>,
) -> ApiResult<HttpResponse> {
    let scope = integrator.require(ApiScope::Customers)?;
    let body = body.0;
    let company = company_of(&state, scope).await?;
    let phone = customer_phone("phone", &body.phone, &company)?;
    let patch = CustomerPatch {
        name: body.name.clone(),
        email: body.email.clone(),
        locale: body.language,
    };
    let upserted =
        catalog::upsert_customer(&state.db, scope.into(), &phone, patch, state.clock.now()).await?;
    let (status, customer) = match upserted {
        Upserted::Created(c) => (StatusCode::CREATED, c),
        Upserted::Updated(c) => (StatusCode::OK, c),
    };
    // A branch key may add and update any customer of the company, but reads only those with an
    // appointment at its branch: for anyone else the answer holds the id and what it sent.
    let readable = scope.branch_id().is_none()
        || catalog::find_customer(&state.db, scope.into(), customer.id)
            .await?
            .is_some();
    let record = if readable {
        customer_record(customer)
    } else {
        CustomerRecord {
            id: customer.id.as_uuid(),
            phone: phone.as_str().to_owned(),
            name: body.name.map(String::from),
            email: body.email.map(String::from),
            language: body.language,
        }
    };
    Ok(HttpResponse::build(status).json(record))
}

/// List or find customers
///
/// With `phone`, the customer with that number (a page of zero or one); without, every customer in
/// creation order, a page at a time. Erased customers never appear.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(
        ("phone" = Option<String>, Query, description = "National or international phone number"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Page size, 1–100 (default 50)"),
    ),
    responses(
        (status = 200, description = "A page of customers", body = CustomerPage,
            example = json!({"items": [{"id": "0193a5b2-7c1e-7d2a-9b1f-2f4c6a8e0d13", "phone": "+4915100000001", "name": "Anna Schmidt", "email": null, "language": "de"}], "next_cursor": null})),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `customers` scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid phone number or query parameter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customers")]
#[tracing::instrument(skip_all)]
pub async fn list_customers(
    state: web::Data<AppState>,
    integrator: Integrator,
    req: HttpRequest,
) -> ApiResult<web::Json<CustomerPage>> {
    let scope = integrator.require(ApiScope::Customers)?;
    let query = QueryParams::parse(&req, &["phone", "cursor", "limit"])?;
    let page_request = query.page()?;
    let page = match query.text("phone") {
        Some(input) => {
            let company = company_of(&state, scope).await?;
            let phone = customer_phone("phone", input, &company)?;
            let found = catalog::find_customer_by_phone(&state.db, scope.into(), &phone).await?;
            Page {
                items: found.into_iter().collect(),
                next_after: None,
            }
        }
        None => catalog::list_customers(&state.db, scope.into(), page_request).await?,
    };
    Ok(web::Json(CustomerPage {
        items: page.items.into_iter().map(customer_record).collect(),
        next_cursor: next_cursor(page.next_after),
    }))
}

/// Get a customer
///
/// One customer of the company; a customer of another company, or an erased one, answers 404
/// exactly like a missing id.
#[utoipa::path(
    tag = "Integrations",
    security(("api_key" = [])),
    params(("id" = Uuid, Path, description = "Customer id")),
    responses(
        (status = 200, description = "The customer", body = CustomerRecord),
        (status = 401, description = "Missing, unknown or revoked API key", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No `customers` scope", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer", body = Problem, content_type = "application/problem+json",
            example = json!({"type": "urn:customer-portal:problem:not_found", "title": "Not found", "status": 404, "detail": "The requested resource does not exist.", "code": "not_found"})),
        (status = 503, description = "Database unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/customers/{id}")]
#[tracing::instrument(skip_all)]
pub async fn get_customer(
    state: web::Data<AppState>,
    integrator: Integrator,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<CustomerRecord>> {
    let scope = integrator.require(ApiScope::Customers)?;
    let customer = catalog::find_customer(&state.db, scope.into(), CustomerId::from_uuid(*id))
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(web::Json(customer_record(customer)))
}
