//! Honest witnesses satisfy the circuit on many shapes, and the in-circuit values equal
//! the native reference.

use ark_relations::gr1cs::ConstraintSynthesizer;
use zkfl_circuits::{
    testing::{synthesize, RandomRound},
    ChunkCircuit, Shape,
};

fn assert_round_satisfied(spec: RandomRound) {
    let round = spec.build().expect("honest round");
    for c in 0..round.num_chunks() {
        let circuit = ChunkCircuit {
            shape: spec.shape,
            witness: round.witness(c),
        };
        let cs = synthesize(circuit);
        assert!(
            cs.is_satisfied().unwrap(),
            "chunk {c}: {:?}",
            cs.which_is_unsatisfied()
        );
        // The instance the circuit allocated is exactly the native public-input vector.
        let inst = cs.instance_assignment().unwrap();
        assert_eq!(&inst[1..], round.public(c).to_vec().as_slice(), "chunk {c}");
    }
}

#[test]
fn one_slot_single_chunk() {
    assert_round_satisfied(RandomRound::new(Shape::new(1, 16), 16));
}

#[test]
fn three_slots_padded_last_chunk_with_empty_slot() {
    // m = 17 is not a multiple of either pack width (15 updates, 7 model values per element).
    assert_round_satisfied(RandomRound::new(Shape::new(3, 17), 40).empty_last(1));
}

#[test]
fn eight_slots_two_empty_many_chunks() {
    assert_round_satisfied(RandomRound {
        seed: 11,
        ..RandomRound::new(Shape::new(8, 9), 30).empty_last(2)
    });
}

#[test]
fn extreme_bound_values_are_satisfiable() {
    // B∞ at its maximum 2^(U−1) − 1 with updates at ±B∞.
    let shape = Shape::new(2, 8);
    let mut input = RandomRound {
        linf: shape.linf_max(),
        ..RandomRound::new(shape, 8)
    }
    .input();
    input.slots[0].update = vec![shape.linf_max() as i64; 8];
    input.slots[1].update = vec![-(shape.linf_max() as i64); 8];
    let round = zkfl_circuits::Round::build(input).unwrap();
    let cs = synthesize(ChunkCircuit {
        shape,
        witness: round.witness(0),
    });
    assert!(cs.is_satisfied().unwrap());
}

#[test]
fn fixed_linf_rounds_are_satisfied() {
    // j = 10 (22 update digits per element, m = 17 leaves a partial one), j = 0 (Δ ∈ {−1, 0}),
    // j = U − 2 = 14; empty slots and several chunks.
    assert_round_satisfied(
        RandomRound::new(Shape::new(3, 17).with_linf_bits(10), 40).empty_last(1),
    );
    assert_round_satisfied(RandomRound::new(Shape::new(2, 5).with_linf_bits(0), 12));
    assert_round_satisfied(RandomRound {
        seed: 3,
        ..RandomRound::new(Shape::new(4, 9).with_linf_bits(14), 20).empty_last(2)
    });
}

#[test]
fn fixed_linf_extreme_values_are_satisfiable() {
    // Both ends of [−2^j, 2^j − 1]: the quotient reaches them too.
    let shape = Shape::new(2, 8).with_linf_bits(10);
    let mut input = RandomRound::new(shape, 8).input();
    input.slots[0].update = vec![1023; 8];
    input.slots[1].update = vec![-1024; 8];
    input.slots[1].weight = 0;
    let round = zkfl_circuits::Round::build(input.clone()).unwrap();
    assert!(round
        .witness(0)
        .quotients
        .iter()
        .all(|q| *q == 1023u64.into()));
    input.slots[0].weight = 0;
    input.slots[1].weight = 5;
    let low = zkfl_circuits::Round::build(input).unwrap();
    for round in [round, low] {
        let cs = synthesize(ChunkCircuit {
            shape,
            witness: round.witness(0),
        });
        assert!(cs.is_satisfied().unwrap());
    }
}

#[test]
fn blank_circuit_synthesises_for_setup() {
    for shape in [Shape::new(3, 10), Shape::new(3, 10).with_linf_bits(10)] {
        blank_matches_honest(shape);
    }
}

fn blank_matches_honest(shape: Shape) {
    let cs = ark_relations::gr1cs::ConstraintSystem::new_ref();
    cs.set_mode(ark_relations::gr1cs::SynthesisMode::Setup);
    ChunkCircuit::blank(shape)
        .generate_constraints(cs.clone())
        .unwrap();
    let honest = synthesize(ChunkCircuit {
        shape,
        witness: RandomRound::new(shape, 10).build().unwrap().witness(0),
    });
    assert_eq!(cs.num_constraints(), honest.num_constraints());
    assert_eq!(cs.num_instance_variables(), shape.num_public_inputs() + 1);
}
