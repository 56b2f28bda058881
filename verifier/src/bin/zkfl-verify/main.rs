//! `zkfl-verify`: the auditor's command line. Exit code 0 = valid, 1 = invalid,
//! 2 = usage error or unreadable input.
#![forbid(unsafe_code)]

mod commands;

use clap::Parser;

use commands::{Command, Outcome};

/// Verify zkfl round bundles, training histories and released models without any prover code.
#[derive(Parser)]
#[command(name = "zkfl-verify", version)]
struct Cli {
    /// Print a JSON report on stdout instead of human text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

fn main() {
    // clap exits with 2 on usage errors by itself.
    let cli = Cli::parse();
    let code = match cli.command.run(cli.json) {
        Ok(Outcome::Valid) => 0,
        Ok(Outcome::Invalid) => 1,
        Err(e) => {
            if cli.json {
                let v = serde_json::json!({ "valid": false, "unreadable": true, "error": zkfl_verifier::describe_error(e.as_ref()) });
                println!("{v}");
            } else {
                eprintln!("error: {}", zkfl_verifier::describe_error(e.as_ref()));
            }
            2
        }
    };
    std::process::exit(code);
}
