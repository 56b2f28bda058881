//! ZkflRoundRegistry in revm with real round proofs: zkfl-circuits' native round
//! reference builds every public input and witness, ChunkCircuit is proven with Groth16,
//! and the registry must accept the honest round and reject each tampering with the
//! right custom error.
//!
//! The keys come from a FIXED SEED: test-only, never ship such a key.

mod common;

use std::sync::OnceLock;

use alloy_dyn_abi::DynSolValue;
use alloy_primitives::{Address, B256, U256};
use ark_bn254::{Bn254, Fr};
use ark_ff::UniformRand;
use ark_groth16::{Groth16, PreparedVerifyingKey, ProvingKey};
use ark_snark::SNARK;
use ark_std::rand::Rng;
use common::*;
use zkfl_circuits::{Bounds, ChunkCircuit, ClientSlot, Round, RoundInput, Shape};
use zkfl_contracts::encode::{fr_to_word, function_calldata as call, proof_to_words, ProofWords};
use zkfl_contracts::evm::{CallOutcome, Evm};
use zkfl_contracts::revert::RevertReason;
use zkfl_contracts::round::{
    top_level_commitment, CommitmentKind, RegistryParams, RoundAccepted, RoundCall, RoundPublic,
};
use zkfl_contracts::ContractsError;

const M: usize = 4;
const D: usize = 10; // K = ceil(10 / 4) = 3 chunks, the last one zero-padded
const K: usize = 3;

const OWNER: u8 = 0xa0;
const COORDINATOR: u8 = 0xc0;

fn shape() -> Shape {
    Shape::new(SLOTS, M)
}

/// Everything proven once per test binary (proving dominates the run time).
struct Fixture {
    compiled: Compiled,
    /// The honest round 1 (M_0 -> M_1) and its calldata.
    round1: Round,
    call1: RoundCall,
    /// The honest round 2 (M_1 -> M_2).
    round2: Round,
    call2: RoundCall,
    /// Round 1 rebuilt with other accumulator salts: same hashes, other accumulators.
    /// Chunk 1's proof of it starts from an accumulator chunk 0 of `call1` does not end in.
    alt_acc: (Vec<U256>, ProofWords),
}

fn random_salts(rng: &mut impl Rng, count: usize) -> Vec<Fr> {
    (0..count).map(|_| Fr::rand(rng)).collect()
}

/// Five clients with random weights and updates within B_inf, three empty slots.
fn round_input(model: Vec<i64>, model_salts: Vec<Fr>, seed: u64) -> RoundInput {
    let shape = shape();
    let mut rng = rng(seed);
    let linf = 500u64;
    let slots = (0..SLOTS)
        .map(|i| {
            if i >= 5 {
                return ClientSlot::empty(&shape, D);
            }
            ClientSlot {
                weight: rng.gen_range(1..100),
                update: (0..D)
                    .map(|_| rng.gen_range(-(linf as i64)..=linf as i64))
                    .collect(),
                salts: random_salts(&mut rng, K),
            }
        })
        .collect();
    RoundInput {
        shape,
        model,
        model_salts,
        slots,
        bounds: Bounds {
            linf,
            l2_sq: u128::from(linf * linf) * D as u128,
        },
        new_model_salts: random_salts(&mut rng, K),
        acc_salts: random_salts(&mut rng, K + 1),
    }
}

/// The registry's view of a native round. Cross-checks the contracts crate's public-input
/// layout and commitments against zkfl-circuits' own.
fn round_public(round: &Round) -> RoundPublic {
    let b = round.input.bounds;
    let public = RoundPublic {
        b_inf: Fr::from(b.linf),
        b2_sq: Fr::from(b.l2_sq),
        weights: round
            .input
            .slots
            .iter()
            .map(|s| Fr::from(s.weight))
            .collect(),
        old_model_hashes: round.model_hashes.clone(),
        new_model_hashes: round.new_model_hashes.clone(),
        update_hashes: round.update_hashes.clone(),
        accumulators: round.accs.clone(),
    };
    for c in 0..K {
        assert_eq!(
            public.chunk_inputs(c),
            round.public(c).to_vec(),
            "chunk {c} layout"
        );
    }
    assert_eq!(
        top_level_commitment(CommitmentKind::Model, D as u64, &round.model_hashes),
        round.model_commitment.0
    );
    assert_eq!(
        top_level_commitment(CommitmentKind::Update, D as u64, &round.update_hashes[0]),
        round.update_commitments[0].0
    );
    public
}

