//! Demo data: two companies with branches, staff, services, working hours and about twenty
//! customers each with past and upcoming appointments; one phone number at both companies (to show
//! tenant isolation).

use anyhow::Context;
use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use portal_db::{
    DatabaseConnection, DbError, SystemScope, Tenant, TransactionTrait,
    appointments::{self, ChangedBy, NewAppointment},
    catalog, companies, customers,
};
use portal_domain::{
    AppointmentStatus, CompanyId, CompanySlug, CustomerId, EmailAddress, Industry, Locale,
    PersonName, PhoneNumber,
    ids::{BranchId, ServiceId, StaffId},
    phone::EU_EEA_CH,
};

/// A demo sign-in, as printed by `just run` and listed in the README.
pub struct DemoLogin {
    /// Company slug.
    pub company: &'static str,
    /// Phone number.
    pub phone: &'static str,
    /// Who it is.
    pub name: &'static str,
}

/// The customers `seed-demo` creates.
pub const DEMO_LOGINS: &[DemoLogin] = &[
    DemoLogin {
        company: "praxis-weber",
        phone: "+4915100000001",
        name: "Anna Schmidt",
    },
    DemoLogin {
        company: "praxis-weber",
        phone: "+4915100000002",
        name: "Jonas Becker",
    },
    DemoLogin {
        company: "praxis-weber",
        phone: "+4915100000003",
        name: "Leyla Yılmaz",
    },
    DemoLogin {
        company: "salon-lumiere",
        phone: "+4915100000001",
        name: "Anna Schmidt",
    },
    DemoLogin {
        company: "salon-lumiere",
        phone: "+4915100000004",
        name: "Sophie Wagner",
    },
];

fn invalid(what: &str) -> DbError {
    DbError::Corrupt(format!("demo data: {what}"))
}

/// Creates the demo companies, their catalogue, customers and appointments unless the database
/// already has companies. Returns whether anything was created.
pub async fn seed_demo(db: &DatabaseConnection, now: DateTime<Utc>) -> anyhow::Result<bool> {
    if companies::count(db).await? > 0 {
        return Ok(false);
    }
    let allowed: Vec<String> = EU_EEA_CH.iter().map(|s| (*s).to_owned()).collect();
    let weber = companies::create(
        db,
        companies::NewCompany {
            slug: CompanySlug::parse("praxis-weber").map_err(|_| invalid("slug"))?,
            name: "Praxis Dr. Weber".into(),
            industry: Industry::Healthcare,
            locale: Locale::De,
            region: "DE".into(),
            timezone: "Europe/Berlin".into(),
            allowed_countries: allowed.clone(),
            brand_color: Some("#0f6e6e".into()),
            support_phone: Some("+493012345670".into()),
        },
        now,
    )
    .await?;
    let lumiere = companies::create(
        db,
        companies::NewCompany {
            slug: CompanySlug::parse("salon-lumiere").map_err(|_| invalid("slug"))?,
            name: "Salon Lumière".into(),
            industry: Industry::Beauty,
            locale: Locale::De,
            region: "DE".into(),
            timezone: "Europe/Berlin".into(),
            allowed_countries: allowed,
            brand_color: Some("#8a3b6f".into()),
            support_phone: Some("+493098765430".into()),
        },
        now,
    )
    .await?;
    let weber_shop = Shop::create(db, weber.id, &PRAXIS, now).await?;
    let lumiere_shop = Shop::create(db, lumiere.id, &SALON, now).await?;

    let mut weber_customers = Vec::new();
    let mut lumiere_customers = Vec::new();
    for login in DEMO_LOGINS {
        let (company, list) = if login.company == "praxis-weber" {
            (weber.id, &mut weber_customers)
        } else {
            (lumiere.id, &mut lumiere_customers)
        };
        list.push(create_customer(db, company, login.phone, login.name, login.company, now).await?);
    }
    // Further customers without a listed login, so lists and slots look lived-in.
    for (i, name) in MORE_NAMES.iter().enumerate() {
        let (company, slug, list) = if i % 2 == 0 {
            (weber.id, "praxis-weber", &mut weber_customers)
        } else {
            (lumiere.id, "salon-lumiere", &mut lumiere_customers)
        };
        let phone = format!("+49151000001{i:02}");
        list.push(create_customer(db, company, &phone, name, slug, now).await?);
    }
    weber_shop.book_history(db, &weber_customers, now).await?;
    lumiere_shop
        .book_history(db, &lumiere_customers, now)
        .await?;
    Ok(true)
}

