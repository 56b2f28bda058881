//! On-disk formats shared by the prover and the verifiers: round bundles and openings.
//! Documented in PROTOCOL.md §6; versioned by their `format` string.

use ark_bn254::{Bn254, Fr};
use ark_groth16::Proof;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use serde::{Deserialize, Serialize};

pub use crate::encoding::u128_string;
use crate::{
    cid::ModelFile,
    commit::{self, Commitment, Kind},
    encoding::{Format, Tag},
    field::{
        bytes_from_hex, fr_from_decimal, fr_from_hex, fr_to_decimal, fr_to_hex, to_hex, FieldError,
    },
    files::JsonFile,
    params::Shape,
    round::{Bounds, Round, RoundError},
    tensors::Layout,
};

/// Format tag of a round bundle without client signatures (unsigned local runs).
pub const ROUND_FORMAT: &str = "zkfl-round/1";
/// Format tag of a round bundle whose slots carry their clients' signatures (`clients`).
pub const SIGNED_ROUND_FORMAT: &str = "zkfl-round/2";
/// Format tag of an opening.
pub const OPENING_FORMAT: &str = "zkfl-opening/1";
/// Format tag of a commitment record.
pub const COMMITMENT_FORMAT: &str = "zkfl-commitment/1";

/// Largest round bundle read: 1 GiB, about 500,000 chunks at n = 8 (d ≈ 5·10^8 at m = 1024).
pub const ROUND_MAX: u64 = 1 << 30;
/// Largest opening read: 4 GiB, room for the exact values of about 1.5·10^8 parameters.
pub const OPENING_MAX: u64 = 4 << 30;
/// Largest commitment record read: 1 GiB, about 1.5·10^7 chunk hashes.
pub const COMMITMENT_RECORD_MAX: u64 = 1 << 30;

/// Bytes of a compressed Groth16 proof over BN254: A and C in G1 (32 each), B in G2 (64).
pub const PROOF_BYTES: usize = 128;

/// The [`OPENING_FORMAT`] tag.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OpeningTag;

impl Tag for OpeningTag {
    const TAG: &'static str = OPENING_FORMAT;
}

/// The [`COMMITMENT_FORMAT`] tag.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CommitmentTag;

impl Tag for CommitmentTag {
    const TAG: &'static str = COMMITMENT_FORMAT;
}

/// The round's bounds as recorded in a bundle.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoundsRecord {
    /// B∞ in fixed-point units.
    pub linf: u64,
    /// B₂² in squared fixed-point units.
    #[serde(with = "u128_string")]
    pub l2_sq: u128,
    /// B∞ as given by the coordinator (float), for humans.
    pub linf_float: f64,
    /// B₂ as given by the coordinator (float), for humans.
    pub l2_float: f64,
}

impl BoundsRecord {
    /// The record of `bounds`, proven for the `linf` and `l2` floats the coordinator asked for.
    pub fn new(bounds: Bounds, linf: f64, l2: f64) -> Self {
        Self {
            linf: bounds.linf,
            l2_sq: bounds.l2_sq,
            linf_float: linf,
            l2_float: l2,
        }
    }

    /// Checks that the fixed-point bounds are the ones the floats give under the rounding
    /// rule of PROTOCOL.md §5 ([`Bounds::from_floats`]), so that the floats an auditor reads
    /// are the bounds that were proven.
    ///
    /// # Errors
    /// [`RoundError::Bounds`] saying which value disagrees.
    pub fn check(&self, shape: &Shape) -> Result<(), RoundError> {
        let derived = Bounds::from_floats(shape, self.linf_float, self.l2_float)?;
        if derived.linf != self.linf {
            return Err(RoundError::Bounds(format!(
                "linf_float {} gives B∞ = {} fixed-point units, but the round proves linf = {}",
                self.linf_float, derived.linf, self.linf
            )));
        }
        if derived.l2_sq != self.l2_sq {
            return Err(RoundError::Bounds(format!(
                "l2_float {} gives B₂² = {} fixed-point units², but the round proves l2_sq = {}",
                self.l2_float, derived.l2_sq, self.l2_sq
            )));
        }
        Ok(())
    }
}

