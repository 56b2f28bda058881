//! End to end on a real node, signed: a task of 3 enrolled clients (anvil's accounts 1–3),
//! each signing its own update with `zkfl commit --task`; two rounds proven, the registry
//! deployed with `zkfl deploy --task --roster` and both rounds submitted with the `zkfl`
//! binary to anvil (from the npm package pinned in contracts/package-lock.json); a round-1
//! signature replayed in round 2 rejected on-chain; the registry's storage read back over
//! JSON-RPC.
//!
//! The proving keys come from a FIXED SEED and every account is one of anvil's well-known
//! test accounts: test only.
//!
//! anvil comes from the npm package @foundry-rs/anvil-linux-amd64, an optional dependency
//! that npm installs on linux/x64 only; elsewhere this test is not built (README: Tests).
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use alloy_primitives::{Address, U256};
use alloy_signer_local::PrivateKeySigner;
use zkfl_circuits::bundle::RoundBundle;
use zkfl_circuits::tensors::{self, Layout, TensorSpec};
use zkfl_contracts::{bundle::round_call, chain::Client, ContractsError};

/// anvil's default account 0 (the well-known Foundry test key, public; never use it elsewhere).
const ANVIL_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const ANVIL_ADDRESS: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
/// anvil's default accounts 1–3: the task's clients.
const CLIENT_KEYS: [&str; 3] = [
    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
];
const WEIGHTS: [&str; 3] = ["3", "5", "2"];
const D: usize = 40; // 3 chunks of 16

fn contracts_dir() -> PathBuf {
    match std::env::var_os("ZKFL_CONTRACTS_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts"),
    }
}

