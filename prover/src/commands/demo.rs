//! A complete, deterministic example round.

use std::path::{Path, PathBuf};

use alloy_primitives::Address;
use anyhow::{ensure, Context};
use clap::Args;
use zkfl_circuits::tensors::{self, Layout, TensorSpec};
use zkfl_contracts::bundle::{registry_params, round_call};
use zkfl_contracts::encode::function_calldata;
use zkfl_contracts::evm::Evm;
use zkfl_contracts::round::{enroll_calldata, RoundAccepted};

use alloy_signer_local::PrivateKeySigner;
use zkfl_task::{Roster, Task};
use zkfl_verifier::load_bundle;

use super::onchain::SolcArgs;

/// Run setup → commit (4 clients) → prove → verify on a generated example.
#[derive(Args)]
pub struct DemoCmd {
    /// Working directory for the example files (default: a fresh temp dir).
    #[arg(long)]
    dir: Option<PathBuf>,
    #[command(flatten)]
    solc: SolcArgs,
}

fn layout() -> Layout {
    Layout {
        tensors: vec![
            TensorSpec::f32("fc1.bias", &[32]),
            TensorSpec::f32("fc1.weight", &[32, 64]),
            TensorSpec::f32("fc2.bias", &[10]),
            TensorSpec::f32("fc2.weight", &[10, 32]),
        ],
    }
}

/// Deterministic pseudo-random values in [−amp, amp] (xorshift; no RNG state to carry).
fn values(seed: u64, n: usize, amp: f64) -> Vec<f64> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ((x >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) * amp
        })
        .collect()
}

/// The demo clients' keys: Anvil's / Hardhat's public test accounts 1..=4 (demo only).
const CLIENT_KEYS: [&str; 4] = [
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
];

/// The in-process EVM's chain id (revm's mainnet default), the demo task's domain.
const DEMO_CHAIN_ID: u64 = 1;

fn zkfl(args: &[&str]) -> anyhow::Result<()> {
    let exe = std::env::current_exe().context("locating the zkfl binary")?;
    println!("$ zkfl {}", args.join(" "));
    let status = std::process::Command::new(exe)
        .args(args)
        .status()
        .context("running zkfl")?;
    anyhow::ensure!(status.success(), "`zkfl {}` failed", args.join(" "));
    Ok(())
}

