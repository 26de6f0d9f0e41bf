//! The one API client: `fetch_json` sends a request with the in-memory access token, renews the
//! token once through the HttpOnly refresh cookie when it has expired, and maps every failure to
//! [`ApiError`]; one function per endpoint returns the api-types DTOs.

use gloo_net::http::{Request, RequestBuilder, Response};
use portal_api_types::{
    ErrorCode, Problem,
    appointments::{
        AppointmentDetail, AppointmentList, AppointmentResponse, CancelAppointment,
        RescheduleAppointment, SlotList,
    },
    auth::{SessionList, SignInChallenge, StartSignIn, TokenResponse, VerifySignIn},
    medical::{
        MedicalConsentResponse, MedicalHistory, MedicalHistoryCurrent, MedicalHistoryVersion,
        MedicalHistoryVersionList, SetMedicalConsent,
    },
    notifications::{
        NotificationDetail, NotificationList, PushSubscriptionRequest, UnreadCount, VapidPublicKey,
    },
    preferences::{Preference, PreferencesResponse, UpdatePreferences},
    profile::{ChangePhone, ProfileResponse, UpdateProfile, VerifyPhoneChange},
    public::PublicCompany,
    support::{NewSupportMessage, SupportMessage, SupportMessageList},
};
use serde::{Serialize, de::DeserializeOwned};
use std::cell::RefCell;

use crate::single_flight::SingleFlight;
use web_sys::RequestCredentials;

/// localStorage key of the "a refresh cookie probably exists" hint (not a secret: the cookie
/// itself is HttpOnly). Without it the app skips the refresh at start, which would only fail.
pub const SESSION_HINT: &str = "portal-session";

/// Header the service worker adds when it answers from its cache because the network failed.
pub const STALE_HEADER: &str = "x-portal-stale";

/// Told whether each answer came from the offline cache.
type StaleHook = Box<dyn Fn(bool)>;

thread_local! {
    // Memory only: never localStorage, so a script injected later cannot lift it from storage.
    static ACCESS_TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
    static BASE_URL: RefCell<Option<String>> = const { RefCell::new(None) };
    static STALE_HOOK: RefCell<Option<StaleHook>> = const { RefCell::new(None) };
    static REFRESH: SingleFlight<Result<bool, ApiError>> = SingleFlight::new();
}

/// Why a request did not give the expected answer.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The network is down and nothing was cached for this request.
    Offline,
    /// The session ended (refresh refused): sign in again.
    SessionExpired,
    /// The server answered with a problem document.
    Problem(Problem),
    /// Anything else (unexpected body); the text is for the console, not for customers.
    Unexpected(String),
}

impl ApiError {
    /// The stable code, when the server sent one.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Problem(p) => Some(p.code),
            _ => None,
        }
    }
}

/// Sets where the API lives (empty: the same origin as the app).
pub fn set_base_url(base: &str) {
    BASE_URL.with(|b| *b.borrow_mut() = Some(base.trim_end_matches('/').to_owned()));
}

/// The full URL of an API path.
pub fn url(path: &str) -> String {
    BASE_URL.with(|b| format!("{}{path}", b.borrow().as_deref().unwrap_or_default()))
}

/// Replaces the access token (None signs out locally).
pub fn set_access_token(token: Option<String>) {
    ACCESS_TOKEN.with(|t| *t.borrow_mut() = token);
}

/// The access token, for requests made outside [`fetch`] (the event stream).
pub fn access_token() -> Option<String> {
    ACCESS_TOKEN.with(|t| t.borrow().clone())
}

/// True while an access token is held.
pub fn has_access_token() -> bool {
    ACCESS_TOKEN.with(|t| t.borrow().is_some())
}

/// Called with `true` whenever an answer came from the offline cache, `false` for a live one.
pub fn on_stale(hook: impl Fn(bool) + 'static) {
    STALE_HOOK.with(|h| *h.borrow_mut() = Some(Box::new(hook)));
}

fn report_stale(stale: bool) {
    STALE_HOOK.with(|h| {
        if let Some(hook) = h.borrow().as_ref() {
            hook(stale);
        }
    });
}

