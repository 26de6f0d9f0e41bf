//! Branches, staff, services, working hours and time off.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::values::{
    BufferMinutes, CountryCode, CurrencyCode, DurationMinutes, IsoWeekday, LongText, NoticeMinutes,
    ShortText, WallClock, nullable,
};

/// Creates a branch.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateBranch {
    /// Display name, 1–200 characters.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "Praxis Mitte", min_length = 1, max_length = 200))]
    pub name: ShortText,
    /// Street and number.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "Torstraße 1", max_length = 200))]
    #[serde(default)]
    pub street: Option<ShortText>,
    /// Postal code.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "10119", max_length = 200))]
    #[serde(default)]
    pub postal_code: Option<ShortText>,
    /// City.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "Berlin", max_length = 200))]
    #[serde(default)]
    pub city: Option<ShortText>,
    /// ISO 3166-1 alpha-2 country.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "DE", pattern = "^[A-Za-z]{2}$"))]
    pub country: CountryCode,
    /// Phone customers call, national (read in the company's country) or international.
    #[cfg_attr(feature = "openapi", schema(example = "030 1234567", max_length = 32))]
    #[serde(default)]
    pub phone: Option<String>,
    /// IANA time zone; every local time of the branch (working hours, messages) is in it.
    #[cfg_attr(feature = "openapi", schema(example = "Europe/Berlin"))]
    pub timezone: String,
}

/// Changes a branch: only the fields present; `null` clears an optional field.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateBranch {
    /// New display name.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "Praxis Mitte", min_length = 1, max_length = 200))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<ShortText>,
    /// New street, or `null`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 200))]
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub street: Option<Option<ShortText>>,
    /// New postal code, or `null`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 200))]
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub postal_code: Option<Option<ShortText>>,
    /// New city, or `null`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 200))]
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub city: Option<Option<ShortText>>,
    /// New country.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "AT"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryCode>,
    /// New phone, or `null`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 32))]
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone: Option<Option<String>>,
    /// New IANA time zone.
    #[cfg_attr(feature = "openapi", schema(example = "Europe/Vienna"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// `false` deactivates the branch (nothing new is booked there); `true` reactivates it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// A branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BranchResponse {
    /// Branch id.
    pub id: Uuid,
    /// Display name.
    #[cfg_attr(feature = "openapi", schema(example = "Praxis Mitte"))]
    pub name: String,
    /// Street and number.
    pub street: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// City.
    pub city: Option<String>,
    /// ISO 3166-1 alpha-2 country.
    #[cfg_attr(feature = "openapi", schema(example = "DE"))]
    pub country: String,
    /// Phone in E.164.
    #[cfg_attr(feature = "openapi", schema(example = "+49301234567"))]
    pub phone: Option<String>,
    /// IANA time zone.
    #[cfg_attr(feature = "openapi", schema(example = "Europe/Berlin"))]
    pub timezone: String,
    /// Whether new appointments may be booked here.
    pub active: bool,
    /// Creation.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A page of branches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BranchPage {
    /// Branches in creation order.
    pub items: Vec<BranchResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Creates a staff member.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateStaff {
    /// Name shown to customers, 1–200 characters.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "Dr. Lena Weber", min_length = 1, max_length = 200))]
    pub display_name: ShortText,
    /// Home branch. Required for a branch-bound key, which may only name its own branch.
    #[serde(default)]
    pub branch_id: Option<Uuid>,
    /// Bookable from the start (default `true`).
    #[serde(default)]
    pub active: Option<bool>,
}

/// Changes a staff member: only the fields present.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateStaff {
    /// New name.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "Dr. Lena Weber", min_length = 1, max_length = 200))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<ShortText>,
    /// New home branch, or `null` for none (company-wide keys only).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>))]
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub branch_id: Option<Option<Uuid>>,
    /// `false` deactivates (not bookable), `true` reactivates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// A staff member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffResponse {
    /// Staff id.
    pub id: Uuid,
    /// Name shown to customers.
    #[cfg_attr(feature = "openapi", schema(example = "Dr. Lena Weber"))]
    pub display_name: String,
    /// Home branch.
    pub branch_id: Option<Uuid>,
    /// Whether the person can be booked.
    pub active: bool,
    /// Creation.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A page of staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffPage {
    /// Staff in creation order.
    pub items: Vec<StaffResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Replaces the services a staff member performs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetStaffServices {
    /// Every service the person performs from now on (empty: none). At most 500.
    pub service_ids: Vec<Uuid>,
}

