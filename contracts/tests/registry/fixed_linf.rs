//! The registry with a fixed-L∞ key: the same contracts accept its rounds, and only with
//! bInf = 2^j, because the circuit pins public input #1 (the registry itself does not know
//! j); the event then records the fixed bound.

use alloy_primitives::U256;
use ark_bn254::{Bn254, Fr};
use ark_groth16::Groth16;
use ark_snark::SNARK;
use zkfl_circuits::{testing::RandomRound, ChunkCircuit, Shape};
use zkfl_contracts::revert::RevertReason;
use zkfl_contracts::round::{RoundAccepted, RoundCall};

use crate::common::{compile_for, rng, SLOTS};
use crate::fixture::{
    deploy_with, params_for, reason, roster, round_public, sign_round, submit, task, COORDINATOR,
    D, K, M,
};

#[test]
fn fixed_linf_round_is_accepted_only_with_its_bound() {
    let shape = Shape::new(SLOTS, M).with_linf_bits(6);
    let (pk, vk) =
        Groth16::<Bn254>::circuit_specific_setup(ChunkCircuit::blank(shape), &mut rng(0x11f))
            .expect("setup");
    let round = RandomRound {
        max_weight: 100,
        empty: (5..SLOTS).collect(),
        seed: 30,
        ..RandomRound::new(shape, D)
    }
    .build()
    .expect("honest fixed-L∞ round");
    let proofs: Vec<_> = (0..K)
        .map(|c| {
            let circuit = ChunkCircuit {
                shape,
                witness: round.witness(c),
            };
            Groth16::<Bn254>::prove(&pk, circuit, &mut rng(400 + c as u64)).expect("prove")
        })
        .collect();
    // The registry embeds the shape's empty update hash, which the fixed variant's
    // digits (Δ + 2^j at stride j + 1) change.
    let compiled = compile_for(&vk, &shape);
    let params = params_for(&shape, round.model_commitment.0);
    let deploy = || deploy_with(&compiled, &params);
    let public = round_public(&round);
    let clients = sign_round(&task(), 1, &round);
    assert_eq!(public.b_inf, Fr::from(64u64));

    // Another bound in calldata: every chunk's input #1 changes and no proof holds.
    for linf in [63u64, 65] {
        let lie = zkfl_contracts::round::RoundPublic {
            b_inf: Fr::from(linf),
            ..public.clone()
        };
        let call =
            RoundCall::new(1, &lie, &proofs, &clients, &roster().clients).expect("round shape");
        let mut chain = deploy();
        assert_eq!(
            reason(submit(&mut chain, COORDINATOR, &call)),
            RevertReason::ProofInvalid,
            "bInf = {linf}"
        );
    }

    let call =
        RoundCall::new(1, &public, &proofs, &clients, &roster().clients).expect("round shape");
    let mut chain = deploy();
    let out = submit(&mut chain, COORDINATOR, &call).expect("fixed-L∞ round accepted");
    let ev = out
        .logs
        .iter()
        .find_map(|l| RoundAccepted::decode(SLOTS, l.topics(), &l.data.data))
        .expect("RoundAccepted");
    assert_eq!(ev.new_model, round.new_model_commitment.0);
    assert_eq!(ev.bounds[0], U256::from(64));
}