/// HTTP method of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// DELETE
    Delete,
}

fn builder(method: Method, path: &str) -> RequestBuilder {
    let url = url(path);
    let builder = match method {
        Method::Get => Request::get(&url),
        Method::Post => Request::post(&url),
        Method::Put => Request::put(&url),
        Method::Delete => Request::delete(&url),
    };
    let builder = builder
        .header("accept", "application/json")
        // Sends the refresh cookie also when the app is hosted on another origin.
        .credentials(RequestCredentials::Include);
    match ACCESS_TOKEN.with(|t| t.borrow().clone()) {
        Some(token) => builder.header("authorization", &format!("Bearer {token}")),
        None => builder,
    }
}

async fn send(method: Method, path: &str, body: Option<&str>) -> Result<Response, ApiError> {
    let builder = builder(method, path);
    let request = match body {
        Some(json) => builder
            .header("content-type", "application/json")
            .body(json.to_owned()),
        None => builder.build(),
    }
    .map_err(|e| ApiError::Unexpected(e.to_string()))?;
    request.send().await.map_err(|_| ApiError::Offline)
}

async fn problem_of(response: Response) -> ApiError {
    match response.json::<Problem>().await {
        Ok(problem) => ApiError::Problem(problem),
        Err(e) => ApiError::Unexpected(format!("HTTP {}: {e}", response.status())),
    }
}

/// A 401 that is not about the access token: `reauth_required` (the session lives, but is too old
/// for this), or `invalid_code`/`code_expired` of a code check. A renewed token would not help.
async fn reauth_problem(response: Response) -> Option<ApiError> {
    match problem_of(response).await {
        ApiError::Problem(p) if p.code != ErrorCode::Unauthorized => Some(ApiError::Problem(p)),
        _ => None,
    }
}

/// Renews the access token with the refresh cookie. `Ok(false)`: no session (sign in).
/// Concurrent callers share one renewal (see [`crate::single_flight`]).
pub async fn refresh() -> Result<bool, ApiError> {
    let flight = REFRESH.with(SingleFlight::clone);
    flight
        .run(
            refresh_once,
            Err(ApiError::Unexpected("renewal cancelled".into())),
        )
        .await
}

async fn refresh_once() -> Result<bool, ApiError> {
    let response = send(Method::Post, "/api/customer/auth/refresh", None).await?;
    if response.status() == 503 && response.headers().get(STALE_HEADER).is_some() {
        return Err(ApiError::Offline);
    }
    if !response.ok() {
        set_access_token(None);
        return match problem_of(response).await {
            ApiError::Problem(p) if p.status == 401 => {
                crate::browser::forget(SESSION_HINT);
                Ok(false)
            }
            other => Err(other),
        };
    }
    let tokens: TokenResponse = response
        .json()
        .await
        .map_err(|e| ApiError::Unexpected(e.to_string()))?;
    set_access_token(Some(tokens.access_token));
    Ok(true)
}

/// Sends a request and returns the raw successful response. An expired access token is renewed
/// once through the refresh cookie and the request repeated.
pub async fn fetch(
    method: Method,
    path: &str,
    body: Option<&impl Serialize>,
) -> Result<Response, ApiError> {
    let body = body
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| ApiError::Unexpected(e.to_string()))?;
    let mut response = send(method, path, body.as_deref()).await?;
    if response.status() == 401 && !path.starts_with("/api/customer/auth") {
        // Only an unusable access token is renewed; `reauth_required` or a wrong code are not.
        if let Some(err) = reauth_problem(response).await {
            return Err(err);
        }
        if refresh().await? {
            response = send(method, path, body.as_deref()).await?;
        } else {
            return Err(ApiError::SessionExpired);
        }
    }
    let stale = response.headers().get(STALE_HEADER).is_some();
    if method == Method::Get {
        report_stale(stale);
    }
    if response.ok() {
        return Ok(response);
    }
    if stale {
        return Err(ApiError::Offline);
    }
    if response.status() == 401 && !path.starts_with("/api/customer/auth") {
        if let Some(err) = reauth_problem(response).await {
            return Err(err);
        }
        set_access_token(None);
        return Err(ApiError::SessionExpired);
    }
    Err(problem_of(response).await)
}

