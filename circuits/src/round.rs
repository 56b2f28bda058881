//! Native reference of a whole round: FedAvg under the rounding rule, every chunk hash,
//! the norm accumulators, the public inputs and the chunk witnesses.
//!
//! The prover builds witnesses from it; the verifier uses the same commitment code to
//! recompute commitments. Every check the circuit makes is made here first, so a prover
//! fails with a clear message (client, index) instead of producing an unsatisfied circuit.

use ark_bn254::Fr;
use ark_ff::Zero;
use serde::{Deserialize, Serialize};

use crate::{
    commit::{self, padded_chunks, CommitError, Commitment, Kind},
    field::{fr_from_i64, fr_from_u128},
    params::{Shape, ShapeError},
    statement::ChunkPublic,
};

/// The round's gradient bounds in fixed-point units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bounds {
    /// B∞: every |Δ_ij| ≤ linf.
    pub linf: u64,
    /// B₂²: every Σ_j Δ_ij² ≤ l2_sq.
    pub l2_sq: u128,
}

impl Bounds {
    /// The rule of PROTOCOL.md §5: B∞ = ⌊linf·2^f⌋ and B₂² = ⌊l2·2^f⌋², rounded down so
    /// that the proven bounds are never looser than the requested floats. The prover derives
    /// the bounds with it, and every verifier re-derives them from the floats a bundle
    /// records, so the floats an auditor reads are the ones that were proven.
    ///
    /// # Errors
    /// [`RoundError::Bounds`] for a negative (−0.0 included), non-finite or too large bound,
    /// or an L∞ bound other than the 2^j a fixed-L∞ shape fixes.
    pub fn from_floats(shape: &Shape, linf: f64, l2: f64) -> Result<Self, RoundError> {
        let bad = |s: String| Err(RoundError::Bounds(s));
        for (name, v) in [("L∞", linf), ("L2", l2)] {
            if !v.is_finite() || v.is_sign_negative() {
                return bad(format!(
                    "the {name} bound must be a finite, non-negative number, got {v}"
                ));
            }
        }
        // x·2^f only moves the exponent (exact), and every finite result is ≥ 0, so the
        // floors below are exact; an out-of-range one saturates the cast and is refused.
        let scale = 2f64.powi(shape.frac_bits as i32);
        let linf_units = (linf * scale).floor();
        let l2_units = (l2 * scale).floor();
        if let (Some(j), Some(fixed)) = (shape.linf_bits, shape.fixed_linf()) {
            if linf_units != fixed as f64 {
                return bad(format!(
                    "L∞ bound {linf} is {linf_units} fixed-point units, but the shape fixes it at 2^{j} = {fixed} units (linf bits {j}, frac bits {}): the L∞ bound must be {}",
                    shape.frac_bits,
                    fixed as f64 / scale
                ));
            }
        } else if linf_units > shape.linf_max() as f64 {
            return bad(format!(
                "L∞ bound {linf} is {linf_units} fixed-point units, above the shape's maximum {} (update bits {})",
                shape.linf_max(),
                shape.update_bits
            ));
        }
        let l2_sq = (l2_units < 2f64.powi(64))
            .then(|| (l2_units as u128) * (l2_units as u128))
            .filter(|v| *v <= shape.norm_max());
        let Some(l2_sq) = l2_sq else {
            return bad(format!(
                "L2 bound {l2} squared ({l2_units}² fixed-point units²) does not fit the shape's {} norm bits",
                shape.norm_bits
            ));
        };
        Ok(Self {
            linf: linf_units as u64,
            l2_sq,
        })
    }

    /// Checks one client's update (in slot `slot`) against the bounds as `shape`'s circuit
    /// will: every |Δ_j| ≤ B∞ (per round), or Δ_j in [−2^j, 2^j − 1] when the shape fixes
    /// the L∞ bound, and Σ Δ_j² ≤ B₂². [`Round::build`] checks every slot with it; a
    /// coordinator can also screen one update before it picks the round's clients.
    ///
    /// # Errors
    /// [`RoundError::Linf`] or [`RoundError::FixedLinf`] at the first coordinate out of
    /// range, or [`RoundError::L2`].
    pub fn check_update(
        &self,
        shape: &Shape,
        slot: usize,
        update: &[i64],
    ) -> Result<(), RoundError> {
        linf_check(shape, self.linf, slot, update)?;
        let norm_sq: u128 = update
            .iter()
            .map(|&v| (v as i128 * v as i128) as u128)
            .sum();
        if norm_sq > self.l2_sq {
            return Err(RoundError::L2 {
                slot,
                norm_sq,
                bound: self.l2_sq,
            });
        }
        Ok(())
    }

