//! The whole ceremony through the `zkfl` binary and the pinned snarkjs:
//! snarkjs ptau (fixture) → zkfl init → zkfl contribute → snarkjs contribute → zkfl beacon
//! → snarkjs zkey verify and zkfl ceremony verify → export-keys → prove a round → the
//! zkfl verifier, the registry in revm and `snarkjs groth16 verify` accept it.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use alloy_primitives::Address;
use alloy_signer_local::PrivateKeySigner;
use zkfl_circuits::{
    bundle::RoundBundle,
    keys::{self, Reduction},
    tensors::{self, Layout, TensorSpec},
};
use zkfl_contracts::{
    bundle::{registry_params, round_call},
    encode::function_calldata,
    evm::Evm,
    round::enroll_calldata,
};
use zkfl_task::{Roster, SignedUpdate, Task};

const D: usize = 20;
const BEACON: &str = "00000000000000000002a7c4c1e48d76c5a37902165a270156b7a8d72728a054";

fn zkfl(args: &[&str]) -> String {
    // Tests run in prover/: point solc discovery at the checkout's contracts/ (npm ci).
    let out = Command::new(env!("CARGO_BIN_EXE_zkfl"))
        .args(args)
        .env(
            "ZKFL_CONTRACTS_DIR",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../contracts"),
        )
        .output()
        .expect("run zkfl");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "zkfl {args:?} failed:\n{text}");
    text
}

fn snarkjs(args: &[&str]) -> String {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../verifier/node_modules/.bin/snarkjs");
    assert!(
        bin.exists(),
        "snarkjs is not installed at {}: run `npm ci --prefix verifier` (CI does) and rerun",
        bin.display()
    );
    let out = Command::new(bin).args(args).output().expect("run snarkjs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && !text.contains("[ERROR]"),
        "snarkjs {args:?} failed:\n{text}"
    );
    text
}

fn ptau() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ceremony/tests/fixtures/pot12_final.ptau")
        .display()
        .to_string()
}

const SHAPE: [&str; 4] = ["--slots", "2", "--chunk", "8"];

fn with_shape<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut v = args.to_vec();
    v.extend(SHAPE);
    v
}

