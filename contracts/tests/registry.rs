//! ZkflRoundRegistry in revm: whole rounds, commitment chain and every rejection path.
//!
//! Chunk proofs here are real Groth16 proofs of the toy circuit over exactly the public-input
//! vectors the registry builds (RoundPublic::chunk_inputs, PROTOCOL.md section 2), so a
//! rejection can only come from the contract's own checks.

mod common;

use alloy_dyn_abi::DynSolValue;
use alloy_primitives::{Address, B256, U256};
use ark_bn254::Fr;
use ark_ff::UniformRand;
use common::*;
use zkfl_contracts::encode::{fr_to_word, function_calldata as call, proof_to_words};
use zkfl_contracts::evm::{CallOutcome, Evm};
use zkfl_contracts::revert::RevertReason;
use zkfl_contracts::round::{
    top_level_commitment, CommitmentKind, RegistryParams, RoundAccepted, RoundCall, RoundPublic,
};
use zkfl_contracts::ContractsError;

const K: usize = 3;
const M: u64 = 4;
const D: u64 = 10; // K = ceil(10 / 4) = 3, last chunk padded

const OWNER: u8 = 0xa0;
const COORDINATOR: u8 = 0xc0;

fn random_public(seed: u64, old_model_hashes: Vec<Fr>) -> RoundPublic {
    let mut rng = rng(seed);
    let mut rand_vec = |len: usize| (0..len).map(|_| Fr::rand(&mut rng)).collect::<Vec<_>>();
    let mut weights = vec![Fr::from(0u64); SLOTS];
    weights[0] = Fr::from(3u64);
    weights[1] = Fr::from(5u64);
    weights[5] = Fr::from(1u64);
    RoundPublic {
        b_inf: Fr::from(3_000u64),
        b2_sq: Fr::from(1_000_000_000u64),
        weights,
        old_model_hashes,
        new_model_hashes: rand_vec(K),
        update_hashes: (0..SLOTS).map(|_| rand_vec(K)).collect(),
        accumulators: rand_vec(K + 1),
    }
}

fn prove_round(round: u64, public: &RoundPublic, seed: u64) -> RoundCall {
    let proofs: Vec<_> = (0..K)
        .map(|c| toy().prove(&public.chunk_inputs(c), seed + c as u64))
        .collect();
    RoundCall::new(round, public, &proofs).expect("round shape")
}

struct Chain {
    evm: Evm,
    registry: Address,
    genesis_hashes: Vec<Fr>,
}

fn deploy() -> Chain {
    let genesis_hashes: Vec<Fr> = {
        let mut rng = rng(99);
        (0..K).map(|_| Fr::rand(&mut rng)).collect()
    };
    let params = RegistryParams {
        coordinator: addr(COORDINATOR),
        genesis_model: top_level_commitment(CommitmentKind::Model, D, &genesis_hashes),
        model_dim: D,
        chunks: K as u64,
        chunk_size: M,
        frac_bits: 16,
        update_bits: 16,
        model_bits: 32,
        weight_bits: 16,
        norm_bits: 64,
    };
    let mut initcode = compiled().registry.bytecode.clone();
    initcode.extend(params.constructor_args());
    let mut evm = Evm::new();
    let registry = evm
        .deploy(addr(OWNER), initcode, "deploy registry")
        .expect("deploy registry");
    Chain {
        evm,
        registry,
        genesis_hashes,
    }
}

fn view(chain: &mut Chain, signature: &str) -> Vec<u8> {
    chain
        .evm
        .call(
            addr(0x01),
            chain.registry,
            call(signature, vec![]),
            signature,
        )
        .expect(signature)
        .output
}

fn stored_commitment(chain: &mut Chain) -> [u8; 32] {
    view(chain, "modelCommitment()")
        .try_into()
        .expect("32 bytes")
}

fn submit(chain: &mut Chain, from: u8, round: &RoundCall) -> Result<CallOutcome, ContractsError> {
    chain
        .evm
        .call(addr(from), chain.registry, round.calldata(), "submitRound")
}

