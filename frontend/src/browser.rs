//! Small wrappers around browser APIs (web-sys), so pages stay declarative.

use wasm_bindgen::{JsCast, JsValue};

/// The `content` of `<meta name="{name}">`, if present and not empty.
pub fn meta(name: &str) -> Option<String> {
    let document = web_sys::window()?.document()?;
    let element = document
        .query_selector(&format!("meta[name=\"{name}\"]"))
        .ok()??;
    let content = element
        .dyn_into::<web_sys::HtmlMetaElement>()
        .ok()?
        .content();
    (!content.is_empty()).then_some(content)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// A value from localStorage (only harmless preferences live there, never a token).
pub fn load(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

/// Stores a preference in localStorage; failures (private mode) are ignored.
pub fn store(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

/// Removes a preference from localStorage.
pub fn forget(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

/// The browser's preferred languages, most preferred first.
pub fn languages() -> Vec<String> {
    web_sys::window()
        .map(|w| {
            w.navigator()
                .languages()
                .iter()
                .filter_map(|v| v.as_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Sets `<html lang>` so screen readers pronounce the texts right.
pub fn set_document_lang(tag: &str) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", tag);
    }
}

/// Sets a CSS custom property on `<html>` (CSSOM, allowed by the strict style policy).
pub fn set_css_var(name: &str, value: &str) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = root.style().set_property(name, value);
    }
}

/// Removes the element with this id, if there is one.
pub fn remove_element(id: &str) {
    if let Some(e) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    {
        e.remove();
    }
}

/// Sets the document title.
pub fn set_title(title: &str) {
    if let Some(d) = web_sys::window().and_then(|w| w.document()) {
        d.set_title(title);
    }
}

/// Offers `bytes` as a download named `file_name`.
pub fn download(bytes: &[u8], mime: &str, file_name: &str) -> Result<(), JsValue> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    web_sys::Url::revoke_object_url(&url)?;
    Ok(())
}

/// Forgets the service worker's copies of API answers (on sign-out: the next person on this
/// device must not see them offline).
pub async fn clear_api_cache() {
    let Some(caches) = web_sys::window().and_then(|w| w.caches().ok()) else {
        return;
    };
    let _ = wasm_bindgen_futures::JsFuture::from(caches.delete("portal-api")).await;
}

/// Asks the browser for the SMS code (WebOTP, Chromium on Android); resolves to the code, or
/// `None` where unsupported or dismissed.
pub async fn web_otp() -> Option<String> {
    let window = web_sys::window()?;
    let credentials = window.navigator().credentials();
    // `OTPCredential` is not in web-sys' stable set; check for it and build the options by hand.
    let supported = js_sys::Reflect::has(&window, &JsValue::from_str("OTPCredential")).ok()?;
    if !supported {
        return None;
    }
    let otp = js_sys::Object::new();
    let transport = js_sys::Array::of1(&JsValue::from_str("sms"));
    js_sys::Reflect::set(&otp, &"transport".into(), &transport).ok()?;
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"otp".into(), &otp).ok()?;
    let options: web_sys::CredentialRequestOptions = options.unchecked_into();
    let promise = credentials.get_with_options(&options).ok()?;
    let credential = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    js_sys::Reflect::get(&credential, &"code".into())
        .ok()?
        .as_string()
}