impl DemoCmd {
    pub fn run(self) -> anyhow::Result<()> {
        let dir = match self.dir {
            Some(d) => d,
            None => std::env::temp_dir().join(format!("zkfl-demo-{}", std::process::id())),
        };
        if dir.exists() {
            anyhow::bail!("{} already exists; pass a new --dir", dir.display());
        }
        // The on-chain step at the end needs solc: fail before minutes of proving.
        let solc = self.solc.solc()?;
        std::fs::create_dir_all(&dir)?;
        let p = |name: &str| dir.join(name).display().to_string();
        let layout = layout();
        let d = layout.num_params();
        println!(
            "zkfl demo in {}: a {d}-parameter model in {} tensors, 4 clients\n",
            dir.display(),
            layout.tensors.len()
        );
        tensors::write(
            Path::new(&p("global-0.safetensors")),
            &layout,
            &values(1, d, 0.5),
        )?;
        let clients = 4;
        for i in 0..clients {
            tensors::write(
                Path::new(&p(&format!("client{i}.safetensors"))),
                &layout,
                &values(10 + i as u64, d, 0.01),
            )?;
        }
        // One spare slot stays empty; the chunk size fills a 2^16 FFT domain.
        let slots = (clients + 1).to_string();
        zkfl(&[
            "setup",
            "--slots",
            &slots,
            "--chunk",
            "auto",
            "--log-domain",
            "16",
            "--seed",
            "42",
            "--out",
            &p("keys"),
        ])?;
        // The signed task: the 4 clients enrolled, quorum 3, the registry at the address the
        // demo's coordinator deploys it to (its first contract), on the in-process chain.
        let keys: Vec<PrivateKeySigner> = CLIENT_KEYS
            .iter()
            .map(|k| k.parse())
            .collect::<Result<_, _>>()
            .context("demo client keys")?;
        for (i, k) in CLIENT_KEYS.iter().enumerate() {
            std::fs::write(p(&format!("client{i}.key")), k)?;
        }
        let roster = Roster::new(keys.iter().map(|k| k.address()).collect())?;
        let task = Task::new(
            "zkfl demo",
            DEMO_CHAIN_ID,
            DEMO_COORDINATOR.create(0),
            &roster,
            3,
        );
        std::fs::write(p("roster.json"), serde_json::to_vec_pretty(&roster)?)?;
        std::fs::write(p("task.json"), serde_json::to_vec_pretty(&task)?)?;
        println!(
            "task.json: registry {} on chain {DEMO_CHAIN_ID}, {} enrolled clients, quorum 3",
            task.registry,
            roster.clients.len()
        );
        // The genesis model is committed up front: round 1's clients sign its commitment.
        zkfl(&[
            "commit",
            "--model",
            &p("global-0.safetensors"),
            "--params",
            &p("keys/params.json"),
            "--out",
            &format!("{}/", p("genesis")),
        ])?;
        let weights = [120u64, 80, 200, 50];
        for (i, w) in weights.iter().enumerate() {
            zkfl(&[
                "commit",
                "--update",
                &p(&format!("client{i}.safetensors")),
                "--params",
                &p("keys/params.json"),
                "--out",
                &p(&format!("client{i}.commit.json")),
                "--task",
                &p("task.json"),
                "--roster",
                &p("roster.json"),
                "--round",
                "1",
                "--prev-model",
                &p("genesis"),
                "--weight",
                &w.to_string(),
                "--client-key-file",
                &p(&format!("client{i}.key")),
            ])?;
        }
        let mut args = vec![
            "prove".to_string(),
            "--keys".into(),
            p("keys"),
            "--round".into(),
            "1".into(),
            "--model".into(),
            p("global-0.safetensors"),
            "--genesis-opening".into(),
            p("genesis/model.opening.json"),
            "--task".into(),
            p("task.json"),
            "--roster".into(),
            p("roster.json"),
            "--linf".into(),
            "0.01".into(),
            "--l2".into(),
            "1.0".into(),
            "--out".into(),
            p("round-1"),
        ];
        for i in 0..clients {
            args.extend([
                "--update".into(),
                p(&format!("client{i}.safetensors")),
                "--opening".into(),
                p(&format!("client{i}.opening.json")),
                "--signed".into(),
                p(&format!("client{i}.signed.json")),
            ]);
        }
        zkfl(&args.iter().map(String::as_str).collect::<Vec<_>>())?;
        // The demo's keys come from `zkfl setup --seed`: anyone who knows the seed can forge
        // proofs under them, so verifiers refuse them unless told these are test keys.
        println!(
            "(--allow-insecure-keys: the demo's keys come from `zkfl setup --seed`, which can forge proofs; real audits use ceremony keys, docs/CEREMONY.md)"
        );
        zkfl(&[
            "verify",
            "round",
            "--vk",
            &p("keys/vk.bin"),
            "--allow-insecure-keys",
            "--task",
            &p("task.json"),
            "--roster",
            &p("roster.json"),
            &p("round-1"),
        ])?;
        println!(
            "\nProven and verified: each of the 4 client updates has every coordinate within ±0.01 and L2 norm ≤ 1.0,\n\
             and round-1/model.safetensors is exactly the weighted FedAvg (weights 120, 80, 200, 50) of those committed\n\
             updates applied to the committed global-0 model, under the rounding rule in docs/PROTOCOL.md;\n\
             each update and weight is signed by its enrolled client for round 1 after the genesis model (EIP-712).\n\
             (The demo keys come from a fixed seed and are INSECURE; run `zkfl setup` without --seed for real use.)"
        );
        on_chain(&dir, solc.location(), &roster, task.quorum)
    }
}