/// One chunk proof with its public inputs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChunkRecord {
    /// Public inputs in circuit order (PROTOCOL.md §2), canonical decimal strings.
    pub public_inputs: Vec<String>,
    /// Groth16 proof, compressed arkworks encoding, `0x` + lowercase hex.
    pub proof: String,
}

/// A proven round: everything a verifier needs besides the verifying key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundBundle {
    /// [`ROUND_FORMAT`].
    pub format: String,
    /// The circuit shape.
    pub shape: Shape,
    /// SHA-256 of the verifying key the proofs are for (`0x` + 64 lowercase hex digits).
    #[serde(deserialize_with = "crate::encoding::hex32_string::deserialize")]
    pub vk_digest: String,
    /// Round index t (the round that turns M_t into M_{t+1}), starting at 1.
    pub round: u64,
    /// Parameter count d.
    pub d: u64,
    /// Whether M_t was committed afresh by this round (genesis) rather than opened from the
    /// previous round's output.
    pub genesis: bool,
    /// Gradient bounds.
    pub bounds: BoundsRecord,
    /// Weight per slot (0 = empty).
    pub weights: Vec<u64>,
    /// Commitment to M_t.
    pub model_commitment: Commitment,
    /// Commitment to M_{t+1}.
    pub new_model_commitment: Commitment,
    /// Commitment to each slot's update.
    pub update_commitments: Vec<Commitment>,
    /// One record per chunk, in chunk order.
    pub chunks: Vec<ChunkRecord>,
    /// [`SIGNED_ROUND_FORMAT`] only: per slot, the client that signed the slot's
    /// `UpdateCommitment{round, prevModel, commitment, weight}` (docs/PROTOCOL.md §10), or
    /// `null` for an empty slot. Checked by `zkfl_task::check_round`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clients: Option<Vec<Option<ClientSignature>>>,
    /// Size, SHA-256 and raw CIDv1 of the round directory's `model.safetensors`
    /// (PROTOCOL.md §6.2), so that a model file from anywhere can be tied to the round. Not
    /// part of the proven statement: `zkfl-verify round` checks it against the file.
    /// Absent in bundles written before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_file: Option<ModelFile>,
}

/// One slot's client as a signed bundle records it. The encodings are checked where the
/// signature is (zkfl-task): `signer` is `0x` + 40 lowercase hex digits, `signature` is
/// r ‖ s ‖ v as `0x` + 130 lowercase hex digits with v ∈ {27, 28} and low s.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSignature {
    /// The client's address.
    pub signer: String,
    /// The client's EIP-712 signature.
    pub signature: String,
}

impl JsonFile for RoundBundle {
    const MAX_BYTES: u64 = ROUND_MAX;
}

impl RoundBundle {
    /// The bundle of a proven round: `proofs[c]` proves chunk c of `round`, under the key
    /// with digest `vk_digest`, for the bounds `requested` = (linf, l2) floats the coordinator
    /// gave (they must give `round`'s fixed-point bounds, see [`BoundsRecord::check`]).
    /// The one place a bundle is built: the prover's output and every test fixture use it.
    pub fn from_round(
        round: &Round,
        index: u64,
        genesis: bool,
        vk_digest: &str,
        requested: (f64, f64),
        proofs: &[Proof<Bn254>],
    ) -> Self {
        Self {
            format: ROUND_FORMAT.into(),
            shape: *round.shape(),
            vk_digest: vk_digest.into(),
            round: index,
            d: round.input.model.len() as u64,
            genesis,
            bounds: BoundsRecord::new(round.input.bounds, requested.0, requested.1),
            weights: round.input.slots.iter().map(|s| s.weight).collect(),
            model_commitment: round.model_commitment,
            new_model_commitment: round.new_model_commitment,
            update_commitments: round.update_commitments.clone(),
            chunks: proofs
                .iter()
                .enumerate()
                .map(|(c, p)| ChunkRecord::new(&round.public(c).to_vec(), p))
                .collect(),
            clients: None,
            model_file: None,
        }
    }

    /// This bundle with its slots' client signatures (`clients[i]` for slot i, `None` for
    /// an empty slot), as [`SIGNED_ROUND_FORMAT`].
    pub fn signed(self, clients: Vec<Option<ClientSignature>>) -> Self {
        Self {
            format: SIGNED_ROUND_FORMAT.into(),
            clients: Some(clients),
            ..self
        }
    }
}

