//! `zkfl task`: write a task's public files, task.json and roster.json.

use std::path::PathBuf;

use alloy_primitives::Address;
use anyhow::{ensure, Context};
use clap::Args;
use zkfl_prover::output::write_file_atomic;
use zkfl_task::{Roster, Task};

/// Write task.json and roster.json for a signed task (docs/PROTOCOL.md §10).
///
/// task.json names the registry before it is deployed: take its address from
/// `zkfl deploy --print-address` with the key that will deploy it, and send nothing else
/// from that key until `zkfl deploy --task` has run. Clients sign under this task's domain
/// (chain id and registry), so both must be final before the first client commits.
#[derive(Args)]
pub struct TaskCmd {
    /// A name for people (not signed).
    #[arg(long)]
    name: String,
    /// The chain the registry lives on (EIP-155 chain id).
    #[arg(long)]
    chain_id: u64,
    /// The registry's address (from `zkfl deploy --print-address`).
    #[arg(long)]
    registry: Address,
    /// An enrolled client's address; repeat for every client.
    #[arg(long = "client", required = true)]
    clients: Vec<Address>,
    /// Fewest signed clients a round must have (the registry's minClients).
    #[arg(long)]
    quorum: u32,
    /// Directory to write task.json and roster.json into.
    #[arg(long)]
    out: PathBuf,
    /// Replace existing files (clients' signatures under the old task become useless).
    #[arg(long)]
    force: bool,
}

impl TaskCmd {
    pub fn run(self) -> anyhow::Result<()> {
        ensure!(self.quorum >= 1, "--quorum must be at least 1");
        ensure!(
            self.quorum as usize <= self.clients.len(),
            "--quorum {} is more than the {} clients given",
            self.quorum,
            self.clients.len()
        );
        let roster = Roster::new(self.clients)?;
        let task = Task::new(
            &self.name,
            self.chain_id,
            self.registry,
            &roster,
            self.quorum,
        );
        std::fs::create_dir_all(&self.out)
            .with_context(|| format!("creating {}", self.out.display()))?;
        let (task_path, roster_path) = (self.out.join("task.json"), self.out.join("roster.json"));
        // Check both before writing either, so a refusal leaves no half-written task.
        for p in [&task_path, &roster_path] {
            ensure!(
                self.force || !p.exists(),
                "{} exists; pass --force to replace it",
                p.display()
            );
        }
        let roster_json = serde_json::to_vec_pretty(&roster)?;
        write_file_atomic(&roster_path, &roster_json, false, self.force)?;
        write_file_atomic(
            &task_path,
            &serde_json::to_vec_pretty(&task)?,
            false,
            self.force,
        )?;
        // Read back through the verifiers' own checks, so what was written is what they accept.
        let read = Task::read(&task_path)?;
        read.read_roster(&roster_path)?;
        println!("{}", task_path.display());
        eprintln!(
            "task '{}': registry {} on chain {}, {} clients, quorum {}\n  roster {} (sha256 {})",
            read.name,
            read.registry,
            read.chain_id,
            roster.clients.len(),
            read.quorum,
            roster_path.display(),
            read.roster_sha256
        );
        Ok(())
    }
}
