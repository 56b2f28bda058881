//! ZkflVerifier in revm against real Groth16 proofs (toy circuit with l = 2n + 7 inputs).

mod common;

use alloy_primitives::U256;
use ark_bn254::Fr;
use ark_ff::UniformRand;
use common::*;
use zkfl_contracts::encode::{
    inputs_to_words, proof_to_words, selector, verify_batch_calldata, verify_proof_calldata,
    ProofWords,
};
use zkfl_contracts::evm::Evm;
use zkfl_contracts::gas::{batch_floor, measure_verifier_gas, single_floor};
use zkfl_contracts::revert::{RevertReason, ERROR_SIGNATURES};
use zkfl_contracts::ContractsError;

struct Setup {
    evm: Evm,
    at: alloy_primitives::Address,
    proofs: Vec<ProofWords>,
    inputs: Vec<Vec<U256>>,
}

fn setup(k: usize, seed: u64) -> Setup {
    let mut rng = rng(seed);
    let mut proofs = Vec::new();
    let mut inputs = Vec::new();
    for j in 0..k {
        let x: Vec<Fr> = (0..L).map(|_| Fr::rand(&mut rng)).collect();
        proofs.push(proof_to_words(&toy().prove(&x, seed * 100 + j as u64)));
        inputs.push(inputs_to_words(&x));
    }
    let mut evm = Evm::new();
    let at = evm
        .deploy(
            addr(1),
            compiled().verifier.bytecode.clone(),
            "deploy verifier",
        )
        .expect("deploy");
    Setup {
        evm,
        at,
        proofs,
        inputs,
    }
}

fn single(s: &mut Setup, proof: &ProofWords, inputs: &[U256]) -> Result<u64, ContractsError> {
    s.evm
        .call(
            addr(2),
            s.at,
            verify_proof_calldata(proof, inputs),
            "verifyProof",
        )
        .map(|o| o.exec_gas)
}

fn batch(
    s: &mut Setup,
    proofs: &[ProofWords],
    inputs: &[Vec<U256>],
) -> Result<u64, ContractsError> {
    let data = verify_batch_calldata(proofs, inputs, L).expect("encode");
    s.evm
        .call(addr(2), s.at, data, "verifyBatch")
        .map(|o| o.exec_gas)
}

fn reason(r: Result<u64, ContractsError>) -> RevertReason {
    match r {
        Err(ContractsError::Reverted { reason, .. }) => *reason,
        other => panic!("expected a revert, got {other:?}"),
    }
}

#[test]
fn single_proof_accepts_valid_and_rejects_tampering() {
    let mut s = setup(1, 1);
    let (p, x) = (s.proofs[0], s.inputs[0].clone());
    single(&mut s, &p, &x).expect("valid proof must verify");

    // Aliasing: x + r is the same field element, and must still be rejected.
    for i in [0, SLOTS + 3, L - 1] {
        let mut bad = x.clone();
        bad[i] += r();
        assert_eq!(
            reason(single(&mut s, &p, &bad)),
            RevertReason::PublicInputNotInField {
                index: U256::from(i)
            }
        );
    }
    // Every proof word flipped in its lowest bit.
    for w in 0..8 {
        let mut bad = p;
        bad[w] ^= U256::from(1);
        assert_eq!(
            reason(single(&mut s, &bad, &x)),
            RevertReason::ProofInvalid,
            "word {w}"
        );
    }
    // A different (canonical) input.
    let mut bad = x.clone();
    bad[4] = (bad[4] + U256::from(1)) % r();
    assert_eq!(reason(single(&mut s, &p, &bad)), RevertReason::ProofInvalid);
    // The valid call still passes after all the failures (no state involved, but cheap to show).
    single(&mut s, &p, &x).expect("valid proof must still verify");
}

