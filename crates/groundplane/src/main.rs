//! `groundplane`: the one binary. It parses the command line, reads files and the clock, and
//! wires the core crates together. Domain logic lives in the core crates, never here.

mod audit_cmd;
mod auditor;
mod authz;
mod bench;
mod cli;
mod clock;
mod controller;
mod demo;
mod identity;
mod identity_cmd;
mod load;
mod mission_cmd;
mod pki_cmd;
mod pki_store;
mod procedure_cmd;
mod release_cmd;
mod render;
mod secret_cmd;
mod secrets;
mod serve;
mod sim_cmd;
mod tm_cmd;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Groundplane: multi-mission ground segment platform.
#[derive(Parser)]
#[command(name = "groundplane", version, about)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import the demo missions from the real mission databases and print what they contain.
    Demo {
        /// Folder of real mission databases (default: $GROUNDPLANE_REAL_DIR or ../shared/real).
        #[arg(long)]
        real_dir: Option<PathBuf>,
    },
    /// Run the platform: every configured deployment and the HTTP/WebSocket API.
    Serve(serve::ServeArgs),
    /// Telemetry: decode captures with a mission model.
    Tm {
        #[command(subcommand)]
        command: tm_cmd::TmCommand,
    },
    /// Benchmarks (figures in BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
    /// Work with mission models (XTCE files or folders, SCOS-2000 MIB folders).
    Model {
        #[command(subcommand)]
        command: cli::ModelCommand,
    },
    /// Run a spacecraft simulator generated from a mission model, on UDP or TCP links.
    Sim(sim_cmd::SimArgs),
    /// Test procedures: run them against a deployment, report JUnit XML.
    Procedure {
        #[command(subcommand)]
        command: procedure_cmd::ProcedureCommand,
    },
    /// Releases: signed, content-addressed bundles of a mission's model, configuration and procedures.
    Release {
        #[command(subcommand)]
        command: release_cmd::ReleaseCommand,
    },
    /// The platform's tamper-evident audit chain: verify it, show its records.
    Audit {
        #[command(subcommand)]
        command: audit_cmd::AuditCommand,
    },
    /// The platform's certificate authority: show it, issue workload certificates (mutual TLS).
    Pki {
        #[command(subcommand)]
        command: pki_cmd::PkiCommand,
    },
    /// Missions on a running platform: create, promote releases through DEV, AIV and OPS, roll back.
    Mission {
        #[command(subcommand)]
        command: mission_cmd::MissionCommand,
    },
    /// Secrets per mission and environment, in a vault sealed by a master key.
    Secret {
        #[command(subcommand)]
        command: secret_cmd::SecretCommand,
    },
    /// People's accounts: add, set passwords and grants, disable, list.
    User {
        #[command(subcommand)]
        command: identity_cmd::UserCommand,
    },
    /// API tokens: create (shown once), list, revoke.
    Token {
        #[command(subcommand)]
        command: identity_cmd::TokenCommand,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.command {
        Command::Demo { real_dir } => demo::run(&demo::real_dir(real_dir)),
        Command::Model { command } => cli::run_model(command),
        Command::Bench { command } => bench::run(command),
        Command::Tm { command } => tm_cmd::run(command),
        Command::Serve(args) => serve::run(args),
        Command::Sim(args) => sim_cmd::run(args),
        Command::Procedure { command } => procedure_cmd::run(command),
        Command::Release { command } => release_cmd::run(command),
        Command::Mission { command } => mission_cmd::run(command),
        Command::Audit { command } => audit_cmd::run(command),
        Command::Pki { command } => pki_cmd::run(command),
        Command::Secret { command } => secret_cmd::run(command),
        Command::User { command } => identity_cmd::run_user(command),
        Command::Token { command } => identity_cmd::run_token(command),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
