//! One-time sign-in codes.

use serde::{Deserialize, Serialize};

/// Number of digits in a sign-in code.
pub const OTP_DIGITS: usize = 6;

/// A 6-digit sign-in code as typed by a customer. Spaces and dashes that phones insert are ignored.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OtpCode(String);

/// Why a code was refused before comparing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a code is exactly 6 digits")]
pub struct InvalidOtp;

impl OtpCode {
    /// Parses typed input.
    pub fn parse(value: &str) -> Result<Self, InvalidOtp> {
        let digits: String = value.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.len() == OTP_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(digits))
        } else {
            Err(InvalidOtp)
        }
    }

    /// Builds a code from a uniformly drawn number below 10^6 (leading zeros kept).
    pub fn from_number(n: u32) -> Self {
        Self(format!("{:06}", n % 1_000_000))
    }

    /// The digits. Never log them.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for OtpCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OtpCode([redacted])")
    }
}

impl TryFrom<String> for OtpCode {
    type Error = InvalidOtp;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OtpCode> for String {
    fn from(value: OtpCode) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_keeps_leading_zeros() {
        assert_eq!(OtpCode::parse("012 345").map(|c| c.0), Ok("012345".into()));
        assert_eq!(OtpCode::from_number(42).expose(), "000042");
        assert!(OtpCode::parse("12345").is_err());
        assert!(OtpCode::parse("1234567").is_err());
        assert!(OtpCode::parse("12345a").is_err());
        assert_eq!(
            format!("{:?}", OtpCode::from_number(1)),
            "OtpCode([redacted])"
        );
    }
}