#[test]
fn batch_accepts_valid_and_rejects_any_bad_member() {
    let mut s = setup(4, 2);
    let (ps, xs) = (s.proofs.clone(), s.inputs.clone());
    batch(&mut s, &ps, &xs).expect("valid batch");
    batch(&mut s, &ps[..1], &xs[..1]).expect("valid batch of one");

    // x + r in proof 2, input 5: index is 2 * l + 5.
    let mut bad = xs.clone();
    bad[2][5] += r();
    assert_eq!(
        reason(batch(&mut s, &ps, &bad)),
        RevertReason::PublicInputNotInField {
            index: U256::from(2 * L + 5)
        }
    );
    // One flipped word in the first proof (rho = 1 path) and in a later one.
    for (j, w) in [(0, 0), (0, 7), (3, 2), (3, 6)] {
        let mut bad = ps.clone();
        bad[j][w] ^= U256::from(1);
        assert_eq!(
            reason(batch(&mut s, &bad, &xs)),
            RevertReason::ProofInvalid,
            "proof {j} word {w}"
        );
    }
    // Wrong input in one member.
    let mut bad = xs.clone();
    bad[1][L - 1] = (bad[1][L - 1] + U256::from(1)) % r();
    assert_eq!(reason(batch(&mut s, &ps, &bad)), RevertReason::ProofInvalid);
    // Proofs swapped between two input vectors: each is valid, but not for those inputs.
    let mut swapped = ps.clone();
    swapped.swap(1, 2);
    assert_eq!(
        reason(batch(&mut s, &swapped, &xs)),
        RevertReason::ProofInvalid
    );
    // The same valid proof twice is fine (distinct rho per position).
    batch(&mut s, &[ps[0], ps[0]], &[xs[0].clone(), xs[0].clone()]).expect("duplicate valid proof");

    assert_eq!(reason(batch(&mut s, &[], &[])), RevertReason::EmptyBatch);
    assert_eq!(
        reason(batch(&mut s, &ps[..2], &xs[..3])),
        RevertReason::BatchLengthMismatch {
            proofs: U256::from(2),
            inputs: U256::from(3)
        }
    );
}

#[test]
fn short_gas_never_reads_as_success() {
    let mut s = setup(4, 4);
    let (ps, xs) = (s.proofs.clone(), s.inputs.clone());
    let data = verify_batch_calldata(&ps, &xs, L).expect("encode");
    let full = s
        .evm
        .call(addr(2), s.at, data.clone(), "verifyBatch")
        .expect("valid batch");
    // Just short of what the batch needs, and far short: the pairing (or an earlier
    // precompile) runs out of gas, and that must end the transaction as a failure.
    for missing in [1_000, 100_000, 400_000] {
        let r = s.evm.call_with_gas_limit(
            addr(2),
            s.at,
            data.clone(),
            full.tx_gas - missing,
            "verifyBatch",
        );
        assert!(
            matches!(
                r,
                Err(ContractsError::Reverted { .. } | ContractsError::Halted { .. })
            ),
            "{missing} gas short: {r:?}"
        );
    }
}

#[test]
fn abi_errors_match_the_rust_decoder() {
    let mut from_abi = Vec::new();
    for artifact in [&compiled().verifier, &compiled().registry] {
        for item in artifact.abi.as_array().expect("abi array") {
            if item["type"] == "error" {
                let types: Vec<&str> = item["inputs"]
                    .as_array()
                    .expect("inputs")
                    .iter()
                    .map(|i| i["type"].as_str().expect("type"))
                    .collect();
                from_abi.push(format!(
                    "{}({})",
                    item["name"].as_str().expect("name"),
                    types.join(",")
                ));
            }
        }
    }
    from_abi.sort();
    from_abi.dedup();
    let mut ours: Vec<String> = ERROR_SIGNATURES.iter().map(|s| s.to_string()).collect();
    ours.sort();
    assert_eq!(from_abi, ours);
    // And every one of them decodes to a named variant, not Unknown.
    for sig in ERROR_SIGNATURES {
        let n_args = sig.matches(',').count() + usize::from(!sig.ends_with("()"));
        let mut data = selector(sig).to_vec();
        data.resize(4 + 32 * n_args, 0);
        assert!(
            !matches!(RevertReason::decode(&data), RevertReason::Unknown(_)),
            "{sig}"
        );
    }
}