/// The demo's coordinator on the in-process chain. The harness charges no gas, so it needs
/// no balance.
const DEMO_COORDINATOR: Address = Address::repeat_byte(0xc0);

/// Export the contracts, then deploy the registry, enroll the roster and submit the signed
/// round 1 on an in-process EVM (revm; the same code a node runs, no node needed).
fn on_chain(dir: &Path, solc: &Path, roster: &Roster, quorum: u32) -> anyhow::Result<()> {
    let out = dir.join("contracts");
    let keys = dir.join("keys").display().to_string();
    println!();
    zkfl(&[
        "export-solidity",
        "--keys",
        &keys,
        "--out",
        &out.display().to_string(),
        "--solc",
        &solc.display().to_string(),
    ])?;
    let bundle_path = dir.join("round-1");
    let bundle = load_bundle(&bundle_path)?;
    let bin = out.join("ZkflRoundRegistry.bin");
    let creation = std::fs::read_to_string(&bin)
        .map_err(anyhow::Error::from)
        .and_then(|h| Ok(hex::decode(h.trim())?))
        .with_context(|| format!("reading the registry bytecode {}", bin.display()))?;
    let mut params = registry_params(&bundle, DEMO_COORDINATOR)
        .with_context(|| format!("using {} as genesis", bundle_path.display()))?;
    params.min_clients = u64::from(quorum);
    let mut evm = Evm::new();
    let registry = evm.deploy(
        DEMO_COORDINATOR,
        params.initcode(&creation),
        "deploying ZkflRoundRegistry",
    )?;
    ensure!(
        registry == DEMO_COORDINATOR.create(0),
        "the registry was deployed at {registry}, not at {}, the address task.json names (the clients' signatures are for that one)",
        DEMO_COORDINATOR.create(0)
    );
    evm.call(
        DEMO_COORDINATOR,
        registry,
        enroll_calldata(&roster.clients),
        "enroll(roster)",
    )?;
    let call = round_call(&bundle, &evm.roster(DEMO_COORDINATOR, registry)?)
        .with_context(|| format!("reading {}", bundle_path.display()))?;
    let outcome = evm.call(
        DEMO_COORDINATOR,
        registry,
        call.calldata(),
        "submitRound(round 1)",
    )?;
    let slots = bundle.shape.slots;
    let accepted = outcome
        .logs
        .iter()
        .find_map(|log| RoundAccepted::decode(slots, log.data.topics(), &log.data.data))
        .context("submitRound(round 1) succeeded but emitted no RoundAccepted event")?;
    let stored = evm
        .call(
            DEMO_COORDINATOR,
            registry,
            function_calldata("modelCommitment()", vec![]),
            "modelCommitment()",
        )?
        .output;
    let new_model = bundle.new_model_commitment;
    ensure!(
        stored == new_model.0 && accepted.new_model == new_model.0,
        "the registry stored 0x{} but round-1's new model is {new_model}",
        hex::encode(&stored)
    );
    println!(
        "\nOn chain (in-process EVM, revm): ZkflRoundRegistry deployed at {registry} ({} bytes of runtime code)\n\
         \x20 round 1 accepted: {} chunk proofs in one batched pairing check, gas used {}\n\
         \x20 stored model commitment {} == round-1 new_model_commitment: yes\n\
         \x20 clients (each signature checked with ecrecover, {} enrolled, quorum {quorum}): {}",
        evm.code(registry).len(),
        bundle.chunks.len(),
        outcome.tx_gas,
        format_args!("0x{}", hex::encode(&stored)),
        roster.clients.len(),
        accepted
            .clients
            .iter()
            .filter(|a| **a != Address::ZERO)
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    );
    Ok(())
}