/// Sends a request and reads a JSON answer.
pub async fn fetch_json<T: DeserializeOwned>(
    method: Method,
    path: &str,
    body: Option<&impl Serialize>,
) -> Result<T, ApiError> {
    fetch(method, path, body)
        .await?
        .json()
        .await
        .map_err(|e| ApiError::Unexpected(e.to_string()))
}

const NO_BODY: Option<&()> = None;

/// `GET /api/public/companies/{slug}`
pub async fn company(slug: &str) -> Result<PublicCompany, ApiError> {
    fetch_json(
        Method::Get,
        &format!("/api/public/companies/{slug}"),
        NO_BODY,
    )
    .await
}

/// `POST /api/customer/auth`
pub async fn start_sign_in(company: &str, phone: &str) -> Result<SignInChallenge, ApiError> {
    let company = portal_domain::CompanySlug::parse(company)
        .map_err(|_| ApiError::Problem(Problem::new(ErrorCode::NotFound, "unknown company")))?;
    let body = StartSignIn {
        company,
        phone: phone.to_owned(),
    };
    fetch_json(Method::Post, "/api/customer/auth", Some(&body)).await
}

/// `POST /api/customer/auth/verify` with the refresh token delivered as an HttpOnly cookie.
pub async fn verify_sign_in(
    challenge_id: uuid::Uuid,
    code: &str,
) -> Result<ProfileResponse, ApiError> {
    let code = portal_domain::OtpCode::parse(code)
        .map_err(|_| ApiError::Problem(Problem::new(ErrorCode::ValidationFailed, "6 digits")))?;
    let body = serde_json::to_string(&VerifySignIn { challenge_id, code })
        .map_err(|e| ApiError::Unexpected(e.to_string()))?;
    let response = builder(Method::Post, "/api/customer/auth/verify")
        .header("content-type", "application/json")
        .header("x-refresh-transport", "cookie")
        .body(body)
        .map_err(|e| ApiError::Unexpected(e.to_string()))?
        .send()
        .await
        .map_err(|_| ApiError::Offline)?;
    if !response.ok() {
        return Err(problem_of(response).await);
    }
    let tokens: TokenResponse = response
        .json()
        .await
        .map_err(|e| ApiError::Unexpected(e.to_string()))?;
    set_access_token(Some(tokens.access_token));
    crate::browser::store(SESSION_HINT, "1");
    Ok(tokens.customer)
}

/// `POST /api/customer/auth/logout`; the token is forgotten whatever the answer.
pub async fn sign_out() -> Result<(), ApiError> {
    let result = fetch(Method::Post, "/api/customer/auth/logout", NO_BODY).await;
    set_access_token(None);
    crate::browser::forget(SESSION_HINT);
    result.map(|_| ())
}

/// `GET /api/customer/profile`
pub async fn profile() -> Result<ProfileResponse, ApiError> {
    fetch_json(Method::Get, "/api/customer/profile", NO_BODY).await
}

/// `PUT /api/customer/profile`
pub async fn update_profile(body: &UpdateProfile) -> Result<ProfileResponse, ApiError> {
    fetch_json(Method::Put, "/api/customer/profile", Some(body)).await
}

/// `GET /api/customer/appointments?scope=upcoming|past`
pub async fn appointments(past: bool) -> Result<AppointmentList, ApiError> {
    let scope = if past { "past" } else { "upcoming" };
    fetch_json(
        Method::Get,
        &format!("/api/customer/appointments?scope={scope}&limit=50"),
        NO_BODY,
    )
    .await
}

/// `GET /api/customer/appointments/{id}`
pub async fn appointment(id: &str) -> Result<AppointmentDetail, ApiError> {
    fetch_json(
        Method::Get,
        &format!("/api/customer/appointments/{id}"),
        NO_BODY,
    )
    .await
}

/// `POST /api/customer/appointments/{id}/cancel`
pub async fn cancel(id: &str, reason: Option<String>) -> Result<AppointmentResponse, ApiError> {
    fetch_json(
        Method::Post,
        &format!("/api/customer/appointments/{id}/cancel"),
        Some(&CancelAppointment { reason }),
    )
    .await
}

