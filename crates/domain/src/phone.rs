//! Phone numbers in E.164.

use serde::{Deserialize, Serialize};

/// A phone number in E.164 form (`+4915112345678`): `+`, a non-zero digit, 7–15 digits in all.
///
/// Serde accepts only E.164; input typed by people (national form, spaces) goes through
/// [`PhoneNumber::normalize`] (feature `normalize`), which knows each country's numbering plan.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

/// Why a phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPhone {
    /// Not a phone number at all, or not a valid one in its country's numbering plan.
    #[error("not a valid phone number")]
    Invalid,
    /// A valid number from a country the company does not serve.
    #[error("phone numbers from {0} are not accepted")]
    CountryNotAllowed(String),
}

impl PhoneNumber {
    /// Accepts a number already in E.164 form.
    pub fn from_e164(value: &str) -> Result<Self, InvalidPhone> {
        let digits = value.strip_prefix('+').ok_or(InvalidPhone::Invalid)?;
        let ok = (7..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(InvalidPhone::Invalid)
        }
    }

    /// The E.164 text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with all but the last two digits hidden, for logs and screens: `+49•••••••••01`.
    pub fn masked(&self) -> String {
        let n = self.0.len();
        let keep_head = 3.min(n);
        let keep_tail = 2.min(n.saturating_sub(keep_head));
        let hidden = n - keep_head - keep_tail;
        format!(
            "{}{}{}",
            &self.0[..keep_head],
            "•".repeat(hidden),
            &self.0[n - keep_tail..]
        )
    }

    /// Normalises what a person typed — national (`0151 123 45678`) or international
    /// (`+49 151 …`, `0049 151 …`) — to E.164, reading national numbers in `default_region` (ISO
    /// 3166 alpha-2, e.g. `DE`), and refuses numbers that are invalid in their numbering plan or
    /// whose country is not in `allowed_regions` (empty list = any country).
    #[cfg(feature = "normalize")]
    pub fn normalize(
        input: &str,
        default_region: &str,
        allowed_regions: &[String],
    ) -> Result<Self, InvalidPhone> {
        use phonenumber::{Mode, country::Id};
        if input.len() > 32 || input.chars().any(char::is_alphabetic) {
            return Err(InvalidPhone::Invalid);
        }
        let region: Option<Id> = default_region.to_ascii_uppercase().parse().ok();
        let trimmed = input.trim();
        // "00" is the international prefix in the countries we serve; libphonenumber reads it only
        // when it knows the caller's region, so make it explicit.
        let international = trimmed.strip_prefix("00").map(|rest| format!("+{rest}"));
        let parsed = phonenumber::parse(region, international.as_deref().unwrap_or(trimmed))
            .map_err(|_| InvalidPhone::Invalid)?;
        if !phonenumber::is_valid(&parsed) {
            return Err(InvalidPhone::Invalid);
        }
        let country = parsed
            .country()
            .id()
            .map(|id| id.as_ref().to_owned())
            .unwrap_or_default();
        if !allowed_regions.is_empty()
            && !allowed_regions
                .iter()
                .any(|r| r.eq_ignore_ascii_case(&country))
        {
            return Err(InvalidPhone::CountryNotAllowed(country));
        }
        Self::from_e164(&parsed.format().mode(Mode::E164).to_string())
    }
}

impl std::fmt::Debug for PhoneNumber {
    // Phone numbers are personal data: Debug output (which ends up in logs) shows the masked form.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = InvalidPhone;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::from_e164(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(value: PhoneNumber) -> Self {
        value.0
    }
}

impl std::fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The default country allow-list: the EU, the EEA and Switzerland.
pub const EU_EEA_CH: [&str; 31] = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO", "CH",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_syntax() {
        assert!(PhoneNumber::from_e164("+4915100000001").is_ok());
        for bad in [
            "4915100000001",
            "+0151",
            "+49 151",
            "+123456",
            "+1234567890123456",
            "",
        ] {
            assert!(PhoneNumber::from_e164(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn masked_and_debug_hide_digits() {
        let p = PhoneNumber::from_e164("+4915100000001").unwrap();
        assert_eq!(p.masked(), "+49•••••••••01");
        assert!(!format!("{p:?}").contains("15100000"));
    }

    #[cfg(feature = "normalize")]
    #[test]
    fn normalizes_national_and_international_forms() {
        let allow: Vec<String> = EU_EEA_CH.iter().map(|s| s.to_string()).collect();
        for input in [
            "0151 00000001",
            "+49 151 00000001",
            "0049-151-00000001",
            "(0151) 0000 0001",
        ] {
            assert_eq!(
                PhoneNumber::normalize(input, "DE", &allow).map(|p| p.0),
                Ok("+4915100000001".to_owned()),
                "{input}"
            );
        }
        assert_eq!(
            PhoneNumber::normalize("0660 1234567", "AT", &allow).map(|p| p.0),
            Ok("+436601234567".to_owned())
        );
        assert_eq!(
            PhoneNumber::normalize("12", "DE", &allow),
            Err(InvalidPhone::Invalid)
        );
        assert_eq!(
            PhoneNumber::normalize("call me", "DE", &allow),
            Err(InvalidPhone::Invalid)
        );
        assert_eq!(
            PhoneNumber::normalize("+1 202 555 0143", "DE", &allow),
            Err(InvalidPhone::CountryNotAllowed("US".into()))
        );
        assert!(PhoneNumber::normalize("+1 202 555 0143", "DE", &[]).is_ok());
    }
}