fn prove_chunk(
    pk: &ProvingKey<Bn254>,
    pvk: &PreparedVerifyingKey<Bn254>,
    round: &Round,
    c: usize,
    seed: u64,
) -> ark_groth16::Proof<Bn254> {
    let circuit = ChunkCircuit {
        shape: shape(),
        witness: round.witness(c),
    };
    let proof = Groth16::<Bn254>::prove(pk, circuit, &mut rng(seed)).expect("prove chunk");
    // arkworks must accept it, so that an EVM rejection can only come from the contract.
    assert!(
        Groth16::<Bn254>::verify_with_processed_vk(pvk, &round.public(c).to_vec(), &proof)
            .expect("verify")
    );
    proof
}

fn prove_round(
    pk: &ProvingKey<Bn254>,
    pvk: &PreparedVerifyingKey<Bn254>,
    index: u64,
    round: &Round,
    seed: u64,
) -> RoundCall {
    let proofs: Vec<_> = (0..K)
        .map(|c| prove_chunk(pk, pvk, round, c, seed + c as u64))
        .collect();
    RoundCall::new(index, &round_public(round), &proofs).expect("round shape")
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let (pk, vk) =
            Groth16::<Bn254>::circuit_specific_setup(ChunkCircuit::blank(shape()), &mut rng(0x5e7))
                .expect("setup");
        let pvk = Groth16::<Bn254>::process_vk(&vk).expect("process vk");
        let compiled = compile(&vk);

        let mut r = rng(1);
        let model: Vec<i64> = (0..D)
            .map(|_| r.gen_range(-(1i64 << 20)..(1i64 << 20)))
            .collect();
        let input1 = round_input(model, random_salts(&mut r, K), 10);
        let round1 = Round::build(input1.clone()).expect("round 1");
        let call1 = prove_round(&pk, &pvk, 1, &round1, 100);

        let input2 = round_input(round1.new_model.clone(), input1.new_model_salts.clone(), 20);
        let round2 = Round::build(input2).expect("round 2");
        let call2 = prove_round(&pk, &pvk, 2, &round2, 200);

        let mut alt_input = input1;
        alt_input.acc_salts = random_salts(&mut r, K + 1);
        let alt = Round::build(alt_input).expect("alt round");
        assert_eq!(alt.new_model_hashes, round1.new_model_hashes);
        assert_ne!(alt.accs[1], round1.accs[1]);
        let alt_proof = proof_to_words(&prove_chunk(&pk, &pvk, &alt, 1, 300));
        let alt_accs = alt.accs.iter().map(fr_to_word).collect();

        Fixture {
            compiled,
            round1,
            call1,
            round2,
            call2,
            alt_acc: (alt_accs, alt_proof),
        }
    })
}

struct Chain {
    evm: Evm,
    registry: Address,
}

fn genesis() -> [u8; 32] {
    fixture().round1.model_commitment.0
}

