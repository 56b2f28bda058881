//! A complete, deterministic example round.

use std::path::{Path, PathBuf};

use alloy_primitives::Address;
use anyhow::{ensure, Context};
use clap::Args;
use zkfl_circuits::tensors::{self, Layout, TensorSpec};
use zkfl_contracts::bundle::{registry_params, round_call};
use zkfl_contracts::encode::function_calldata;
use zkfl_contracts::evm::Evm;
use zkfl_contracts::round::RoundAccepted;

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
        for i in 0..clients {
            zkfl(&[
                "commit",
                "--update",
                &p(&format!("client{i}.safetensors")),
                "--params",
                &p("keys/params.json"),
                "--out",
                &p(&format!("client{i}.commit.json")),
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
            "--linf".into(),
            "0.01".into(),
            "--l2".into(),
            "1.0".into(),
            "--out".into(),
            p("round-1"),
        ];
        for (i, w) in [120u64, 80, 200, 50].iter().enumerate() {
            args.extend([
                "--update".into(),
                p(&format!("client{i}.safetensors")),
                "--opening".into(),
                p(&format!("client{i}.opening.json")),
                "--weight".into(),
                w.to_string(),
            ]);
        }
        zkfl(&args.iter().map(String::as_str).collect::<Vec<_>>())?;
        zkfl(&["verify", "--keys", &p("keys"), &p("round-1")])?;
        println!(
            "\nProven and verified: each of the 4 client updates has every coordinate within ±0.01 and L2 norm ≤ 1.0,\n\
             and round-1/model.safetensors is exactly the weighted FedAvg (weights 120, 80, 200, 50) of those committed\n\
             updates applied to the committed global-0 model, under the rounding rule in docs/PROTOCOL.md.\n\
             (The demo keys come from a fixed seed and are INSECURE; run `zkfl setup` without --seed for real use.)"
        );
        on_chain(&dir, solc.location())
    }
}

/// The demo's coordinator on the in-process chain. The harness charges no gas, so it needs
/// no balance.
const DEMO_COORDINATOR: Address = Address::repeat_byte(0xc0);

/// Export the contracts, then deploy the registry and submit round 1 on an in-process EVM
/// (revm; the same code a node runs, no node needed).
fn on_chain(dir: &Path, solc: &Path) -> anyhow::Result<()> {
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
    let params = registry_params(&bundle, DEMO_COORDINATOR)
        .with_context(|| format!("using {} as genesis", bundle_path.display()))?;
    let call = round_call(&bundle).with_context(|| format!("reading {}", bundle_path.display()))?;
    let mut evm = Evm::new();
    let registry = evm.deploy(
        DEMO_COORDINATOR,
        params.initcode(&creation),
        "deploying ZkflRoundRegistry",
    )?;
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
         \x20 stored model commitment {} == round-1 new_model_commitment: yes",
        evm.code(registry).len(),
        bundle.chunks.len(),
        outcome.tx_gas,
        format_args!("0x{}", hex::encode(&stored)),
    );
    Ok(())
}
