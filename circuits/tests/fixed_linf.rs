//! The fixed-L∞ variant's range check, attacked at the R1CS level.
//!
//! A prover controls every variable, not only the values the witness generator derives, so
//! these tests set the bits of update coordinates directly (out-of-range and non-Boolean
//! values included), let every value computed from them follow (`R1cs::propagate`: squares,
//! hashes, and the public inputs the test allows to change), and check that the constraints
//! still failing are exactly the ones the test is named for.
//!
//! Slot 0 has weight 0 and a real update, so that its Δ enters no weighted sum: a forged Δ
//! changes only the update hash and the running sum of squares, both of which follow.

use ark_ff::{AdditiveGroup, Field, One, Zero};
use zkfl_circuits::{
    commit::{self, Kind},
    field::fr_from_i64,
    testing::{synthesize, R1cs, RandomRound},
    ChunkCircuit, ChunkWitness, Fr, Round, RoundError, Shape,
};

const J: u32 = 6;
const M: usize = 12;
/// Slot 0's update (fixed range [−64, 63]): both ends, zero, and values in between.
const UPDATE: [i64; M] = [-64, 63, 0, 5, -5, 17, -33, 40, 1, -1, 62, -63];

fn shape() -> Shape {
    Shape::new(2, M).with_linf_bits(J)
}

fn round() -> Round {
    let mut input = RandomRound {
        zero_weight: vec![0],
        ..RandomRound::new(shape(), M)
    }
    .input();
    input.slots[0].update = UPDATE.to_vec();
    // Room for the forged sums of squares: the tests aim at the L∞ check, not the L2 one.
    input.bounds.l2_sq = 1 << 40;
    Round::build(input).expect("honest round")
}

/// The synthesised chunk and where slot 0's variables are.
struct Fixture {
    r1cs: R1cs,
    /// Bits b_0..b_{j−1}, s of each of slot 0's coordinates.
    bits: Vec<Vec<usize>>,
    /// The Nb bits of B₂² − S_out for slot 0.
    norm_bits: Vec<usize>,
    /// z-indices of public inputs #1 (B∞), h(Δ_0[c]) and acc_out.
    linf: usize,
    update_hash: usize,
    acc_out: usize,
    l2_sq: i128,
}

fn recompose(z: &[Fr], vars: &[usize]) -> Fr {
    vars.iter()
        .rev()
        .fold(Fr::zero(), |acc, &v| acc.double() + z[v])
}

impl Fixture {
    fn new() -> Self {
        let round = round();
        let shape = shape();
        let (n, wb, nb) = (
            shape.slots,
            shape.weight_bits as usize,
            shape.norm_bits as usize,
        );
        let r1cs = R1cs::new(ChunkCircuit {
            shape,
            witness: round.witness(0),
        });
        assert!(r1cs.is_satisfied_by(&r1cs.z));
        // Bit decompositions in allocation order: the n weights and W (Wb bits each), then
        // every update coordinate slot-major (j + 1 bits each), ..., last the n checks
        // S_out ≤ B₂² (Nb bits each).
        let booleans = r1cs.boolean_variables();
        let first = (n + 1) * wb;
        let width = J as usize + 1;
        let bits: Vec<Vec<usize>> = (0..M)
            .map(|k| booleans[first + k * width..first + (k + 1) * width].to_vec())
            .collect();
        let norm_start = booleans.len() - n * nb;
        let norm_bits = booleans[norm_start..norm_start + nb].to_vec();
        let l2_sq = round.input.bounds.l2_sq as i128;
        // The layout assumption is checked, not trusted: the bits recompose to the digits.
        for (k, v) in UPDATE.iter().enumerate() {
            assert_eq!(recompose(&r1cs.z, &bits[k]), fr_from_i64(v + (1 << J)));
        }
        let sum_sq: i128 = UPDATE.iter().map(|&v| i128::from(v * v)).sum();
        assert_eq!(
            recompose(&r1cs.z, &norm_bits),
            Fr::from((l2_sq - sum_sq) as u128)
        );
        Self {
            r1cs,
            bits,
            norm_bits,
            linf: 1 + 1,
            update_hash: 1 + 5 + n,
            acc_out: 1 + 6 + 2 * n,
            l2_sq,
        }
    }

