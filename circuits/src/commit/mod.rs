//! Commitments: salted Poseidon chunk hashes and SHA-256 top-level commitments (native).
//!
//! The in-circuit twin is in [`constraints`]. Encodings (PROTOCOL.md §3–4):
//! - an update value Δ is the digit Δ + 2^(U−1) ∈ [0, 2^U), packed with stride U; in the
//!   fixed-L∞ variant ([`Shape::linf_bits`] = j) it is Δ + 2^j ∈ [0, 2^(j+1)), stride j + 1;
//! - a model value v is the digit v + 2^(Bm−1) + 2^(U−1) ∈ [0, 2^(Bm+1)), packed with
//!   stride Bm + 1 in both variants (the extra bit lets the circuit open M_t as
//!   M_{t+1} − q without a separate range check, see PROTOCOL.md §4);
//! - digits are packed little-endian, `digits_per_element` per field element;
//! - chunk hash = Poseidon(tag(kind), salt, e_1, …, e_E), with the shape's chunk sponge
//!   ([`Shape::chunk_sponge`]): width 9 in the per-round variant, width 17 in the fixed-L∞
//!   one; the norm accumulator is width 9 in both;
//! - top-level commitment = SHA-256(DOMAIN(kind) ‖ be64(d) ‖ be64(K) ‖ h_0 ‖ … ‖ h_{K−1}).

pub mod constraints;

use ark_bn254::Fr;
use ark_ff::{Field, UniformRand, Zero};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{field::fr_to_be_bytes, params::Shape, poseidon};

/// What a commitment commits to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A global model.
    Model,
    /// A client update.
    Update,
}

impl Kind {
    /// Label hashed into the chunk-hash domain tag.
    pub fn chunk_label(self) -> &'static str {
        match self {
            Kind::Model => "zkfl/v1/model-chunk",
            Kind::Update => "zkfl/v1/update-chunk",
        }
    }

    /// Label whose SHA-256 is the top-level commitment's domain prefix.
    pub fn commitment_label(self) -> &'static str {
        match self {
            Kind::Model => "zkfl/v1/model-commitment",
            Kind::Update => "zkfl/v1/update-commitment",
        }
    }

    /// Bit width of one digit.
    pub fn stride(self, shape: &Shape) -> u32 {
        match self {
            Kind::Model => shape.model_stride(),
            Kind::Update => shape.update_stride(),
        }
    }

    /// Digits per packed element.
    pub fn digits_per_element(self, shape: &Shape) -> usize {
        match self {
            Kind::Model => shape.model_digits_per_element(),
            Kind::Update => shape.update_digits_per_element(),
        }
    }

    /// Offset added to a value to make its digit: [`Shape::update_offset`] for updates
    /// (2^(U−1), or 2^j when fixed), 2^(Bm−1) + 2^(U−1) for models in both variants (the
    /// digits of a model are the same in both; its chunk hashes are not, since the variants
    /// hash with different sponges).
    pub fn digit_offset(self, shape: &Shape) -> i64 {
        match self {
            Kind::Model => (1i64 << (shape.model_bits - 1)) + (1i64 << (shape.update_bits - 1)),
            Kind::Update => shape.update_offset(),
        }
    }

    /// The range values of this kind must lie in.
    pub fn value_range(self, shape: &Shape) -> (i64, i64) {
        match self {
            Kind::Model => (shape.model_min(), shape.model_max()),
            Kind::Update => (shape.update_min(), shape.update_max()),
        }
    }
}

/// Label of the norm accumulator's domain tag.
pub const ACC_LABEL: &str = "zkfl/v1/norm-accumulator";

/// Why a value cannot be committed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommitError {
    /// A value outside the shape's range for its kind.
    #[error("{kind:?} value {value} at index {index} is outside [{min}, {max}]")]
    OutOfRange {
        /// Model or update.
        kind: Kind,
        /// Index in the flattened parameter vector.
        index: usize,
        /// The value.
        value: i64,
        /// Lower bound.
        min: i64,
        /// Upper bound.
        max: i64,
    },
    /// The number of chunk salts does not match the number of chunks.
    #[error("expected {expected} chunk salts, got {got}")]
    SaltCount {
        /// ceil(d/m).
        expected: usize,
        /// Salts given.
        got: usize,
    },
    /// An empty parameter vector.
    #[error("cannot commit to an empty parameter vector")]
    Empty,
}

