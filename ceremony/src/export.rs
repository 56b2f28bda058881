//! A verified `.zkey` as a zkfl proving key, and the provenance its header records.
//!
//! The point sections map one to one onto arkworks' `ProvingKey`: IC → `gamma_abc_g1`,
//! A → `a_query`, B1 → `b_g1_query`, B2 → `b_g2_query`, L → `l_query`, H → `h_query`
//! (odd-coset basis: prove with [`crate::reduction::CircomReduction`]).

use std::path::Path;

use ark_bn254::{Bn254, G1Affine, G2Affine};
use ark_groth16::{ProvingKey, VerifyingKey};
use zkfl_circuits::keys::{ContributionRecord, Provenance};

use crate::{
    binfile::BinReader,
    contribute::open_zkey,
    encoding::{g1_from_lem, g2_from_lem, points_in, G1_BYTES, G2_BYTES},
    verify::Report,
    zkey::{file_blake2b, section},
    CeremonyError,
};

fn points<P: Send>(
    r: &mut BinReader,
    id: u32,
    size: usize,
    expect: usize,
    decode: fn(&[u8]) -> Option<P>,
) -> Result<Vec<P>, CeremonyError> {
    let bytes = r.read_section(id)?;
    if bytes.len() != expect * size {
        return Err(r.bad(format!(
            "section {id} has {} bytes, expected {expect} points",
            bytes.len()
        )));
    }
    points_in(r, id, 0, &bytes, size, decode, "point")
}

/// Reads only the verifying key of the zkey at `path` (header and IC).
///
/// # Errors
/// [`CeremonyError::Format`] as [`proving_key`].
pub fn verifying_key(path: &Path) -> Result<VerifyingKey<Bn254>, CeremonyError> {
    let (mut r, h, _) = open_zkey(path)?;
    let np = h.n_public as usize;
    Ok(VerifyingKey {
        alpha_g1: h.alpha1,
        beta_g2: h.beta2,
        gamma_g2: h.gamma2,
        delta_g2: h.delta2,
        gamma_abc_g1: points(&mut r, section::IC, G1_BYTES, np + 1, g1_from_lem)?,
    })
}

/// Reads the proving key (with its verifying key) out of the zkey at `path`.
///
/// # Errors
/// [`CeremonyError::Format`] if a section is missing, mis-sized or holds an invalid point.
pub fn proving_key(path: &Path) -> Result<ProvingKey<Bn254>, CeremonyError> {
    let (mut r, h, _) = open_zkey(path)?;
    let nv = h.n_vars as usize;
    let np = h.n_public as usize;
    let n = h.domain_size as usize;
    if np + 1 > nv {
        return Err(r.bad(format!("{np} public inputs but only {nv} wires")));
    }
    let g1 = g1_from_lem as fn(&[u8]) -> Option<G1Affine>;
    let g2 = g2_from_lem as fn(&[u8]) -> Option<G2Affine>;
    let vk = VerifyingKey {
        alpha_g1: h.alpha1,
        beta_g2: h.beta2,
        gamma_g2: h.gamma2,
        delta_g2: h.delta2,
        gamma_abc_g1: points(&mut r, section::IC, G1_BYTES, np + 1, g1)?,
    };
    Ok(ProvingKey {
        vk,
        beta_g1: h.beta1,
        delta_g1: h.delta1,
        a_query: points(&mut r, section::A, G1_BYTES, nv, g1)?,
        b_g1_query: points(&mut r, section::B1, G1_BYTES, nv, g1)?,
        b_g2_query: points(&mut r, section::B2, G2_BYTES, nv, g2)?,
        h_query: points(&mut r, section::H, G1_BYTES, n, g1)?,
        l_query: points(&mut r, section::L, G1_BYTES, nv - np - 1, g1)?,
    })
}

/// The provenance of a verified key: the two files' blake2b-512 hashes and the verified
/// contribution list.
///
/// # Errors
/// [`CeremonyError::Io`] while hashing the files.
pub fn provenance(ptau: &Path, zkey: &Path, report: &Report) -> Result<Provenance, CeremonyError> {
    Ok(Provenance {
        ptau_blake2b: hex::encode(file_blake2b(ptau)?),
        zkey_blake2b: hex::encode(file_blake2b(zkey)?),
        circuit_hash: hex::encode(report.cs_hash),
        contributions: report
            .contributions
            .iter()
            .map(|c| ContributionRecord {
                name: c.name.clone(),
                hash: hex::encode(c.hash),
                beacon: c.beacon.as_ref().map(|(h, e)| (hex::encode(h), *e)),
            })
            .collect(),
    })
}
