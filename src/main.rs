//! The `gi-registry` command: serve (default) or migrate.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gi_registry::clock::Clock;
use gi_registry::config::{CommonArgs, ServeArgs, Settings};
use gi_registry::startup::{prepare_database, Application};
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(&cli.common, Some(&cli.serve.bind)) {
        Ok(settings) => settings,
        Err(error) => return fail(&error),
    };
    telemetry::init(settings.log_format);
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings),
        Command::Migrate => prepare_database(&settings).map(|_| ()),
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

/// One clear line on standard error, and a non-zero exit.
fn fail(error: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("gi-registry: {error:#}");
    ExitCode::FAILURE
}
