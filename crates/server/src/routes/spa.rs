//! The PWA: files from `server.static_dir` (written by `just frontend`) at `/`, with an SPA
//! fallback to `index.html` for client-side routes such as `/c/praxis-weber/appointments/…`.
//!
//! Hashed files (`app-3f9c…e1.wasm`) never change, so browsers keep them for a year; `index.html`,
//! `sw.js` and the manifest must be revalidated so a new release reaches everyone. The build writes
//! a `.gz` twin of each compressible file; it is sent to clients that accept gzip.

use actix_web::{
    HttpRequest, HttpResponse,
    http::{Method, header},
    web,
};
use std::path::{Component, Path, PathBuf};

use crate::{error::ApiError, state::AppState};

/// Handles every request no other route took: a file of the PWA, the SPA fallback, or 404.
pub async fn serve(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    let is_api = ["/api/", "/api", "/health/", "/metrics"]
        .iter()
        .any(|p| path == *p || (p.ends_with('/') && path.starts_with(p)));
    if is_api {
        // A documented path asked with a method it does not answer.
        let allowed = req
            .app_data::<web::Data<crate::openapi::Methods>>()
            .and_then(|methods| methods.allowed(path));
        return Err(allowed.map_or_else(ApiError::not_found, ApiError::method_not_allowed));
    }
    if !(req.method() == Method::GET || req.method() == Method::HEAD) {
        return Err(ApiError::not_found());
    }
    let root = &state.settings.server.static_dir;
    let Some(relative) = safe_relative(path) else {
        return Err(ApiError::not_found());
    };
    let accepts_gzip = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));

    let candidate = root.join(&relative);
    if !relative.as_os_str().is_empty() && candidate.is_file() {
        return Ok(file_response(&candidate, accepts_gzip).await);
    }
    // A missing file with an extension is a broken link, not a page of the app.
    if relative.extension().is_some() {
        return Err(ApiError::not_found());
    }
    let index = root.join("index.html");
    if index.is_file() {
        Ok(file_response(&index, accepts_gzip).await)
    } else {
        Ok(HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body("The PWA is not built yet: run `just frontend` (or `just run`)."))
    }
}

/// The request path as a relative path inside the static folder, or `None` if it tries to leave it.
fn safe_relative(path: &str) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in Path::new(path.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

async fn file_response(path: &Path, accepts_gzip: bool) -> HttpResponse {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let gz = path.with_file_name(format!("{name}.gz"));
    let (body, gzipped) = if accepts_gzip && gz.is_file() {
        (tokio::fs::read(&gz).await, true)
    } else {
        (tokio::fs::read(path).await, false)
    };
    let body = match body {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, file = %path.display(), "reading a PWA file");
            return HttpResponse::InternalServerError().finish();
        }
    };
    let mut response = HttpResponse::Ok();
    response
        .content_type(content_type(name))
        .insert_header((header::CACHE_CONTROL, cache_control(name)))
        .insert_header((header::VARY, "Accept-Encoding"));
    if gzipped {
        response.insert_header((header::CONTENT_ENCODING, "gzip"));
    }
    if name == "sw.js" {
        // Lets the worker control the whole origin even though it is served from the root.
        response.insert_header(("Service-Worker-Allowed", "/"));
    }
    response.body(body)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("webmanifest") => "application/manifest+json",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `name-0123456789abcdef.ext` (16 hex digits before the extension) is content-addressed.
fn is_hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default();
    stem.rsplit_once('-')
        .is_some_and(|(_, hash)| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn cache_control(name: &str) -> &'static str {
    if is_hashed(name) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_leave_the_folder() {
        assert_eq!(safe_relative("/a/b.js"), Some(PathBuf::from("a/b.js")));
        assert_eq!(safe_relative("/"), Some(PathBuf::new()));
        assert_eq!(safe_relative("/../etc/passwd"), None);
        assert_eq!(safe_relative("/a/../../x"), None);
    }

    #[test]
    fn only_hashed_names_are_immutable() {
        assert_eq!(
            cache_control("portal-0123456789abcdef.wasm"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            cache_control("portal_bg-0123456789abcdef.js"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_control("index.html"), "no-cache");
        assert_eq!(cache_control("sw.js"), "no-cache");
        assert_eq!(cache_control("manifest.webmanifest"), "no-cache");
        assert_eq!(cache_control("icon-192.png"), "no-cache");
    }
}