fn deploy() -> Chain {
    let s = shape();
    let params = RegistryParams {
        coordinator: addr(COORDINATOR),
        genesis_model: genesis(),
        model_dim: D as u64,
        chunks: K as u64,
        chunk_size: M as u64,
        frac_bits: s.frac_bits as u8,
        update_bits: s.update_bits as u8,
        model_bits: s.model_bits as u8,
        weight_bits: s.weight_bits as u8,
        norm_bits: s.norm_bits as u8,
    };
    let mut initcode = fixture().compiled.registry.bytecode.clone();
    initcode.extend(params.constructor_args());
    let mut evm = Evm::new();
    let registry = evm
        .deploy(addr(OWNER), initcode, "deploy registry")
        .expect("deploy registry");
    Chain { evm, registry }
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

/// A freshly deployed registry and the honest round 1 for it.
fn round_one() -> (Chain, RoundCall) {
    (deploy(), fixture().call1.clone())
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
    let f = fixture();
    let mut chain = deploy();
    assert_eq!(stored_commitment(&mut chain), genesis());

    let out = submit(&mut chain, COORDINATOR, &f.call1).expect("round 1 accepted");
    eprintln!(
        "submitRound (n = {SLOTS}, K = {K}): tx gas {}, exec gas {}",
        out.tx_gas, out.exec_gas
    );
    let c1 = f.round1.new_model_commitment.0;
    assert_eq!(stored_commitment(&mut chain), c1);
    assert_ne!(c1, genesis());
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
    assert_eq!(ev.prev_model, genesis());
    assert_eq!(ev.new_model, c1);
    let updates: Vec<[u8; 32]> = f.round1.update_commitments.iter().map(|c| c.0).collect();
    assert_eq!(ev.update_commitments, updates);
    let weights: Vec<U256> = f
        .round1
        .input
        .slots
        .iter()
        .map(|s| U256::from(s.weight))
        .collect();
    assert_eq!(ev.weights, weights);
    let b = f.round1.input.bounds;
    assert_eq!(ev.bounds, [U256::from(b.linf), U256::from(b.l2_sq)]);

    // The contract's own commitment view agrees with zkfl-circuits for an update, too.
    let hashes = DynSolValue::Array(
        f.call1.update_hashes[1]
            .iter()
            .map(|w| DynSolValue::Uint(*w, 256))
            .collect(),
    );
    let on_chain = chain
        .evm
        .call(
            addr(1),
            chain.registry,
            call(
                "commitment(bool,uint256[])",
                vec![DynSolValue::Bool(true), hashes],
            ),
            "commitment",
        )
        .expect("commitment view")
        .output;
    assert_eq!(on_chain, updates[1]);

    // Round 2 continues from round 1's new model.
    let out = submit(&mut chain, COORDINATOR, &f.call2).expect("round 2 accepted");
    assert_eq!(f.round2.model_commitment, f.round1.new_model_commitment);
    assert_eq!(
        stored_commitment(&mut chain),
        f.round2.new_model_commitment.0
    );
    assert_eq!(
        U256::from_be_slice(&view(&mut chain, "lastRound()")),
        U256::from(2)
    );
    assert!(out
        .logs
        .iter()
        .any(|l| RoundAccepted::decode(SLOTS, l.topics(), &l.data.data)
            .is_some_and(|e| e.round == U256::from(2) && e.prev_model == c1)));
}

#[test]
fn rejects_public_input_plus_r() {
    let (mut chain, call1) = round_one();
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
    let (mut chain, call1) = round_one();
    for (c, w) in [(0, 0), (1, 3), (2, 7)] {
        let mut bad = call1.clone();
        bad.proofs[c][w] ^= U256::from(1);
        assert_eq!(
            reason(submit(&mut chain, COORDINATOR, &bad)),
            RevertReason::ProofInvalid,
            "chunk {c} word {w}"
        );
    }
    assert_eq!(stored_commitment(&mut chain), genesis());
}

#[test]
fn rejects_wrong_previous_model() {
    let f = fixture();
    let mut chain = deploy();
    // Round 2 is correctly proven, but from M_1 while the registry still holds M_0.
    let mut bad = f.call2.clone();
    bad.round = U256::from(1);
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &bad)),
        RevertReason::PreviousModelMismatch {
            stored: genesis(),
            computed: f.round2.model_commitment.0
        }
    );
}

#[test]
fn rejects_replayed_and_skipped_rounds() {
    let (mut chain, call1) = round_one();
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
    let (mut chain, call1) = round_one();
    let (alt_accs, alt_proof) = fixture().alt_acc.clone();
    // Chunk 1 proven from an accumulator that chunk 0 does not end in.
    let mut bad = call1.clone();
    bad.proofs[1] = alt_proof;
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &bad)),
        RevertReason::ProofInvalid
    );
    // Sending chunk 1's own accumulators instead breaks chunk 0: acc[1] is shared.
    bad.accumulators[1] = alt_accs[1];
    bad.accumulators[2] = alt_accs[2];
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
    submit(&mut chain, COORDINATOR, &call1).expect("honest round still accepted");
}

#[test]
fn rejects_reordered_chunks() {
    let (mut chain, call1) = round_one();
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
    let (mut chain, call1) = round_one();
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
    let (mut chain, call1) = round_one();
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
        model_dim: D as u64,
        chunks: K as u64 + 1,
        chunk_size: M as u64,
        frac_bits: 16,
        update_bits: 16,
        model_bits: 32,
        weight_bits: 16,
        norm_bits: 64,
    };
    let mut initcode = fixture().compiled.registry.bytecode.clone();
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