/// The services a staff member performs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffServicesResponse {
    /// Service ids, sorted.
    pub service_ids: Vec<Uuid>,
}

/// Replaces a staff member's weekly schedule. With a branch-bound key only the shifts at that
/// branch are replaced; shifts at other branches stay as they are.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetWorkingHours {
    /// Every weekly shift (empty: none). Several per weekday make split shifts. At most 200.
    pub hours: Vec<WorkingHoursEntry>,
}

/// One weekly shift, in the branch's wall-clock time.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WorkingHoursEntry {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    #[cfg_attr(feature = "openapi", schema(value_type = u8, minimum = 1, maximum = 7, example = 1))]
    pub weekday: IsoWeekday,
    /// Start, `HH:MM`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "08:00", pattern = "^[0-2][0-9]:[0-5][0-9]$"))]
    pub start: WallClock,
    /// End, `HH:MM`, after the start; `00:00` means midnight at the end of the day.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "12:30", pattern = "^[0-2][0-9]:[0-5][0-9]$"))]
    pub end: WallClock,
    /// The branch where the shift takes place.
    pub branch_id: Uuid,
    /// First day the shift applies (inclusive); absent: always.
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    /// Last day the shift applies (inclusive); absent: open-ended.
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
}

/// One weekly shift as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShiftResponse {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    #[cfg_attr(feature = "openapi", schema(example = 1))]
    pub weekday: u8,
    /// Start, `HH:MM`.
    #[cfg_attr(feature = "openapi", schema(example = "08:00"))]
    pub start: String,
    /// End, `HH:MM` (`00:00`: midnight).
    #[cfg_attr(feature = "openapi", schema(example = "12:30"))]
    pub end: String,
    /// Branch.
    pub branch_id: Uuid,
    /// First day (inclusive).
    pub valid_from: Option<NaiveDate>,
    /// Last day (inclusive).
    pub valid_until: Option<NaiveDate>,
}

/// A staff member's weekly schedule, by weekday and start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkingHoursResponse {
    /// The shifts.
    pub hours: Vec<ShiftResponse>,
}

/// Records time off (holiday, sickness, training) in which the person cannot be booked.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTimeOff {
    /// Start, RFC 3339 with offset.
    #[cfg_attr(feature = "openapi", schema(example = "2026-12-24T00:00:00+01:00"))]
    pub starts_at: DateTime<Utc>,
    /// End (exclusive), after the start, at most 366 days later.
    #[cfg_attr(feature = "openapi", schema(example = "2027-01-02T00:00:00+01:00"))]
    pub ends_at: DateTime<Utc>,
    /// Why, for the business only (never shown to customers).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "Holiday", max_length = 200))]
    #[serde(default)]
    pub reason: Option<ShortText>,
}

/// A span of time off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeOffResponse {
    /// Time-off id.
    pub id: Uuid,
    /// Whose.
    pub staff_id: Uuid,
    /// Start (UTC).
    pub starts_at: DateTime<Utc>,
    /// End, exclusive (UTC).
    pub ends_at: DateTime<Utc>,
    /// Why.
    #[cfg_attr(feature = "openapi", schema(example = "Holiday"))]
    pub reason: Option<String>,
}