    /// Sets slot 0's coordinates to the given bit values (any field elements), sets the
    /// S_out range bits for the sum of squares those bits imply, and propagates; the
    /// update hash follows only if `hash_follows`. Returns the rows that still fail.
    fn attack(&self, coords: &[(usize, Vec<i64>)], hash_follows: bool) -> Vec<usize> {
        let mut z = self.r1cs.z.clone();
        let mut set = Vec::new();
        for (k, values) in coords {
            for (&v, &x) in self.bits[*k].iter().zip(values) {
                z[v] = fr_from_i64(x);
                set.push(v);
            }
        }
        let delta = |k: usize| {
            let digit: i64 = self.bits[k]
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let x = coords.iter().find(|(c, _)| *c == k).map(|(_, b)| b[i]);
                    x.unwrap_or_else(|| i64::from(z[v] == Fr::one())) << i
                })
                .sum();
            i128::from(digit - (1 << J))
        };
        let sum_sq: i128 = (0..M).map(|k| delta(k) * delta(k)).sum();
        let gap = self.l2_sq - sum_sq;
        assert!(gap >= 0, "the attack must stay under B₂²");
        for (i, &v) in self.norm_bits.iter().enumerate() {
            z[v] = Fr::from(((gap >> i) & 1) as u64);
            set.push(v);
        }
        let witness_from = self.r1cs.num_instance;
        self.r1cs.propagate(&mut z, |v| {
            (v >= witness_from && !set.contains(&v))
                || v == self.acc_out
                || (hash_follows && v == self.update_hash)
        });
        self.r1cs.unsatisfied_rows(&z)
    }

    /// The Boolean constraint of variable `v`.
    fn booleanity(&self, v: usize) -> usize {
        let row = self.r1cs.rows_of[v][0];
        assert_eq!(self.r1cs.booleanity_of(row), Some(v));
        row
    }

    /// The row that checks the recomputed update hash against public input h(Δ_0[c]).
    fn hash_check(&self) -> usize {
        assert_eq!(self.r1cs.rows_of[self.update_hash].len(), 1);
        self.r1cs.rows_of[self.update_hash][0]
    }

    /// Bits of an in-range digit.
    fn digit_bits(digit: i64) -> Vec<i64> {
        assert!((0..1 << (J + 1)).contains(&digit));
        (0..=J).map(|i| (digit >> i) & 1).collect()
    }
}

#[test]
fn honest_assignment_needs_no_change() {
    let f = Fixture::new();
    assert!(f.attack(&[], false).is_empty());
}

#[test]
fn delta_of_plus_2_to_the_j_fails_only_at_the_sign_bit() {
    // Digit 2^(j+1): all b_i = 0 and s = 2, i.e. Δ = 2^j, one above the range.
    let f = Fixture::new();
    let mut bits = vec![0; J as usize];
    bits.push(2);
    let failing = f.attack(&[(2, bits)], true);
    assert_eq!(failing, vec![f.booleanity(f.bits[2][J as usize])]);
}

#[test]
fn delta_of_minus_2_to_the_j_minus_1_fails_only_at_the_sign_bit() {
    // Digit −1: all b_i = 1 and s = −1, i.e. Δ = −2^j − 1, one below the range.
    let f = Fixture::new();
    let mut bits = vec![1; J as usize];
    bits.push(-1);
    let failing = f.attack(&[(2, bits)], true);
    assert_eq!(failing, vec![f.booleanity(f.bits[2][J as usize])]);
}

#[test]
fn a_non_boolean_bit_or_sign_fails_at_its_booleanity() {
    let f = Fixture::new();
    for k in [0, 1, 5] {
        let honest = Fixture::digit_bits(UPDATE[k] + (1 << J));
        for i in 0..=J as usize {
            for shift in [2, -2, 5] {
                let mut bits = honest.clone();
                bits[i] += shift;
                let failing = f.attack(&[(k, bits)], true);
                assert_eq!(
                    failing,
                    vec![f.booleanity(f.bits[k][i])],
                    "coordinate {k}, bit {i}, +{shift}"
                );
            }
        }
    }
}

#[test]
fn every_single_bit_flip_fails_unless_the_hash_follows() {
    // Flipping a bit always gives another in-range Δ: it is refused because the committed
    // update hash binds the bits, and accepted only as what it is, another client update
    // with a matching hash.
    let f = Fixture::new();
    for (k, v) in UPDATE.iter().enumerate() {
        let honest = Fixture::digit_bits(v + (1 << J));
        for i in 0..=J as usize {
            let mut bits = honest.clone();
            bits[i] ^= 1;
            let flipped = [(k, bits)];
            assert_eq!(
                f.attack(&flipped, false),
                vec![f.hash_check()],
                "coordinate {k}, bit {i}"
            );
            assert!(
                f.attack(&flipped, true).is_empty(),
                "coordinate {k}, bit {i}"
            );
        }
    }
}

