//! Web Push on this device: the browser's permission and subscription (with the server's VAPID
//! key), registered with and removed from the API. Plain web-sys, no JavaScript helper.

use portal_api_types::{
    ErrorCode,
    notifications::{PushKeys, PushSubscriptionRequest},
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Notification, NotificationPermission, PushManager, PushSubscription,
    PushSubscriptionOptionsInit, ServiceWorkerRegistration,
};

use crate::api::{self, ApiError};

/// Where notifications on this device stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushState {
    /// No Push API, notifications or service worker here.
    Unsupported,
    /// The customer (or a policy) blocked notifications for the portal in the browser.
    Blocked,
    /// Allowed or not asked yet, but this device is not subscribed.
    Off,
    /// Subscribed.
    On,
}

/// Why turning notifications on or off failed.
#[derive(Debug, Clone, PartialEq)]
pub enum PushError {
    /// See [`PushState::Unsupported`].
    Unsupported,
    /// The permission prompt was answered with "block".
    Blocked,
    /// The permission prompt was dismissed.
    Dismissed,
    /// The browser could not subscribe (no push service reachable, or it refused the key); the
    /// text is for the console.
    Subscribe(String),
    /// The API refused or could not be reached.
    Api(ApiError),
}

/// Decodes base64url (padding optional); `None` for anything else.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    // Leftover bits must be zero padding (at most 4 of them).
    (bits < 6 && acc & ((1 << bits) - 1) == 0).then_some(out)
}

/// How long subscribing may take before the card says it failed.
const SUBSCRIBE_TIMEOUT_MS: i32 = 10_000;

/// `promise`, or a rejection after `ms` milliseconds.
fn within(promise: js_sys::Promise, ms: i32) -> js_sys::Promise {
    let timeout = js_sys::Promise::new(&mut |_, reject| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_1(
                &reject,
                ms,
                &JsValue::from_str("timed out"),
            );
        }
    });
    js_sys::Promise::race(&js_sys::Array::of2(&promise, &timeout))
}

fn has(target: &JsValue, name: &str) -> bool {
    js_sys::Reflect::has(target, &JsValue::from_str(name)).unwrap_or(false)
}

fn supported() -> bool {
    web_sys::window().is_some_and(|w| {
        has(&w, "PushManager") && has(&w, "Notification") && has(&w.navigator(), "serviceWorker")
    })
}