    /// Floats that [`Bounds::from_floats`] maps back to exactly these bounds: B∞/2^f and
    /// √B₂²/2^f (exact in f64 below 2^53 units). `None` when B₂² is not a perfect square,
    /// which no float L2 bound produces.
    pub fn to_floats(&self, shape: &Shape) -> Option<(f64, f64)> {
        let root = self.l2_sq.isqrt();
        if root * root != self.l2_sq || root >= 1 << 53 || self.linf >= 1 << 53 {
            return None;
        }
        let scale = 2f64.powi(shape.frac_bits as i32);
        Some((self.linf as f64 / scale, root as f64 / scale))
    }
}

/// One client slot of a round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientSlot {
    /// FedAvg weight (0 for an empty slot).
    pub weight: u64,
    /// The client's update, d values.
    pub update: Vec<i64>,
    /// The client's commitment salts, one per chunk.
    pub salts: Vec<Fr>,
}

impl ClientSlot {
    /// The canonical empty slot: weight 0, zero update, zero salts.
    pub fn empty(shape: &Shape, d: usize) -> Self {
        Self {
            weight: 0,
            update: vec![0; d],
            salts: vec![Fr::zero(); shape.num_chunks(d)],
        }
    }

    /// Whether this is an empty slot.
    pub fn is_empty(&self) -> bool {
        self.weight == 0
    }
}

/// Everything a round is computed from.
#[derive(Clone, Debug)]
pub struct RoundInput {
    /// Circuit shape.
    pub shape: Shape,
    /// M_t, d values.
    pub model: Vec<i64>,
    /// Salts of M_t's commitment (the previous round's opening), one per chunk.
    pub model_salts: Vec<Fr>,
    /// Exactly `shape.slots` slots.
    pub slots: Vec<ClientSlot>,
    /// Gradient bounds.
    pub bounds: Bounds,
    /// Fresh salts for M_{t+1}'s commitment, one per chunk.
    pub new_model_salts: Vec<Fr>,
    /// Fresh salts for the K + 1 norm accumulators.
    pub acc_salts: Vec<Fr>,
}

/// Why a round cannot be built (and so cannot be proven).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RoundError {
    /// Unusable shape.
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// A length that does not match the shape or the model.
    #[error("{what}: expected {expected}, got {got}")]
    Length {
        /// What was measured.
        what: String,
        /// Expected length.
        expected: usize,
        /// Actual length.
        got: usize,
    },
    /// A weight or the total weight outside [1, 2^Wb).
    #[error("weights: {0}")]
    Weights(String),
    /// A bound outside what the shape can prove.
    #[error("bounds: {0}")]
    Bounds(String),
    /// An update coordinate with |Δ| > B∞.
    #[error("client slot {slot}: |update[{index}]| = {abs} exceeds the L∞ bound {bound} (fixed-point units)")]
    Linf {
        /// Slot index.
        slot: usize,
        /// Flattened parameter index.
        index: usize,
        /// |Δ|.
        abs: u64,
        /// B∞.
        bound: u64,
    },
    /// An update coordinate outside [−2^j, 2^j − 1] under a fixed L∞ bound 2^j.
    #[error("client slot {slot}: update[{index}] = {value} is outside [{min}, {max}], the L∞ range fixed by the key (linf bits {bits}: −2^{bits} ≤ Δ ≤ 2^{bits} − 1 fixed-point units)")]
    FixedLinf {
        /// Slot index.
        slot: usize,
        /// Flattened parameter index.
        index: usize,
        /// Δ.
        value: i64,
        /// −2^j.
        min: i64,
        /// 2^j − 1.
        max: i64,
        /// j.
        bits: u32,
    },
    /// An update whose squared L2 norm exceeds B₂².
    #[error("client slot {slot}: squared L2 norm {norm_sq} exceeds the bound {bound} (fixed-point units²)")]
    L2 {
        /// Slot index.
        slot: usize,
        /// Σ Δ².
        norm_sq: u128,
        /// B₂².
        bound: u128,
    },
    /// The aggregated model leaves the model range.
    #[error(
        "new model value {value} at index {index} is outside [{min}, {max}]: use more model bits"
    )]
    ModelOverflow {
        /// Flattened parameter index.
        index: usize,
        /// The value.
        value: i64,
        /// Lower bound.
        min: i64,
        /// Upper bound.
        max: i64,
    },
    /// A value that cannot be committed.
    #[error("{context}: {source}")]
    Commit {
        /// Which vector.
        context: String,
        /// The cause.
        source: CommitError,
    },
}

