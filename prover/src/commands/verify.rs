//! `zkfl verify`: `zkfl-verify` inside `zkfl`. The same code (`zkfl_verifier::cli`), so the
//! same verdicts, exit codes (0 valid, 1 invalid, 2 unreadable) and `--json` schema.

use clap::Args;
use zkfl_verifier::cli::{Cli, Command};

/// Verify a round, a history, a released model or a key's ceremony, exactly as
/// `zkfl-verify` does (same subcommands and flags).
#[derive(Args)]
pub struct VerifyCmd {
    /// Print a JSON report on stdout instead of human text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

impl VerifyCmd {
    /// Runs the verification and returns `zkfl-verify`'s exit code.
    pub fn run(self) -> i32 {
        Cli {
            json: self.json,
            command: self.command,
        }
        .run()
    }
}
