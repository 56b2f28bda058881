//! Key files: a small self-describing header (shape, provenance) before the arkworks bytes.
//!
//! Layout: `ZKFLKEY1` ‖ u32-LE header length ‖ header JSON ‖ canonical arkworks bytes
//! (compressed for the verifying key; uncompressed for the proving key, which is ours to
//! trust and 2–3× faster to load unvalidated).

use std::{
    io::{Read, Write},
    path::Path,
};

use ark_bn254::Bn254;
use ark_groth16::{ProvingKey, VerifyingKey};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{
    circuit::cost,
    field::to_hex,
    files::{self, FileError},
    params::Shape,
};

const MAGIC: &[u8; 8] = b"ZKFLKEY1";

/// Magic and header length.
const PREFIX_BYTES: u64 = 12;

/// Largest header JSON a key file may have (the shape, a digest and provenance).
pub const KEY_HEADER_MAX: u64 = 64 << 10;

/// Largest `keys/params.json`.
pub const PARAMS_MAX: u64 = 64 << 10;

/// What a key file says about itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyHeader {
    /// "proving" or "verifying".
    pub kind: String,
    /// The circuit shape the key is for.
    pub shape: Shape,
    /// `Some(seed)` when the key came from a fixed seed: INSECURE, tests and demos only.
    pub insecure_seed: Option<u64>,
    /// SHA-256 of the compressed verifying key ([`vk_digest_hex`]), identical in both files
    /// of a pair.
    #[serde(deserialize_with = "crate::encoding::hex32_string::deserialize")]
    pub vk_digest: String,
    /// The QAP reduction the proving key's H query was made for. Absent in keys written
    /// before ceremonies existed, which all came from `zkfl setup` (libsnark).
    #[serde(default)]
    pub reduction: Reduction,
    /// Where a ceremony key came from, as claimed by whoever exported it; `None` for
    /// single-party `zkfl setup` keys. Self-declared: `zkfl-verify key` checks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

impl KeyHeader {
    /// Why an auditor should not trust proofs under this key, if so: it came from a fixed
    /// seed, or it claims no multi-party ceremony (a single-party `zkfl setup` key, whose
    /// maker can forge proofs). `None` for a key that claims a ceremony; the claim itself is
    /// checked by `zkfl-verify key`.
    pub fn insecurity(&self) -> Option<String> {
        if let Some(seed) = self.insecure_seed {
            return Some(format!(
                "the key was generated from the fixed seed {seed} (`zkfl setup --seed`): anyone can forge proofs"
            ));
        }
        if self.provenance.is_none() {
            return Some(
                "the key records no ceremony: it is a single-party `zkfl setup` key, and whoever ran the setup can forge proofs".into(),
            );
        }
        None
    }

    /// One line per claim of the key's provenance, for reports.
    pub fn provenance_lines(&self) -> Vec<String> {
        let Some(p) = &self.provenance else {
            return vec!["provenance: none (single-party `zkfl setup` key)".into()];
        };
        let mut lines = vec![
            format!("ptau blake2b {}", p.ptau_blake2b),
            format!("zkey blake2b {}", p.zkey_blake2b),
        ];
        for (i, c) in p.contributions.iter().enumerate() {
            let beacon = match &c.beacon {
                Some((h, e)) => format!(" (beacon {h}, 2^{e} iterations)"),
                None => String::new(),
            };
            lines.push(format!(
                "contribution #{} {}: {}{beacon}",
                i + 1,
                c.name,
                c.hash
            ));
        }
        lines
    }
}

/// How a proving key's H query represents h(τ)·t(τ)/δ, which fixes how the prover must
/// compute h.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reduction {
    /// arkworks' `LibsnarkReduction`: keys from `zkfl setup`.
    #[default]
    Libsnark,
    /// snarkjs/circom's odd-coset reduction: keys from a `.zkey` ceremony.
    Circom,
}

/// The claimed origin of a ceremony key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// blake2b-512 (hex) of the phase-1 `.ptau` file, as Hermez/PPoT publish it.
    pub ptau_blake2b: String,
    /// blake2b-512 (hex) of the final `.zkey` file.
    pub zkey_blake2b: String,
    /// snarkjs's circuit hash of the initial key (hex).
    pub circuit_hash: String,
    /// Phase-2 contributions, oldest first; the last is the beacon.
    pub contributions: Vec<ContributionRecord>,
}

/// One phase-2 contribution as a key header lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributionRecord {
    /// The contributor's name.
    pub name: String,
    /// The contribution hash the contributor published (blake2b-512, hex).
    pub hash: String,
    /// For the beacon: the public value (hex) and log2 of its SHA-256 iterations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beacon: Option<(String, u8)>,
}