#[test]
fn packing_at_stride_j_plus_1_is_injective() {
    // (digit_k ± 2^(j+1), digit_{k+1} ∓ 1) packs to the same field element as the honest
    // pair, so the update hash is unchanged and may not follow: only the out-of-range
    // digit's sign bit objects. Coordinates 2, 3: digits 64 and 69.
    let f = Fixture::new();
    let radix = Fr::from(1u64 << (J + 1));
    let (k, d0, d1) = (2, UPDATE[2] + (1 << J), UPDATE[3] + (1 << J));
    for dir in [1i64, -1] {
        let forged0 = d0 + dir * (1 << (J + 1));
        let forged1 = d1 - dir;
        assert_eq!(
            fr_from_i64(forged0) + fr_from_i64(forged1) * radix,
            fr_from_i64(d0) + fr_from_i64(d1) * radix,
            "same packed element"
        );
        let mut bits0 = Fixture::digit_bits(d0);
        bits0[J as usize] += 2 * dir;
        let failing = f.attack(&[(k, bits0), (k + 1, Fixture::digit_bits(forged1))], false);
        assert_eq!(
            failing,
            vec![f.booleanity(f.bits[k][J as usize])],
            "direction {dir}"
        );
    }
}

#[test]
fn public_linf_is_pinned_to_2_to_the_j() {
    let f = Fixture::new();
    let row = f.r1cs.rows_of[f.linf].clone();
    assert_eq!(row.len(), 1, "B∞ is used once: its pin");
    for linf in [(1 << J) - 1, (1 << J) + 1, 0] {
        let mut z = f.r1cs.z.clone();
        z[f.linf] = Fr::from(linf as u64);
        assert_eq!(f.r1cs.unsatisfied_rows(&z), row, "B∞ = {linf}");
    }
}

#[test]
fn native_reference_refuses_out_of_range_updates_naming_the_bound() {
    for (value, index) in [(1i64 << J, 4), (-(1i64 << J) - 1, 7)] {
        let mut input = RandomRound::new(shape(), M).input();
        input.slots[1].update[index] = value;
        let e = Round::build(input).unwrap_err();
        assert!(
            matches!(e, RoundError::FixedLinf { slot: 1, index: i, value: v, min: -64, max: 63, bits: J } if i == index && v == value),
            "{e:?}"
        );
        let msg = e.to_string();
        assert!(msg.contains("[-64, 63]") && msg.contains("L∞"), "{msg}");
    }
    // The bound itself is fixed: a round claiming another B∞ is refused.
    let mut input = RandomRound::new(shape(), M).input();
    input.bounds.linf = 63;
    assert!(matches!(Round::build(input), Err(RoundError::Bounds(m)) if m.contains("2^6")));
}

fn satisfied(witness: ChunkWitness) -> bool {
    synthesize(ChunkCircuit {
        shape: shape(),
        witness,
    })
    .is_satisfied()
    .unwrap()
}

#[test]
fn quotient_range_of_j_plus_1_bits_is_enforced() {
    // The division's other solutions: q' = q + (r − r')/W (a huge field element), and the
    // integer one r' = r − W, q' = q + 1 (r' < 0); and a quotient shifted by the model
    // stride that keeps M_t's packed element (q' = q + 2^stride) is outside j + 1 bits.
    let round = round();
    let total = Fr::from(round.total_weight());
    let honest = round.witness(0);
    assert!(satisfied(honest.clone()));
    for delta_r in [1u64, 2] {
        let mut w = honest.clone();
        let r_new = w.remainders[2] + Fr::from(delta_r);
        let q_new = w.quotients[2] - Fr::from(delta_r) * total.inverse().unwrap();
        w.remainders[2] = r_new;
        w.new_model[2] += q_new - w.quotients[2];
        w.quotients[2] = q_new;
        assert!(!satisfied(w), "r + {delta_r}");
    }
    let mut w = honest.clone();
    w.remainders[2] -= total;
    w.quotients[2] += Fr::one();
    w.new_model[2] += Fr::one();
    assert!(!satisfied(w), "r − W");
    let stride = Fr::from(2u64).pow([u64::from(shape().model_stride())]);
    let mut w = honest;
    w.new_model[0] += stride;
    w.new_model[1] -= Fr::one();
    w.quotients[0] += stride;
    w.quotients[1] -= Fr::one();
    assert!(!satisfied(w), "model digit out of range");
}

#[test]
fn update_commitment_refuses_values_outside_the_fixed_range() {
    let shape = shape();
    let salts = [Fr::zero()];
    for v in [1i64 << J, -(1i64 << J) - 1] {
        let mut update = UPDATE.to_vec();
        update[3] = v;
        assert!(commit::commit(&shape, Kind::Update, &update, &salts).is_err());
    }
    assert!(commit::commit(&shape, Kind::Update, &UPDATE, &salts).is_ok());
}
