//! Malicious witnesses: each satisfies some equation over the field but breaks the
//! statement over the integers, and must leave the constraint system unsatisfied.

use ark_ff::{Field, One};
use zkfl_circuits::{
    commit::{self, Kind},
    field::fr_from_i64,
    testing::{synthesize, RandomRound},
    ChunkCircuit, ChunkWitness, Fr, Round, Shape,
};

const SHAPE_N: usize = 3;
const SHAPE_M: usize = 10;

fn shape() -> Shape {
    Shape::new(SHAPE_N, SHAPE_M)
}

fn honest() -> Round {
    RandomRound {
        linf: 50,
        ..RandomRound::new(shape(), 25)
    }
    .build()
    .expect("honest round")
}

fn satisfied(shape: Shape, witness: ChunkWitness) -> bool {
    synthesize(ChunkCircuit { shape, witness })
        .is_satisfied()
        .unwrap()
}

fn as_i64(x: &Fr) -> i64 {
    // Small signed field elements only.
    let s = zkfl_circuits::field::fr_to_decimal(x);
    s.parse::<i64>().unwrap_or_else(|_| {
        -zkfl_circuits::field::fr_to_decimal(&-*x)
            .parse::<i64>()
            .unwrap()
    })
}

/// Recomputes a slot's update hash so that the public input matches the tampered update:
/// the attacker controls the client, so the commitment itself is consistent.
fn rehash_update(shape: &Shape, w: &mut ChunkWitness, slot: usize) {
    let values: Vec<i64> = w.updates[slot].iter().map(as_i64).collect();
    w.public.updates[slot] = commit::chunk_hash(shape, Kind::Update, w.update_salts[slot], &values);
}

#[test]
fn honest_baseline_is_satisfied() {
    let round = honest();
    for c in 0..round.num_chunks() {
        assert!(satisfied(shape(), round.witness(c)));
    }
}

#[test]
fn coordinate_at_linf_plus_one_is_rejected() {
    // A client commits to an update with one coordinate at B∞ + 1; the coordinator
    // aggregates it faithfully (the native reference would refuse, so patch the witness).
    let round = honest();
    let linf = round.input.bounds.linf as i64;
    for sign in [1i64, -1] {
        let mut w = round.witness(0);
        let old = as_i64(&w.updates[0][3]);
        let new = sign * (linf + 1);
        w.updates[0][3] = fr_from_i64(new);
        rehash_update(&shape(), &mut w, 0);
        // Keep the aggregation equation consistent: shift the remainder/quotient honestly.
        let total: u64 = round.input.slots.iter().map(|s| s.weight).sum();
        let s_old: i128 = (0..SHAPE_N)
            .map(|i| {
                round.input.slots[i].weight as i128
                    * as_i64(&round.witness(0).updates[i][3]) as i128
            })
            .sum();
        let s_new = s_old + round.input.slots[0].weight as i128 * (new - old) as i128;
        let q = zkfl_circuits::round::round_div(s_new, total);
        let model = as_i64(&w.new_model[3]) - as_i64(&w.quotients[3]);
        w.quotients[3] = fr_from_i64(q as i64);
        w.remainders[3] = fr_from_i64((s_new + (total / 2) as i128 - q * total as i128) as i64);
        w.new_model[3] = fr_from_i64(model + q as i64);
        w.public.new_model = commit::chunk_hash(
            &shape(),
            Kind::Model,
            w.new_model_salt,
            &w.new_model.iter().map(as_i64).collect::<Vec<_>>(),
        );
        assert!(!satisfied(shape(), w), "sign {sign}");
    }
}

#[test]
fn l2_violation_only_across_chunks_is_rejected() {
    // Each chunk alone is under B₂², the total is over: the accumulator must catch it.
    let shape = Shape::new(1, 4);
    let mut input = RandomRound {
        linf: 10,
        ..RandomRound::new(shape, 8)
    }
    .input();
    input.slots[0].update = vec![10; 8]; // Σ Δ² = 800; each chunk 400
    input.bounds.l2_sq = 600;
    assert!(matches!(
        Round::build(input.clone()),
        Err(zkfl_circuits::RoundError::L2 { .. })
    ));
    // Build the witness with a generous bound, then claim the tight one in public.
    input.bounds.l2_sq = 800;
    let round = Round::build(input).unwrap();
    let mut w0 = round.witness(0);
    let mut w1 = round.witness(1);
    w0.public.l2_sq = Fr::from(600u64);
    w1.public.l2_sq = Fr::from(600u64);
    assert!(satisfied(shape, w0), "chunk 0 alone (400 ≤ 600) is fine");
    assert!(!satisfied(shape, w1), "chunk 1 carries 800 > 600");
}

