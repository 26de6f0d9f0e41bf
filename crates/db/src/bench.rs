//! A reproducible benchmark dataset: one company with many customers and appointments, written in
//! large multi-row inserts (the ordinary repository functions would take hours for a million rows).

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use portal_domain::{CompanyId, CompanySlug, Industry, Locale, phone::EU_EEA_CH};
use portal_entity::{
    appointments as a, branches as b, customers as c, services as sv, staff as st,
    staff_services as ss, working_hours as wh,
};
use sea_orm::{DatabaseConnection, EntityTrait, Set, TransactionTrait};
use uuid::Uuid;

use crate::{DbError, companies};

/// The benchmark company's slug.
pub const BENCH_COMPANY: &str = "bench-clinic";
/// Staff members; appointments are spread over them without overlaps.
const STAFF: usize = 200;
/// Half-hour slots in a working day (08:00–18:00 UTC).
const SLOTS_PER_DAY: i64 = 20;
/// Rows per INSERT statement (PostgreSQL allows 65,535 bind parameters; appointments have 17 columns).
const CHUNK: usize = 1000;

/// The phone number of bench customer `i` (0-based): `+4915120000000 + i`.
pub fn bench_phone(i: usize) -> String {
    format!("+49151{:08}", 20_000_000 + i)
}