fn describe(err: &JsValue) -> String {
    err.as_string()
        .or_else(|| {
            js_sys::Reflect::get(err, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| format!("{err:?}"))
}

async fn push_manager() -> Result<PushManager, PushError> {
    let window = web_sys::window().ok_or(PushError::Unsupported)?;
    let ready = window
        .navigator()
        .service_worker()
        .ready()
        .map_err(|_| PushError::Unsupported)?;
    let registration: ServiceWorkerRegistration = JsFuture::from(ready)
        .await
        .map_err(|_| PushError::Unsupported)?
        .unchecked_into();
    registration
        .push_manager()
        .map_err(|_| PushError::Unsupported)
}

async fn subscription(manager: &PushManager) -> Result<Option<PushSubscription>, PushError> {
    let promise = manager
        .get_subscription()
        .map_err(|e| PushError::Subscribe(describe(&e)))?;
    let value = JsFuture::from(promise)
        .await
        .map_err(|e| PushError::Subscribe(describe(&e)))?;
    Ok((!value.is_null() && !value.is_undefined()).then(|| value.unchecked_into()))
}

/// Endpoint and keys as `PushSubscription.toJSON()` gives them (read with Reflect rather than
/// parsed by serde_json: its number parsing would add to the bundle).
fn request_of(subscription: &PushSubscription) -> Option<PushSubscriptionRequest> {
    let json =
        js_sys::JSON::parse(&js_sys::JSON::stringify(subscription).ok()?.as_string()?).ok()?;
    let get =
        |target: &JsValue, name: &str| js_sys::Reflect::get(target, &JsValue::from_str(name)).ok();
    let keys = get(&json, "keys")?;
    Some(PushSubscriptionRequest {
        endpoint: subscription.endpoint(),
        keys: PushKeys {
            p256dh: get(&keys, "p256dh")?.as_string()?,
            auth: get(&keys, "auth")?.as_string()?,
        },
        expiration_time: None,
    })
}

/// The current state, asking the browser only (no API call).
pub async fn state() -> PushState {
    if !supported() {
        return PushState::Unsupported;
    }
    match Notification::permission() {
        NotificationPermission::Denied => return PushState::Blocked,
        NotificationPermission::Granted => {}
        _ => return PushState::Off,
    }
    match push_manager().await {
        Ok(manager) => match subscription(&manager).await {
            Ok(Some(_)) => PushState::On,
            Ok(None) | Err(_) => PushState::Off,
        },
        Err(_) => PushState::Unsupported,
    }
}

/// Asks for permission, subscribes with the server's key and registers the subscription.
pub async fn enable() -> Result<(), PushError> {
    if !supported() {
        return Err(PushError::Unsupported);
    }
    let asked = Notification::request_permission().map_err(|_| PushError::Unsupported)?;
    let answer = JsFuture::from(asked)
        .await
        .map_err(|e| PushError::Subscribe(describe(&e)))?;
    match answer.as_string().as_deref() {
        Some("granted") => {}
        Some("denied") => return Err(PushError::Blocked),
        _ => return Err(PushError::Dismissed),
    }
    let key = api::vapid_public_key().await.map_err(PushError::Api)?;
    let manager = push_manager().await?;
    let options = PushSubscriptionOptionsInit::new();
    options.set_user_visible_only(true);
    // As bytes: not every browser takes the base64url text the spec allows.
    let mut key = base64url_decode(&key.public_key)
        .ok_or_else(|| PushError::Subscribe("unreadable server key".into()))?;
    options.set_application_server_key_opt_u8_slice(Some(&mut key));
    let promise = manager
        .subscribe_with_options(&options)
        .map_err(|e| PushError::Subscribe(describe(&e)))?;
    // A browser without a reachable push service may never answer (headless Chromium does not).
    let subscription: PushSubscription = JsFuture::from(within(promise, SUBSCRIBE_TIMEOUT_MS))
        .await
        .map_err(|e| PushError::Subscribe(describe(&e)))?
        .unchecked_into();
    let body = request_of(&subscription);
    let result = match body {
        Some(body) => api::subscribe_push(&body).await.map_err(PushError::Api),
        None => Err(PushError::Subscribe("unreadable subscription".into())),
    };
    if result.is_err() {
        // Not registered with the server: do not leave a subscription nobody sends to.
        if let Ok(p) = subscription.unsubscribe() {
            let _ = JsFuture::from(p).await;
        }
    }
    result
}

/// Unsubscribes this device and removes the subscription from the API.
pub async fn disable() -> Result<(), PushError> {
    let manager = push_manager().await?;
    let Some(subscription) = subscription(&manager).await? else {
        return Ok(());
    };
    let endpoint = subscription.endpoint();
    let promise = subscription
        .unsubscribe()
        .map_err(|e| PushError::Subscribe(describe(&e)))?;
    JsFuture::from(promise)
        .await
        .map_err(|e| PushError::Subscribe(describe(&e)))?;
    match api::unsubscribe_push(&endpoint).await {
        // Already gone on the server: that is what we wanted.
        Err(e) if e.code() == Some(ErrorCode::NotFound) => Ok(()),
        other => other.map_err(PushError::Api),
    }
}

#[cfg(test)]
mod tests {
    use super::base64url_decode;

    #[test]
    fn base64url_decodes_keys_with_and_without_padding() {
        assert_eq!(base64url_decode("").as_deref(), Some(&[][..]));
        assert_eq!(base64url_decode("AQID").as_deref(), Some(&[1, 2, 3][..]));
        assert_eq!(base64url_decode("_-8").as_deref(), Some(&[0xff, 0xef][..]));
        assert_eq!(base64url_decode("_-8=").as_deref(), Some(&[0xff, 0xef][..]));
        let key = "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U";
        let bytes = base64url_decode(key).unwrap_or_default();
        assert_eq!(bytes.len(), 65);
        assert_eq!(bytes[0], 4, "uncompressed P-256 point");
        assert_eq!(base64url_decode("a+b/"), None, "standard alphabet refused");
        assert_eq!(base64url_decode("AQ!D"), None);
    }
}