/// `GET /api/customer/appointments/{id}/slots` for `days` days from `from` (RFC 3339).
pub async fn slots(id: &str, from: Option<&str>, any_staff: bool) -> Result<SlotList, ApiError> {
    let mut path = format!("/api/customer/appointments/{id}/slots?any_staff={any_staff}");
    if let Some(from) = from {
        path.push_str("&from=");
        path.push_str(&String::from(js_sys::encode_uri_component(from)));
    }
    fetch_json(Method::Get, &path, NO_BODY).await
}

/// `POST /api/customer/appointments/{id}/reschedule`
pub async fn reschedule(
    id: &str,
    body: &RescheduleAppointment,
) -> Result<AppointmentResponse, ApiError> {
    fetch_json(
        Method::Post,
        &format!("/api/customer/appointments/{id}/reschedule"),
        Some(body),
    )
    .await
}

/// The bytes of a confirmation (`ics` or `pdf`).
pub async fn confirmation(id: &str, kind: &str) -> Result<Vec<u8>, ApiError> {
    fetch(
        Method::Get,
        &format!("/api/customer/appointments/{id}/confirmation.{kind}"),
        NO_BODY,
    )
    .await?
    .binary()
    .await
    .map_err(|e| ApiError::Unexpected(e.to_string()))
}

/// `GET /api/customer/sessions`
pub async fn sessions() -> Result<SessionList, ApiError> {
    fetch_json(Method::Get, "/api/customer/sessions", NO_BODY).await
}

/// `DELETE /api/customer/sessions/{id}`
pub async fn end_session(id: uuid::Uuid) -> Result<(), ApiError> {
    fetch(
        Method::Delete,
        &format!("/api/customer/sessions/{id}"),
        NO_BODY,
    )
    .await
    .map(|_| ())
}

/// `GET /api/customer/preferences`
pub async fn preferences() -> Result<PreferencesResponse, ApiError> {
    fetch_json(Method::Get, "/api/customer/preferences", NO_BODY).await
}

/// `PUT /api/customer/preferences` with the answers to change.
pub async fn update_preferences(items: Vec<Preference>) -> Result<PreferencesResponse, ApiError> {
    fetch_json(
        Method::Put,
        "/api/customer/preferences",
        Some(&UpdatePreferences { items }),
    )
    .await
}

/// `GET /api/customer/export` as the raw JSON document (saved as a file).
pub async fn export() -> Result<Vec<u8>, ApiError> {
    fetch(Method::Get, "/api/customer/export", NO_BODY)
        .await?
        .binary()
        .await
        .map_err(|e| ApiError::Unexpected(e.to_string()))
}

/// `DELETE /api/customer?confirm=true`: the explicit confirmation.
pub async fn erase_account() -> Result<(), ApiError> {
    let result = fetch(Method::Delete, "/api/customer?confirm=true", NO_BODY)
        .await
        .map(|_| ());
    if result.is_ok() {
        set_access_token(None);
        crate::browser::forget(SESSION_HINT);
    }
    result
}

/// `GET /api/customer/notifications?channel=…` (newest first; `None`: every channel).
pub async fn notifications(channel: Option<&str>) -> Result<NotificationList, ApiError> {
    let mut path = "/api/customer/notifications?limit=50".to_owned();
    if let Some(channel) = channel {
        path.push_str("&channel=");
        path.push_str(channel);
    }
    fetch_json(Method::Get, &path, NO_BODY).await
}

/// `GET /api/customer/notifications/unread-count`
pub async fn unread_count() -> Result<UnreadCount, ApiError> {
    fetch_json(
        Method::Get,
        "/api/customer/notifications/unread-count",
        NO_BODY,
    )
    .await
}

/// `GET /api/customer/notifications/{id}`
pub async fn notification(id: &str) -> Result<NotificationDetail, ApiError> {
    fetch_json(
        Method::Get,
        &format!("/api/customer/notifications/{id}"),
        NO_BODY,
    )
    .await
}

