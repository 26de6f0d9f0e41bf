//! `portal`: the customer portal server and its operator commands.

use anyhow::Context;
use clap::{Parser, Subcommand};
use portal_domain::{Clock, SystemClock};
use portal_server::{config::Settings, seed, startup::Application, telemetry};
use std::{path::PathBuf, sync::Arc};

#[derive(Parser)]
#[command(
    name = "portal",
    version,
    about = "Customer Portal: self-service for the customers of appointment businesses"
)]
struct Cli {
    /// Folder with default.toml, {environment}.toml and local.toml.
    #[arg(
        long,
        global = true,
        default_value = "config",
        env = "PORTAL_CONFIG_DIR"
    )]
    config_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve the API (and, once built, the PWA).
    Serve {
        /// Seed the demo companies first when the database has no company yet.
        #[arg(long)]
        seed_demo: bool,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Create the demo companies and customers (only into a database without companies).
    SeedDemo,
    /// Create the reproducible benchmark dataset (company `bench-clinic`) in an empty database.
    SeedBench {
        /// Customers.
        #[arg(long, default_value_t = 10_000)]
        customers: usize,
        /// Appointments.
        #[arg(long, default_value_t = 1_000_000)]
        appointments: usize,
        /// Only print the phone number of bench customer N and exit.
        #[arg(long, value_name = "N")]
        print_phone: Option<usize>,
    },
    /// Write the OpenAPI document (default: openapi/openapi.json; `-` for stdout).
    Openapi {
        /// Output path.
        #[arg(long, default_value = "openapi/openapi.json")]
        out: PathBuf,
    },
    /// Manage integrator API keys.
    ApiKey {
        #[command(subcommand)]
        action: ApiKeyAction,
    },
    /// Manage the keys that encrypt medical history.
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
}

#[derive(Subcommand)]
enum KeysAction {
    /// Re-encrypt every medical history version with the current key. In development (keys in
    /// `data/secrets/medical.keys`) a new key is generated first and becomes the current one; in
    /// production add the new key to PORTAL__AUTH__MEDICAL_KEYS, point PORTAL__AUTH__MEDICAL_KEY_ID
    /// at it, then run this. Keep the old keys configured until it reports success.
    Rotate,
}

