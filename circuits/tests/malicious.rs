//! Malicious witnesses: each satisfies some equation over the field but breaks the
//! statement over the integers, and must leave the constraint system unsatisfied.

use ark_ff::{AdditiveGroup, Field, One};
use zkfl_circuits::{
    commit::{self, Kind},
    field::fr_from_i64,
    testing::{synthesize, R1cs, RandomRound},
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

/// A chunk synthesised once, attacked at the R1CS level: a prover controls every variable,
/// not only what the witness generator derives (which truncates a value to the bits it
/// allocates, so a witness-level forgery never reaches the range check it aims at). The
/// attacks set the bits of a decomposition directly, let everything computed from them
/// follow (`R1cs::propagate`), and name the rows that still fail.
///
/// Slot 0 has weight 0 and a real update, so that a forged Δ enters no weighted sum; B₂² is
/// large, so that the forged sum of squares stays under it: what is left to object is the
/// range check alone.
struct Packing {
    round: Round,
    r1cs: R1cs,
    /// Per coordinate of slot 0: the U bits of t1 = B∞ + Δ and of t2 = B∞ − Δ.
    t1: Vec<Vec<usize>>,
    t2: Vec<Vec<usize>>,
    /// Per coordinate: the Bm bits of M_{t+1} + 2^(Bm−1).
    new_model: Vec<Vec<usize>>,
    /// The Nb bits of B₂² − S_out for slot 0.
    norm: Vec<usize>,
}

/// The variables v of rows v·(c − v) = 0 or v·c = 0 (c a constant), in row order: the bit
/// decompositions' Boolean constraints, found by their shape. Broader than
/// `R1cs::boolean_variables` on purpose: should a bit's constraint be weakened, the layout
/// below still holds, and the attacks fail where they name that bit's row.
fn bit_variables(r1cs: &R1cs) -> Vec<usize> {
    let [a, b, c] = &r1cs.matrices;
    (0..r1cs.num_constraints())
        .filter_map(|row| match a[row].as_slice() {
            &[(coeff, v)] if coeff == Fr::one() && v >= r1cs.num_instance && c[row].is_empty() => b
                [row]
                .iter()
                .all(|&(_, col)| col == 0 || col == v)
                .then_some(v),
            _ => None,
        })
        .collect()
}

fn recompose(z: &[Fr], vars: &[usize]) -> Fr {
    vars.iter()
        .rev()
        .fold(Fr::from(0u64), |acc, &v| acc.double() + z[v])
}

/// The low `k` bits of `x` as field elements (x in range).
fn bits_of(x: i64, k: u32) -> Vec<Fr> {
    assert!((0..1i64 << k).contains(&x), "{x} is not a {k}-bit value");
    (0..k).map(|i| Fr::from(((x >> i) & 1) as u64)).collect()
}

impl Packing {
    fn new() -> Self {
        let shape = shape();
        let mut input = RandomRound {
            linf: 50,
            zero_weight: vec![0],
            ..RandomRound::new(shape, 25)
        }
        .input();
        input.bounds.l2_sq = 1 << 40;
        let round = Round::build(input).expect("honest round");
        let r1cs = R1cs::new(ChunkCircuit {
            shape,
            witness: round.witness(0),
        });
        assert!(r1cs.is_satisfied_by(&r1cs.z));
        // Bit decompositions in allocation order: B∞ (U − 1 bits), the n weights and W
        // (Wb bits each), t1 and t2 of every update coordinate slot-major (U bits each),
        // then per coordinate M_{t+1}, q (U bits), r and W − 1 − r (Wb bits), last the n
        // checks S_out ≤ B₂² (Nb bits each).
        let (n, m) = (shape.slots, shape.chunk);
        let (u, wb, bm, nb) = (
            shape.update_bits as usize,
            shape.weight_bits as usize,
            shape.model_bits as usize,
            shape.norm_bits as usize,
        );
        let booleans = bit_variables(&r1cs);
        let take = |start: usize, len: usize| booleans[start..start + len].to_vec();
        let updates = u - 1 + (n + 1) * wb;
        let t1 = (0..m).map(|j| take(updates + 2 * u * j, u)).collect();
        let t2 = (0..m).map(|j| take(updates + 2 * u * j + u, u)).collect();
        let aggregation = updates + 2 * u * n * m;
        let new_model = (0..m)
            .map(|j| take(aggregation + (bm + u + 2 * wb) * j, bm))
            .collect();
        let norm = take(booleans.len() - n * nb, nb);
        let f = Self {
            round,
            r1cs,
            t1,
            t2,
            new_model,
            norm,
        };
        // The layout is checked, not trusted: the bits recompose to the witness.
        let w = f.round.witness(0);
        for j in 0..m {
            assert_eq!(
                recompose(&f.r1cs.z, &f.t1[j]),
                w.public.linf + w.updates[0][j]
            );
            assert_eq!(
                recompose(&f.r1cs.z, &f.t2[j]),
                w.public.linf - w.updates[0][j]
            );
            assert_eq!(
                recompose(&f.r1cs.z, &f.new_model[j]),
                w.new_model[j] + Fr::from(1u64 << (bm - 1))
            );
        }
        assert_eq!(
            recompose(&f.r1cs.z, &f.norm),
            w.public.l2_sq - f.slot0_sum_sq(&f.r1cs.z)
        );
        f
    }

    /// S_out of slot 0 (chunk 0: S_in = 0) for the t1 bits in `z`.
    fn slot0_sum_sq(&self, z: &[Fr]) -> Fr {
        let linf = self.round.witness(0).public.linf;
        self.t1
            .iter()
            .map(|t| recompose(z, t) - linf)
            .map(|d| d * d)
            .sum()
    }

    /// Sets `bits` (variable, value), then the S_out range bits for the sum of squares the
    /// t1 bits imply, and propagates everything else (acc_out, public, follows; the update
    /// and model hashes may not). Returns the rows that still fail.
    fn attack(&self, bits: &[(usize, Fr)]) -> Vec<usize> {
        let mut z = self.r1cs.z.clone();
        let mut set: Vec<usize> = Vec::new();
        for &(v, x) in bits {
            z[v] = x;
            set.push(v);
        }
        let gap = self.round.witness(0).public.l2_sq - self.slot0_sum_sq(&z);
        let gap: u128 = zkfl_circuits::field::fr_to_decimal(&gap)
            .parse()
            .expect("the forged S_out stays under B₂²");
        for (i, &v) in self.norm.iter().enumerate() {
            z[v] = Fr::from(((gap >> i) & 1) as u64);
            set.push(v);
        }
        let witness_from = self.r1cs.num_instance;
        let acc_out = 7 + 2 * SHAPE_N;
        self.r1cs.propagate(&mut z, |v| {
            (v >= witness_from && !set.contains(&v)) || v == acc_out
        });
        self.r1cs.unsatisfied_rows(&z)
    }

    /// The Boolean constraint of variable `v`.
    fn booleanity(&self, v: usize) -> usize {
        let row = self.r1cs.rows_of[v][0];
        assert_eq!(self.r1cs.booleanity_of(row), Some(v));
        row
    }
}

/// (digit_j + dir·R, digit_{j+1} − dir) packs to the same field element as (digit_j,
/// digit_{j+1}) at radix R: the forgery both packing tests make.
fn same_packed_element(radix: Fr, honest: (Fr, Fr), dir: i64) {
    let forged = (
        honest.0 + fr_from_i64(dir) * radix,
        honest.1 - fr_from_i64(dir),
    );
    assert_eq!(
        forged.0 + forged.1 * radix,
        honest.0 + honest.1 * radix,
        "same packed element"
    );
}

#[test]
fn honest_assignment_survives_the_packing_fixture() {
    let f = Packing::new();
    assert!(f.attack(&[]).is_empty());
}

#[test]
fn packed_update_value_out_of_range_with_same_hash_is_rejected() {
    // Δ_j ± 2^U and Δ_{j+1} ∓ 1 pack to the same digits' element at stride U, so the
    // client's commitment still opens, the sums and squares follow, and t1 + t2 = 2·B∞
    // still holds: only the top bits of t1 and t2, which would have to be ±2, object.
    let f = Packing::new();
    let shape = shape();
    let u = shape.update_bits;
    assert!(
        SHAPE_M as u32 * shape.update_stride() < 253,
        "one packed element"
    );
    let w = f.round.witness(0);
    let linf = as_i64(&w.public.linf);
    let top = u as usize - 1;
    for dir in [1i64, -1] {
        // A pair whose neighbour stays in range after moving by ∓1.
        let j = (0..SHAPE_M - 1)
            .find(|&j| (-linf + 1..linf).contains(&as_i64(&w.updates[0][j + 1])))
            .expect("a coordinate off the bound");
        let (d, next) = (as_i64(&w.updates[0][j]), as_i64(&w.updates[0][j + 1]));
        let half = 1i64 << (u - 1);
        same_packed_element(
            Fr::from(1u64 << shape.update_stride()),
            (fr_from_i64(d + half), fr_from_i64(next + half)),
            dir,
        );
        let mut bits: Vec<(usize, Fr)> = Vec::new();
        for (t, sign) in [(&f.t1, 1i64), (&f.t2, -1)] {
            let honest = bits_of(linf + sign * d, u);
            for (i, &v) in t[j].iter().enumerate() {
                let x = if i == top {
                    honest[i] + fr_from_i64(2 * sign * dir)
                } else {
                    honest[i]
                };
                bits.push((v, x));
            }
            let moved = bits_of(linf + sign * (next - dir), u);
            bits.extend(t[j + 1].iter().copied().zip(moved));
        }
        let mut failing = f.attack(&bits);
        failing.sort_unstable();
        let mut expected = vec![f.booleanity(f.t1[j][top]), f.booleanity(f.t2[j][top])];
        expected.sort_unstable();
        assert_eq!(failing, expected, "direction {dir}, coordinate {j}");
    }
}

#[test]
fn packed_model_value_out_of_range_with_same_hash_is_rejected() {
    // M_{t+1}[j] ± 2^stride and M_{t+1}[j+1] ∓ 1 pack to the same element, and with the
    // same quotients so do M_t's digits (M_t = M_{t+1} − q): both model hashes and the
    // aggregation hold, and only the top bit of M_{t+1}[j]'s range check objects.
    let f = Packing::new();
    let shape = shape();
    let (bm, stride) = (shape.model_bits, shape.model_stride());
    let top = bm as usize - 1;
    let w = f.round.witness(0);
    let offset = 1i64 << (bm - 1);
    let (j, v, next) = (0, as_i64(&w.new_model[0]), as_i64(&w.new_model[1]));
    for dir in [1i64, -1] {
        same_packed_element(
            Fr::from(2u64).pow([u64::from(stride)]),
            (fr_from_i64(v + offset), fr_from_i64(next + offset)),
            dir,
        );
        let honest = bits_of(v + offset, bm);
        let mut bits: Vec<(usize, Fr)> = f.new_model[j]
            .iter()
            .enumerate()
            .map(|(i, &var)| {
                // 2^stride = 2^(stride − Bm + 1) · 2^(Bm − 1): the top bit moves by that.
                let lift = fr_from_i64(dir << (stride - bm + 1));
                (
                    var,
                    if i == top {
                        honest[i] + lift
                    } else {
                        honest[i]
                    },
                )
            })
            .collect();
        bits.extend(
            f.new_model[j + 1]
                .iter()
                .copied()
                .zip(bits_of(next + offset - dir, bm)),
        );
        assert_eq!(
            f.attack(&bits),
            vec![f.booleanity(f.new_model[j][top])],
            "direction {dir}"
        );
    }
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
