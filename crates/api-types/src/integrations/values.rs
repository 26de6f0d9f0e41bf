//! Checked values of the integrator API. Each parses from JSON or not at all, so the JSON error
//! names the field. (They live here rather than in the domain crate because only this API reads them
//! from outside; the domain keeps plain chrono types.)

use chrono::{NaiveTime, Weekday};
use serde::{Deserialize, Deserializer, Serialize};

/// Why a value was refused; the message is shown to the client next to the field name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidValue(pub String);

impl std::fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn invalid(message: impl Into<String>) -> InvalidValue {
    InvalidValue(message.into())
}

fn checked_text(value: &str, max: usize, allow_newlines: bool) -> Result<String, InvalidValue> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(invalid("must not be empty"));
    }
    if trimmed.chars().count() > max {
        return Err(invalid(format!("must be at most {max} characters")));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && !(allow_newlines && (c == '\n' || c == '\r')))
    {
        return Err(invalid("must not contain control characters"));
    }
    Ok(trimmed.to_owned())
}

/// A name or short text (branch, staff, service names; address lines; reasons): trimmed, 1–200
/// characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ShortText(String);

impl ShortText {
    /// Maximum length in characters.
    pub const MAX_CHARS: usize = 200;

    /// Parses a text.
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        checked_text(value, Self::MAX_CHARS, false).map(Self)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ShortText {
    type Error = InvalidValue;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ShortText> for String {
    fn from(value: ShortText) -> Self {
        value.0
    }
}

/// A longer description: trimmed, 1–2000 characters; line breaks allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LongText(String);

impl LongText {
    /// Maximum length in characters.
    pub const MAX_CHARS: usize = 2000;

    /// Parses a text.
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        checked_text(value, Self::MAX_CHARS, true).map(Self)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LongText {
    type Error = InvalidValue;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<LongText> for String {
    fn from(value: LongText) -> Self {
        value.0
    }
}

fn letters_upper(value: &str, n: usize, what: &str) -> Result<String, InvalidValue> {
    if value.len() == n && value.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(value.to_ascii_uppercase())
    } else {
        Err(invalid(format!("must be {n} letters ({what})")))
    }
}

/// An ISO 3166-1 alpha-2 country code such as `DE`; stored upper case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode(String);

impl CountryCode {
    /// Parses a code (any case).
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        letters_upper(value, 2, "ISO 3166-1 alpha-2").map(Self)
    }

    /// The upper-case code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CountryCode {
    type Error = InvalidValue;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CountryCode> for String {
    fn from(value: CountryCode) -> Self {
        value.0
    }
}

/// An ISO 4217 currency code such as `EUR`; stored upper case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CurrencyCode(String);

impl CurrencyCode {
    /// Parses a code (any case).
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        letters_upper(value, 3, "ISO 4217").map(Self)
    }

    /// The upper-case code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CurrencyCode {
    type Error = InvalidValue;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CurrencyCode> for String {
    fn from(value: CurrencyCode) -> Self {
        value.0
    }
}

/// A wall-clock time `HH:MM` (00:00–23:59) in a branch's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct WallClock(NaiveTime);

impl WallClock {
    /// Parses `HH:MM` with two digits each.
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        let shaped = value.len() == 5
            && value.as_bytes().get(2) == Some(&b':')
            && value
                .bytes()
                .enumerate()
                .all(|(i, b)| i == 2 || b.is_ascii_digit());
        shaped
            .then(|| NaiveTime::parse_from_str(value, "%H:%M").ok())
            .flatten()
            .map(Self)
            .ok_or_else(|| invalid("must be a time HH:MM between 00:00 and 23:59"))
    }

    /// The time.
    pub fn time(self) -> NaiveTime {
        self.0
    }
}

impl From<NaiveTime> for WallClock {
    fn from(value: NaiveTime) -> Self {
        Self(value)
    }
}

impl TryFrom<String> for WallClock {
    type Error = InvalidValue;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<WallClock> for String {
    fn from(value: WallClock) -> Self {
        value.0.format("%H:%M").to_string()
    }
}

/// An ISO weekday number: 1 = Monday … 7 = Sunday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u8")]
pub struct IsoWeekday(u8);

impl IsoWeekday {
    /// The chrono weekday.
    pub fn weekday(self) -> Weekday {
        // 0 = Monday for chrono; the constructor guarantees 1..=7.
        Weekday::try_from(self.0.saturating_sub(1)).unwrap_or(Weekday::Mon)
    }
}

impl From<Weekday> for IsoWeekday {
    fn from(value: Weekday) -> Self {
        Self(u8::try_from(value.number_from_monday()).unwrap_or(1))
    }
}

impl TryFrom<i64> for IsoWeekday {
    type Error = InvalidValue;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        u8::try_from(value)
            .ok()
            .filter(|d| (1..=7).contains(d))
            .map(Self)
            .ok_or_else(|| invalid("must be 1 (Monday) to 7 (Sunday)"))
    }
}

impl From<IsoWeekday> for u8 {
    fn from(value: IsoWeekday) -> Self {
        value.0
    }
}

/// A number of minutes between `MIN` and `MAX` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u32")]
pub struct Minutes<const MIN: u32, const MAX: u32>(u32);

impl<const MIN: u32, const MAX: u32> Minutes<MIN, MAX> {
    /// The number of minutes.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl<const MIN: u32, const MAX: u32> TryFrom<i64> for Minutes<MIN, MAX> {
    type Error = InvalidValue;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        u32::try_from(value)
            .ok()
            .filter(|m| (MIN..=MAX).contains(m))
            .map(Self)
            .ok_or_else(|| invalid(format!("must be between {MIN} and {MAX} minutes")))
    }
}

impl<const MIN: u32, const MAX: u32> From<Minutes<MIN, MAX>> for u32 {
    fn from(value: Minutes<MIN, MAX>) -> Self {
        value.0
    }
}

/// Length of a service: 5–720 minutes.
pub type DurationMinutes = Minutes<5, 720>;
/// Set-up or clean-up time around an appointment: 0–240 minutes.
pub type BufferMinutes = Minutes<0, 240>;
/// A cancellation or reschedule notice: 0–43200 minutes (30 days).
pub type NoticeMinutes = Minutes<0, 43200>;

/// For `PATCH` bodies: a present field (even `null`) becomes `Some`, an absent one stays `None`
/// (with `#[serde(default)]`), so `null` can clear a value while absence keeps it.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(ShortText::parse("  Mitte ").unwrap().as_str(), "Mitte");
        assert!(ShortText::parse(" ").is_err());
        assert!(ShortText::parse(&"x".repeat(201)).is_err());
        assert!(ShortText::parse(&"ü".repeat(200)).is_ok());
        assert!(ShortText::parse("a\nb").is_err());
        assert!(LongText::parse("a\nb").is_ok());
    }

    #[test]
    fn codes_times_and_numbers() {
        assert_eq!(CountryCode::parse("de").unwrap().as_str(), "DE");
        assert!(CountryCode::parse("DEU").is_err());
        assert_eq!(CurrencyCode::parse("eur").unwrap().as_str(), "EUR");
        assert!(CurrencyCode::parse("E1R").is_err());
        assert_eq!(String::from(WallClock::parse("09:30").unwrap()), "09:30");
        for bad in ["9:30", "24:00", "09:60", "0930", "09:3a", "+9:30"] {
            assert!(WallClock::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(IsoWeekday::try_from(7).unwrap().weekday(), Weekday::Sun);
        assert!(IsoWeekday::try_from(0).is_err());
        assert!(DurationMinutes::try_from(4).is_err());
        assert_eq!(DurationMinutes::try_from(720).unwrap().get(), 720);
        assert!(BufferMinutes::try_from(-1).is_err());
        assert!(serde_json::from_str::<DurationMinutes>("721").is_err());
        assert!(serde_json::from_str::<IsoWeekday>("3").is_ok());
    }

    #[test]
    fn nullable_tells_null_from_absent() {
        #[derive(Deserialize)]
        struct Patch {
            #[serde(default, deserialize_with = "nullable")]
            city: Option<Option<String>>,
        }
        let absent: Patch = serde_json::from_str("{}").unwrap();
        assert_eq!(absent.city, None);
        let null: Patch = serde_json::from_str(r#"{"city": null}"#).unwrap();
        assert_eq!(null.city, Some(None));
    }
}