/// `POST /api/customer/notifications/{id}/read`
pub async fn mark_read(id: &str) -> Result<(), ApiError> {
    fetch(
        Method::Post,
        &format!("/api/customer/notifications/{id}/read"),
        NO_BODY,
    )
    .await
    .map(|_| ())
}

/// `GET /api/customer/support/messages`
pub async fn support_messages() -> Result<SupportMessageList, ApiError> {
    fetch_json(Method::Get, "/api/customer/support/messages", NO_BODY).await
}

/// `POST /api/customer/support/messages`
pub async fn send_support_message(body: String) -> Result<SupportMessage, ApiError> {
    fetch_json(
        Method::Post,
        "/api/customer/support/messages",
        Some(&NewSupportMessage { body }),
    )
    .await
}

/// `GET /api/customer/medical-history` (healthcare companies only).
pub async fn medical_history() -> Result<MedicalHistoryCurrent, ApiError> {
    fetch_json(Method::Get, "/api/customer/medical-history", NO_BODY).await
}

/// `PUT /api/customer/medical-history`: saves a new version.
pub async fn save_medical_history(
    body: &MedicalHistory,
) -> Result<MedicalHistoryVersion, ApiError> {
    fetch_json(Method::Put, "/api/customer/medical-history", Some(body)).await
}

/// `GET /api/customer/medical-history/versions`
pub async fn medical_versions() -> Result<MedicalHistoryVersionList, ApiError> {
    fetch_json(
        Method::Get,
        "/api/customer/medical-history/versions",
        NO_BODY,
    )
    .await
}

/// `GET /api/customer/medical-history/versions/{version}`
pub async fn medical_version(version: i32) -> Result<MedicalHistoryVersion, ApiError> {
    fetch_json(
        Method::Get,
        &format!("/api/customer/medical-history/versions/{version}"),
        NO_BODY,
    )
    .await
}

/// `PUT /api/customer/medical-history/consent`
pub async fn set_medical_consent(granted: bool) -> Result<MedicalConsentResponse, ApiError> {
    fetch_json(
        Method::Put,
        "/api/customer/medical-history/consent",
        Some(&SetMedicalConsent { granted }),
    )
    .await
}

/// `POST /api/customer/profile/phone`: texts a code to the new number.
pub async fn change_phone(phone: &str) -> Result<SignInChallenge, ApiError> {
    fetch_json(
        Method::Post,
        "/api/customer/profile/phone",
        Some(&ChangePhone {
            phone: phone.to_owned(),
        }),
    )
    .await
}

/// `POST /api/customer/profile/phone/verify`: switches to the new number.
pub async fn verify_phone_change(
    challenge_id: uuid::Uuid,
    code: &str,
) -> Result<ProfileResponse, ApiError> {
    let code = portal_domain::OtpCode::parse(code)
        .map_err(|_| ApiError::Problem(Problem::new(ErrorCode::ValidationFailed, "6 digits")))?;
    fetch_json(
        Method::Post,
        "/api/customer/profile/phone/verify",
        Some(&VerifyPhoneChange { challenge_id, code }),
    )
    .await
}

/// `GET /api/customer/push-subscriptions/vapid-public-key`
pub async fn vapid_public_key() -> Result<VapidPublicKey, ApiError> {
    fetch_json(
        Method::Get,
        "/api/customer/push-subscriptions/vapid-public-key",
        NO_BODY,
    )
    .await
}

/// `POST /api/customer/push-subscriptions`
pub async fn subscribe_push(body: &PushSubscriptionRequest) -> Result<(), ApiError> {
    fetch(Method::Post, "/api/customer/push-subscriptions", Some(body))
        .await
        .map(|_| ())
}

/// `DELETE /api/customer/push-subscriptions?endpoint=…`
pub async fn unsubscribe_push(endpoint: &str) -> Result<(), ApiError> {
    let endpoint = String::from(js_sys::encode_uri_component(endpoint));
    fetch(
        Method::Delete,
        &format!("/api/customer/push-subscriptions?endpoint={endpoint}"),
        NO_BODY,
    )
    .await
    .map(|_| ())
}