/// `count` salts, uniform in Fr. Salts make every commitment hiding, so `rng` must be a
/// CSPRNG seeded from the OS outside tests.
pub fn random_salts(rng: &mut impl rand::Rng, count: usize) -> Vec<Fr> {
    (0..count).map(|_| Fr::rand(rng)).collect()
}

/// Packs one chunk's values (exactly `shape.chunk` of them, already padded) into field
/// elements. Values must be in range (see [`check_range`]).
pub fn pack(shape: &Shape, kind: Kind, values: &[i64]) -> Vec<Fr> {
    debug_assert_eq!(values.len(), shape.chunk);
    let offset = kind.digit_offset(shape);
    let stride = kind.stride(shape);
    values
        .chunks(kind.digits_per_element(shape))
        .map(|group| {
            // Horner from the most significant digit; digits < 2^stride ≤ 2^61.
            let radix = Fr::from(1u64 << stride);
            group.iter().rev().fold(Fr::zero(), |acc, &v| {
                acc * radix + Fr::from((v + offset) as u64)
            })
        })
        .collect()
}

/// Checks every value against the shape's range for `kind`.
///
/// # Errors
/// [`CommitError::OutOfRange`] for the first offending value; `first_index` is added to the
/// reported index.
pub fn check_range(
    shape: &Shape,
    kind: Kind,
    values: &[i64],
    first_index: usize,
) -> Result<(), CommitError> {
    let (min, max) = kind.value_range(shape);
    match values.iter().position(|v| !(min..=max).contains(v)) {
        Some(i) => Err(CommitError::OutOfRange {
            kind,
            index: first_index + i,
            value: values[i],
            min,
            max,
        }),
        None => Ok(()),
    }
}

/// Poseidon chunk hash of one padded chunk.
pub fn chunk_hash(shape: &Shape, kind: Kind, salt: Fr, values: &[i64]) -> Fr {
    let mut input = Vec::with_capacity(2 + shape.chunk);
    input.push(poseidon::domain_tag(kind.chunk_label()));
    input.push(salt);
    input.extend(pack(shape, kind, values));
    poseidon::hash(shape.chunk_sponge(), &input)
}

/// Packs running sums little-endian, [`Shape::norm_sums_per_element`] per field element at
/// stride [`Shape::norm_stride`]. Takes field elements so that tests can pack what a
/// cheating prover would (sums out of range); honest sums are below 2^Nb.
pub fn pack_sums(shape: &Shape, sums: &[Fr]) -> Vec<Fr> {
    let radix = Fr::from(2u64).pow([u64::from(shape.norm_stride())]);
    sums.chunks(shape.norm_sums_per_element())
        .map(|group| {
            group
                .iter()
                .rev()
                .fold(Fr::zero(), |acc, s| acc * radix + s)
        })
        .collect()
}

/// The norm accumulator Poseidon(tag, salt, pack(S_1, …, S_n)), with
/// [`Shape::accumulator_sponge`].
pub fn accumulator(shape: &Shape, salt: Fr, sums: &[Fr]) -> Fr {
    let mut input = Vec::with_capacity(2 + sums.len());
    input.push(poseidon::domain_tag(ACC_LABEL));
    input.push(salt);
    input.extend(pack_sums(shape, sums));
    poseidon::hash(shape.accumulator_sponge(), &input)
}

/// Iterates over the chunks of `values`, each zero-padded to `shape.chunk`.
pub fn padded_chunks<'a>(
    shape: &'a Shape,
    values: &'a [i64],
) -> impl Iterator<Item = Vec<i64>> + 'a {
    values.chunks(shape.chunk).map(move |c| {
        let mut v = c.to_vec();
        v.resize(shape.chunk, 0);
        v
    })
}

/// A 32-byte top-level commitment.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Commitment(pub [u8; 32]);

impl std::fmt::Debug for Commitment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Commitment({self})")
    }
}

impl std::fmt::Display for Commitment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "0x{}", hex::encode(self.0))
    }
}

impl std::str::FromStr for Commitment {
    type Err = crate::field::FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::field::parse_hex32(s).map(Commitment)
    }
}

