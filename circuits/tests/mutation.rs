//! No private witness variable can change on its own while the system stays satisfied:
//! an under-constrained variable is the most common bug in deployed circuits.

use zkfl_circuits::{
    testing::{R1cs, RandomRound},
    ChunkCircuit, Shape,
};

fn check(shape: Shape, d: usize, empty: usize, chunk: usize) {
    let round = RandomRound {
        linf: shape.fixed_linf().unwrap_or(300),
        ..RandomRound::new(shape, d).empty_last(empty)
    }
    .build()
    .expect("honest round");
    let r1cs = R1cs::new(ChunkCircuit {
        shape,
        witness: round.witness(chunk),
    });
    assert!(r1cs.is_satisfied_by(&r1cs.z));
    assert!(r1cs.has_witness());
    let free = r1cs.free_witness_variables(r1cs.num_instance..r1cs.z.len());
    assert!(
        free.is_empty(),
        "{} free witness variables, first: {:?}",
        free.len(),
        &free[..free.len().min(10)]
    );
}

#[test]
fn every_witness_variable_is_pinned_on_chunk_zero() {
    // Chunk 0 exercises the is-zero gadget's c = 0 branch.
    check(Shape::new(2, 9), 20, 0, 0);
}

#[test]
fn every_witness_variable_is_pinned_with_an_empty_slot_on_a_padded_chunk() {
    check(Shape::new(3, 8), 20, 1, 2);
}

#[test]
fn every_witness_variable_is_pinned_in_the_fixed_linf_variant() {
    check(Shape::new(2, 9).with_linf_bits(8), 20, 0, 0);
    check(Shape::new(3, 8).with_linf_bits(10), 20, 1, 2);
}