/// The L∞ statement for one slot's update: |Δ| ≤ B∞ per round; Δ ∈ [−2^j, 2^j − 1] when
/// the shape fixes the bound (the fixed variant's range is asymmetric by one unit).
fn linf_check(shape: &Shape, linf: u64, slot: usize, update: &[i64]) -> Result<(), RoundError> {
    match shape.linf_bits {
        None => match update.iter().position(|v| v.unsigned_abs() > linf) {
            Some(index) => Err(RoundError::Linf {
                slot,
                index,
                abs: update[index].unsigned_abs(),
                bound: linf,
            }),
            None => Ok(()),
        },
        Some(bits) => {
            let (min, max) = (shape.update_min(), shape.update_max());
            match update.iter().position(|v| !(min..=max).contains(v)) {
                Some(index) => Err(RoundError::FixedLinf {
                    slot,
                    index,
                    value: update[index],
                    min,
                    max,
                    bits,
                }),
                None => Ok(()),
            }
        }
    }
}

/// The rounding rule: q = ⌊(S + ⌊W/2⌋) / W⌋ (round half up, floor for negatives).
pub fn round_div(sum: i128, total: u64) -> i128 {
    (sum + (total / 2) as i128).div_euclid(total as i128)
}

/// A fully computed round.
#[derive(Clone, Debug)]
pub struct Round {
    /// The inputs.
    pub input: RoundInput,
    /// M_{t+1}.
    pub new_model: Vec<i64>,
    /// h(M_t[c]) per chunk.
    pub model_hashes: Vec<Fr>,
    /// h(M_{t+1}[c]) per chunk.
    pub new_model_hashes: Vec<Fr>,
    /// h(Δ_i[c]) per slot, per chunk.
    pub update_hashes: Vec<Vec<Fr>>,
    /// Running sums of squares entering chunk c (c = 0..=K), per slot.
    pub sums: Vec<Vec<u128>>,
    /// Norm accumulators acc_0..acc_K (chunk c uses acc_c in, acc_{c+1} out).
    pub accs: Vec<Fr>,
    /// Commitment to M_t.
    pub model_commitment: Commitment,
    /// Commitment to M_{t+1}.
    pub new_model_commitment: Commitment,
    /// Commitment to each slot's update.
    pub update_commitments: Vec<Commitment>,
}

fn expect_len(what: impl Into<String>, expected: usize, got: usize) -> Result<(), RoundError> {
    if expected == got {
        Ok(())
    } else {
        Err(RoundError::Length {
            what: what.into(),
            expected,
            got,
        })
    }
}

fn commit_err(context: impl Into<String>) -> impl FnOnce(CommitError) -> RoundError {
    let context = context.into();
    move |source| RoundError::Commit { context, source }
}

