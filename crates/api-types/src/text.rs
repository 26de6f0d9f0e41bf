//! Free text with a length limit, checked while parsing, so a handler never sees an over-long or
//! empty value.

use serde::{Deserialize, Serialize};

/// Trimmed text of 1 to `MAX` characters without control characters (line breaks and tabs are
/// allowed; `portal_domain::text`). Send `null` instead of an empty string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BoundedText<const MAX: usize>(String);

/// Why a text was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidText {
    /// Empty after trimming.
    Empty,
    /// More than the limit.
    TooLong(usize),
    /// Contains a control character.
    Control,
}

impl std::fmt::Display for InvalidText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Empty => f.write_str("must not be empty (send null to leave it out)"),
            Self::TooLong(max) => write!(f, "at most {max} characters"),
            Self::Control => f.write_str("must not contain control characters"),
        }
    }
}

impl<const MAX: usize> BoundedText<MAX> {
    /// Parses a text.
    pub fn parse(value: &str) -> Result<Self, InvalidText> {
        let value = value.trim();
        if value.is_empty() {
            return Err(InvalidText::Empty);
        }
        if value.chars().count() > MAX {
            return Err(InvalidText::TooLong(MAX));
        }
        if value.chars().any(portal_domain::text::forbidden_in_text) {
            return Err(InvalidText::Control);
        }
        Ok(Self(value.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> TryFrom<String> for BoundedText<MAX> {
    type Error = InvalidText;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl<const MAX: usize> From<BoundedText<MAX>> for String {
    fn from(value: BoundedText<MAX>) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_checked_while_parsing() {
        assert_eq!(BoundedText::<5>::parse("  abc ").unwrap().as_str(), "abc");
        assert_eq!(BoundedText::<5>::parse("äöüßé").unwrap().as_str(), "äöüßé");
        assert_eq!(
            BoundedText::<5>::parse("abcdef"),
            Err(InvalidText::TooLong(5))
        );
        assert_eq!(BoundedText::<5>::parse("   "), Err(InvalidText::Empty));
        assert_eq!(
            BoundedText::<5>::parse("a\u{0}b"),
            Err(InvalidText::Control)
        );
        assert!(BoundedText::<9>::parse("a\nb").is_ok());
        let parsed: Result<BoundedText<3>, _> = serde_json::from_str("\"abcd\"");
        assert!(parsed.unwrap_err().to_string().contains("at most 3"));
    }
}