async fn create_customer(
    db: &DatabaseConnection,
    company: CompanyId,
    phone: &str,
    name: &str,
    slug: &str,
    now: DateTime<Utc>,
) -> Result<CustomerId, DbError> {
    let first = name.split(' ').next().unwrap_or("demo").to_lowercase();
    let domain = slug.split('-').next().unwrap_or("demo");
    let email = format!("{}.{}@example.org", ascii(&first), domain);
    let customer = customers::create(
        db,
        customers::NewCustomer {
            company_id: company,
            phone: PhoneNumber::from_e164(phone).map_err(|_| invalid("phone"))?,
            name: Some(PersonName::parse(name).map_err(|_| invalid("name"))?),
            email: Some(EmailAddress::parse(&email).map_err(|_| invalid("email"))?),
            locale: Some(Locale::De),
        },
        now,
    )
    .await?;
    Ok(customer.id)
}

fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'ä' => 'a',
            'ö' => 'o',
            'ü' => 'u',
            'ı' => 'i',
            'é' | 'è' => 'e',
            c => c,
        })
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

const MORE_NAMES: &[&str] = &[
    "Lukas Hoffmann",
    "Marie Klein",
    "Felix Wolf",
    "Emma Schröder",
    "Paul Neumann",
    "Mia Schwarz",
    "Ben Zimmermann",
    "Hannah Braun",
    "Elias Krüger",
    "Lina Hofmann",
    "Noah Hartmann",
    "Lea Lange",
    "Finn Schmitt",
    "Clara Werner",
    "Leon Krause",
    "Ida Meier",
    "Emil Lehmann",
    "Frieda Köhler",
    "Anton Huber",
    "Greta Kaiser",
    "Theo Fuchs",
    "Mila Peters",
    "Jakob Lang",
    "Ella Scholz",
    "Oskar Möller",
    "Luisa Weiß",
    "Karl Jung",
    "Marlene Hahn",
    "Moritz Vogel",
    "Zoe Friedrich",
    "Henry Keller",
    "Nora Günther",
    "Jonas Frank",
    "Helena Berger",
];

/// A company's demo catalogue.
struct Catalogue {
    branch: (&'static str, &'static str, &'static str, &'static str),
    staff: &'static [&'static str],
    /// Name, minutes, buffer after.
    services: &'static [(&'static str, u32, u32)],
    /// Weekdays and daily hours.
    days: &'static [Weekday],
    hours: &'static [(u32, u32)],
}

const PRAXIS: Catalogue = Catalogue {
    branch: (
        "Praxis Mitte",
        "Friedrichstraße 123",
        "10117",
        "+493012345670",
    ),
    staff: &["Dr. Katrin Weber", "Dr. Murat Aydın", "Jana Krüger"],
    services: &[
        ("Kontrolluntersuchung", 30, 10),
        ("Blutabnahme", 15, 5),
        ("Beratungsgespräch", 45, 15),
        ("Impfung", 15, 5),
    ],
    days: &[
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ],
    hours: &[(8, 12), (14, 18)],
};

const SALON: Catalogue = Catalogue {
    branch: (
        "Salon Lumière Prenzlauer Berg",
        "Kastanienallee 5",
        "10435",
        "+493098765430",
    ),
    staff: &["Camille Laurent", "Jonas Richter", "Mia Köhler"],
    services: &[
        ("Haarschnitt Damen", 60, 15),
        ("Haarschnitt Herren", 30, 10),
        ("Färben", 120, 15),
        ("Maniküre", 45, 10),
    ],
    days: &[
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
    ],
    hours: &[(9, 19)],
};