impl Round {
    /// Checks every input, aggregates, and computes all hashes and accumulators.
    ///
    /// # Errors
    /// [`RoundError`] naming the slot, index or parameter at fault.
    pub fn build(input: RoundInput) -> Result<Self, RoundError> {
        let shape = input.shape;
        shape.validate()?;
        let d = input.model.len();
        if d == 0 {
            return Err(commit_err("model")(CommitError::Empty));
        }
        let k = shape.num_chunks(d);
        expect_len("client slots", shape.slots, input.slots.len())?;
        expect_len("model salts", k, input.model_salts.len())?;
        expect_len("new-model salts", k, input.new_model_salts.len())?;
        expect_len("accumulator salts", k + 1, input.acc_salts.len())?;
        for (i, s) in input.slots.iter().enumerate() {
            expect_len(format!("slot {i} update length"), d, s.update.len())?;
            expect_len(format!("slot {i} salts"), k, s.salts.len())?;
        }
        if let Some((i, s)) = input
            .slots
            .iter()
            .enumerate()
            .find(|(_, s)| s.weight > shape.weight_max())
        {
            return Err(RoundError::Weights(format!(
                "slot {i} weight {} exceeds {} (weight bits {})",
                s.weight,
                shape.weight_max(),
                shape.weight_bits
            )));
        }
        // Weights come from flags: each is now below 2^32, so n ≤ 1024 of them cannot
        // overflow, but the sum is checked all the same.
        let total = input
            .slots
            .iter()
            .try_fold(0u64, |acc, s| acc.checked_add(s.weight))
            .filter(|&t| t > 0 && t <= shape.weight_max())
            .ok_or_else(|| {
                let sum: u128 = input.slots.iter().map(|s| u128::from(s.weight)).sum();
                RoundError::Weights(format!(
                    "total weight {sum} must be in 1..={} (weight bits {})",
                    shape.weight_max(),
                    shape.weight_bits
                ))
            })?;
        let b = input.bounds;
        if let (Some(j), Some(fixed)) = (shape.linf_bits, shape.fixed_linf()) {
            if b.linf != fixed {
                return Err(RoundError::Bounds(format!(
                    "L∞ bound {} must be {fixed} = 2^{j}, the bound this shape fixes (linf bits {j})",
                    b.linf
                )));
            }
        } else if b.linf > shape.linf_max() {
            return Err(RoundError::Bounds(format!(
                "L∞ bound {} exceeds {} (update bits {})",
                b.linf,
                shape.linf_max(),
                shape.update_bits
            )));
        }
        if b.l2_sq > shape.norm_max() {
            return Err(RoundError::Bounds(format!(
                "squared L2 bound {} exceeds {} (norm bits {})",
                b.l2_sq,
                shape.norm_max(),
                shape.norm_bits
            )));
        }
        commit::check_range(&shape, Kind::Model, &input.model, 0).map_err(commit_err("model"))?;
        for (i, s) in input.slots.iter().enumerate() {
            // Before the encoding's range check, so that an over-bound value is reported
            // as breaking the L∞ bound (every value outside the encoding also breaks it).
            b.check_update(&shape, i, &s.update)?;
            commit::check_range(&shape, Kind::Update, &s.update, 0)
                .map_err(commit_err(format!("slot {i} update")))?;
        }

        let new_model = (0..d)
            .map(|j| {
                let s: i128 = input
                    .slots
                    .iter()
                    .map(|c| c.weight as i128 * c.update[j] as i128)
                    .sum();
                let v = input.model[j] as i128 + round_div(s, total);
                if v < shape.model_min() as i128 || v > shape.model_max() as i128 {
                    return Err(RoundError::ModelOverflow {
                        index: j,
                        value: v as i64,
                        min: shape.model_min(),
                        max: shape.model_max(),
                    });
                }
                Ok(v as i64)
            })
            .collect::<Result<Vec<_>, _>>()?;

        let (model_hashes, model_commitment) =
            commit::commit(&shape, Kind::Model, &input.model, &input.model_salts)
                .map_err(commit_err("model"))?;
        let (new_model_hashes, new_model_commitment) =
            commit::commit(&shape, Kind::Model, &new_model, &input.new_model_salts)
                .map_err(commit_err("new model"))?;
        let mut update_hashes = Vec::with_capacity(shape.slots);
        let mut update_commitments = Vec::with_capacity(shape.slots);
        for (i, s) in input.slots.iter().enumerate() {
            let (h, c) = commit::commit(&shape, Kind::Update, &s.update, &s.salts)
                .map_err(commit_err(format!("slot {i} update")))?;
            update_hashes.push(h);
            update_commitments.push(c);
        }

        let mut sums = vec![vec![0u128; shape.slots]];
        for c in 0..k {
            let range = c * shape.chunk..((c + 1) * shape.chunk).min(d);
            let next = input
                .slots
                .iter()
                .zip(&sums[c])
                .map(|(s, &acc)| {
                    acc + s.update[range.clone()]
                        .iter()
                        .map(|&v| (v as i128 * v as i128) as u128)
                        .sum::<u128>()
                })
                .collect();
            sums.push(next);
        }
        let accs = sums
            .iter()
            .zip(&input.acc_salts)
            .map(|(s, salt)| {
                let sums: Vec<Fr> = s.iter().map(|&x| Fr::from(x)).collect();
                commit::accumulator(&shape, *salt, &sums)
            })
            .collect();

        Ok(Self {
            input,
            new_model,
            model_hashes,
            new_model_hashes,
            update_hashes,
            sums,
            accs,
            model_commitment,
            new_model_commitment,
            update_commitments,
        })
    }

    /// The circuit shape.
    pub fn shape(&self) -> &Shape {
        &self.input.shape
    }

    /// Number of chunks K.
    pub fn num_chunks(&self) -> usize {
        self.model_hashes.len()
    }

    /// Total weight W.
    pub fn total_weight(&self) -> u64 {
        self.input.slots.iter().map(|s| s.weight).sum()
    }

    /// Public inputs of chunk `c`.
    pub fn public(&self, c: usize) -> ChunkPublic {
        ChunkPublic {
            chunk: Fr::from(c as u64),
            linf: Fr::from(self.input.bounds.linf),
            l2_sq: fr_from_u128(self.input.bounds.l2_sq),
            weights: self
                .input
                .slots
                .iter()
                .map(|s| Fr::from(s.weight))
                .collect(),
            model: self.model_hashes[c],
            new_model: self.new_model_hashes[c],
            updates: self.update_hashes.iter().map(|h| h[c]).collect(),
            acc_in: self.accs[c],
            acc_out: self.accs[c + 1],
        }
    }