#[test]
fn nonzero_accumulator_start_on_chunk_zero_is_rejected() {
    // Starting chunk 0 from a negative running sum would hide a large norm.
    let round = honest();
    let mut w = round.witness(0);
    w.sums_in[1] = -Fr::from(1_000u64);
    // Make acc_in a valid opening of the tampered sums (the prover controls the salt).
    w.public.acc_in = commit::accumulator(&shape(), w.acc_salt_in, &w.sums_in);
    let sums_out: Vec<Fr> = (0..SHAPE_N)
        .map(|i| w.sums_in[i] + Fr::from(round.sums[1][i] - round.sums[0][i]))
        .collect();
    w.public.acc_out = commit::accumulator(&shape(), w.acc_salt_out, &sums_out);
    assert!(!satisfied(shape(), w));
}

#[test]
fn packed_running_sum_out_of_range_with_same_accumulator_is_rejected() {
    // Sums are packed 3 per element at stride Nb + 2 with no range check of their own:
    // (S_0 ± 2^(Nb+2), S_1 ∓ 1) opens the same acc_in as (S_0, S_1). Lowering slot 1's
    // running sum this way must be caught by S_out ≤ B₂², in both directions.
    let round = honest();
    let shape = shape();
    assert!(round.num_chunks() > 1, "needs a chunk whose S_in is free");
    let radix = Fr::from(2u64).pow([u64::from(shape.norm_stride())]);
    for k in [Fr::one(), -Fr::one()] {
        let mut w = round.witness(1);
        let honest_acc_in = w.public.acc_in;
        w.sums_in[0] += k * radix;
        w.sums_in[1] -= k;
        assert_eq!(
            commit::accumulator(&shape, w.acc_salt_in, &w.sums_in),
            honest_acc_in,
            "the tampered sums open the honest accumulator"
        );
        let sums_out: Vec<Fr> = (0..SHAPE_N)
            .map(|i| w.sums_in[i] + Fr::from(round.sums[2][i] - round.sums[1][i]))
            .collect();
        w.public.acc_out = commit::accumulator(&shape, w.acc_salt_out, &sums_out);
        assert!(!satisfied(shape, w), "k = {k}");
    }
}

#[test]
fn packed_update_value_out_of_range_with_same_hash_is_rejected() {
    // Δ_0 + 2^U and Δ_1 − 1 pack to the same field element as (Δ_0, Δ_1).
    let round = honest();
    let mut w = round.witness(0);
    let before = w.public.updates[1];
    w.updates[1][0] += Fr::from(1u64 << shape().update_bits);
    w.updates[1][1] -= Fr::one();
    let digits: Vec<Fr> = w.updates[1]
        .iter()
        .map(|v| *v + Fr::from(1u64 << 15))
        .collect();
    let radix = Fr::from(1u64 << 16);
    let packed_first = digits[..10]
        .iter()
        .rev()
        .fold(Fr::from(0u64), |a, d| a * radix + d);
    let honest_digits = round.witness(0).updates[1]
        .iter()
        .map(|v| *v + Fr::from(1u64 << 15))
        .collect::<Vec<_>>();
    let honest_first = honest_digits[..10]
        .iter()
        .rev()
        .fold(Fr::from(0u64), |a, d| a * radix + d);
    assert_eq!(packed_first, honest_first, "same packed element");
    assert_eq!(w.public.updates[1], before);
    assert!(!satisfied(shape(), w));
}

#[test]
fn packed_model_value_out_of_range_with_same_hash_is_rejected() {
    let round = honest();
    let mut w = round.witness(0);
    let stride = shape().model_stride();
    // Raise new-model digit 0 by 2^stride and lower digit 1 by one: same packed element.
    w.new_model[0] += Fr::from(2u64).pow([stride as u64]);
    w.new_model[1] -= Fr::one();
    // Keep M_t's opening: q absorbs the changes.
    w.quotients[0] += Fr::from(2u64).pow([stride as u64]);
    w.quotients[1] -= Fr::one();
    assert!(!satisfied(shape(), w));
}