/// A tiny deterministic generator, so every run builds the same dataset.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// Creates the bench company with `customers` customers and `appointments` appointments: one
/// upcoming appointment per customer, the rest in the past, on working days between 08:00 and 18:00
/// UTC, never overlapping for a staff member. Returns the company id.
pub async fn seed(
    db: &DatabaseConnection,
    customers: usize,
    appointments: usize,
    now: DateTime<Utc>,
) -> Result<CompanyId, DbError> {
    let slug = CompanySlug::parse(BENCH_COMPANY).map_err(|e| DbError::Corrupt(e.to_string()))?;
    let company = companies::create(
        db,
        companies::NewCompany {
            slug,
            name: "Bench Clinic".into(),
            industry: Industry::Generic,
            locale: Locale::De,
            region: "DE".into(),
            timezone: "Europe/Berlin".into(),
            allowed_countries: EU_EEA_CH.iter().map(|s| (*s).to_owned()).collect(),
            brand_color: None,
            support_phone: None,
        },
        now,
    )
    .await?;
    companies::set_otp_daily_cap(db, company.id, u32::MAX / 2).await?;
    let cid = company.id.as_uuid();
    let branch = Uuid::now_v7();
    let service = Uuid::now_v7();
    let txn = db.begin().await?;
    b::Entity::insert(b::ActiveModel {
        id: Set(branch),
        company_id: Set(cid),
        name: Set("Bench Branch".into()),
        street: Set(Some("Teststraße 1".into())),
        postal_code: Set(Some("10115".into())),
        city: Set(Some("Berlin".into())),
        country: Set("DE".into()),
        phone: Set(Some("+493000000000".into())),
        timezone: Set("Europe/Berlin".into()),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    sv::Entity::insert(sv::ActiveModel {
        id: Set(service),
        company_id: Set(cid),
        name: Set("Behandlung".into()),
        description: Set(None),
        duration_minutes: Set(30),
        buffer_before_minutes: Set(0),
        buffer_after_minutes: Set(0),
        price_cents: Set(None),
        currency: Set(None),
        cancel_notice_minutes: Set(None),
        reschedule_notice_minutes: Set(None),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    let staff: Vec<Uuid> = (0..STAFF).map(|_| Uuid::now_v7()).collect();
    st::Entity::insert_many(staff.iter().enumerate().map(|(i, id)| st::ActiveModel {
        id: Set(*id),
        company_id: Set(cid),
        branch_id: Set(Some(branch)),
        display_name: Set(format!("Staff {i:03}")),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }))
    .exec_without_returning(&txn)
    .await?;
    ss::Entity::insert_many(staff.iter().map(|id| ss::ActiveModel {
        staff_id: Set(*id),
        service_id: Set(service),
        company_id: Set(cid),
    }))
    .exec_without_returning(&txn)
    .await?;
    for chunk in staff.chunks(CHUNK / 5) {
        wh::Entity::insert_many(chunk.iter().flat_map(|id| {
            (1..=5).map(move |weekday| wh::ActiveModel {
                id: Set(Uuid::now_v7()),
                company_id: Set(cid),
                staff_id: Set(*id),
                branch_id: Set(branch),
                weekday: Set(weekday),
                start_local: Set("09:00".into()),
                end_local: Set("19:00".into()),
                valid_from: Set(None),
                valid_until: Set(None),
            })
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    let customer_ids: Vec<Uuid> = (0..customers).map(|_| Uuid::now_v7()).collect();
    for (n, chunk) in customer_ids.chunks(CHUNK).enumerate() {
        c::Entity::insert_many(chunk.iter().enumerate().map(|(i, id)| c::ActiveModel {
            id: Set(*id),
            company_id: Set(cid),
            phone: Set(Some(bench_phone(n * CHUNK + i))),
            name: Set(Some(format!("Bench Customer {}", n * CHUNK + i))),
            email: Set(None),
            email_verified_at: Set(None),
            locale: Set(Some("de".into())),
            erased_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            // Address, date of birth, pending email and medical consent: the table's defaults.
            ..Default::default()
        }))
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;

    // Appointments: history grows with the dataset, the future does not — every customer has one
    // upcoming appointment (round robin) and the rest lies in the past, as in a real practice.
    // Each staff member works through consecutive 30-minute slots of working days (08:00–18:00
    // UTC), skipping some, backwards from yesterday and forwards from tomorrow: never overlapping.
    let upcoming = customers.min(appointments);
    let past = appointments - upcoming;
    let mut rng = Lcg(42);
    let mut rows = Vec::with_capacity(CHUNK);
    let mut next_upcoming_customer = 0;
    for (i, staff_id) in staff.iter().enumerate() {
        let share = |total: usize| total / STAFF + usize::from(i < total % STAFF);
        for (count, step) in [(share(past), -1_i64), (share(upcoming), 1)] {
            let mut day = (now + Duration::days(step)).date_naive();
            let (mut slot, mut made) = (0_i64, 0);
            while made < count {
                if slot == SLOTS_PER_DAY || matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                    day += Duration::days(step);
                    slot = 0;
                    continue;
                }
                slot += 1;
                if rng.next().is_multiple_of(3) {
                    continue;
                }
                let starts_at = day.and_hms_opt(8, 0, 0).map_or(now, |t| t.and_utc())
                    + Duration::minutes(30 * (slot - 1));
                let (customer, status) = if step > 0 {
                    next_upcoming_customer += 1;
                    (
                        customer_ids[(next_upcoming_customer - 1) % customer_ids.len().max(1)],
                        "booked",
                    )
                } else {
                    let status = match rng.next() % 10 {
                        0 => "cancelled",
                        1 => "no_show",
                        _ => "completed",
                    };
                    (
                        customer_ids[(rng.next() as usize) % customer_ids.len().max(1)],
                        status,
                    )
                };
                rows.push(a::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    company_id: Set(cid),
                    branch_id: Set(branch),
                    staff_id: Set(*staff_id),
                    service_id: Set(service),
                    customer_id: Set(customer),
                    starts_at: Set(starts_at),
                    ends_at: Set(starts_at + Duration::minutes(30)),
                    status: Set(status.into()),
                    source: Set("phone_assistant".into()),
                    external_ref: Set(None),
                    notes: Set(None),
                    cancel_reason: Set(None),
                    cancelled_by: Set(None),
                    cancelled_at: Set(None),
                    version: Set(1),
                    created_at: Set(starts_at - Duration::days(14)),
                    updated_at: Set(starts_at - Duration::days(14)),
                });
                made += 1;
                if rows.len() == CHUNK {
                    a::Entity::insert_many(std::mem::take(&mut rows))
                        .exec_without_returning(db)
                        .await?;
                }
            }
        }
    }
    if !rows.is_empty() {
        a::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok(company.id)
}
