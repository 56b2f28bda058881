//! ZkflRoundRegistry in revm with real round proofs: zkfl-circuits' native round
//! reference builds every public input and witness, ChunkCircuit is proven with Groth16,
//! and the registry must accept the honest round and reject each tampering with the
//! right custom error.

mod clients;
#[path = "../common/mod.rs"]
mod common;
mod fixture;
mod parity;

use alloy_dyn_abi::DynSolValue;
use alloy_primitives::{Address, B256, U256};
use common::{addr, enroll, r, L, SLOTS};
use fixture::*;
use zkfl_contracts::encode::function_calldata as call;
use zkfl_contracts::evm::Evm;
use zkfl_contracts::gas::measure_round_gas;
use zkfl_contracts::revert::RevertReason;
use zkfl_contracts::round::{RegistryParams, RoundAccepted};
use zkfl_contracts::ContractsError;

#[test]
fn bytecode_under_eip170_for_eight_slots() {
    let c = &fixture().compiled;
    let (v, r) = (
        c.verifier.deployed_bytecode.len(),
        c.registry.deployed_bytecode.len(),
    );
    eprintln!("runtime bytecode (n = {SLOTS}): ZkflVerifier {v} B, ZkflRoundRegistry {r} B");
    assert!(v < 24_576 && r < 24_576, "verifier {v} B, registry {r} B");
    // The deployed code has that length (its bytes differ: immutables are patched in at
    // deployment); revm enforces EIP-170 on deployment as well.
    let chain = deploy();
    let code = chain.evm.code(chain.registry);
    assert_eq!(code.len(), r);
}

#[test]
fn valid_rounds_advance_the_commitment_chain() {
    let f = fixture();
    let mut chain = deploy();
    assert_eq!(stored_commitment(&mut chain), genesis());

    let out = submit(&mut chain, COORDINATOR, &f.call1).expect("round 1 accepted");
    // The library's measurement path sees the same gas as this deployment.
    let measured = measure_round_gas(
        &f.compiled.registry,
        &params(),
        addr(OWNER),
        &roster().clients,
        &[f.call1.clone(), f.call2.clone()],
    )
    .expect("measure");
    assert_eq!(
        (measured[0].chunks, measured[0].exec_gas),
        (K, out.exec_gas)
    );
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
    let clients: Vec<Address> = (0..SLOTS)
        .map(|i| {
            if f.round1.input.slots[i].weight > 0 {
                common::client_keys()[i].address()
            } else {
                Address::ZERO
            }
        })
        .collect();
    assert_eq!(ev.clients, clients);
    assert_eq!(ev.clients, f.call1.clients);

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
    // B_inf + r is refused before the proofs by the B_inf < 2^(U-1) check.
    let mut bad = call1.clone();
    bad.b_inf += r();
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &bad)),
        RevertReason::BoundOutOfRange {
            which: U256::ZERO,
            value: bad.b_inf
        }
    );
    // An accumulator + r appears in chunk 0 first, as its acc_out at index 6 + 2n.
    let mut bad = call1.clone();
    bad.accumulators[1] += r();
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &bad)),
        RevertReason::PublicInputNotInField {
            index: U256::from(6 + 2 * SLOTS)
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
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &bad)),
        RevertReason::ProofInvalid
    );
    // Reordering the update chunk hashes changes the update commitments the clients signed.
    for u in &mut bad.update_hashes {
        u.swap(1, 2);
    }
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &bad)),
        RevertReason::BadSignature {
            slot: U256::ZERO,
            client: call1.clients[0]
        }
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

    // Ownership moves in two steps: an offer, then the new owner's acceptance.
    let transfer = |to: Address| call("transferOwnership(address)", vec![DynSolValue::Address(to)]);
    let accept = || call("acceptOwnership()", vec![]);
    assert_eq!(
        reason(chain.evm.call(
            addr(0xb0),
            chain.registry,
            transfer(addr(0xb0)),
            "transferOwnership"
        )),
        RevertReason::NotOwner { caller: addr(0xb0) }
    );
    chain
        .evm
        .call(
            addr(OWNER),
            chain.registry,
            transfer(addr(0xb0)),
            "transferOwnership",
        )
        .expect("offer");
    assert_eq!(view(&mut chain, "owner()")[12..], addr(OWNER)[..]);
    assert_eq!(view(&mut chain, "pendingOwner()")[12..], addr(0xb0)[..]);
    assert_eq!(
        reason(
            chain
                .evm
                .call(addr(0xb1), chain.registry, accept(), "acceptOwnership")
        ),
        RevertReason::NotPendingOwner { caller: addr(0xb1) }
    );
    chain
        .evm
        .call(addr(0xb0), chain.registry, accept(), "acceptOwnership")
        .expect("pending owner accepts");
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
    assert_eq!(view(&mut chain, "pendingOwner()"), [0u8; 32]);
    // A second acceptance finds no offer.
    assert_eq!(
        reason(
            chain
                .evm
                .call(addr(0xb0), chain.registry, accept(), "acceptOwnership")
        ),
        RevertReason::NotPendingOwner { caller: addr(0xb0) }
    );
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
        min_clients: 1,
    };
    let mut initcode = fixture().compiled.registry.bytecode.clone();
    initcode.extend(params.constructor_args());
    let err = Evm::new()
        .deploy(addr(OWNER), initcode, "deploy")
        .expect_err("K != ceil(d/m)");
    assert!(
        matches!(&err, ContractsError::Reverted { reason, .. } if **reason == RevertReason::InvalidShape),
        "{err}"
    );
}