#[derive(Subcommand)]
enum ApiKeyAction {
    /// Create an API key for a company; the key is printed once, as the last line.
    Create {
        /// Company slug.
        #[arg(long)]
        company: String,
        /// Bind the key to this branch (id): it sees and changes only that branch.
        #[arg(long)]
        branch: Option<uuid::Uuid>,
        /// A label for operators, e.g. the integrator's name.
        #[arg(long, default_value = "integrator")]
        name: String,
        /// Space-separated scopes.
        #[arg(long, default_value = "appointments customers catalog webhooks")]
        scopes: String,
    },
    /// Revoke a key by its prefix (the 8 characters after `pk_`); it stops working at once.
    Revoke {
        /// Key prefix.
        #[arg(long)]
        prefix: String,
    },
    /// List a company's keys (never their secrets).
    List {
        /// Company slug.
        #[arg(long)]
        company: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Openapi { out } = &cli.command {
        let json = portal_server::openapi::document_json()?;
        if out.as_os_str() == "-" {
            print!("{json}");
        } else {
            std::fs::write(out, json).with_context(|| format!("writing {}", out.display()))?;
            eprintln!("wrote {}", out.display());
        }
        return Ok(());
    }
    let settings = Settings::load(&cli.config_dir).context("loading configuration")?;
    telemetry::init(&settings.log);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    match cli.command {
        Command::Serve { seed_demo } => {
            let app = Application::build(settings, clock.clone(), None).await?;
            if seed_demo && seed::seed_demo(&app.state().db, clock.now()).await? {
                seed::seed_demo_medical(&app.state().db, &app.state().secrets.medical, clock.now())
                    .await?;
                print_demo_logins(app.port());
            }
            tracing::info!(port = app.port(), "listening");
            app.run().await?;
        }
        Command::Migrate => {
            let db = portal_db::connect(&settings.database.url, 2).await?;
            portal_db::migrate(&db).await?;
            eprintln!("migrations applied");
        }
        Command::SeedDemo => {
            let db = portal_db::connect(&settings.database.url, 2).await?;
            portal_db::migrate(&db).await?;
            if seed::seed_demo(&db, clock.now()).await? {
                let secrets = portal_server::secrets::resolve(&settings)?;
                seed::seed_demo_medical(&db, &secrets.medical, clock.now()).await?;
                print_demo_logins(0);
            } else {
                eprintln!("the database already has companies; nothing seeded");
            }
        }
        Command::SeedBench {
            customers,
            appointments,
            print_phone,
        } => {
            if let Some(n) = print_phone {
                println!("{}", portal_db::bench::bench_phone(n));
                return Ok(());
            }
            let db = portal_db::connect(&settings.database.url, 4).await?;
            portal_db::migrate(&db).await?;
            let started = std::time::Instant::now();
            portal_db::bench::seed(&db, customers, appointments, clock.now()).await?;
            eprintln!(
                "seeded {customers} customers and {appointments} appointments in {:.1?}",
                started.elapsed()
            );
        }
        Command::ApiKey { action } => {
            let db = portal_db::connect(&settings.database.url, 2).await?;
            portal_db::migrate(&db).await?;
            api_key(&db, action, clock.now()).await?;
        }
        Command::Keys {
            action: KeysAction::Rotate,
        } => {
            let db = portal_db::connect(&settings.database.url, 2).await?;
            portal_db::migrate(&db).await?;
            let configured = settings
                .auth
                .medical_keys
                .as_ref()
                .is_some_and(|k| !k.is_empty());
            if !configured {
                // Make sure the existing key file is there before adding to it.
                portal_server::secrets::resolve(&settings)?;
                let id = portal_server::secrets::add_development_medical_key(&settings)?;
                eprintln!("generated medical key {id}");
            }
            let secrets = portal_server::secrets::resolve(&settings)?;
            let count = portal_server::crypto::rotate(&db, &secrets.medical).await?;
            println!(
                "re-encrypted {count} medical history version(s) with key {}",
                secrets.medical.current_id()
            );
        }
        Command::Openapi { .. } => {}
    }
    Ok(())
}

fn print_demo_logins(port: u16) {
    eprintln!(
        "\nDemo data created. Sign in with one of these numbers; the code appears in this log:"
    );
    for login in seed::DEMO_LOGINS {
        eprintln!("  {:<14} {:<16} {}", login.company, login.phone, login.name);
    }
    if port != 0 {
        eprintln!(
            "\n  curl -s -X POST localhost:{port}/api/customer/auth -H 'content-type: application/json' \\\n       -d '{{\"company\":\"praxis-weber\",\"phone\":\"0151 00000001\"}}'\n"
        );
    }
}

async fn company_by_slug(
    db: &portal_db::DatabaseConnection,
    slug: &str,
) -> anyhow::Result<portal_db::companies::Company> {
    let parsed = portal_domain::CompanySlug::parse(slug)
        .map_err(|e| anyhow::anyhow!("company `{slug}`: {e}"))?;
    portal_db::companies::find_by_slug(db, &parsed)
        .await?
        .with_context(|| format!("no company `{slug}`"))
}

async fn api_key(
    db: &portal_db::DatabaseConnection,
    action: ApiKeyAction,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    use portal_db::api_keys::{self, ApiScope, NewApiKey};
    match action {
        ApiKeyAction::Create {
            company,
            branch,
            name,
            scopes,
        } => {
            let company = company_by_slug(db, &company).await?;
            let branch = match branch {
                Some(id) => Some(
                    portal_db::catalog::find_branch(
                        db,
                        (&portal_db::SystemScope::for_company(company.id)).into(),
                        portal_domain::ids::BranchId::from_uuid(id),
                    )
                    .await?
                    .with_context(|| format!("{id} is not a branch of {}", company.slug))?
                    .id,
                ),
                None => None,
            };
            let all = ApiScope::ALL.map(ApiScope::as_str).join(" ");
            let scopes = ApiScope::parse_list(&scopes)
                .map_err(|s| anyhow::anyhow!("unknown scope `{s}`; choose from: {all}"))?;
            anyhow::ensure!(!scopes.is_empty(), "give at least one scope: {all}");
            let created = api_keys::create(
                db,
                NewApiKey {
                    company_id: company.id,
                    branch_id: branch,
                    name,
                    scopes,
                },
                now,
            )
            .await?;
            let info = &created.info;
            println!(
                "API key {} for {} ({}), scopes: {}",
                info.prefix,
                company.slug,
                info.branch_id
                    .map_or_else(|| "all branches".to_owned(), |b| format!("branch {b}")),
                scope_list(&info.scopes)
            );
            println!("Store it now; it is not shown again:");
            println!("{}", created.key.expose());
        }
        ApiKeyAction::Revoke { prefix } => {
            anyhow::ensure!(
                api_keys::revoke(db, &prefix, now).await?,
                "no active API key with prefix `{prefix}`"
            );
            println!("revoked API key {prefix}");
        }
        ApiKeyAction::List { company } => {
            let company = company_by_slug(db, &company).await?;
            for key in api_keys::list(db, company.id).await? {
                let state = match key.revoked_at {
                    Some(at) => format!("revoked {}", at.format("%Y-%m-%d %H:%M")),
                    None => "active".to_owned(),
                };
                println!(
                    "{}  {:<20}  {:<38}  {:<40}  created {}  last used {}  {}",
                    key.prefix,
                    key.name,
                    key.branch_id
                        .map_or_else(|| "all branches".to_owned(), |b| b.to_string()),
                    scope_list(&key.scopes),
                    key.created_at.format("%Y-%m-%d %H:%M"),
                    key.last_used_at.map_or_else(
                        || "never".to_owned(),
                        |t| t.format("%Y-%m-%d %H:%M").to_string()
                    ),
                    state,
                );
            }
        }
    }
    Ok(())
}

fn scope_list(scopes: &[portal_db::api_keys::ApiScope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}