fn reason(r: Result<CallOutcome, ContractsError>) -> RevertReason {
    match r {
        Err(ContractsError::Reverted { reason, .. }) => reason,
        other => panic!("expected a revert, got {other:?}"),
    }
}

/// A deployed registry and a valid round 1 for it.
fn round_one() -> (Chain, RoundPublic, RoundCall) {
    let chain = deploy();
    let public = random_public(1, chain.genesis_hashes.clone());
    let call = prove_round(1, &public, 1_000);
    (chain, public, call)
}

#[test]
fn bytecode_under_eip170_for_eight_slots() {
    let c = compiled();
    let (v, r) = (
        c.verifier.deployed_bytecode.len(),
        c.registry.deployed_bytecode.len(),
    );
    eprintln!("runtime bytecode (n = {SLOTS}): ZkflVerifier {v} B, ZkflRoundRegistry {r} B");
    assert!(v < 24_576 && r < 24_576, "verifier {v} B, registry {r} B");
    // And what is stored on chain is exactly that code (revm enforces EIP-170 on deploy too).
    let chain = deploy();
    assert_eq!(chain.evm.code_len(chain.registry), r);
}

#[test]
fn valid_rounds_advance_the_commitment_chain() {
    let (mut chain, public, call1) = round_one();
    let genesis = stored_commitment(&mut chain);
    assert_eq!(
        genesis,
        top_level_commitment(CommitmentKind::Model, D, &chain.genesis_hashes)
    );

    let out = submit(&mut chain, COORDINATOR, &call1).expect("round 1 accepted");
    eprintln!(
        "submitRound (n = {SLOTS}, K = {K}): tx gas {}, exec gas {}",
        out.tx_gas, out.exec_gas
    );
    let c1 = top_level_commitment(CommitmentKind::Model, D, &public.new_model_hashes);
    assert_eq!(stored_commitment(&mut chain), c1);
    assert_ne!(c1, genesis);
    assert_eq!(
        U256::from_be_slice(&view(&mut chain, "lastRound()")),
        U256::from(1)
    );

    let log = out
        .logs
        .iter()
        .find(|l| l.address == chain.registry)
        .expect("event");
    let ev = RoundAccepted::decode(SLOTS, log.topics(), &log.data.data).expect("RoundAccepted");
    assert_eq!(ev.round, U256::from(1));
    assert_eq!(ev.prev_model, genesis);
    assert_eq!(ev.new_model, c1);
    let updates: Vec<[u8; 32]> = public
        .update_hashes
        .iter()
        .map(|u| top_level_commitment(CommitmentKind::Update, D, u))
        .collect();
    assert_eq!(ev.update_commitments, updates);
    assert_eq!(ev.weights, call1.weights);
    assert_eq!(
        ev.bounds,
        [fr_to_word(&public.b_inf), fr_to_word(&public.b2_sq)]
    );

    // The contract's own commitment view agrees with the Rust definition for updates too.
    let on_chain = chain
        .evm
        .call(
            addr(1),
            chain.registry,
            call(
                "commitment(bool,uint256[])",
                vec![
                    DynSolValue::Bool(true),
                    DynSolValue::Array(
                        call1.update_hashes[1]
                            .iter()
                            .map(|w| DynSolValue::Uint(*w, 256))
                            .collect(),
                    ),
                ],
            ),
            "commitment",
        )
        .expect("commitment view")
        .output;
    assert_eq!(on_chain, updates[1]);

    // Round 2 starts from round 1's new model.
    let public2 = random_public(2, public.new_model_hashes.clone());
    let call2 = prove_round(2, &public2, 2_000);
    submit(&mut chain, COORDINATOR, &call2).expect("round 2 accepted");
    assert_eq!(
        stored_commitment(&mut chain),
        top_level_commitment(CommitmentKind::Model, D, &public2.new_model_hashes)
    );
}