#[test]
fn a_ceremony_with_snarkjs_gives_keys_that_prove_and_verify_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |f: &str| -> String { tmp.path().join(f).display().to_string() };
    let ptau = ptau();

    zkfl(&with_shape(&[
        "ceremony",
        "export-r1cs",
        "--out",
        &p("circuit.r1cs"),
    ]));
    zkfl(&with_shape(&[
        "ceremony",
        "init",
        "--ptau",
        &ptau,
        "--out",
        &p("c0.zkey"),
    ]));
    let out = zkfl(&[
        "ceremony",
        "contribute",
        &p("c0.zkey"),
        &p("c1.zkey"),
        "--name",
        "alice",
    ]);
    assert!(out.contains("Contribution Hash"), "{out}");
    snarkjs(&[
        "zkey",
        "contribute",
        &p("c1.zkey"),
        &p("c2.zkey"),
        "--name=bob",
        "-e=bob entropy",
    ]);
    zkfl(&[
        "ceremony",
        "beacon",
        &p("c2.zkey"),
        &p("final.zkey"),
        "--beacon",
        BEACON,
        "--iterations",
        "10",
    ]);

    let out = snarkjs(&[
        "zkey",
        "verify",
        &p("circuit.r1cs"),
        &ptau,
        &p("final.zkey"),
    ]);
    assert!(out.contains("ZKey Ok!"), "{out}");
    let out = zkfl(&with_shape(&[
        "ceremony",
        "verify",
        "--ptau",
        &ptau,
        &p("final.zkey"),
    ]));
    assert!(out.contains("ZKey Ok! 3 contributions verified"), "{out}");
    assert!(
        out.contains("alice") && out.contains("bob") && out.contains("Beacon generator"),
        "{out}"
    );

    zkfl(&with_shape(&[
        "ceremony",
        "export-keys",
        &p("final.zkey"),
        "--ptau",
        &ptau,
        "--out",
        &p("keys"),
    ]));
    let (header, vk) = keys::read_vk(Path::new(&p("keys/vk.bin"))).unwrap();
    assert_eq!(header.reduction, Reduction::Circom);
    assert_eq!(header.insecure_seed, None);
    let prov = header.provenance.expect("ceremony keys record provenance");
    assert_eq!(prov.contributions.len(), 3);
    assert_eq!(prov.contributions[1].name, "bob");
    assert_eq!(prov.contributions[2].beacon.as_ref().map(|b| b.1), Some(10));
    assert_eq!(prov.ptau_blake2b.len(), 128);

    // A round under the ceremony keys: 2 clients, d = 20 (3 chunks).
    let layout = Layout {
        tensors: vec![TensorSpec::f32("w", &[4, 5])],
    };
    let wave = |seed: f64, amp: f64| -> Vec<f64> {
        (0..D)
            .map(|i| (i as f64 * 0.7 + seed).sin() * amp)
            .collect()
    };
    tensors::write(Path::new(&p("model.safetensors")), &layout, &wave(0.0, 0.8)).unwrap();
    let mut prove = vec![
        "prove".to_string(),
        "--keys".into(),
        p("keys"),
        "--round".into(),
        "1".into(),
        "--model".into(),
        p("model.safetensors"),
        "--linf".into(),
        "0.05".into(),
        "--l2".into(),
        "0.5".into(),
        "--out".into(),
        p("round-1"),
    ];
    for i in 0..2 {
        let f = p(&format!("c{i}.safetensors"));
        tensors::write(Path::new(&f), &layout, &wave(i as f64 + 1.0, 0.02)).unwrap();
        zkfl(&[
            "commit",
            "--update",
            &f,
            "--params",
            &p("keys/params.json"),
            "--out",
            &p(&format!("c{i}.commit.json")),
        ]);
        prove.extend([
            "--update".into(),
            f,
            "--opening".into(),
            p(&format!("c{i}.opening.json")),
            "--weight".into(),
            (100 + i).to_string(),
        ]);
    }
    zkfl(&prove.iter().map(String::as_str).collect::<Vec<_>>());
    // Ceremony keys: no --allow-insecure-keys needed.
    let out = zkfl(&["verify", "round", "--vk", &p("keys/vk.bin"), &p("round-1")]);
    assert!(out.contains("VALID"), "{out}");

    // snarkjs checks chunk 0 with its own pairing code.
    let bundle: RoundBundle =
        serde_json::from_slice(&std::fs::read(p("round-1/round.json")).unwrap()).unwrap();
    let sj = PathBuf::from(p("snarkjs"));
    zkfl_verifier::snarkjs::export_snarkjs(&vk, &bundle, 0, &sj).unwrap();
    let out = snarkjs(&[
        "groth16",
        "verify",
        &sj.join("verification_key.json").display().to_string(),
        &sj.join("public.json").display().to_string(),
        &sj.join("proof.json").display().to_string(),
    ]);
    assert!(out.contains("OK!"), "{out}");

    // The registry in revm accepts the round.
    zkfl(&[
        "export-solidity",
        "--keys",
        &p("keys"),
        "--out",
        &p("contracts"),
    ]);
    let creation = hex::decode(
        std::fs::read_to_string(p("contracts/ZkflRoundRegistry.bin"))
            .unwrap()
            .trim(),
    )
    .unwrap();
    let coordinator = Address::repeat_byte(0xc0);
    let mut params = registry_params(&bundle, coordinator).unwrap();
    params.min_clients = 2;
    let mut evm = Evm::new();
    let registry = evm
        .deploy(coordinator, params.initcode(&creation), "deploy")
        .unwrap();
    // The registry takes signed rounds only: two enrolled clients sign their slots (in
    // ascending address order, as slots must be) for this registry and chain.
    let mut signers: Vec<PrivateKeySigner> = (1..=2u8)
        .map(|i| PrivateKeySigner::from_slice(&[i; 32]).unwrap())
        .collect();
    signers.sort_by_key(|k| k.address());
    let roster = Roster::new(signers.iter().map(|k| k.address()).collect()).unwrap();
    let task = Task::new("ceremony test", evm.chain_id(), registry, &roster, 2);
    evm.call(
        coordinator,
        registry,
        enroll_calldata(&roster.clients),
        "enroll",
    )
    .unwrap();
    let clients = signers
        .iter()
        .enumerate()
        .map(|(slot, key)| {
            let record = SignedUpdate::sign(
                &task,
                key,
                bundle.round,
                bundle.model_commitment,
                bundle.update_commitments[slot],
                bundle.weights[slot],
            )
            .unwrap();
            Some(record.slot.to_bundle())
        })
        .collect();
    let bundle = bundle.signed(clients);
    let roster_now = evm.roster(coordinator, registry).unwrap();
    evm.call(
        coordinator,
        registry,
        round_call(&bundle, &roster_now).unwrap().calldata(),
        "submitRound",
    )
    .unwrap();
    let digest = evm
        .call(
            coordinator,
            registry,
            function_calldata("VK_DIGEST()", vec![]),
            "VK_DIGEST()",
        )
        .unwrap()
        .output;
    assert_eq!(
        format!("0x{}", hex::encode(digest)),
        header.vk_digest,
        "the registry's VK_DIGEST"
    );
}

/// The ceremony commands share `zkfl setup`'s shape flags, `--linf-bits` included: the
/// fixed-L∞ circuit is exported (and so goes through a ceremony) like the per-round one.
#[test]
fn ceremony_commands_take_the_fixed_linf_variant() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("fixed.r1cs").display().to_string();
    let summary = |flags: &[&str]| -> serde_json::Value {
        let mut args = with_shape(&["ceremony", "export-r1cs", "--json", "--out", &out]);
        args.extend(flags);
        serde_json::from_str(&zkfl(&args)).expect("export-r1cs --json")
    };
    let (per_round, fixed) = (summary(&[]), summary(&["--linf-bits", "6"]));
    assert_eq!(fixed["shape"]["linf_bits"], 6);
    assert!(per_round["shape"].get("linf_bits").is_none());
    let shape = zkfl_circuits::Shape::new(2, 8).with_linf_bits(6);
    assert_eq!(
        fixed["constraints"],
        zkfl_circuits::circuit::cost::num_constraints(&shape)
    );
    // Each export is its own circuit (at m = 8 the fixed one is the larger: its width-17
    // chunk hashes pay for mostly empty blocks, PROTOCOL.md §4).
    assert_eq!(
        per_round["constraints"],
        zkfl_circuits::circuit::cost::num_constraints(&zkfl_circuits::Shape::new(2, 8))
    );
    assert_eq!(fixed["public_inputs"], per_round["public_inputs"]);
}