/// `keys/params.json`: what a key directory holds, readable without loading the keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyParams {
    /// Circuit shape.
    pub shape: Shape,
    /// SHA-256 of the verifying key ([`vk_digest_hex`]).
    #[serde(deserialize_with = "crate::encoding::hex32_string::deserialize")]
    pub vk_digest: String,
    /// `Some(seed)` if the keys are INSECURE (fixed seed).
    pub insecure_seed: Option<u64>,
    /// Constraints per chunk proof.
    pub constraints: usize,
    /// FFT domain size.
    pub domain_size: usize,
    /// Unix time of creation.
    pub created_unix: u64,
    /// zkfl version that made the keys.
    pub zkfl_version: String,
    /// The QAP reduction the proving key needs (`libsnark` for `zkfl setup` keys).
    #[serde(default)]
    pub reduction: Reduction,
    /// Where ceremony keys came from (`zkfl ceremony export-keys`); none for `zkfl setup`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

/// Why a key file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// I/O failure.
    #[error("cannot read or write key file {path}: {source}")]
    Io {
        /// File.
        path: String,
        /// Cause.
        source: std::io::Error,
    },
    /// Not a regular file, or larger than any key file.
    #[error(transparent)]
    File(#[from] FileError),
    /// Not a zkfl key file, or truncated/corrupt.
    #[error("{path} is not a valid zkfl {kind} key ({reason}); regenerate it with `zkfl setup`")]
    Format {
        /// File.
        path: String,
        /// Expected kind.
        kind: String,
        /// What was wrong.
        reason: String,
    },
    /// γ = δ makes proofs forgeable.
    #[error("{path}: verifying key has gamma = delta, which makes proofs forgeable; refusing it")]
    GammaEqualsDelta {
        /// File.
        path: String,
    },
    /// A params.json that cannot be used.
    #[error("{path} is not a valid zkfl params.json ({reason}); regenerate it with `zkfl setup`")]
    Params {
        /// File.
        path: String,
        /// What was wrong.
        reason: String,
    },
}

/// SHA-256 of the compressed verifying key.
pub fn vk_digest(vk: &VerifyingKey<Bn254>) -> [u8; 32] {
    let mut bytes = Vec::new();
    vk.serialize_compressed(&mut bytes)
        .expect("serialising to memory");
    Sha256::digest(&bytes).into()
}

/// [`vk_digest`] in its canonical form, `0x` + 64 lowercase hex digits: the form key
/// headers, params.json and round bundles carry.
pub fn vk_digest_hex(vk: &VerifyingKey<Bn254>) -> String {
    to_hex(&vk_digest(vk))
}

/// Bytes of a compressed verifying key for `shape`: α (G1), β, γ, δ (G2), then the
/// l + 1 IC points (G1) behind a u64 length.
pub fn vk_bytes(shape: &Shape) -> u64 {
    32 + 3 * 64 + 8 + 32 * (shape.num_public_inputs() as u64 + 1)
}

/// An upper bound on the bytes of an uncompressed proving key for `shape` (a validated
/// shape): the key's uncompressed vk, β and δ in G1, and the A, B (G1 and G2), H and L
/// queries, counting at most twice the FFT domain in variables (the circuit has fewer
/// variables than constraints plus inputs, which fit the domain).
pub fn pk_bytes_max(shape: &Shape) -> u64 {
    let (g1, g2, len) = (64u64, 128u64, 8u64);
    let l = shape.num_public_inputs() as u64;
    let domain = cost::domain_size(shape) as u64;
    let variables = 2 * domain;
    let vk = g1 + 3 * g2 + len + g1 * (l + 1);
    vk + 2 * g1 + 5 * len + variables * (3 * g1 + g2) + domain * g1
}

fn write_file(path: &Path, header: &KeyHeader, body: &[u8]) -> Result<(), KeyError> {
    let io = |source| KeyError::Io {
        path: path.display().to_string(),
        source,
    };
    let json = serde_json::to_vec(header).expect("header serialises");
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    f.write_all(MAGIC).map_err(io)?;
    f.write_all(&(json.len() as u32).to_le_bytes())
        .map_err(io)?;
    f.write_all(&json).map_err(io)?;
    f.write_all(body).map_err(io)?;
    f.flush().map_err(io)
}

/// The two kinds of key file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Proving,
    Verifying,
}

impl KeyKind {
    fn name(self) -> &'static str {
        match self {
            KeyKind::Proving => "proving",
            KeyKind::Verifying => "verifying",
        }
    }
}

