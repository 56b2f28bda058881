//! Key files: a small self-describing header (shape, provenance) before the arkworks bytes.
//!
//! Layout: `ZKFLKEY1` ‖ u32-LE header length ‖ header JSON ‖ canonical arkworks bytes
//! (compressed for the verifying key; uncompressed for the proving key, which is ours to
//! trust and 2–3× faster to load unvalidated).

use std::{io::Write, path::Path};

use ark_bn254::Bn254;
use ark_groth16::{ProvingKey, VerifyingKey};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::params::Shape;

const MAGIC: &[u8; 8] = b"ZKFLKEY1";

/// What a key file says about itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyHeader {
    /// "proving" or "verifying".
    pub kind: String,
    /// The circuit shape the key is for.
    pub shape: Shape,
    /// `Some(seed)` when the key came from a fixed seed: INSECURE, tests and demos only.
    pub insecure_seed: Option<u64>,
    /// SHA-256 of the compressed verifying key (hex), identical in both files of a pair.
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
}

/// SHA-256 of the compressed verifying key.
pub fn vk_digest(vk: &VerifyingKey<Bn254>) -> [u8; 32] {
    let mut bytes = Vec::new();
    vk.serialize_compressed(&mut bytes)
        .expect("serialising to memory");
    Sha256::digest(&bytes).into()
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

fn read_file(path: &Path, kind: &str) -> Result<(KeyHeader, Vec<u8>), KeyError> {
    let p = path.display().to_string();
    let bad = |reason: String| KeyError::Format {
        path: p.clone(),
        kind: kind.into(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|source| KeyError::Io {
        path: p.clone(),
        source,
    })?;
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return Err(bad("missing ZKFLKEY1 header".into()));
    }
    let len = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes")) as usize;
    let json = bytes
        .get(12..12 + len)
        .ok_or_else(|| bad("truncated header".into()))?;
    let header: KeyHeader =
        serde_json::from_slice(json).map_err(|e| bad(format!("header: {e}")))?;
    if header.kind != kind {
        return Err(bad(format!("this is a {} key", header.kind)));
    }
    Ok((header, bytes[12 + len..].to_vec()))
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

/// Reads and fully validates a verifying key file (points on curve and in the subgroup,
/// digest matches the header, γ ≠ δ).
///
/// # Errors
/// [`KeyError`] naming the file and what to do.
pub fn read_vk(path: &Path) -> Result<(KeyHeader, VerifyingKey<Bn254>), KeyError> {
    let (header, body) = read_file(path, "verifying")?;
    let p = path.display().to_string();
    let bad = |reason: String| KeyError::Format {
        path: p.clone(),
        kind: "verifying".into(),
        reason,
    };
    let mut reader = body.as_slice();
    let vk =
        VerifyingKey::<Bn254>::deserialize_with_mode(&mut reader, Compress::Yes, Validate::Yes)
            .map_err(|e| bad(format!("key bytes: {e}")))?;
    if !reader.is_empty() {
        return Err(bad(format!("{} trailing bytes", reader.len())));
    }
    if vk.gamma_g2 == vk.delta_g2 {
        return Err(KeyError::GammaEqualsDelta { path: p });
    }
    if hex::encode(vk_digest(&vk)) != header.vk_digest {
        return Err(bad("digest in header does not match the key".into()));
    }
    if vk.gamma_abc_g1.len() != header.shape.num_public_inputs() + 1 {
        return Err(bad(format!(
            "key has {} public inputs but its shape needs {}",
            vk.gamma_abc_g1.len() - 1,
            header.shape.num_public_inputs()
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
/// truncated or mismatched file is still refused.
///
/// # Errors
/// [`KeyError`] naming the file and what to do.
pub fn read_pk(path: &Path) -> Result<(KeyHeader, ProvingKey<Bn254>), KeyError> {
    let (header, body) = read_file(path, "proving")?;
    let p = path.display().to_string();
    let bad = |reason: String| KeyError::Format {
        path: p.clone(),
        kind: "proving".into(),
        reason,
    };
    let mut reader = body.as_slice();
    let pk = ProvingKey::<Bn254>::deserialize_with_mode(&mut reader, Compress::No, Validate::No)
        .map_err(|e| bad(format!("key bytes: {e}")))?;
    if !reader.is_empty() {
        return Err(bad(format!("{} trailing bytes", reader.len())));
    }
    if hex::encode(vk_digest(&pk.vk)) != header.vk_digest {
        return Err(bad("digest in header does not match the key".into()));
    }
    Ok((header, pk))
}
