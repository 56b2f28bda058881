//! Subcommands, one file each.

mod assemble;
mod ceremony;
mod commit;
mod demo;
mod deploy;
mod export_solidity;
mod onchain;
mod prove;
mod setup;
mod shard;
mod submit;
mod task;
mod verify;

use clap::{Parser, Subcommand};

/// zkfl: zero-knowledge proofs that a federated-learning round was aggregated honestly.
///
/// Flow: the coordinator runs `setup` once per circuit shape; each client runs `commit` on
/// its update and hands the update and its opening to the coordinator; the coordinator runs
/// `prove` for the round; anyone verifies with `zkfl-verify` (or `zkfl verify`).
#[derive(Parser)]
#[command(name = "zkfl", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Single-party development keys for one circuit shape (use `ceremony` for real ones).
    ///
    /// This is the development path: whoever runs it knows the setup randomness and can
    /// forge proofs, so its keys convince no one but the coordinator. For keys auditors can
    /// trust, run a multi-party ceremony with `zkfl ceremony` (docs/CEREMONY.md).
    Setup(setup::SetupCmd),
    /// Multi-party trusted setup in snarkjs's formats: export-r1cs, init, contribute,
    /// beacon, verify, export-keys.
    #[command(subcommand)]
    Ceremony(ceremony::CeremonyCmd),
    /// Write a signed task's task.json and roster.json (registry, chain, clients, quorum).
    Task(task::TaskCmd),
    /// Commit to a client update (public record + private opening).
    Commit(commit::CommitCmd),
    /// Aggregate a round and prove it, chunk by chunk in parallel.
    Prove(prove::ProveCmd),
    /// Check the chunk proofs of a sharded round (`zkfl prove --prepare`/`--plan`) and write
    /// its round directory.
    Assemble(assemble::AssembleCmd),
    /// Run a complete example round: setup → commit → prove → verify.
    Demo(demo::DemoCmd),
    /// Write the Solidity verifier and round registry for a key (ABI and bytecode with solc).
    ExportSolidity(export_solidity::ExportSolidityCmd),
    /// Deploy the round registry to a node, starting from the genesis round's model.
    Deploy(deploy::DeployCmd),
    /// Submit a proven round to the registry on a node.
    Submit(submit::SubmitCmd),
    /// Verify a round, a history, a model or a key: `zkfl-verify`'s commands, same code.
    Verify(verify::VerifyCmd),
}

impl Cli {
    /// Runs the subcommand and returns the process exit code (`zkfl verify` keeps
    /// `zkfl-verify`'s: 0 valid, 1 invalid, 2 unreadable; every other command 0 or 1, and
    /// [`EXIT_RETRYABLE`] for a sharded task's failure that a retry may fix).
    pub fn run(self) -> i32 {
        let result = match self.command {
            Command::Verify(c) => return c.run(),
            Command::Setup(c) => c.run(),
            Command::Ceremony(c) => c.run(),
            Command::Task(c) => c.run(),
            Command::Commit(c) => c.run(),
            Command::Prove(c) => c.run(),
            Command::Assemble(c) => c.run(),
            Command::Demo(c) => c.run(),
            Command::ExportSolidity(c) => c.run(),
            Command::Deploy(c) => c.run(),
            Command::Submit(c) => c.run(),
        };
        match result {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("error: {}", zkfl_verifier::describe_error(e.as_ref()));
                if e.chain().any(|c| c.is::<Retryable>()) {
                    eprintln!("(retryable: run the task again; finished chunks are kept)");
                    EXIT_RETRYABLE
                } else {
                    1
                }
            }
        }
    }
}

/// Exit code of a failure worth retrying (sysexits' EX_TEMPFAIL).
pub const EXIT_RETRYABLE: i32 = 75;

/// A failure that a retry may fix (I/O on a shared filesystem), as opposed to a wrong plan,
/// key or argument.
#[derive(Debug)]
pub struct Retryable(pub anyhow::Error);

impl std::fmt::Display for Retryable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", zkfl_verifier::describe_error(self.0.as_ref()))
    }
}

impl std::error::Error for Retryable {}