#[test]
fn rejects_public_input_plus_r() {
    let (mut chain, _, call1) = round_one();
    // h(M_{t+1}[1]) + r: same field element, different bytes. It is input 4 + n of chunk 1.
    let mut bad = call1.clone();
    bad.new_model_hashes[1] += r();
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &bad)),
        RevertReason::PublicInputNotInField {
            index: U256::from(L + 4 + SLOTS)
        }
    );
    // B_inf + r appears in chunk 0 first, at index 1.
    let mut bad = call1.clone();
    bad.b_inf += r();
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &bad)),
        RevertReason::PublicInputNotInField {
            index: U256::from(1)
        }
    );
    submit(&mut chain, COORDINATOR, &call1).expect("untampered round still accepted");
}

#[test]
fn rejects_flipped_proof_word() {
    let (mut chain, _, call1) = round_one();
    for (c, w) in [(0, 0), (1, 3), (2, 7)] {
        let mut bad = call1.clone();
        bad.proofs[c][w] ^= U256::from(1);
        assert_eq!(
            reason(submit(&mut chain, COORDINATOR, &bad)),
            RevertReason::ProofInvalid,
            "chunk {c} word {w}"
        );
    }
    assert_eq!(
        stored_commitment(&mut chain),
        top_level_commitment(CommitmentKind::Model, D, &chain.genesis_hashes)
    );
}

#[test]
fn rejects_wrong_previous_model() {
    let (mut chain, mut public, _) = round_one();
    // A correctly proven round, but over a different previous model than the stored one.
    public.old_model_hashes[2] += Fr::from(1u64);
    let bad = prove_round(1, &public, 3_000);
    let stored = stored_commitment(&mut chain);
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &bad)),
        RevertReason::PreviousModelMismatch {
            stored,
            computed: top_level_commitment(CommitmentKind::Model, D, &public.old_model_hashes),
        }
    );
}

#[test]
fn rejects_replayed_and_skipped_rounds() {
    let (mut chain, _, call1) = round_one();
    let mut skipped = call1.clone();
    skipped.round = U256::from(2);
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &skipped)),
        RevertReason::UnexpectedRound {
            expected: U256::from(1),
            got: U256::from(2)
        }
    );
    let mut zero = call1.clone();
    zero.round = U256::ZERO;
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &zero)),
        RevertReason::UnexpectedRound {
            expected: U256::from(1),
            got: U256::ZERO
        }
    );
    submit(&mut chain, COORDINATOR, &call1).expect("round 1 accepted");
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &call1)),
        RevertReason::UnexpectedRound {
            expected: U256::from(2),
            got: U256::from(1)
        }
    );
    // Replaying with the index bumped is caught by the commitment chain instead.
    let mut bumped = call1.clone();
    bumped.round = U256::from(2);
    assert!(matches!(
        reason(submit(&mut chain, COORDINATOR, &bumped)),
        RevertReason::PreviousModelMismatch { .. }
    ));
}

#[test]
fn rejects_broken_accumulator_chain() {
    let (mut chain, public, call1) = round_one();
    // Chunk 1 proven from an accumulator that is not chunk 0's output.
    let mut rng = rng(77);
    let mut inputs = public.chunk_inputs(1);
    inputs[L - 2] = Fr::rand(&mut rng);
    let forged = proof_to_words(&toy().prove(&inputs, 4_000));
    let mut bad = call1.clone();
    bad.proofs[1] = forged;
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &bad)),
        RevertReason::ProofInvalid
    );
    // Sending chunk 1's accumulator instead breaks chunk 0 (acc[1] is shared by construction).
    bad.accumulators[1] = fr_to_word(&inputs[L - 2]);
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &bad)),
        RevertReason::ProofInvalid
    );
    // A changed accumulator with the honest proofs fails as well.
    let mut bad = call1.clone();
    bad.accumulators[2] = (bad.accumulators[2] + U256::from(1)) % r();
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &bad)),
        RevertReason::ProofInvalid
    );
}

#[test]
fn rejects_reordered_chunks() {
    let (mut chain, _, call1) = round_one();
    // Proofs in the wrong positions: the chunk index c is a public input.
    let mut bad = call1.clone();
    bad.proofs.swap(0, 1);
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &bad)),
        RevertReason::ProofInvalid
    );
    // Reordering the new-model chunk hashes with their proofs still fails on the proofs, and
    // reordering the old-model hashes changes the previous commitment.
    let mut bad = call1.clone();
    bad.proofs.swap(1, 2);
    bad.new_model_hashes.swap(1, 2);
    for u in &mut bad.update_hashes {
        u.swap(1, 2);
    }
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &bad)),
        RevertReason::ProofInvalid
    );
    bad.old_model_hashes.swap(1, 2);
    assert!(matches!(
        reason(submit(&mut chain, COORDINATOR, &bad)),
        RevertReason::PreviousModelMismatch { .. }
    ));
}

