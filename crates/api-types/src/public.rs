//! What anyone may read without signing in: the tenant's branding for the portal's start screen.

use serde::{Deserialize, Serialize};

/// A company's public face: the PWA shows it on `/c/{slug}` before sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicCompany {
    /// Slug, as in `/c/{slug}`.
    #[cfg_attr(feature = "openapi", schema(example = "praxis-weber"))]
    pub slug: String,
    /// Display name.
    #[cfg_attr(feature = "openapi", schema(example = "Praxis Dr. Weber"))]
    pub name: String,
    /// `generic`, `healthcare`, `beauty`, …; healthcare companies offer the medical history.
    #[cfg_attr(feature = "openapi", schema(example = "healthcare"))]
    pub industry: String,
    /// Default language of its customers (`de` or `en`); the PWA uses it until the browser's
    /// language or the customer's choice says otherwise.
    pub locale: portal_domain::Locale,
    /// Brand colour as `#rrggbb`, if the company set one.
    #[cfg_attr(feature = "openapi", schema(example = "#0f5c7a"))]
    pub brand_color: Option<String>,
    /// Phone number customers call.
    #[cfg_attr(feature = "openapi", schema(example = "+493012345670"))]
    pub support_phone: Option<String>,
}
