//! One phase-2 contribution, and the closing beacon, in snarkjs's format.
//!
//! A contribution with secret x: s is a random G1 point; the transcript hash is
//! T = blake2b-512(circuit hash ‖ every earlier record ‖ s ‖ x·s) (U encoding); the proof
//! of knowledge is x·hashToG2(T); δ1 and δ2 are multiplied by x; every L and H point is
//! multiplied by 1/x; A, B and IC are copied. The contribution hash, which contributors
//! publish, is blake2b-512 of the new record.
//!
//! x comes from 64 bytes of OS randomness hashed with the contributor's optional entropy
//! text; the buffers and x are wiped (`zeroize`) as soon as δ, L and H are updated.
//! A beacon's x and s come from snarkjs's ChaCha stream seeded by 2^n SHA-256 iterations
//! of the public beacon value, so anyone can recompute them ([`crate::verify`] does).

use std::path::Path;

use ark_bn254::{Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{Field, PrimeField, UniformRand};
use blake2::{Blake2b512, Digest};
use rand::{rngs::OsRng, RngCore};
use rayon::prelude::*;
use sha2::Sha256;
use zeroize::Zeroize;

use crate::{
    binfile::{BinReader, BinWriter},
    encoding::{g1_points_in, g1_to_lem, g1_to_u, G1_BYTES},
    jsrng::{hash_to_g2, JsChaCha},
    zkey::{self, section, Contribution, Header, Kind, MpcParams, MAX_NAME_BYTES},
    CeremonyError,
};

/// Points scaled per batch while streaming L and H (4 MiB of G1 points).
const BATCH: usize = 1 << 16;

/// What a contribution produced.
#[derive(Clone, Debug)]
pub struct Receipt {
    /// 1-based position of the new contribution.
    pub index: usize,
    /// The contribution hash to publish.
    pub hash: [u8; 64],
    /// The circuit hash of the key.
    pub cs_hash: [u8; 64],
}

/// A contribution's secret factor, wiped on drop.
struct Secret(Fr);

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

fn check_name(name: Option<&str>) -> Result<(), CeremonyError> {
    match name {
        Some(n) if n.len() > MAX_NAME_BYTES => Err(CeremonyError::Invalid(format!(
            "the contribution name has {} bytes; snarkjs stores at most {MAX_NAME_BYTES}",
            n.len()
        ))),
        _ => Ok(()),
    }
}

/// Adds a contribution with fresh secret randomness to the key at `input`, writing `output`.
/// `entropy` is mixed into the OS randomness (it never replaces it).
///
/// # Errors
/// [`CeremonyError`] if the input is not a valid zkey or a file cannot be written.
pub fn contribute(
    input: &Path,
    output: &Path,
    name: Option<&str>,
    entropy: Option<&[u8]>,
) -> Result<Receipt, CeremonyError> {
    check_name(name)?;
    let mut seed = [0u8; 64];
    OsRng.fill_bytes(&mut seed);
    let mut h = Blake2b512::new();
    h.update(seed);
    if let Some(e) = entropy {
        h.update(e);
    }
    let mut wide: [u8; 64] = h.finalize().into();
    let x = Secret(Fr::from_le_bytes_mod_order(&wide));
    seed.zeroize();
    wide.zeroize();
    let s = (G1Affine::generator() * Fr::rand(&mut OsRng)).into_affine();
    apply(input, output, x, s, Kind::Random, name)
}

/// snarkjs's beacon stream: SHA-256 applied 2^`iterations_exp` times to `beacon`.
pub fn beacon_rng(beacon: &[u8], iterations_exp: u8) -> JsChaCha {
    let mut cur: Vec<u8> = beacon.to_vec();
    let total: u128 = 1u128 << iterations_exp;
    let mut i: u128 = 0;
    while i < total {
        cur = Sha256::digest(&cur).to_vec();
        i += 1;
    }
    JsChaCha::from_hash(&cur)
}

/// Checks a beacon's parameters the way `snarkjs zkey beacon` does.
///
/// # Errors
/// [`CeremonyError::Invalid`] naming the bad parameter.
pub fn check_beacon(beacon: &[u8], iterations_exp: u8) -> Result<(), CeremonyError> {
    if beacon.is_empty() || beacon.len() > 255 {
        return Err(CeremonyError::Invalid(format!(
            "the beacon must be 1 to 255 bytes, got {}",
            beacon.len()
        )));
    }
    if !(10..=63).contains(&iterations_exp) {
        return Err(CeremonyError::Invalid(format!(
            "the beacon's iteration exponent must be in 10..=63 (snarkjs's range), got {iterations_exp}"
        )));
    }
    Ok(())
}

/// Adds the final beacon contribution: x and s from 2^`iterations_exp` SHA-256 rounds over
/// the public `beacon` value, exactly as `snarkjs zkey beacon`.
///
/// # Errors
/// [`CeremonyError::Invalid`] for bad beacon parameters; file errors.
pub fn beacon(
    input: &Path,
    output: &Path,
    name: Option<&str>,
    beacon: &[u8],
    iterations_exp: u8,
) -> Result<Receipt, CeremonyError> {
    check_name(name)?;
    check_beacon(beacon, iterations_exp)?;
    let mut rng = beacon_rng(beacon, iterations_exp);
    let x = Secret(rng.fr());
    let s = rng.g1();
    let kind = Kind::Beacon {
        iterations_exp,
        hash: beacon.to_vec(),
    };
    apply(input, output, x, s, kind, name)
}

/// Opens a zkey and reads its header and contribution chain.
///
/// # Errors
/// [`CeremonyError::Format`].
pub fn open_zkey(path: &Path) -> Result<(BinReader, Header, MpcParams), CeremonyError> {
    let mut r = BinReader::open(path, zkey::MAGIC, ".zkey")?;
    let header = zkey::read_header(&mut r)?;
    let mpc = zkey::read_mpc(&mut r)?;
    for id in section::IC..=section::H {
        r.section(id)?;
    }
    Ok((r, header, mpc))
}

fn apply(
    input: &Path,
    output: &Path,
    x: Secret,
    s: G1Affine,
    kind: Kind,
    name: Option<&str>,
) -> Result<Receipt, CeremonyError> {
    let (mut r, mut header, mut mpc) = open_zkey(input)?;
    if let Some(last) = mpc.contributions.last() {
        if matches!(last.kind, Kind::Beacon { .. }) {
            return Err(CeremonyError::Invalid(format!(
                "{}: the last contribution is a beacon, which closes the ceremony; contribute to the key before the beacon instead",
                input.display()
            )));
        }
    }
    let g1_sx = (s * x.0).into_affine();
    let mut h = mpc.transcript_prefix();
    let mut u = [0u8; G1_BYTES];
    g1_to_u(&s, &mut u);
    h.update(u);
    g1_to_u(&g1_sx, &mut u);
    h.update(u);
    let transcript: [u8; 64] = h.finalize().into();
    let g2_spx = (hash_to_g2(&transcript) * x.0).into_affine();
    header.delta1 = (header.delta1 * x.0).into_affine();
    header.delta2 = (header.delta2 * x.0).into_affine();
    let inv = Secret(x.0.inverse().ok_or_else(|| {
        CeremonyError::Invalid("the contribution's secret is zero; run it again".into())
    })?);

    let mut w = BinWriter::create(output, zkey::MAGIC, 1, zkey::SECTIONS)?;
    zkey::write_header(&mut w, &header)?;
    for id in [
        section::IC,
        section::COEFFS,
        section::A,
        section::B1,
        section::B2,
    ] {
        w.copy_section(&mut r, id)?;
    }
    scale_section(&mut r, &mut w, section::L, &inv.0)?;
    scale_section(&mut r, &mut w, section::H, &inv.0)?;
    drop(inv);
    drop(x);

    let record = Contribution {
        delta_after: header.delta1,
        g1_s: s,
        g1_sx,
        g2_spx,
        transcript,
        kind,
        name: name.map(str::to_owned),
    };
    let hash = record.hash();
    mpc.contributions.push(record);
    w.section(section::MPC, &zkey::mpc_bytes(&mpc))?;
    w.finish()?;
    Ok(Receipt {
        index: mpc.contributions.len(),
        hash,
        cs_hash: mpc.cs_hash,
    })
}

/// Streams section `id` of `r` into `w`, every G1 point multiplied by `k`
/// ([`zkfl_msm::scale`]: one GLV split of `k` for the whole section).
fn scale_section(
    r: &mut BinReader,
    w: &mut BinWriter,
    id: u32,
    k: &Fr,
) -> Result<(), CeremonyError> {
    let sec = r.section(id)?;
    if sec.size % G1_BYTES as u64 != 0 {
        return Err(r.bad(format!("section {id} is not a whole number of G1 points")));
    }
    let total = (sec.size / G1_BYTES as u64) as usize;
    w.begin_section(id)?;
    let mut done = 0usize;
    while done < total {
        let n = BATCH.min(total - done);
        let bytes = r.read_in(id, (done * G1_BYTES) as u64, n * G1_BYTES)?;
        let points = g1_points_in(r, id, done, &bytes)?;
        let affine = zkfl_msm::scale(&points, k);
        let mut out = vec![0u8; n * G1_BYTES];
        out.par_chunks_mut(G1_BYTES)
            .zip(affine.par_iter())
            .for_each(|(o, p)| g1_to_lem(p, o));
        w.write(&out)?;
        done += n;
    }
    w.end_section()
}