impl Serialize for Commitment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Commitment {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// SHA-256 top-level commitment over a parameter count and its chunk hashes.
pub fn commitment(kind: Kind, d: u64, chunk_hashes: &[Fr]) -> Commitment {
    commitment_of(
        kind,
        d,
        chunk_hashes.len() as u64,
        chunk_hashes.iter().copied(),
    )
}

/// The commitment of §3 over `k` chunk hashes given by an iterator (which must yield `k`).
fn commitment_of(kind: Kind, d: u64, k: u64, chunk_hashes: impl Iterator<Item = Fr>) -> Commitment {
    let mut h = Sha256::new();
    h.update(Sha256::digest(kind.commitment_label().as_bytes()));
    h.update(d.to_be_bytes());
    h.update(k.to_be_bytes());
    for c in chunk_hashes {
        h.update(fr_to_be_bytes(&c));
    }
    Commitment(h.finalize().into())
}

/// Commits to a whole parameter vector with one salt per chunk; returns the chunk hashes
/// and the top-level commitment.
///
/// # Errors
/// [`CommitError`] for an empty vector, a wrong salt count or an out-of-range value.
pub fn commit(
    shape: &Shape,
    kind: Kind,
    values: &[i64],
    salts: &[Fr],
) -> Result<(Vec<Fr>, Commitment), CommitError> {
    if values.is_empty() {
        return Err(CommitError::Empty);
    }
    let k = shape.num_chunks(values.len());
    if salts.len() != k {
        return Err(CommitError::SaltCount {
            expected: k,
            got: salts.len(),
        });
    }
    check_range(shape, kind, values, 0)?;
    let hashes: Vec<Fr> = padded_chunks(shape, values)
        .zip(salts)
        .map(|(chunk, salt)| chunk_hash(shape, kind, *salt, &chunk))
        .collect();
    let c = commitment(kind, values.len() as u64, &hashes);
    Ok((hashes, c))
}

/// The chunk hash every chunk of an empty slot carries: m zero updates under a zero salt.
/// It does not depend on the chunk index (the last chunk's padding is zeros too), so the
/// registry checks empty slots against this one constant (PROTOCOL.md §4, item 5).
pub fn empty_chunk_hash(shape: &Shape) -> Fr {
    chunk_hash(shape, Kind::Update, Fr::zero(), &vec![0; shape.chunk])
}

/// The canonical commitment of an empty slot: d zero updates with zero salts, i.e. K copies
/// of [`empty_chunk_hash`]. Computed without materialising the d values, so an untrusted d
/// (from a bundle) costs K hash inputs, never a d-sized allocation.
pub fn empty_update_commitment(shape: &Shape, d: u64) -> Commitment {
    let k = d.div_ceil(shape.chunk as u64);
    let h = empty_chunk_hash(shape);
    commitment_of(Kind::Update, d, k, (0..k).map(|_| h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_commitment_is_the_commitment_of_zeros_under_zero_salts() {
        for (shape, d) in [
            (Shape::new(3, 4), 6),
            (Shape::new(2, 5), 5),
            (Shape::new(1, 7), 1),
        ] {
            let k = shape.num_chunks(d);
            let (hashes, c) = commit(&shape, Kind::Update, &vec![0; d], &vec![Fr::zero(); k])
                .expect("zeros are in range");
            assert!(hashes.iter().all(|h| *h == empty_chunk_hash(&shape)));
            assert_eq!(empty_update_commitment(&shape, d as u64), c);
        }
    }

    /// The top-level commitment's bytes, spelled out (PROTOCOL.md §3), so that the layout the
    /// registry hashes with 0x02 is pinned here too.
    #[test]
    fn commitment_follows_protocol_byte_layout() {
        let hashes = [Fr::from(1u64), Fr::from(2u64)];
        let mut pre = Vec::new();
        pre.extend_from_slice(&Sha256::digest(b"zkfl/v1/update-commitment"));
        pre.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 100]);
        pre.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 2]);
        let mut one = [0u8; 32];
        one[31] = 1;
        let mut two = [0u8; 32];
        two[31] = 2;
        pre.extend_from_slice(&one);
        pre.extend_from_slice(&two);
        let expected: [u8; 32] = Sha256::digest(&pre).into();
        assert_eq!(commitment(Kind::Update, 100, &hashes).0, expected);
        assert_ne!(commitment(Kind::Model, 100, &hashes).0, expected);
    }

    #[test]
    fn empty_commitment_of_a_huge_d_allocates_nothing_d_sized() {
        // d = 2^40 with m = 2^20 is 2^20 chunk hashes: fast, and no 8 TiB vector.
        let shape = Shape::new(1, 1 << 20);
        let c = empty_update_commitment(&shape, 1 << 40);
        assert_ne!(c, empty_update_commitment(&shape, (1 << 40) - 1));
    }
}
