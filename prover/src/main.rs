//! `zkfl`: the command trainers and coordinators run.
#![forbid(unsafe_code)]

mod commands;

use clap::Parser;

fn main() {
    std::process::exit(commands::Cli::parse().run());
}
