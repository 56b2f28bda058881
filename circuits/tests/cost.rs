//! Exact constraint counts: the closed form equals synthesis, and two shapes are pinned.

use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem, SynthesisMode};
use zkfl_circuits::{circuit::cost, ChunkCircuit, Shape};

fn synthesized(shape: Shape) -> (usize, usize, usize) {
    let cs = ConstraintSystem::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    ChunkCircuit::blank(shape)
        .generate_constraints(cs.clone())
        .unwrap();
    (
        cs.num_constraints(),
        cs.num_witness_variables(),
        cs.num_instance_variables(),
    )
}

#[test]
fn closed_form_matches_synthesis() {
    for (n, m) in [(1, 1), (1, 16), (3, 17), (2, 100), (8, 9), (5, 64)] {
        let shape = Shape::new(n, m);
        let (c, _, inst) = synthesized(shape);
        assert_eq!(c, cost::num_constraints(&shape), "n = {n}, m = {m}");
        assert_eq!(inst, shape.num_public_inputs() + 1);
    }
    let mut odd = Shape::new(3, 33);
    odd.update_bits = 12;
    odd.model_bits = 24;
    odd.weight_bits = 10;
    odd.norm_bits = 40;
    assert_eq!(synthesized(odd).0, cost::num_constraints(&odd));
}

#[test]
fn pinned_constraint_counts() {
    // A cost regression is a failing test: change these only on purpose.
    let (c, w, _) = synthesized(Shape::new(3, 17));
    println!("n=3 m=17: {c} constraints, {w} witness variables");
    assert_eq!(c, PIN_3_17);
    let (c, w, _) = synthesized(Shape::new(8, 64));
    println!("n=8 m=64: {c} constraints, {w} witness variables");
    assert_eq!(c, PIN_8_64);
}

const PIN_3_17: usize = 6_180;
const PIN_8_64: usize = 29_436;

#[test]
fn per_parameter_costs_meet_the_goals() {
    let shape = Shape::new(8, 1024);
    let c = cost::Cost::of(&shape);
    println!("{c:?}");
    assert!(c.per_client_param <= 40);
    let total = cost::num_constraints(&shape) as f64;
    let next = cost::num_constraints(&Shape::new(9, 1024)) as f64;
    let alpha = (next - total) / 1024.0;
    let beta = total / 1024.0 - 8.0 * alpha;
    println!("alpha = {alpha:.2}, beta = {beta:.2}");
    assert!(alpha <= 40.0, "alpha = {alpha}");
    assert!(beta <= 100.0, "beta = {beta}");
}
