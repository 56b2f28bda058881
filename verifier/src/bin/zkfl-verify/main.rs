//! `zkfl-verify`: the auditor's command line (`zkfl_verifier::cli`). Exit code 0 = valid,
//! 1 = invalid, 2 = usage error or unreadable input.
#![forbid(unsafe_code)]

use clap::Parser;

fn main() {
    // clap exits with 2 on usage errors by itself.
    std::process::exit(zkfl_verifier::cli::Cli::parse().run());
}