/// Why a record cannot be decoded.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// A public input that is not canonical.
    #[error("chunk {chunk}, public input #{index}: {source}")]
    PublicInput {
        /// Chunk.
        chunk: usize,
        /// Index in the public-input vector.
        index: usize,
        /// Cause.
        source: FieldError,
    },
    /// A proof that is not a valid encoding.
    #[error("chunk {chunk}: proof is not a valid Groth16 proof encoding ({reason})")]
    Proof {
        /// Chunk.
        chunk: usize,
        /// What was wrong.
        reason: String,
    },
}

/// Why a commitment record does not hold together.
#[derive(Debug, thiserror::Error)]
pub enum CommitmentRecordError {
    /// A chunk hash that is not a canonical field element.
    #[error("chunk hash #{chunk}: {source}")]
    ChunkHash {
        /// Chunk.
        chunk: usize,
        /// Cause.
        source: FieldError,
    },
    /// Not one chunk hash per chunk.
    #[error("{got} chunk hashes, but d = {d} in chunks of {chunk} needs {expected}")]
    Count {
        /// Parameter count in the record.
        d: u64,
        /// Chunk size of the shape.
        chunk: usize,
        /// ceil(d/m), or why there is none (d = 0).
        expected: String,
        /// Hashes in the record.
        got: usize,
    },
    /// The hashes give another commitment.
    #[error("the chunk hashes give commitment {recomputed}, not the record's {stated}")]
    Mismatch {
        /// In the record.
        stated: Commitment,
        /// From the hashes.
        recomputed: Commitment,
    },
}

/// Encodes a proof as the canonical hex of its compressed arkworks bytes.
pub fn proof_to_hex(proof: &Proof<Bn254>) -> String {
    let mut bytes = Vec::with_capacity(PROOF_BYTES);
    proof
        .serialize_compressed(&mut bytes)
        .expect("serialising to memory");
    to_hex(&bytes)
}

impl ChunkRecord {
    /// Builds a record.
    pub fn new(public_inputs: &[Fr], proof: &Proof<Bn254>) -> Self {
        Self {
            public_inputs: public_inputs.iter().map(fr_to_decimal).collect(),
            proof: proof_to_hex(proof),
        }
    }

    /// Decodes the public inputs, rejecting non-canonical ones (x + r).
    ///
    /// # Errors
    /// [`RecordError::PublicInput`] naming the input.
    pub fn inputs(&self, chunk: usize) -> Result<Vec<Fr>, RecordError> {
        self.public_inputs
            .iter()
            .enumerate()
            .map(|(index, s)| {
                fr_from_decimal(s).map_err(|source| RecordError::PublicInput {
                    chunk,
                    index,
                    source,
                })
            })
            .collect()
    }

    /// Decodes and validates the proof: canonical hex of exactly [`PROOF_BYTES`] bytes,
    /// points on the curve and in the subgroup, and the bytes the proof re-encodes to (so
    /// that no second spelling of a point is accepted).
    ///
    /// # Errors
    /// [`RecordError::Proof`].
    pub fn proof(&self, chunk: usize) -> Result<Proof<Bn254>, RecordError> {
        let bad = |reason: String| RecordError::Proof { chunk, reason };
        let bytes = bytes_from_hex(&self.proof, PROOF_BYTES).map_err(|e| bad(e.to_string()))?;
        let proof =
            Proof::<Bn254>::deserialize_with_mode(bytes.as_slice(), Compress::Yes, Validate::Yes)
                .map_err(|e| bad(e.to_string()))?;
        if proof_to_hex(&proof) != self.proof {
            return Err(bad("not the canonical encoding of its points".into()));
        }
        Ok(proof)
    }
}

/// An opening of a commitment: the salts and, for models, the exact integer values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Opening {
    /// [`OPENING_FORMAT`], checked when the opening is parsed.
    pub format: Format<OpeningTag>,
    /// Model or update.
    pub kind: Kind,
    /// The commitment this opens.
    pub commitment: Commitment,
    /// Circuit shape the commitment was made for (chunking and encodings).
    pub shape: Shape,
    /// Tensor names, shapes and dtypes of the committed file.
    pub layout: Layout,
    /// One salt per chunk, hex.
    pub salts: Vec<String>,
    /// The exact integers committed (models); `None` for client updates, whose values are
    /// re-read from the update file.
    pub values: Option<Vec<i64>>,
}