/// A seeded company: ids to book against.
struct Shop {
    company: CompanyId,
    branch: BranchId,
    staff: Vec<StaffId>,
    services: Vec<(ServiceId, u32)>,
    days: &'static [Weekday],
    hours: &'static [(u32, u32)],
}

impl Shop {
    async fn create(
        db: &DatabaseConnection,
        company: CompanyId,
        c: &Catalogue,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Self> {
        // Start-up code: the demo seed acts as the system for the company it creates.
        let system = SystemScope::for_company(company);
        let tenant = Tenant::from(&system);
        let (name, street, postal_code, phone) = c.branch;
        let branch = catalog::create_branch(
            db,
            tenant,
            catalog::NewBranch {
                name: name.into(),
                street: Some(street.into()),
                postal_code: Some(postal_code.into()),
                city: Some("Berlin".into()),
                country: "DE".into(),
                phone: Some(phone.into()),
                timezone: chrono_tz::Europe::Berlin,
            },
            now,
        )
        .await?;
        let mut services = Vec::new();
        for (name, minutes, after) in c.services {
            let service = catalog::create_service(
                db,
                tenant,
                catalog::NewService {
                    name: (*name).into(),
                    description: None,
                    duration_minutes: *minutes,
                    buffer_before_minutes: 0,
                    buffer_after_minutes: *after,
                    price_cents: None,
                    currency: None,
                    cancel_notice_minutes: None,
                    reschedule_notice_minutes: None,
                    active: true,
                },
                now,
            )
            .await?;
            services.push((service.id, *minutes));
        }
        let service_ids: Vec<ServiceId> = services.iter().map(|(id, _)| *id).collect();
        let mut staff = Vec::new();
        for name in c.staff {
            let person = catalog::create_staff(
                db,
                tenant,
                catalog::NewStaff {
                    branch_id: Some(branch.id),
                    display_name: (*name).into(),
                    active: true,
                },
                now,
            )
            .await
            .context("demo staff")?;
            catalog::set_staff_services(db, tenant, person.id, &service_ids)
                .await
                .context("demo staff services")?;
            let shifts: Vec<catalog::Shift> = c
                .days
                .iter()
                .flat_map(|day| {
                    c.hours.iter().map(move |(from, to)| catalog::Shift {
                        branch_id: branch.id,
                        weekday: *day,
                        start: NaiveTime::from_hms_opt(*from, 0, 0).unwrap_or_default(),
                        end: NaiveTime::from_hms_opt(*to, 0, 0).unwrap_or_default(),
                        valid_from: None,
                        valid_until: None,
                    })
                })
                .collect();
            catalog::set_working_hours(db, tenant, person.id, &shifts)
                .await
                .context("demo working hours")?;
            staff.push(person.id);
        }
        Ok(Self {
            company,
            branch: branch.id,
            staff,
            services,
            days: c.days,
            hours: c.hours,
        })
    }

    /// Gives every customer past and upcoming appointments on working days, never overlapping
    /// for a staff member. The first customer (the listed demo login) gets 5 past and 3 upcoming.
    async fn book_history(
        &self,
        db: &DatabaseConnection,
        customers: &[CustomerId],
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let tz: Tz = chrono_tz::Europe::Berlin;
        let actor = ChangedBy {
            name: "integrator:demo".into(),
            id: None,
        };
        let mut seq: u64 = 7;
        let mut next = || {
            seq = seq
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seq >> 33) as i64
        };
        for (i, customer) in customers.iter().enumerate() {
            let (past, upcoming) = if i == 0 {
                (5, 3)
            } else {
                (2 + next() % 4, 1 + next() % 3)
            };
            let mut offsets: Vec<i64> = (0..past).map(|_| -(3 + next() % 120)).collect();
            offsets.extend((0..upcoming).map(|_| 2 + next() % 40));
            for day_offset in offsets {
                let (service, minutes) = self.services[(next() as usize) % self.services.len()];
                let staff = self.staff[(next() as usize) % self.staff.len()];
                // Try a few local times until one is free.
                for attempt in 0..40 {
                    let date = (now + Duration::days(day_offset + attempt / 8))
                        .with_timezone(&tz)
                        .date_naive();
                    if !self.days.contains(&date.weekday()) {
                        continue;
                    }
                    let (open, close) = self.hours[(next() as usize) % self.hours.len()];
                    let hour = open as i64 + next() % i64::from(close - open).max(1);
                    let quarter = next() % 4;
                    let Some(local) = date.and_hms_opt(0, 0, 0) else {
                        continue;
                    };
                    let local = local + Duration::hours(hour) + Duration::minutes(15 * quarter);
                    let Some(starts_at) = tz
                        .from_local_datetime(&local)
                        .earliest()
                        .map(|t| t.with_timezone(&Utc))
                    else {
                        continue;
                    };
                    let ends_at = starts_at + Duration::minutes(minutes.into());
                    if ends_at.with_timezone(&tz).time()
                        > NaiveTime::from_hms_opt(close, 0, 0).unwrap_or_default()
                    {
                        continue;
                    }
                    let status = if starts_at > now {
                        if next() % 2 == 0 {
                            AppointmentStatus::Confirmed
                        } else {
                            AppointmentStatus::Booked
                        }
                    } else {
                        match next() % 10 {
                            0 => AppointmentStatus::Cancelled,
                            1 => AppointmentStatus::NoShow,
                            _ => AppointmentStatus::Completed,
                        }
                    };
                    let new = NewAppointment {
                        id: uuid::Uuid::now_v7(),
                        company_id: self.company,
                        branch_id: self.branch.as_uuid(),
                        staff_id: staff.as_uuid(),
                        service_id: service.as_uuid(),
                        customer_id: *customer,
                        starts_at,
                        ends_at,
                        status,
                        source: "phone_assistant".into(),
                        external_ref: None,
                        notes: None,
                    };
                    // Booked two weeks before (or at most a day before "now" for upcoming ones), so
                    // demo appointments are past their grace period.
                    let booked_at = (starts_at - Duration::days(14)).min(now - Duration::days(1));
                    let txn = db.begin().await?;
                    if appointments::create(&txn, &new, &actor, booked_at).await?
                        == appointments::WriteOutcome::Done
                    {
                        txn.commit().await?;
                        break;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Demo medical history: Anna Schmidt at Praxis Dr. Weber has consented and has one version, so
/// the demo shows the medical history screen filled. Does nothing when she already has one.
pub async fn seed_demo_medical(
    db: &DatabaseConnection,
    keys: &crate::crypto::MedicalKeys,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    use portal_api_types::medical::MedicalHistory;
    let slug = CompanySlug::parse("praxis-weber").map_err(|_| invalid("slug"))?;
    let Some(company) = companies::find_by_slug(db, &slug).await? else {
        return Ok(());
    };
    let phone = PhoneNumber::from_e164("+4915100000001").map_err(|_| invalid("phone"))?;
    let Some(anna) = customers::find_by_phone(db, company.id, &phone).await? else {
        return Ok(());
    };
    if portal_db::medical::next_version(db, company.id, anna.id).await? > 1 {
        return Ok(());
    }
    let content: MedicalHistory = serde_json::from_value(serde_json::json!({
        "allergies": "Penicillin",
        "medications": "Ramipril 5 mg morgens",
        "insurance": {"provider": "AOK Nordost", "number": "A123456789"},
    }))
    .context("demo medical history")?;
    let plaintext = serde_json::to_vec(&content).context("demo medical history")?;
    let sealed = keys
        .seal(
            &plaintext,
            &crate::crypto::associated_data(company.id, anna.id, 1),
        )
        .map_err(|e| anyhow::anyhow!(e))?;
    let scope_consent_at = now - Duration::days(30);
    portal_db::customers::set_medical_consent_by_id(
        db,
        company.id,
        anna.id,
        Some(scope_consent_at),
    )
    .await?;
    portal_db::medical::insert(
        db,
        company.id,
        anna.id,
        1,
        sealed,
        "customer",
        scope_consent_at,
    )
    .await?;
    Ok(())
}