#[test]
fn gas_within_goals() {
    let mut rng = rng(3);
    let samples: Vec<_> = (0..16u64)
        .map(|j| {
            let x: Vec<Fr> = (0..L).map(|_| Fr::rand(&mut rng)).collect();
            (toy().prove(&x, 300 + j), x)
        })
        .collect();
    let report = measure_verifier_gas(&solc(), &toy().vk, &toy_shape(), &samples, &[1, 4, 16])
        .expect("measure");
    eprintln!("{}", report.to_markdown());
    // The floors are pure precompile cost, so being under them would mean a check is missing.
    assert!(report.single_exec_gas > single_floor(L));
    for b in &report.batches {
        assert!(b.exec_gas > batch_floor(b.k, L) - 150, "k = {}", b.k);
    }
    assert!(report.meets_goals(), "{}", report.to_markdown());
    let k16 = report.batches.iter().find(|b| b.k == 16).expect("k = 16");
    assert!(k16.saving_percent() >= 70.0, "{}", report.to_markdown());
    assert!(matches!(
        measure_verifier_gas(&solc(), &toy().vk, &toy_shape(), &samples[..3], &[4]),
        Err(ContractsError::NotEnoughSamples { needed: 4, got: 3 })
    ));
}

#[test]
fn export_writes_sources_abi_and_bytecode() {
    let dir = std::env::temp_dir().join(format!("zkfl-export-{}", std::process::id()));
    let files =
        zkfl_contracts::export::export_solidity(&toy().vk, &toy_shape(), &dir, Some(&solc()))
            .expect("export");
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    for expected in [
        "ZkflVerifier.sol",
        "ZkflRoundRegistry.sol",
        "ZkflVerifier.abi.json",
        "ZkflVerifier.bin",
        "ZkflVerifier.bin-runtime",
        "ZkflRoundRegistry.abi.json",
        "ZkflRoundRegistry.bin",
        "ZkflRoundRegistry.bin-runtime",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} missing from {names:?}"
        );
    }
    // The exported creation code is the code the tests deploy.
    let bin = std::fs::read_to_string(dir.join("ZkflVerifier.bin")).expect("read bin");
    assert_eq!(
        hex::decode(bin.trim()).expect("hex"),
        compiled().verifier.bytecode
    );
    let abi: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("ZkflRoundRegistry.abi.json")).expect("read abi"),
    )
    .expect("abi json");
    assert!(abi
        .as_array()
        .expect("array")
        .iter()
        .any(|f| f["name"] == "submitRound"));
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// Issue 12, item 4: a chain without the 0x08 precompile answers the pairing call with
/// success and no output; the verifier must read that as a failure, for a single proof
/// and for a batch, however the stale memory word at 0 looks.
#[test]
fn no_pairing_precompile_means_no_valid_proof() {
    let mut s = setup(2, 9);
    let (p, x) = (s.proofs[0], s.inputs[0].clone());
    single(&mut s, &p, &x).expect("valid with the precompile");
    s.evm =
        std::mem::take(&mut s.evm).without_precompile(alloy_primitives::Address::with_last_byte(8));
    s.at = s
        .evm
        .deploy(
            addr(1),
            compiled().verifier.bytecode.clone(),
            "deploy verifier",
        )
        .expect("deploy");
    assert_eq!(reason(single(&mut s, &p, &x)), RevertReason::ProofInvalid);
    let (ps, xs) = (s.proofs.clone(), s.inputs.clone());
    assert_eq!(reason(batch(&mut s, &ps, &xs)), RevertReason::ProofInvalid);
}

#[test]
fn exposes_the_vk_digest_of_its_key() {
    let mut s = setup(1, 11);
    let out = s
        .evm
        .call(
            addr(2),
            s.at,
            zkfl_contracts::encode::function_calldata("VK_DIGEST()", vec![]),
            "VK_DIGEST()",
        )
        .expect("VK_DIGEST() is callable")
        .output;
    assert_eq!(
        hex::encode(out),
        hex::encode(zkfl_circuits::keys::vk_digest(&toy().vk)),
        "the contract's VK_DIGEST is not the key's digest"
    );
}
