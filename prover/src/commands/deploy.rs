use std::path::PathBuf;

use alloy_primitives::Address;
use anyhow::{ensure, Context};
use clap::Args;
use zkfl_circuits::keys::read_vk;
use zkfl_contracts::bundle::registry_params;
use zkfl_contracts::chain::Client;
use zkfl_contracts::export::compile_registry;
use zkfl_prover::setup::KeyPaths;
use zkfl_task::Task;

use super::onchain::{self, KeyArgs, SolcArgs};

/// Deploy the round registry (verifier for these keys included) to a node, enroll the task's
/// roster and set its quorum.
///
/// The genesis model commitment, d and the shape come from the genesis round bundle; the
/// private key from $ZKFL_PRIVATE_KEY or --key-file. task.json names the registry before it
/// exists: the address of this key's next deployment (`--print-address` prints it), so the
/// key must send nothing else between writing task.json and deploying (docs/PROTOCOL.md §10).
#[derive(Args)]
pub struct DeployCmd {
    /// JSON-RPC endpoint of the node, e.g. http://127.0.0.1:8545.
    #[arg(long)]
    rpc: String,
    /// Key directory from `zkfl setup` (reads vk.bin).
    #[arg(long, default_value = "keys")]
    keys: PathBuf,
    /// The genesis round: its directory (or round.json), or a directory of round-*/ dirs
    /// (the lowest-numbered genesis round is used). Its previous model becomes round 0.
    #[arg(long, required_unless_present = "print_address")]
    genesis: Option<PathBuf>,
    /// The task (task.json): its chain id and registry address must be this deployment's;
    /// its quorum becomes minClients.
    #[arg(long, required_unless_present = "print_address")]
    task: Option<PathBuf>,
    /// The task's roster (roster.json), enrolled after deployment; must have the digest
    /// task.json names.
    #[arg(long, required_unless_present = "print_address")]
    roster: Option<PathBuf>,
    /// Only print the address this key's next deployment gets (for task.json), and exit.
    #[arg(long)]
    print_address: bool,
    /// Account allowed to submit rounds (default: the signer).
    #[arg(long)]
    coordinator: Option<Address>,
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    solc: SolcArgs,
    /// Deploy even for a key from `zkfl setup` (fixed seed or no ceremony), whose maker can
    /// forge proofs the registry would accept: tests and demos only.
    #[arg(long)]
    allow_insecure_keys: bool,
    /// Print a JSON summary on stdout.
    #[arg(long)]
    json: bool,
}

impl DeployCmd {
    pub fn run(self) -> anyhow::Result<()> {
        if self.print_address {
            let (key, origin) = self.key.load()?;
            let client = Client::connect(&self.rpc, &key, &origin)?;
            println!("{}", client.next_deployment_address()?);
            eprintln!(
                "the next contract {} deploys on chain {} gets this address, if it sends no other transaction first",
                client.address(),
                client.chain_id()?
            );
            return Ok(());
        }
        let (Some(genesis_path), Some(task_path), Some(roster_path)) =
            (&self.genesis, &self.task, &self.roster)
        else {
            anyhow::bail!("--genesis, --task and --roster are required");
        };
        let task = Task::read(task_path)?;
        let roster = task.read_roster(roster_path)?;
        let vk_path = KeyPaths::in_dir(&self.keys).vk;
        let (header, vk) = read_vk(&vk_path)?;
        ensure!(
            task.quorum as usize <= header.shape.slots,
            "{}: quorum {} is more than the {} slots a round of these keys has",
            task_path.display(),
            task.quorum,
            header.shape.slots
        );
        let (bundle_path, genesis) = onchain::find_genesis(genesis_path)?;
        ensure!(
            genesis.vk_digest == header.vk_digest && genesis.shape == header.shape,
            "{} was proven under key {} (shape {:?}), but {} is key {} (shape {:?}); pass the keys the round was proven with",
            bundle_path.display(),
            genesis.vk_digest,
            genesis.shape,
            vk_path.display(),
            header.vk_digest,
            header.shape
        );
        if let Some(why) = header.insecurity() {
            ensure!(
                self.allow_insecure_keys,
                "{}: {why}, and the registry would accept such proofs. Deploy keys from a ceremony (`zkfl ceremony export-keys`), or pass --allow-insecure-keys for tests and demos",
                vk_path.display()
            );
            eprintln!(
                "WARNING: {}: {why}; deploying anyway (--allow-insecure-keys): tests and demos only.",
                vk_path.display()
            );
        }
        let (key, origin) = self.key.load()?;
        let client = Client::connect(&self.rpc, &key, &origin)?;
        let coordinator = self.coordinator.unwrap_or(client.address());
        let mut params = registry_params(&genesis, coordinator)
            .with_context(|| format!("using {} as genesis", bundle_path.display()))?;
        params.min_clients = task.quorum.into();
        let chain_id = client.chain_id()?;
        ensure!(
            chain_id == task.chain_id,
            "{} is for chain {}, but {} is chain {chain_id}",
            task_path.display(),
            task.chain_id,
            self.rpc
        );
        let next = client.next_deployment_address()?;
        ensure!(
            next == task.registry,
            "{} names registry {}, but this deployment would be at {next} (the next contract of {}); \
             write {next} into task.json (before clients sign) or deploy from the key task.json was made for",
            task_path.display(),
            task.registry,
            client.address()
        );
        let artifact = compile_registry(&vk, &header.shape, &self.solc.solc()?)
            .with_context(|| format!("compiling the registry for {}", vk_path.display()))?;
        let deployed = client.deploy_registry(&artifact.bytecode, &params)?;
        ensure!(
            deployed.address == task.registry,
            "the registry landed at {}, not at {} as task.json names (the key sent another \
             transaction meanwhile); deploy again with a task for the new address",
            deployed.address,
            task.registry
        );
        let enroll_gas = client
            .enroll(deployed.address, &roster.clients)
            .with_context(|| format!("enrolling the clients of {}", roster_path.display()))?;
        let genesis_model = format!("0x{}", hex::encode(params.genesis_model));
        if self.json {
            let summary = serde_json::json!({
                "registry": deployed.address,
                "tx_hash": deployed.tx_hash,
                "gas_used": deployed.gas_used,
                "chain_id": chain_id,
                "coordinator": coordinator,
                "genesis_model_commitment": genesis_model,
                "vk_digest": header.vk_digest,
                "clients_enrolled": roster.clients.len(),
                "enroll_gas_used": enroll_gas.iter().sum::<u64>(),
                "min_clients": task.quorum,
            });
            println!("{summary}");
        } else {
            println!("{}", deployed.address);
            eprintln!(
                "ZkflRoundRegistry deployed on chain {chain_id}: tx {}, gas {}\n  coordinator {coordinator}\n  genesis model {genesis_model} (from {})\n  {} clients enrolled ({} transactions, gas {}), minClients {}\n  next round to submit: 1",
                deployed.tx_hash,
                deployed.gas_used,
                bundle_path.display(),
                roster.clients.len(),
                enroll_gas.len(),
                enroll_gas.iter().sum::<u64>(),
                task.quorum
            );
        }
        Ok(())
    }
}
