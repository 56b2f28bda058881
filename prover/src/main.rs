//! `zkfl`: the command trainers and coordinators run.
#![forbid(unsafe_code)]

mod commands;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = commands::Cli::parse();
    match cli.run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", zkfl_verifier::describe_error(e.as_ref()));
            std::process::ExitCode::from(1)
        }
    }
}