impl JsonFile for Opening {
    const MAX_BYTES: u64 = OPENING_MAX;
}

impl Opening {
    /// Checks everything an opening says about itself before anything uses it: a valid
    /// shape, a layout the tensor reader could produce, one canonical salt per chunk, and for
    /// models d committed values in the model range. Returns the decoded salts.
    ///
    /// # Errors
    /// What is wrong, in words.
    pub fn check(&self) -> Result<Vec<Fr>, String> {
        self.shape.validate().map_err(|e| e.to_string())?;
        let d = self.layout.check().map_err(|e| format!("layout: {e}"))?;
        let k = self.shape.num_chunks(d);
        if self.salts.len() != k {
            return Err(format!(
                "{} salts, but d = {d} in chunks of {} needs {k}",
                self.salts.len(),
                self.shape.chunk
            ));
        }
        let salts = self.salts().map_err(|e| format!("salts: {e}"))?;
        match (&self.values, self.kind) {
            (Some(values), Kind::Model) => {
                if values.len() != d {
                    return Err(format!("{} values, but the layout has {d}", values.len()));
                }
                commit::check_range(&self.shape, Kind::Model, values, 0)
                    .map_err(|e| e.to_string())?;
            }
            (None, Kind::Update) => {}
            (None, Kind::Model) => return Err("a model opening must carry its values".into()),
            (Some(_), Kind::Update) => {
                return Err(
                    "an update opening carries no values (they are in the update file)".into(),
                )
            }
        }
        Ok(salts)
    }

    /// Decodes the salts.
    ///
    /// # Errors
    /// [`FieldError`] for a salt that is not a canonical 32-byte hex field element.
    pub fn salts(&self) -> Result<Vec<Fr>, FieldError> {
        self.salts.iter().map(|s| fr_from_hex(s)).collect()
    }

    /// Encodes salts.
    pub fn encode_salts(salts: &[Fr]) -> Vec<String> {
        salts.iter().map(fr_to_hex).collect()
    }
}

/// A client's published commitment record (the public half of `zkfl commit`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentRecord {
    /// [`COMMITMENT_FORMAT`], checked when the record is parsed.
    pub format: Format<CommitmentTag>,
    /// Model or update.
    pub kind: Kind,
    /// Top-level commitment.
    pub commitment: Commitment,
    /// Parameter count.
    pub d: u64,
    /// Chunk hashes, canonical hex.
    pub chunk_hashes: Vec<String>,
}

impl JsonFile for CommitmentRecord {
    const MAX_BYTES: u64 = COMMITMENT_RECORD_MAX;
}

impl CommitmentRecord {
    /// Decodes the chunk hashes and checks that they give the record's commitment and that
    /// there is one per chunk of `shape`.
    ///
    /// # Errors
    /// A [`CommitmentRecordError`] saying which hash or count is wrong.
    pub fn check(&self, shape: &Shape) -> Result<Vec<Fr>, CommitmentRecordError> {
        let k = usize::try_from(self.d)
            .ok()
            .filter(|&d| d > 0)
            .map(|d| shape.num_chunks(d));
        if k != Some(self.chunk_hashes.len()) {
            return Err(CommitmentRecordError::Count {
                d: self.d,
                chunk: shape.chunk,
                expected: k.map_or_else(|| "d > 0".into(), |k| k.to_string()),
                got: self.chunk_hashes.len(),
            });
        }
        let hashes = self
            .chunk_hashes
            .iter()
            .enumerate()
            .map(|(chunk, s)| {
                fr_from_hex(s).map_err(|source| CommitmentRecordError::ChunkHash { chunk, source })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let recomputed = commit::commitment(self.kind, self.d, &hashes);
        if recomputed != self.commitment {
            return Err(CommitmentRecordError::Mismatch {
                stated: self.commitment,
                recomputed,
            });
        }
        Ok(hashes)
    }
}