/// Reads a key file of `len` bytes from `r`: the header (capped at [`KEY_HEADER_MAX`],
/// its shape validated before anything uses it), then a body whose size the shape fixes
/// (exactly for a verifying key, at most [`pk_bytes_max`] for a proving key). Nothing
/// larger than that is ever read.
fn read_key(
    mut r: impl Read,
    len: u64,
    path: &str,
    kind: KeyKind,
) -> Result<(KeyHeader, Vec<u8>), KeyError> {
    let bad = |reason: String| KeyError::Format {
        path: path.into(),
        kind: kind.name().into(),
        reason,
    };
    let io = |source| KeyError::Io {
        path: path.into(),
        source,
    };
    let mut prefix = [0u8; PREFIX_BYTES as usize];
    if len < PREFIX_BYTES || r.read_exact(&mut prefix).is_err() || &prefix[..8] != MAGIC {
        return Err(bad("missing ZKFLKEY1 header".into()));
    }
    let header_len = u64::from(u32::from_le_bytes([
        prefix[8], prefix[9], prefix[10], prefix[11],
    ]));
    if header_len > KEY_HEADER_MAX {
        return Err(bad(format!(
            "header of {header_len} bytes, more than the {KEY_HEADER_MAX} a key header can have"
        )));
    }
    let body_len = len
        .checked_sub(PREFIX_BYTES + header_len)
        .ok_or_else(|| bad("truncated header".into()))?;
    let json = read_exactly(&mut r, header_len).map_err(io)?;
    let header: KeyHeader =
        serde_json::from_slice(&json).map_err(|e| bad(format!("header: {e}")))?;
    if header.kind != kind.name() {
        return Err(bad(format!(
            "this is a {:?} key",
            header.kind.chars().take(40).collect::<String>()
        )));
    }
    header
        .shape
        .validate()
        .map_err(|e| bad(format!("header: {e}")))?;
    match kind {
        KeyKind::Verifying if body_len != vk_bytes(&header.shape) => {
            return Err(bad(format!(
                "{body_len} key bytes, but a verifying key for its shape has {}",
                vk_bytes(&header.shape)
            )));
        }
        KeyKind::Proving if body_len > pk_bytes_max(&header.shape) => {
            return Err(bad(format!(
                "{body_len} key bytes, more than a proving key for its shape can have ({})",
                pk_bytes_max(&header.shape)
            )));
        }
        _ => {}
    }
    let body = read_exactly(&mut r, body_len).map_err(io)?;
    Ok((header, body))
}

/// Reads exactly `n` bytes (`n` already bounded by the caller).
fn read_exactly(r: &mut impl Read, n: u64) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.take(n).read_to_end(&mut buf)?;
    if buf.len() as u64 != n {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!("the file ended after {} of {n} bytes", buf.len()),
        ));
    }
    Ok(buf)
}

fn read_key_file(path: &Path, kind: KeyKind) -> Result<(KeyHeader, Vec<u8>), KeyError> {
    let mut f = files::open(path)?;
    let len = f.len();
    read_key(&mut f, len, &path.display().to_string(), kind)
}

/// Writes a verifying key file.
///
/// # Errors
/// [`KeyError::Io`].
pub fn write_vk(path: &Path, header: &KeyHeader, vk: &VerifyingKey<Bn254>) -> Result<(), KeyError> {
    let mut body = Vec::new();
    vk.serialize_compressed(&mut body)
        .expect("serialising to memory");
    write_file(path, header, &body)
}

/// Reads and fully validates a verifying key file (regular file, header shape valid, body
/// of exactly the size the shape fixes, points on curve and in the subgroup and canonically
/// encoded, digest matches the header, γ ≠ δ, one IC point per public input).
///
/// # Errors
/// [`KeyError`] naming the file and what to do.
pub fn read_vk(path: &Path) -> Result<(KeyHeader, VerifyingKey<Bn254>), KeyError> {
    let (header, body) = read_key_file(path, KeyKind::Verifying)?;
    decode_vk(header, &body, &path.display().to_string())
}

/// [`read_vk`] on the bytes of a key file; `name` stands for the file in errors.
///
/// # Errors
/// As [`read_vk`].
pub fn vk_from_bytes(
    bytes: &[u8],
    name: &str,
) -> Result<(KeyHeader, VerifyingKey<Bn254>), KeyError> {
    let (header, body) = read_key(bytes, bytes.len() as u64, name, KeyKind::Verifying)?;
    decode_vk(header, &body, name)
}

