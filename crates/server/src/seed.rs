//! Demo data: two companies, one phone number at both (to show tenant isolation).

use chrono::{DateTime, Utc};
use portal_db::{DatabaseConnection, DbError, companies, customers};
use portal_domain::{
    CompanySlug, EmailAddress, Industry, Locale, PersonName, PhoneNumber, phone::EU_EEA_CH,
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

/// Creates the demo companies and customers unless the database already has companies.
/// Returns whether anything was created.
pub async fn seed_demo(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<bool, DbError> {
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
    for login in DEMO_LOGINS {
        let company = if login.company == "praxis-weber" {
            weber.id
        } else {
            lumiere.id
        };
        let email = format!(
            "{}.{}@example.org",
            login
                .name
                .split(' ')
                .next()
                .unwrap_or("demo")
                .to_lowercase(),
            &login.company[..login.company.find('-').unwrap_or(login.company.len())]
        );
        customers::create(
            db,
            customers::NewCustomer {
                company_id: company,
                phone: PhoneNumber::from_e164(login.phone).map_err(|_| invalid("phone"))?,
                name: Some(PersonName::parse(login.name).map_err(|_| invalid("name"))?),
                email: Some(EmailAddress::parse(&email).map_err(|_| invalid("email"))?),
                locale: Some(Locale::De),
            },
            now,
        )
        .await?;
    }
    Ok(true)
}
