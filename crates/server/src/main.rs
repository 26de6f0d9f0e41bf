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
}

#[derive(Subcommand)]
enum ApiKeyAction {
    /// Create an API key for a company (arrives with the integrator API).
    Create {
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
                print_demo_logins(0);
            } else {
                eprintln!("the database already has companies; nothing seeded");
            }
        }
        Command::ApiKey {
            action: ApiKeyAction::Create { company },
        } => {
            anyhow::bail!(
                "API keys arrive with the integrator API; not available yet (company {company})"
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