#[test]
fn second_division_solution_is_rejected() {
    // r' ≠ r and q' = q + (r − r')/W (mod p): the field equation W·q' = S + ⌊W/2⌋ − r'
    // holds, but q' is a huge field element.
    let round = honest();
    let total = Fr::from(round.total_weight());
    let w0 = round.witness(0);
    for delta_r in [1u64, 2] {
        let mut w = w0.clone();
        let r_new = w.remainders[2] + Fr::from(delta_r);
        let q_new = w.quotients[2] + (w.remainders[2] - r_new) * total.inverse().unwrap();
        w.remainders[2] = r_new;
        w.quotients[2] = q_new;
        w.new_model[2] = w.new_model[2] - w0.quotients[2] + q_new;
        assert!(!satisfied(shape(), w));
    }
    // The other integer solution r' = r − W, q' = q + 1 (r' < 0) is rejected too.
    let mut w = w0.clone();
    w.remainders[2] -= total;
    w.quotients[2] += Fr::one();
    w.new_model[2] += Fr::one();
    assert!(!satisfied(shape(), w));
}

#[test]
fn wrong_weight_is_rejected() {
    let round = honest();
    let mut w = round.witness(0);
    w.public.weights[0] += Fr::one();
    assert!(!satisfied(shape(), w));
}

#[test]
fn swapped_updates_are_rejected() {
    let round = honest();
    let mut w = round.witness(0);
    w.updates.swap(0, 1);
    assert!(!satisfied(shape(), w));
}

#[test]
fn new_model_off_by_one_is_rejected() {
    let round = honest();
    for delta in [Fr::one(), -Fr::one()] {
        let mut w = round.witness(0);
        w.new_model[4] += delta;
        w.public.new_model = commit::chunk_hash(
            &shape(),
            Kind::Model,
            w.new_model_salt,
            &w.new_model.iter().map(as_i64).collect::<Vec<_>>(),
        );
        assert!(!satisfied(shape(), w));
    }
}

#[test]
fn salt_or_opening_mismatch_is_rejected() {
    let round = honest();
    let base = round.witness(1);
    type Tamper = Box<dyn Fn(&mut ChunkWitness)>;
    let tampers: Vec<(&str, Tamper)> = vec![
        ("update salt", Box::new(|w| w.update_salts[0] += Fr::one())),
        ("model salt", Box::new(|w| w.model_salt += Fr::one())),
        (
            "new-model salt",
            Box::new(|w| w.new_model_salt += Fr::one()),
        ),
        ("acc salt in", Box::new(|w| w.acc_salt_in += Fr::one())),
        ("acc salt out", Box::new(|w| w.acc_salt_out += Fr::one())),
        (
            "salt ≥ r wraps to a different salt",
            Box::new(|w| w.model_salt = -Fr::one()),
        ),
        (
            "update hash",
            Box::new(|w| w.public.updates[2] += Fr::one()),
        ),
        ("model hash", Box::new(|w| w.public.model += Fr::one())),
        ("acc_in", Box::new(|w| w.public.acc_in += Fr::one())),
        ("acc_out", Box::new(|w| w.public.acc_out += Fr::one())),
        ("running sum", Box::new(|w| w.sums_in[0] += Fr::one())),
        (
            "l2 below the real sum",
            Box::new(|w| w.public.l2_sq = Fr::from(0u64)),
        ),
    ];
    for (name, tamper) in tampers {
        let mut w = base.clone();
        tamper(&mut w);
        assert!(!satisfied(shape(), w), "{name}");
    }
}

#[test]
fn linf_at_or_above_half_range_is_rejected() {
    // B∞ ≥ 2^(U−1) would let Δ reach digits outside [0, 2^U) (non-injective packing).
    let round = honest();
    let mut w = round.witness(0);
    w.public.linf = Fr::from(1u64 << 15);
    assert!(!satisfied(shape(), w));
}

#[test]
fn zero_total_weight_is_rejected() {
    let round = honest();
    let mut w = round.witness(0);
    for x in w.public.weights.iter_mut() {
        *x = Fr::from(0u64);
    }
    assert!(!satisfied(shape(), w));
}

#[test]
fn negative_weight_compensated_by_another_is_rejected() {
    // w_0' = w_0 + 5, w_1' = w_1 − 5: same W, different average.
    let round = honest();
    let mut w = round.witness(0);
    w.public.weights[0] += Fr::from(5u64);
    w.public.weights[1] -= Fr::from(5u64);
    assert!(!satisfied(shape(), w));
    let mut w = round.witness(0);
    w.public.weights[1] = -Fr::from(1u64);
    w.public.weights[0] += Fr::from(1u64) + round.witness(0).public.weights[1];
    assert!(!satisfied(shape(), w));
}