/// A page of time off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeOffPage {
    /// Time off in creation order.
    pub items: Vec<TimeOffResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Creates a service.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateService {
    /// Display name, 1–200 characters.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "Erstuntersuchung", min_length = 1, max_length = 200))]
    pub name: ShortText,
    /// Longer text for customers, up to 2000 characters.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 2000))]
    #[serde(default)]
    pub description: Option<LongText>,
    /// Length, 5–720 minutes.
    #[cfg_attr(feature = "openapi", schema(value_type = u32, minimum = 5, maximum = 720, example = 30))]
    pub duration_minutes: DurationMinutes,
    /// Set-up time blocked before, 0–240 minutes (default 0).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>, minimum = 0, maximum = 240, example = 5))]
    #[serde(default)]
    pub buffer_before_minutes: Option<BufferMinutes>,
    /// Clean-up time blocked after, 0–240 minutes (default 0).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>, minimum = 0, maximum = 240, example = 10))]
    #[serde(default)]
    pub buffer_after_minutes: Option<BufferMinutes>,
    /// Price in cents of `currency`; absent when not published. Needs `currency`.
    #[cfg_attr(feature = "openapi", schema(example = 4500))]
    #[serde(default)]
    pub price_cents: Option<u32>,
    /// ISO 4217 currency.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "EUR", pattern = "^[A-Za-z]{3}$"))]
    #[serde(default)]
    pub currency: Option<CurrencyCode>,
    /// Minimum notice to cancel online, overriding the company's rule (0–43200 minutes).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>, minimum = 0, maximum = 43200, example = 2880))]
    #[serde(default)]
    pub cancel_notice_minutes: Option<NoticeMinutes>,
    /// Minimum notice to reschedule online, overriding the company's rule (0–43200 minutes).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>, minimum = 0, maximum = 43200, example = 1440))]
    #[serde(default)]
    pub reschedule_notice_minutes: Option<NoticeMinutes>,
    /// Bookable from the start (default `true`).
    #[serde(default)]
    pub active: Option<bool>,
}

/// Changes a service: only the fields present; `null` clears an optional field (a cleared notice
/// override falls back to the company's rule).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateService {
    /// New name.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, min_length = 1, max_length = 200))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<ShortText>,
    /// New description, or `null`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 2000))]
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<Option<LongText>>,
    /// New length, 5–720 minutes.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>, minimum = 5, maximum = 720, example = 45))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_minutes: Option<DurationMinutes>,
    /// New set-up time, 0–240 minutes.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>, minimum = 0, maximum = 240))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buffer_before_minutes: Option<BufferMinutes>,
    /// New clean-up time, 0–240 minutes.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>, minimum = 0, maximum = 240))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buffer_after_minutes: Option<BufferMinutes>,
    /// New price in cents, or `null` to unpublish it.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>))]
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub price_cents: Option<Option<u32>>,
    /// New currency, or `null`.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, pattern = "^[A-Za-z]{3}$"))]
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub currency: Option<Option<CurrencyCode>>,
    /// New cancellation notice override, or `null` for the company's rule.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>, minimum = 0, maximum = 43200))]
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub cancel_notice_minutes: Option<Option<NoticeMinutes>>,
    /// New reschedule notice override, or `null` for the company's rule.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<u32>, minimum = 0, maximum = 43200))]
    #[serde(
        default,
        deserialize_with = "nullable",
        skip_serializing_if = "Option::is_none"
    )]
    pub reschedule_notice_minutes: Option<Option<NoticeMinutes>>,
    /// `false` deactivates (not bookable), `true` reactivates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// A service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceResponse {
    /// Service id.
    pub id: Uuid,
    /// Display name.
    #[cfg_attr(feature = "openapi", schema(example = "Erstuntersuchung"))]
    pub name: String,
    /// Longer text.
    pub description: Option<String>,
    /// Length in minutes.
    #[cfg_attr(feature = "openapi", schema(example = 30))]
    pub duration_minutes: u32,
    /// Set-up time in minutes.
    pub buffer_before_minutes: u32,
    /// Clean-up time in minutes.
    pub buffer_after_minutes: u32,
    /// Price in cents.
    #[cfg_attr(feature = "openapi", schema(example = 4500))]
    pub price_cents: Option<u32>,
    /// ISO 4217 currency.
    #[cfg_attr(feature = "openapi", schema(example = "EUR"))]
    pub currency: Option<String>,
    /// Cancellation notice override; `null`: the company's rule.
    pub cancel_notice_minutes: Option<u32>,
    /// Reschedule notice override; `null`: the company's rule.
    pub reschedule_notice_minutes: Option<u32>,
    /// Whether it can be booked.
    pub active: bool,
    /// Creation.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A page of services.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServicePage {
    /// Services in creation order.
    pub items: Vec<ServiceResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}
