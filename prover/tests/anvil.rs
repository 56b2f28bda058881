//! End to end on a real node: two proven rounds deployed and submitted with the `zkfl`
//! binary to anvil (from the npm package pinned in contracts/package-lock.json), then the
//! registry's storage read back over JSON-RPC.
//!
//! The keys come from a FIXED SEED and the signer is anvil's well-known first test account:
//! test only.

use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use alloy_primitives::{Address, U256};
use zkfl_circuits::bundle::RoundBundle;
use zkfl_circuits::tensors::{self, Layout, TensorSpec};
use zkfl_contracts::chain::Client;

/// anvil's default account 0 (the well-known Foundry test key, public; never use it elsewhere).
const ANVIL_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const ANVIL_ADDRESS: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
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
fn deploy_and_submit_two_rounds_on_anvil() {
    let started = Instant::now();
    let tmp = tempfile::tempdir().expect("temp dir");
    let p = |name: &str| tmp.path().join(name).display().to_string();
    let anvil = Anvil::start(tmp.path().join("anvil.log"));

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
    for i in 0..2 {
        let update = p(&format!("c{i}.safetensors"));
        tensors::write(Path::new(&update), &layout, &wave(i as f64 + 1.0, 0.02)).expect("update");
        let out = p(&format!("c{i}.commit.json"));
        zkfl_ok(
            &[
                "commit",
                "--update",
                &update,
                "--params",
                &p("keys/params.json"),
                "--out",
                &out,
            ],
            None,
        );
    }
    let prove = |round: &str, model: &str, opening: Option<&str>| {
        let mut args = vec![
            "prove".to_string(),
            "--keys".into(),
            p("keys"),
            "--round".into(),
            round.into(),
            "--model".into(),
            model.into(),
            "--linf".into(),
            "0.025".into(),
            "--l2".into(),
            "0.5".into(),
            "--out".into(),
            p(&format!("round-{round}")),
        ];
        if let Some(o) = opening {
            args.extend(["--model-opening".into(), o.into()]);
        }
        for (i, w) in ["3", "5"].iter().enumerate() {
            args.extend([
                "--update".into(),
                p(&format!("c{i}.safetensors")),
                "--opening".into(),
                p(&format!("c{i}.opening.json")),
                "--weight".into(),
                w.to_string(),
            ]);
        }
        zkfl_ok(&args.iter().map(String::as_str).collect::<Vec<_>>(), None);
    };
    prove("1", &p("model.safetensors"), None);
    prove(
        "2",
        &p("round-1/model.safetensors"),
        Some(&p("round-1/model.opening.json")),
    );
    let b1 = read_bundle(Path::new(&p("round-1/round.json")));
    let b2 = read_bundle(Path::new(&p("round-2/round.json")));
    assert!(b1.genesis && !b2.genesis);
    assert_eq!(b2.model_commitment, b1.new_model_commitment);

    // Seeded keys are refused unless the deployer says these are test keys.
    let (ok, _, err) = zkfl(
        &[
            "deploy",
            "--rpc",
            &anvil.url,
            "--keys",
            &p("keys"),
            "--genesis",
            &p("round-1"),
        ],
        Some(ANVIL_KEY),
    );
    assert!(!ok && err.contains("--allow-insecure-keys"), "{err}");

    // The key never comes from a flag: without the env var or --key-file, deploy refuses.
    let (ok, _, err) = zkfl(
        &[
            "deploy",
            "--rpc",
            &anvil.url,
            "--keys",
            &p("keys"),
            "--genesis",
            &p("round-1"),
            "--allow-insecure-keys",
        ],
        None,
    );
    assert!(!ok && err.contains("ZKFL_PRIVATE_KEY"), "{err}");

    // --genesis given the parent directory picks the genesis round (round 1).
    let key = Some(ANVIL_KEY);
    let deployed = json(&zkfl_ok(
        &[
            "deploy",
            "--rpc",
            &anvil.url,
            "--keys",
            &p("keys"),
            "--genesis",
            &tmp.path().display().to_string(),
            "--allow-insecure-keys",
            "--json",
        ],
        key,
    ));
    let registry = deployed["registry"]
        .as_str()
        .expect("registry address")
        .to_string();
    assert_eq!(
        deployed["genesis_model_commitment"].as_str(),
        Some(b1.model_commitment.to_string().as_str())
    );

    // The key may also come from a file.
    std::fs::write(p("key.hex"), format!("{ANVIL_KEY}\n")).expect("key file");
    let mut gas = Vec::new();
    for (round, bundle, key_args) in [
        ("round-1", &b1, vec!["--key-file".to_string(), p("key.hex")]),
        ("round-2", &b2, vec![]),
    ] {
        let keys = p("keys");
        let mut args = vec![
            "submit",
            "--rpc",
            &anvil.url,
            "--registry",
            &registry,
            "--keys",
            &keys,
            "--json",
        ];
        args.extend(key_args.iter().map(String::as_str));
        let dir = p(round);
        args.push(&dir);
        let s = json(&zkfl_ok(
            &args,
            if key_args.is_empty() { key } else { None },
        ));
        assert_eq!(
            s["new_model_commitment"].as_str(),
            Some(bundle.new_model_commitment.to_string().as_str()),
            "{round}"
        );
        assert_eq!(
            s["prev_model_commitment"].as_str(),
            Some(bundle.model_commitment.to_string().as_str()),
            "{round}"
        );
        let g = s["gas_used"].as_u64().expect("gas_used");
        assert!(
            g > 200_000,
            "{round}: a batched pairing check costs more than {g} gas"
        );
        gas.push(g);
    }

    // The registry's storage, read over JSON-RPC.
    let client = Client::connect(&anvil.url, ANVIL_KEY, "the test key").expect("client");
    let state = client
        .registry_state(registry.parse().expect("address"))
        .expect("registry state");
    assert_eq!(state.model_commitment, b2.new_model_commitment.0);
    assert_eq!(state.last_round, U256::from(2));
    assert_eq!(
        state.coordinator,
        ANVIL_ADDRESS.parse::<Address>().expect("address")
    );

    let submit_dir = |dir: &str| {
        zkfl(
            &[
                "submit",
                "--rpc",
                &anvil.url,
                "--registry",
                &registry,
                "--keys",
                &p("keys"),
                dir,
            ],
            key,
        )
    };
    // A replayed round is refused with the registry's custom error, and nothing changes.
    let (ok, _, err) = submit_dir(&p("round-1"));
    assert!(!ok, "replaying round 1 must fail");
    assert!(err.contains("UnexpectedRound"), "{err}");
    let after = client
        .registry_state(registry.parse().expect("address"))
        .expect("registry state");
    assert_eq!(after, state);

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
    let (ok, _, err) = submit_dir(&p("round-3"));
    assert!(
        !ok && err.contains("was not sent") && err.contains("linf_float"),
        "{err}"
    );
    let after = client
        .registry_state(registry.parse().expect("address"))
        .expect("registry state");
    assert_eq!(after, state);

    println!(
        "anvil e2e: submitRound gas {gas:?} (K = {} chunks, n = 3), {:.1} s",
        b1.chunks.len(),
        started.elapsed().as_secs_f64()
    );
}
