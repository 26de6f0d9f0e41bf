//! Personal details customers type.

use serde::{Deserialize, Serialize};

/// A person's display name: trimmed, 1–100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidName {
    /// Nothing but white space.
    #[error("the name must not be empty")]
    Empty,
    /// More than 100 characters.
    #[error("the name must be at most 100 characters")]
    TooLong,
    /// Control characters (line breaks, tabs, …), bidirectional overrides or invisible
    /// characters.
    #[error("the name must not contain control, direction-changing or invisible characters")]
    ControlCharacters,
}

impl PersonName {
    /// Maximum length in characters.
    pub const MAX_CHARS: usize = 100;

    /// Parses a name.
    pub fn parse(value: &str) -> Result<Self, InvalidName> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            Err(InvalidName::Empty)
        } else if trimmed.chars().count() > Self::MAX_CHARS {
            Err(InvalidName::TooLong)
        } else if trimmed.chars().any(crate::text::forbidden_in_name) {
            Err(InvalidName::ControlCharacters)
        } else {
            Ok(Self(trimmed.to_owned()))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PersonName {
    type Error = InvalidName;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PersonName> for String {
    fn from(value: PersonName) -> Self {
        value.0
    }
}

/// An email address: one `@`, a non-empty local part, a domain with a dot, at most 254 characters,
/// no white space. The domain is lower-cased; the local part is kept as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

/// Why an email address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid email address")]
pub struct InvalidEmail;

impl EmailAddress {
    /// Parses an address.
    pub fn parse(value: &str) -> Result<Self, InvalidEmail> {
        let value = value.trim();
        let (local, domain) = value.rsplit_once('@').ok_or(InvalidEmail)?;
        let ok = value.len() <= 254
            && !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
            && !value.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
        } else {
            Err(InvalidEmail)
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = InvalidEmail;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            PersonName::parse("  Anna Schmidt ").map(|n| n.0),
            Ok("Anna Schmidt".into())
        );
        assert_eq!(PersonName::parse("   "), Err(InvalidName::Empty));
        assert_eq!(
            PersonName::parse(&"x".repeat(101)),
            Err(InvalidName::TooLong)
        );
        assert_eq!(
            PersonName::parse("a\nb"),
            Err(InvalidName::ControlCharacters)
        );
        assert!(PersonName::parse(&"ü".repeat(100)).is_ok());
        assert_eq!(
            PersonName::parse("Anna\u{202E}tdimhcS"),
            Err(InvalidName::ControlCharacters)
        );
        assert_eq!(
            PersonName::parse("An\u{200B}na"),
            Err(InvalidName::ControlCharacters)
        );
    }

    #[test]
    fn emails() {
        assert_eq!(
            EmailAddress::parse("Anna@Example.DE").map(|e| e.0),
            Ok("Anna@example.de".into())
        );
        for bad in [
            "",
            "anna",
            "anna@",
            "@x.de",
            "anna@x",
            "an na@x.de",
            "a@x..de",
            "a@.x.de",
            "a@b@c.de",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }
}
