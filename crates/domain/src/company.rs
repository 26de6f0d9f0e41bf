//! Companies (tenants).

use serde::{Deserialize, Serialize};

/// The URL-safe handle of a company, e.g. `praxis-weber`: 2–63 characters of `a-z`, `0-9` and inner
/// hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CompanySlug(String);

/// Why a company slug was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a company slug is 2-63 characters of a-z, 0-9 and inner hyphens")]
pub struct InvalidSlug;

impl CompanySlug {
    /// Parses a slug.
    pub fn parse(value: &str) -> Result<Self, InvalidSlug> {
        let ok = (2..=63).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !value.starts_with('-')
            && !value.ends_with('-');
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(InvalidSlug)
        }
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CompanySlug {
    type Error = InvalidSlug;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CompanySlug> for String {
    fn from(value: CompanySlug) -> Self {
        value.0
    }
}

impl std::fmt::Display for CompanySlug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a company does; healthcare companies get medical history and stricter session limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Industry {
    /// Anything not listed.
    Generic,
    /// Practices and clinics: health data, shorter sessions.
    Healthcare,
    /// Salons, spas.
    Beauty,
}

impl Industry {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Generic => "generic",
            Self::Healthcare => "healthcare",
            Self::Beauty => "beauty",
        }
    }

    /// Parses the stored name; unknown names are generic.
    pub fn from_stored(value: &str) -> Self {
        match value {
            "healthcare" => Self::Healthcare,
            "beauty" => Self::Beauty,
            _ => Self::Generic,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_rules() {
        assert!(CompanySlug::parse("praxis-weber").is_ok());
        assert!(CompanySlug::parse("a").is_err());
        assert!(CompanySlug::parse("-abc").is_err());
        assert!(CompanySlug::parse("abc-").is_err());
        assert!(CompanySlug::parse("Praxis").is_err());
        assert!(CompanySlug::parse("a_b").is_err());
        assert!(serde_json::from_str::<CompanySlug>("\"UPPER\"").is_err());
    }
}