#[test]
fn only_the_coordinator_submits_and_only_the_owner_reassigns() {
    let (mut chain, _, call1) = round_one();
    assert_eq!(
        reason(submit(&mut chain, OWNER, &call1)),
        RevertReason::NotCoordinator {
            caller: addr(OWNER)
        }
    );
    let new_coord = addr(0xc1);
    let set = |who: Address| call("setCoordinator(address)", vec![DynSolValue::Address(who)]);
    assert_eq!(
        reason(chain.evm.call(
            addr(COORDINATOR),
            chain.registry,
            set(new_coord),
            "setCoordinator"
        )),
        RevertReason::NotOwner {
            caller: addr(COORDINATOR)
        }
    );
    assert_eq!(
        reason(chain.evm.call(
            addr(OWNER),
            chain.registry,
            set(Address::ZERO),
            "setCoordinator"
        )),
        RevertReason::ZeroAddress
    );
    chain
        .evm
        .call(
            addr(OWNER),
            chain.registry,
            set(new_coord),
            "setCoordinator",
        )
        .expect("owner sets");
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &call1)),
        RevertReason::NotCoordinator {
            caller: addr(COORDINATOR)
        }
    );
    submit(&mut chain, 0xc1, &call1).expect("new coordinator submits");

    let transfer = call(
        "transferOwnership(address)",
        vec![DynSolValue::Address(addr(0xb0))],
    );
    chain
        .evm
        .call(addr(OWNER), chain.registry, transfer, "transferOwnership")
        .expect("transfer");
    assert_eq!(
        reason(chain.evm.call(
            addr(OWNER),
            chain.registry,
            set(addr(COORDINATOR)),
            "setCoordinator"
        )),
        RevertReason::NotOwner {
            caller: addr(OWNER)
        }
    );
    assert_eq!(view(&mut chain, "owner()")[12..], addr(0xb0)[..]);
}

#[test]
fn rejects_malformed_rounds_before_verifying() {
    let (mut chain, _, call1) = round_one();
    let mut bad = call1.clone();
    bad.accumulators.pop();
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &bad)),
        RevertReason::ArrayLengthMismatch {
            field: U256::from(3),
            expected: U256::from(K + 1),
            got: U256::from(K)
        }
    );
    let mut bad = call1.clone();
    bad.proofs.pop();
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &bad)),
        RevertReason::ArrayLengthMismatch {
            field: U256::from(4),
            expected: U256::from(K),
            got: U256::from(K - 1)
        }
    );
    let mut bad = call1.clone();
    bad.weights = vec![U256::ZERO; SLOTS];
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &bad)),
        RevertReason::TotalWeightOutOfRange { total: U256::ZERO }
    );
    let mut bad = call1.clone();
    bad.weights[7] = U256::from(1u64 << 16);
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &bad)),
        RevertReason::WeightOutOfRange {
            index: U256::from(7)
        }
    );
}

#[test]
fn constructor_rejects_inconsistent_shape() {
    let params = RegistryParams {
        coordinator: addr(COORDINATOR),
        genesis_model: B256::ZERO.0,
        model_dim: D,
        chunks: K as u64 + 1,
        chunk_size: M,
        frac_bits: 16,
        update_bits: 16,
        model_bits: 32,
        weight_bits: 16,
        norm_bits: 64,
    };
    let mut initcode = compiled().registry.bytecode.clone();
    initcode.extend(params.constructor_args());
    let err = Evm::new()
        .deploy(addr(OWNER), initcode, "deploy")
        .expect_err("K != ceil(d/m)");
    assert!(
        matches!(
            err,
            ContractsError::Reverted {
                reason: RevertReason::InvalidShape,
                ..
            }
        ),
        "{err}"
    );
}