/// anvil on 127.0.0.1 at a free port; killed on drop, also when the test panics.
struct Anvil {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Anvil {
    fn start(log: PathBuf) -> Self {
        let bin = contracts_dir().join("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
        assert!(
            bin.is_file(),
            "{} is missing: run `npm ci --prefix contracts` in the repository root first",
            bin.display()
        );
        // Ask the OS for a free port, release it, hand it to anvil. Another process could
        // take it in between; then anvil exits and `wait_ready` says so.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free local port")
            .port();
        let out = std::fs::File::create(&log).expect("anvil log file");
        let child = Command::new(&bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("log handle"))
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()));
        let mut anvil = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        };
        anvil.wait_ready();
        anvil
    }

    fn log_text(&self) -> String {
        let mut s = String::new();
        if let Ok(mut f) = std::fs::File::open(&self.log) {
            let _ = f.read_to_string(&mut s);
        }
        s
    }

    fn wait_ready(&mut self) {
        let client = Client::connect(&self.url, ANVIL_KEY, "the test key").expect("client");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("anvil status") {
                panic!("anvil exited with {status}:\n{}", self.log_text());
            }
            match client.chain_id() {
                Ok(id) => {
                    assert_eq!(id, 31337, "anvil's default chain id");
                    return;
                }
                Err(e) if Instant::now() > deadline => {
                    panic!(
                        "anvil did not answer on {} within 30 s: {e}\n{}",
                        self.url,
                        self.log_text()
                    )
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `zkfl`; `key` sets ZKFL_PRIVATE_KEY (otherwise it is removed from the environment).
fn zkfl(args: &[&str], key: Option<&str>) -> (bool, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zkfl"));
    cmd.args(args)
        .env_remove("ZKFL_PRIVATE_KEY")
        .env("ZKFL_SOLC", contracts_dir());
    if let Some(k) = key {
        cmd.env("ZKFL_PRIVATE_KEY", k);
    }
    let out = cmd.output().expect("run zkfl");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn zkfl_ok(args: &[&str], key: Option<&str>) -> String {
    let (ok, out, err) = zkfl(args, key);
    assert!(ok, "zkfl {} failed:\n{err}", args.join(" "));
    out
}

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

fn wave(seed: f64, amp: f64) -> Vec<f64> {
    (0..D)
        .map(|i| (i as f64 * 0.7 + seed).sin() * amp)
        .collect()
}

fn read_bundle(path: &Path) -> RoundBundle {
    serde_json::from_str(&std::fs::read_to_string(path).expect("round.json")).expect("bundle")
}

#[test]
fn signed_task_deploy_and_submit_two_rounds_on_anvil() {
    let started = Instant::now();
    let tmp = tempfile::tempdir().expect("temp dir");
    let p = |name: &str| tmp.path().join(name).display().to_string();
    let anvil = Anvil::start(tmp.path().join("anvil.log"));
    let key = Some(ANVIL_KEY);

    zkfl_ok(
        &[
            "setup",
            "--slots",
            "3",
            "--chunk",
            "16",
            "--seed",
            "11",
            "--out",
            &p("keys"),
        ],
        None,
    );
    let layout = Layout {
        tensors: vec![TensorSpec::f32("b", &[8]), TensorSpec::f32("w", &[4, 8])],
    };
    tensors::write(Path::new(&p("model.safetensors")), &layout, &wave(0.0, 0.8)).expect("model");
    // The genesis model is committed up front: round 1's clients sign its commitment.
    zkfl_ok(
        &[
            "commit",
            "--model",
            &p("model.safetensors"),
            "--params",
            &p("keys/params.json"),
            "--out",
            &p("genesis/"),
        ],
        None,
    );

    // task.json names the registry before it exists: the deployer's next CREATE address.
    let (ok, _, err) = zkfl(&["deploy", "--rpc", &anvil.url, "--print-address"], None);
    assert!(
        !ok && err.contains("ZKFL_PRIVATE_KEY"),
        "the key never comes from a flag: {err}"
    );
    let registry = zkfl_ok(&["deploy", "--rpc", &anvil.url, "--print-address"], key)
        .trim()
        .to_string();
    let clients: Vec<PrivateKeySigner> = CLIENT_KEYS
        .iter()
        .map(|k| k.parse().expect("test key"))
        .collect();
    let mut task_args = vec![
        "task".to_string(),
        "--name".into(),
        "anvil e2e".into(),
        "--chain-id".into(),
        "31337".into(),
        "--registry".into(),
        registry.clone(),
        "--quorum".into(),
        "2".into(),
        "--out".into(),
        p("task"),
    ];
    for c in &clients {
        task_args.extend(["--client".into(), c.address().to_string()]);
    }
    zkfl_ok(
        &task_args.iter().map(String::as_str).collect::<Vec<_>>(),
        None,
    );

    // Each client signs its own update for one round, after one model, with one weight; its
    // key comes from a file.
    for (i, k) in CLIENT_KEYS.iter().enumerate() {
        std::fs::write(p(&format!("c{i}.key")), format!("{k}\n")).expect("key file");
    }
    let commit_round = |t: u64, prev: &str| {
        for (i, weight) in WEIGHTS.iter().enumerate() {
            let update = p(&format!("c{i}-r{t}.safetensors"));
            tensors::write(
                Path::new(&update),
                &layout,
                &wave(i as f64 + t as f64, 0.02),
            )
            .expect("update");
            let out = zkfl_ok(
                &[
                    "commit",
                    "--update",
                    &update,
                    "--params",
                    &p("keys/params.json"),
                    "--out",
                    &p(&format!("c{i}-r{t}.commit.json")),
                    "--task",
                    &p("task/task.json"),
                    "--roster",
                    &p("task/roster.json"),
                    "--round",
                    &t.to_string(),
                    "--prev-model",
                    prev,
                    "--weight",
                    weight,
                    "--client-key-file",
                    &p(&format!("c{i}.key")),
                ],
                None,
            );
            assert!(!out.contains("unsigned"), "{out}");
        }
    };
    let prove = |t: u64, model: &str, opening: (&str, &str)| {
        let mut args = vec![
            "prove".to_string(),
            "--keys".into(),
            p("keys"),
            "--round".into(),
            t.to_string(),
            "--model".into(),
            model.into(),
            opening.0.into(),
            opening.1.into(),
            "--task".into(),
            p("task/task.json"),
            "--roster".into(),
            p("task/roster.json"),
            "--linf".into(),
            "0.025".into(),
            "--l2".into(),
            "0.5".into(),
            "--out".into(),
            p(&format!("round-{t}")),
        ];
        for i in 0..3 {
            let stem = format!("c{i}-r{t}");
            args.extend([
                "--update".into(),
                p(&format!("{stem}.safetensors")),
                "--opening".into(),
                p(&format!("{stem}.opening.json")),
                "--signed".into(),
                p(&format!("{stem}.signed.json")),
            ]);
        }
        zkfl_ok(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
    };
    commit_round(1, &p("genesis/"));
    prove(
        1,
        &p("model.safetensors"),
        ("--genesis-opening", &p("genesis/model.opening.json")),
    );
    commit_round(2, &p("round-1"));
    prove(
        2,
        &p("round-1/model.safetensors"),
        ("--model-opening", &p("round-1/model.opening.json")),
    );
    let b1 = read_bundle(Path::new(&p("round-1/round.json")));
    let b2 = read_bundle(Path::new(&p("round-2/round.json")));
    assert!(b1.genesis && !b2.genesis);
    assert_eq!(b2.model_commitment, b1.new_model_commitment);
    let mut signers: Vec<String> = clients
        .iter()
        .map(|c| c.address().to_string().to_lowercase())
        .collect();
    signers.sort();
    for b in [&b1, &b2] {
        let got: Vec<String> = b
            .clients
            .as_ref()
            .expect("a signed bundle")
            .iter()
            .map(|c| c.as_ref().expect("every slot signed").signer.clone())
            .collect();
        assert_eq!(got, signers, "slots ordered by signer address");
    }

    let deploy = |extra: &[&str], key: Option<&str>| {
        let (keys, genesis) = (p("keys"), p("round-1"));
        let (task, roster) = (p("task/task.json"), p("task/roster.json"));
        let mut args = vec![
            "deploy",
            "--rpc",
            &anvil.url,
            "--keys",
            &keys,
            "--genesis",
            &genesis,
            "--task",
            &task,
            "--roster",
            &roster,
            "--json",
        ];
        args.extend_from_slice(extra);
        zkfl(&args, key)
    };
    // Seeded keys are refused unless the deployer says these are test keys.
    let (ok, _, err) = deploy(&[], key);
    assert!(!ok && err.contains("--allow-insecure-keys"), "{err}");
    let (ok, out, err) = deploy(&["--allow-insecure-keys"], key);
    assert!(ok, "deploy failed:\n{err}");
    let deployed = json(&out);
    assert_eq!(
        deployed["registry"].as_str().map(str::to_lowercase),
        Some(registry.to_lowercase())
    );
    assert_eq!(deployed["clients_enrolled"].as_u64(), Some(3));
    assert_eq!(deployed["min_clients"].as_u64(), Some(2));
    assert_eq!(
        deployed["genesis_model_commitment"].as_str(),
        Some(b1.model_commitment.to_string().as_str())
    );
    let registry_address: Address = registry.parse().expect("address");

    let submit = |dir: &str, key_args: &[&str], key: Option<&str>| {
        let keys = p("keys");
        let task = p("task/task.json");
        let roster = p("task/roster.json");
        let mut args = vec![
            "submit",
            "--rpc",
            &anvil.url,
            "--registry",
            &registry,
            "--keys",
            &keys,
            "--task",
            &task,
            "--roster",
            &roster,
            "--allow-insecure-keys",
            "--json",
        ];
        args.extend_from_slice(key_args);
        args.push(dir);
        zkfl(&args, key)
    };
    // The key may also come from a file.
    std::fs::write(p("key.hex"), format!("{ANVIL_KEY}\n")).expect("key file");
    let (ok, out, err) = submit(&p("round-1"), &["--key-file", &p("key.hex")], None);
    assert!(ok, "submitting round 1 failed:\n{err}");
    let s1 = json(&out);
    assert_eq!(
        s1["new_model_commitment"].as_str(),
        Some(b1.new_model_commitment.to_string().as_str())
    );

    // A coordinator that replays client 0's round-1 signature in round 2 (the proofs are
    // round 2's, honest) is refused on-chain: the signature recovers another address.
    // Sent straight to the node, past zkfl's own checks, which would refuse it first.
    let client = Client::connect(&anvil.url, ANVIL_KEY, "the test key").expect("client");
    let mut replayed = b2.clone();
    replayed.clients.as_mut().expect("signed")[0] = b1.clients.as_ref().expect("signed")[0].clone();
    let before = client
        .registry_state(registry_address)
        .expect("registry state");
    match client.submit_round(
        registry_address,
        &round_call(&replayed, &client.roster(registry_address).expect("roster")).expect("encodes"),
    ) {
        Err(ContractsError::Reverted { reason, .. }) => {
            assert!(reason.to_string().contains("BadSignature"), "{reason}")
        }
        other => panic!("a replayed signature must revert with BadSignature: {other:?}"),
    }
    assert_eq!(
        client.registry_state(registry_address).expect("state"),
        before
    );
    // zkfl submit refuses the same bundle before sending anything.
    std::fs::create_dir_all(p("replayed")).expect("dir");
    std::fs::write(
        p("replayed/round.json"),
        serde_json::to_vec(&replayed).expect("json"),
    )
    .expect("write");
    let (ok, _, err) = submit(&p("replayed"), &[], key);
    assert!(!ok && err.contains("was not sent"), "{err}");

    let (ok, out, err) = submit(&p("round-2"), &[], key);
    assert!(ok, "submitting round 2 failed:\n{err}");
    let s2 = json(&out);
    let mut gas = Vec::new();
    for (s, b) in [(&s1, &b1), (&s2, &b2)] {
        assert_eq!(
            s["prev_model_commitment"].as_str(),
            Some(b.model_commitment.to_string().as_str())
        );
        // The registry event carries round.json's model-file digest (issue 14).
        let file = b
            .model_file
            .as_ref()
            .expect("zkfl prove records model_file");
        assert_eq!(s["model_file_sha256"].as_str(), Some(file.sha256.as_str()));
        gas.push(s["gas_used"].as_u64().expect("gas_used"));
    }

    // The registry's storage, read over JSON-RPC.
    let state = client
        .registry_state(registry_address)
        .expect("registry state");
    assert_eq!(state.model_commitment, b2.new_model_commitment.0);
    assert_eq!(state.last_round, U256::from(2));
    assert_eq!(
        state.coordinator,
        ANVIL_ADDRESS.parse::<Address>().expect("address")
    );

    // A replayed round is refused with the registry's custom error, and nothing changes.
    let (ok, _, err) = submit(&p("round-1"), &[], key);
    assert!(!ok && err.contains("UnexpectedRound"), "{err}");
    assert_eq!(
        client.registry_state(registry_address).expect("state"),
        state
    );

    // A bundle that zkfl-verify rejects is never sent: `submit` verifies first.
    let mut edited = b2.clone();
    edited.round = 3;
    edited.bounds.linf_float *= 2.0;
    std::fs::create_dir_all(p("round-3")).expect("dir");
    std::fs::write(
        p("round-3/round.json"),
        serde_json::to_vec(&edited).expect("json"),
    )
    .expect("write");
    let (ok, _, err) = submit(&p("round-3"), &[], key);
    assert!(
        !ok && err.contains("was not sent") && err.contains("linf_float"),
        "{err}"
    );
    assert_eq!(
        client.registry_state(registry_address).expect("state"),
        state
    );

    println!(
        "anvil e2e: submitRound gas {gas:?} (K = {} chunks, n = 3, 3 signed slots), {:.1} s",
        b1.chunks.len(),
        started.elapsed().as_secs_f64()
    );
}
