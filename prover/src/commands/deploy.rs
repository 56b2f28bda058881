use std::path::PathBuf;

use alloy_primitives::Address;
use anyhow::{ensure, Context};
use clap::Args;
use zkfl_circuits::keys::read_vk;
use zkfl_contracts::bundle::registry_params;
use zkfl_contracts::chain::Client;
use zkfl_contracts::export::compile_registry;
use zkfl_prover::setup::KeyPaths;

use super::onchain::{self, KeyArgs, SolcArgs};

/// Deploy the round registry (verifier for these keys included) to a node.
///
/// The genesis model commitment, d and the shape come from the genesis round bundle; the
/// private key from $ZKFL_PRIVATE_KEY or --key-file.
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
    #[arg(long)]
    genesis: PathBuf,
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
        let vk_path = KeyPaths::in_dir(&self.keys).vk;
        let (header, vk) = read_vk(&vk_path)?;
        let (bundle_path, genesis) = onchain::find_genesis(&self.genesis)?;
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
        let params = registry_params(&genesis, coordinator)
            .with_context(|| format!("using {} as genesis", bundle_path.display()))?;
        let chain_id = client.chain_id()?;
        let artifact = compile_registry(&vk, &header.shape, &self.solc.solc()?)
            .with_context(|| format!("compiling the registry for {}", vk_path.display()))?;
        let deployed = client.deploy_registry(&artifact.bytecode, &params)?;
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
            });
            println!("{summary}");
        } else {
            println!("{}", deployed.address);
            eprintln!(
                "ZkflRoundRegistry deployed on chain {chain_id}: tx {}, gas {}\n  coordinator {coordinator}\n  genesis model {genesis_model} (from {})\n  next round to submit: 1",
                deployed.tx_hash,
                deployed.gas_used,
                bundle_path.display()
            );
        }
        Ok(())
    }
}