#[test]
fn deployment_emits_the_genesis_model() {
    let params = params();
    let (_, out) = Evm::new()
        .deploy_with_outcome(
            addr(OWNER),
            params.initcode(&fixture().compiled.registry.bytecode),
            "deploy",
        )
        .expect("deploy");
    let sig = alloy_primitives::keccak256("GenesisModel(bytes32,uint64,uint64,uint64)");
    let log = out
        .logs
        .iter()
        .find(|l| l.topics().first() == Some(&sig))
        .expect("GenesisModel emitted");
    assert_eq!(log.topics()[1].0, genesis());
    let words: Vec<U256> = log.data.data.chunks(32).map(U256::from_be_slice).collect();
    assert_eq!(words, [U256::from(D), U256::from(K), U256::from(M)]);
}

/// Issue 12, item 1: before the fix the registry accepted this round (its proofs are valid)
/// while zkfl-verify refused it with EmptySlot.
#[test]
fn rejects_a_weight_zero_slot_that_carries_a_real_update() {
    let mut chain = deploy();
    let bad = &fixture().zero_weight;
    assert_eq!(bad.weights[4], U256::ZERO);
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, bad)),
        RevertReason::EmptySlotNotCanonical {
            slot: U256::from(4),
            chunk: U256::ZERO
        }
    );
    assert_eq!(stored_commitment(&mut chain), genesis());
    // The empty slots of the honest round carry the constant, and it is exposed.
    let empty = view(&mut chain, "EMPTY_UPDATE_CHUNK_HASH()");
    assert_eq!(
        U256::from_be_slice(&empty),
        fixture().call1.update_hashes[SLOTS - 1][0]
    );
    submit(&mut chain, COORDINATOR, &fixture().call1).expect("honest round");
}

/// Issue 12, item 13: B₂² = 2^Nb is provable (all slots active) but outside the width the
/// protocol fixes for the public input.
#[test]
fn rejects_a_norm_bound_of_two_to_the_norm_bits() {
    let mut chain = deploy();
    let bad = &fixture().wide_norm;
    assert_eq!(bad.b2_sq, U256::from(1u128 << 64));
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, bad)),
        RevertReason::BoundOutOfRange {
            which: U256::from(1),
            value: U256::from(1u128 << 64)
        }
    );
}

/// Issue 12, item 4: on a chain without the pairing precompile the call to 0x08 succeeds
/// with no output. Before the fix the stale word at memory 0 (the batch seed) read as
/// "pairing holds" and every round was accepted.
#[test]
fn a_chain_without_the_pairing_precompile_accepts_nothing() {
    let params = params();
    let mut evm = Evm::new().without_precompile(Address::with_last_byte(8));
    let registry = evm
        .deploy(
            addr(OWNER),
            params.initcode(&fixture().compiled.registry.bytecode),
            "deploy",
        )
        .expect("deploy");
    enroll(&mut evm, registry, addr(OWNER), &roster().clients);
    let mut chain = Chain { evm, registry };
    assert_eq!(
        reason(submit(&mut chain, COORDINATOR, &fixture().call1)),
        RevertReason::ProofInvalid
    );
    assert_eq!(stored_commitment(&mut chain), genesis());
}
