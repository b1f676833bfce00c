//! The `gi-registry` command: serve (default), migrate, user create, demo-data, verify-journal.

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gi_registry::clock::Clock;
use gi_registry::config::{CommonArgs, ServeArgs, Settings};
use gi_registry::domain::roles::Role;
use gi_registry::service::accounts::{self, CreateStaffInput};
use gi_registry::service::demo;
use gi_registry::service::journal::{self, ChainCheck};
use gi_registry::service::ServiceError;
use gi_registry::startup::{open_state, prepare_database, Application};
use gi_registry::telemetry;

#[derive(Parser)]
#[command(
    name = "gi-registry",
    version,
    about = "Registry of GI special-mark users in Yingde"
)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(flatten)]
    serve: ServeArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Fill an empty database with realistic demo data.
    DemoData {
        /// How many enterprises to create.
        #[arg(long, default_value_t = 150)]
        enterprises: usize,
        /// Seed of the random choices (the same seed gives the same story).
        #[arg(long, default_value_t = 2027)]
        seed: u64,
    },
    /// Recompute the journal's hash chain; exit 0 when intact, else name the first broken event.
    VerifyJournal,
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a staff account; the password is read from standard input.
    Create {
        #[arg(long)]
        username: String,
        /// reviewer, approver or admin.
        #[arg(long)]
        role: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input (required: never pass it as an argument).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(&cli.common, Some(&cli.serve.bind)) {
        Ok(settings) => settings,
        Err(error) => return fail(&error),
    };
    // Held to the end of main: dropping it writes out the log lines still queued.
    let _log = telemetry::init(settings.log_format);
    // Everything the service keeps in its data directory is the owner's alone.
    gi_registry::config::restrict_new_files();
    if let Err(error) = gi_registry::config::close_data_dir(&settings.data_dir) {
        tracing::warn!(%error, dir = %settings.data_dir.display(), "cannot make the data directory owner-only");
    }
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings),
        Command::Migrate => prepare_database(&settings).map(|_| ()),
        Command::DemoData { enterprises, seed } => demo_data(settings, enterprises, seed),
        Command::VerifyJournal => verify_journal(settings),
        Command::User {
            command:
                UserCommand::Create {
                    username,
                    role,
                    display_name,
                    ..
                },
        } => create_user(settings, username, role, display_name),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&error),
    }
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let application = Application::build(settings, Clock::system()).await?;
        tracing::info!(port = application.port(), "listening");
        application.run_until_stopped().await?;
        Ok(())
    })
}

fn create_user(
    settings: Settings,
    username: String,
    role: String,
    display_name: Option<String>,
) -> anyhow::Result<()> {
    let role: Role = role.parse()?;
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password)?;
    let password = password.trim_end_matches(['\n', '\r']).to_owned();
    actix_web::rt::System::new().block_on(async move {
        let state = open_state(settings, Clock::system()).await?;
        let input = CreateStaffInput {
            username,
            password,
            role,
            display_name,
        };
        let user = accounts::create_staff(&state, None, input)
            .await
            .map_err(|e| anyhow::anyhow!(describe(&e)))?;
        println!("created {} `{}` ({})", user.role, user.username, user.id);
        Ok(())
    })
}

fn demo_data(settings: Settings, enterprises: usize, seed: u64) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let state = open_state(settings, Clock::system()).await?;
        let started = std::time::Instant::now();
        let summary = demo::fill(&state, enterprises, seed)
            .await
            .map_err(|e| anyhow::anyhow!(describe(&e)))?;
        println!(
            "demo data: {} enterprises, {} authorizations in {:.1} s",
            summary.enterprises,
            summary.authorizations,
            started.elapsed().as_secs_f64()
        );
        for (username, role) in summary.staff {
            println!("  {role} `{username}`, password `{}`", demo::DEMO_PASSWORD);
        }
        println!("  producers `demo000000` … with the same password");
        Ok(())
    })
}

fn verify_journal(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let state = open_state(settings, Clock::system()).await?;
        match journal::check(&state)
            .await
            .map_err(|e| anyhow::anyhow!(describe(&e)))?
        {
            ChainCheck::Intact { count, head_hash } => {
                println!("journal intact: {count} events, head {head_hash}");
                Ok(())
            }
            ChainCheck::Broken(event) => {
                anyhow::bail!(
                    "journal broken at event {} ({}): {}",
                    event.seq,
                    event.id,
                    event.reason
                )
            }
        }
    })
}

/// A service error as one line for a terminal.
fn describe(error: &ServiceError) -> String {
    match error {
        ServiceError::Invalid(fields) => fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message.en))
            .collect::<Vec<_>>()
            .join("; "),
        ServiceError::Conflict(message) => message.en.clone(),
        other => other.to_string(),
    }
}

/// One clear line on standard error, and a non-zero exit.
fn fail(error: &dyn std::fmt::Display) -> ExitCode {
    // Database drivers write multi-line messages; an operator's log wants one line.
    let message = format!("{error:#}")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    eprintln!("gi-registry: {message}");
    ExitCode::FAILURE
}