    /// The full witness of chunk `c`, built on demand so that a prover never holds more
    /// than the chunks it is proving.
    pub fn witness(&self, c: usize) -> ChunkWitness {
        let shape = self.shape();
        let pad = |v: &[i64]| {
            padded_chunks(shape, v)
                .nth(c)
                .expect("chunk index in range")
        };
        let model = pad(&self.input.model);
        let new_model = pad(&self.new_model);
        let updates: Vec<Vec<i64>> = self.input.slots.iter().map(|s| pad(&s.update)).collect();
        let total = self.total_weight();
        let mut quotients = Vec::with_capacity(shape.chunk);
        let mut remainders = Vec::with_capacity(shape.chunk);
        for j in 0..shape.chunk {
            let s: i128 = self
                .input
                .slots
                .iter()
                .zip(&updates)
                .map(|(c, u)| c.weight as i128 * u[j] as i128)
                .sum();
            let q = round_div(s, total);
            debug_assert_eq!(q, (new_model[j] - model[j]) as i128);
            let r = s + (total / 2) as i128 - q * total as i128;
            quotients.push(fr_from_i64(q as i64));
            remainders.push(fr_from_i64(r as i64));
        }
        ChunkWitness {
            public: self.public(c),
            new_model: new_model.iter().map(|&v| fr_from_i64(v)).collect(),
            quotients,
            remainders,
            updates: updates
                .iter()
                .map(|u| u.iter().map(|&v| fr_from_i64(v)).collect())
                .collect(),
            model_salt: self.input.model_salts[c],
            new_model_salt: self.input.new_model_salts[c],
            update_salts: self.input.slots.iter().map(|s| s.salts[c]).collect(),
            acc_salt_in: self.input.acc_salts[c],
            acc_salt_out: self.input.acc_salts[c + 1],
            sums_in: self.sums[c].iter().map(|&s| fr_from_u128(s)).collect(),
        }
    }
}

/// Everything the chunk circuit is synthesised from: the public inputs and the private
/// values a prover controls. Values are field elements so that tests can feed the circuit
/// exactly what a malicious prover would.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkWitness {
    /// Public inputs.
    pub public: ChunkPublic,
    /// M_{t+1}[c], m values.
    pub new_model: Vec<Fr>,
    /// q_j = M_{t+1,j} − M_{t,j}.
    pub quotients: Vec<Fr>,
    /// r_j = S_j + ⌊W/2⌋ − W·q_j.
    pub remainders: Vec<Fr>,
    /// Δ_i[c], n × m values.
    pub updates: Vec<Vec<Fr>>,
    /// Salt of h(M_t[c]).
    pub model_salt: Fr,
    /// Salt of h(M_{t+1}[c]).
    pub new_model_salt: Fr,
    /// Salts of h(Δ_i[c]).
    pub update_salts: Vec<Fr>,
    /// Salt of acc_in.
    pub acc_salt_in: Fr,
    /// Salt of acc_out.
    pub acc_salt_out: Fr,
    /// Running sums of squares entering the chunk.
    pub sums_in: Vec<Fr>,
}

impl ChunkWitness {
    /// An all-zero witness of the right dimensions, for key generation (values unused).
    pub fn blank(shape: &Shape) -> Self {
        let n = shape.slots;
        let m = shape.chunk;
        let z = Fr::zero();
        Self {
            public: ChunkPublic {
                chunk: z,
                linf: z,
                l2_sq: z,
                weights: vec![z; n],
                model: z,
                new_model: z,
                updates: vec![z; n],
                acc_in: z,
                acc_out: z,
            },
            new_model: vec![z; m],
            quotients: vec![z; m],
            remainders: vec![z; m],
            updates: vec![vec![z; m]; n],
            model_salt: z,
            new_model_salt: z,
            update_salts: vec![z; n],
            acc_salt_in: z,
            acc_salt_out: z,
            sums_in: vec![z; n],
        }
    }

    /// Whether every vector has the dimensions `shape` requires.
    pub fn fits(&self, shape: &Shape) -> bool {
        let (n, m) = (shape.slots, shape.chunk);
        self.public.weights.len() == n
            && self.public.updates.len() == n
            && self.new_model.len() == m
            && self.quotients.len() == m
            && self.remainders.len() == m
            && self.updates.len() == n
            && self.updates.iter().all(|u| u.len() == m)
            && self.update_salts.len() == n
            && self.sums_in.len() == n
    }
}