fn decode_vk(
    header: KeyHeader,
    body: &[u8],
    path: &str,
) -> Result<(KeyHeader, VerifyingKey<Bn254>), KeyError> {
    let bad = |reason: String| KeyError::Format {
        path: path.into(),
        kind: "verifying".into(),
        reason,
    };
    let mut reader = body;
    let vk =
        VerifyingKey::<Bn254>::deserialize_with_mode(&mut reader, Compress::Yes, Validate::Yes)
            .map_err(|e| bad(format!("key bytes: {e}")))?;
    if !reader.is_empty() {
        return Err(bad(format!("{} trailing bytes", reader.len())));
    }
    // The digest is taken over the re-encoded key, so a second spelling of the same points
    // would carry the same digest: refuse it.
    let mut canonical = Vec::with_capacity(body.len());
    vk.serialize_compressed(&mut canonical)
        .expect("serialising to memory");
    if canonical != body {
        return Err(bad(
            "key bytes are not the canonical encoding of its points".into(),
        ));
    }
    if vk.gamma_g2 == vk.delta_g2 {
        return Err(KeyError::GammaEqualsDelta { path: path.into() });
    }
    if vk_digest_hex(&vk) != header.vk_digest {
        return Err(bad("digest in header does not match the key".into()));
    }
    if vk.gamma_abc_g1.len() != header.shape.num_public_inputs() + 1 {
        return Err(bad(format!(
            "key has {} IC points but its shape has {} public inputs, which need {}",
            vk.gamma_abc_g1.len(),
            header.shape.num_public_inputs(),
            header.shape.num_public_inputs() + 1
        )));
    }
    Ok((header, vk))
}

/// Writes a proving key file.
///
/// # Errors
/// [`KeyError::Io`].
pub fn write_pk(path: &Path, header: &KeyHeader, pk: &ProvingKey<Bn254>) -> Result<(), KeyError> {
    let mut body = Vec::new();
    pk.serialize_uncompressed(&mut body)
        .expect("serialising to memory");
    write_file(path, header, &body)
}

/// Reads a proving key file. Point validation is skipped for speed (the key is the
/// prover's own); the embedded verifying key is checked against the header digest, so a
/// truncated or mismatched file is still refused, and the file is read only up to the size
/// a proving key for its header's shape can have.
///
/// # Errors
/// [`KeyError`] naming the file and what to do.
pub fn read_pk(path: &Path) -> Result<(KeyHeader, ProvingKey<Bn254>), KeyError> {
    let (header, body) = read_key_file(path, KeyKind::Proving)?;
    decode_pk(header, &body, &path.display().to_string())
}

/// [`read_pk`] on the bytes of a key file; `name` stands for the file in errors.
///
/// # Errors
/// As [`read_pk`].
pub fn pk_from_bytes(bytes: &[u8], name: &str) -> Result<(KeyHeader, ProvingKey<Bn254>), KeyError> {
    let (header, body) = read_key(bytes, bytes.len() as u64, name, KeyKind::Proving)?;
    decode_pk(header, &body, name)
}

fn decode_pk(
    header: KeyHeader,
    body: &[u8],
    path: &str,
) -> Result<(KeyHeader, ProvingKey<Bn254>), KeyError> {
    let bad = |reason: String| KeyError::Format {
        path: path.into(),
        kind: "proving".into(),
        reason,
    };
    let mut reader = body;
    let pk = ProvingKey::<Bn254>::deserialize_with_mode(&mut reader, Compress::No, Validate::No)
        .map_err(|e| bad(format!("key bytes: {e}")))?;
    if !reader.is_empty() {
        return Err(bad(format!("{} trailing bytes", reader.len())));
    }
    if vk_digest_hex(&pk.vk) != header.vk_digest {
        return Err(bad("digest in header does not match the key".into()));
    }
    Ok((header, pk))
}

/// Writes `keys/params.json`.
///
/// # Errors
/// [`KeyError::Io`].
pub fn write_params(path: &Path, params: &KeyParams) -> Result<(), KeyError> {
    let json = serde_json::to_string_pretty(params).expect("params serialise");
    std::fs::write(path, json).map_err(|source| KeyError::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Reads `keys/params.json` (a regular file of at most [`PARAMS_MAX`] bytes) and validates
/// its shape before anything can use it.
///
/// # Errors
/// [`KeyError`] naming the file.
pub fn read_params(path: &Path) -> Result<KeyParams, KeyError> {
    let bytes = files::read(path, PARAMS_MAX, "zkfl params.json")?;
    params_from_bytes(&bytes, &path.display().to_string())
}

/// [`read_params`] on the file's bytes; `name` stands for the file in errors.
///
/// # Errors
/// As [`read_params`].
pub fn params_from_bytes(bytes: &[u8], name: &str) -> Result<KeyParams, KeyError> {
    let bad = |reason: String| KeyError::Params {
        path: name.into(),
        reason,
    };
    let params: KeyParams = serde_json::from_slice(bytes).map_err(|e| bad(e.to_string()))?;
    params.shape.validate().map_err(|e| bad(e.to_string()))?;
    Ok(params)
}
