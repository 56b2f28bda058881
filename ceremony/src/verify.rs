//! The auditor's check of a phase-2 key: rebuild what the initial key must be from the
//! phase-1 file and the circuit ([`Reference`]), then follow every contribution to the final
//! key.
//!
//! Checks, in order (each failure names the contribution, or the file and what differs):
//! 1. the key's sizes are the circuit's (else it is a key for another shape), α and β are the
//!    ptau's (else it was built from another phase-1 file), γ2 is the generator;
//! 2. the sections no contribution may change: IC and the coefficients are byte-identical to
//!    the rebuilt ones; A, B1 and B2 (every point valid, B2's in the prime-order subgroup)
//!    equal the circuit's by a random linear combination ([`Reference::check_ab`]: one
//!    multi-scalar multiplication per side instead of one scalar multiplication per R1CS
//!    term; a wrong point passes with probability 2^−64); then the circuit hash, computed over
//!    the rebuilt IC, H and L and the key's (now known) A, B1 and B2, is the key's;
//! 3. there is at least one contribution (γ = δ = generator makes proofs forgeable);
//! 4. per contribution i: its transcript hash is blake2b(circuit hash ‖ records before it ‖
//!    s ‖ x·s); its proof of knowledge e(s, x·r) = e(x·s, r) with r = hashToG2(T); its δ
//!    follows the previous one, e(δ_{i−1}, x·r) = e(δ_i, r); a beacon is last and its s and
//!    x·s are the ones its public value gives;
//! 5. the header's δ1 is the last δ and e(δ1, G2) = e(G1, δ2);
//! 6. L and H are the rebuilt points times 1/δ: with random 64-bit r_j,
//!    e(Σ r_j·L0_j, δ2) = e(Σ r_j·L_j, G2) (and the same for H), so a single altered point
//!    passes with probability 2^−64.
//!
//! Step 4 is what stops a last contributor from recomputing L and H from the initial key
//! (erasing everyone before it): its δ would not follow the previous contributor's.
//!
//! The verdict is `snarkjs zkey verify`'s, which compares A, B1 and B2 byte for byte with a
//! key it rebuilds: the encodings are canonical (coordinates below q, infinity all zeros), so
//! equal points are equal bytes.

use std::path::Path;

use ark_bn254::{Bn254, G1Affine, G1Projective, G2Affine};
use ark_ec::{pairing::Pairing, AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{BigInt, Zero};
use blake2::Digest;
use rand::{rngs::OsRng, RngCore};

use crate::{
    binfile::BinReader,
    contribute::{beacon_rng, open_zkey},
    encoding::{g1_points_in, g1_to_u, g2_points_in, G1_BYTES, G2_BYTES},
    init::Reference,
    zkey::{section, Contribution, Header, Kind},
    CeremonyError,
};

/// One verified contribution, as the auditor lists it.
#[derive(Clone, Debug)]
pub struct Verified {
    /// 1-based position.
    pub index: usize,
    /// Name, or `unnamed`.
    pub name: String,
    /// Contribution hash (what the contributor published).
    pub hash: [u8; 64],
    /// `Some((hash, iterations_exp))` for the beacon.
    pub beacon: Option<(Vec<u8>, u8)>,
}

/// A key that passed every check.
#[derive(Clone, Debug)]
pub struct Report {
    /// The circuit hash.
    pub cs_hash: [u8; 64],
    /// Contributions, oldest first.
    pub contributions: Vec<Verified>,
    /// The final key's header (its verifying-key points).
    pub header: Header,
}

fn same_ratio(a1: &G1Affine, b1: &G1Affine, a2: &G2Affine, b2: &G2Affine) -> bool {
    if a1.is_zero() || b1.is_zero() || a2.is_zero() || b2.is_zero() {
        return false;
    }
    // e(a1, b2) = e(b1, a2)
    Bn254::multi_pairing([*a1, -*b1], [*b2, *a2]).is_zero()
}

/// Verifies the zkey at `path` against the initial key rebuilt from the ptau and circuit.
///
/// # Errors
/// [`CeremonyError::Contribution`] naming the contribution that fails,
/// [`CeremonyError::Mismatch`] for a key of another circuit or phase-1 file, format errors.
pub fn verify(path: &Path, init: &Reference) -> Result<Report, CeremonyError> {
    let (mut r, header, mpc) = open_zkey(path)?;
    let mismatch = |reason: String| CeremonyError::Mismatch {
        path: path.to_path_buf(),
        reason,
    };
    let want = &init.header;
    if (header.n_vars, header.n_public, header.domain_size)
        != (want.n_vars, want.n_public, want.domain_size)
    {
        return Err(mismatch(format!(
            "the key is for a circuit with {} wires, {} public inputs and a 2^{} domain, but this shape has {} wires, {} public inputs and a 2^{} domain: it is a key for another shape",
            header.n_vars,
            header.n_public,
            header.domain_size.trailing_zeros(),
            want.n_vars,
            want.n_public,
            want.domain_size.trailing_zeros()
        )));
    }
    if header.alpha1 != want.alpha1 || header.beta1 != want.beta1 || header.beta2 != want.beta2 {
        return Err(mismatch(
            "its α and β are not those of this ptau: the key was built from another phase-1 file (check the ptau's blake2b hash)".into(),
        ));
    }
    if header.gamma2 != want.gamma2 {
        return Err(mismatch(
            "γ2 is not the G2 generator that `zkey new` sets".into(),
        ));
    }

    // Sections no contribution changes: IC and the coefficients byte for byte, A, B1 and B2
    // by a random linear combination; then the circuit hash over the (now known) A, B1, B2.
    let unchanged = |id: u32, what: &str| {
        mismatch(format!(
            "section {id} ({what}) is not this circuit's: the key is for another circuit or ptau, or a contribution changed it (none may)"
        ))
    };
    for (id, what, mine) in [
        (section::IC, "IC", &init.ic),
        (section::COEFFS, "the coefficients", &init.coeffs),
    ] {
        if r.read_section(id)? != *mine {
            return Err(unchanged(id, what));
        }
    }
    let a_bytes = r.read_section(section::A)?;
    let b1_bytes = r.read_section(section::B1)?;
    let b2_bytes = r.read_section(section::B2)?;
    let nv = want.n_vars as usize;
    for (id, what, bytes, size) in [
        (section::A, "A", &a_bytes, G1_BYTES),
        (section::B1, "B1", &b1_bytes, G1_BYTES),
        (section::B2, "B2", &b2_bytes, G2_BYTES),
    ] {
        if bytes.len() != nv * size {
            return Err(unchanged(id, what));
        }
    }
    let a = g1_points_in(&r, section::A, 0, &a_bytes)?;
    let b1 = g1_points_in(&r, section::B1, 0, &b1_bytes)?;
    let b2 = g2_points_in(&r, section::B2, 0, &b2_bytes)?;
    if let Err((id, what)) = init.check_ab(&a, &b1, &b2) {
        return Err(unchanged(id, what));
    }
    let cs_hash = init.circuit_hash(&a_bytes, &b1_bytes, &b2_bytes);
    if mpc.cs_hash != cs_hash {
        return Err(mismatch(format!(
            "its circuit hash {} is not this circuit's {}: the key is for another circuit or ptau",
            short(&mpc.cs_hash),
            short(&cs_hash)
        )));
    }
    if mpc.contributions.is_empty() {
        return Err(mismatch(
            "the key has no contributions: γ = δ = the generator, so anyone can forge proofs; run at least one `contribute`".into(),
        ));
    }

    let verified = verify_chain(&mpc.contributions, &mpc.cs_hash)?;
    let last = mpc.contributions.len();
    let last_c = &mpc.contributions[last - 1];
    let by_last = |reason: &str| CeremonyError::Contribution {
        index: last,
        name: last_c.display_name(),
        reason: format!("{reason} (this contribution wrote the file)"),
    };
    if header.delta1 != last_c.delta_after {
        return Err(by_last(
            "the key's δ1 is not the δ this contribution published",
        ));
    }
    if !same_ratio(
        &G1Affine::generator(),
        &header.delta1,
        &G2Affine::generator(),
        &header.delta2,
    ) {
        return Err(by_last("δ2 does not match δ1"));
    }
    for (id, what, mine) in [(section::L, "L", &init.l), (section::H, "H", &init.h)] {
        if !scaled_by_delta(&mut r, id, mine, &header.delta2)? {
            return Err(by_last(&format!(
                "section {id} ({what}) is not the initial {what} divided by δ: its points were altered"
            )));
        }
    }
    Ok(Report {
        cs_hash: mpc.cs_hash,
        contributions: verified,
        header,
    })
}

fn short(h: &[u8]) -> String {
    format!("{}…", hex::encode(&h[..8]))
}

/// Checks every record of the chain (step 3 of the module docs).
///
/// # Errors
/// [`CeremonyError::Contribution`] naming the first failing record.
pub fn verify_chain(
    contributions: &[Contribution],
    cs_hash: &[u8; 64],
) -> Result<Vec<Verified>, CeremonyError> {
    let mut prefix = blake2::Blake2b512::new();
    prefix.update(cs_hash);
    let mut delta = G1Affine::generator();
    let mut out = Vec::new();
    for (i, c) in contributions.iter().enumerate() {
        let index = i + 1;
        let fail = |reason: &str| CeremonyError::Contribution {
            index,
            name: c.display_name(),
            reason: reason.into(),
        };
        let mut h = prefix.clone();
        let mut u = [0u8; G1_BYTES];
        g1_to_u(&c.g1_s, &mut u);
        h.update(u);
        g1_to_u(&c.g1_sx, &mut u);
        h.update(u);
        let t: [u8; 64] = h.finalize().into();
        if t != c.transcript {
            return Err(fail(
                "its transcript hash is not blake2b(circuit hash, earlier contributions, s, x·s): the record was altered or built on another chain",
            ));
        }
        let r = crate::jsrng::hash_to_g2(&t);
        if !same_ratio(&c.g1_s, &c.g1_sx, &r, &c.g2_spx) {
            return Err(fail(
                "its proof of knowledge does not verify (e(s, x·r) ≠ e(x·s, r))",
            ));
        }
        if !same_ratio(&delta, &c.delta_after, &r, &c.g2_spx) {
            return Err(fail(
                "its δ does not follow the previous contribution's δ by the secret it proved: it did not build on the key before it",
            ));
        }
        let beacon = match &c.kind {
            Kind::Random => None,
            Kind::Beacon {
                iterations_exp,
                hash,
            } => {
                if index != contributions.len() {
                    return Err(fail(
                        "it is a beacon but not the last contribution; the beacon must close the ceremony",
                    ));
                }
                let mut rng = beacon_rng(hash, *iterations_exp);
                let x = rng.fr();
                let s = rng.g1();
                if s != c.g1_s || (s * x).into_affine() != c.g1_sx {
                    return Err(fail(
                        "its key is not the one its beacon value and iterations give",
                    ));
                }
                Some((hash.clone(), *iterations_exp))
            }
        };
        c.hash_into(&mut prefix);
        delta = c.delta_after;
        out.push(Verified {
            index,
            name: c.display_name(),
            hash: c.hash(),
            beacon,
        });
    }
    Ok(out)
}

/// Whether section `id` holds the points of `initial` times 1/δ, by a random linear
/// combination; every point is also checked to be on the curve.
fn scaled_by_delta(
    r: &mut BinReader,
    id: u32,
    initial: &[u8],
    delta2: &G2Affine,
) -> Result<bool, CeremonyError> {
    let sec = r.section(id)?;
    if sec.size != initial.len() as u64 {
        return Ok(false);
    }
    let n = initial.len() / G1_BYTES;
    if n == 0 {
        return Ok(true);
    }
    let mut seed = [0u8; 32];
    OsRng.fill_bytes(&mut seed);
    let mut rng = <rand_chacha::ChaCha20Rng as rand::SeedableRng>::from_seed(seed);
    let scalars: Vec<BigInt<4>> = (0..n)
        .map(|_| BigInt::new([rng.next_u64(), 0, 0, 0]))
        .collect();
    const PIECE: usize = 1 << 18;
    let mut acc_final = G1Projective::zero();
    let mut acc_init = G1Projective::zero();
    let mut done = 0;
    while done < n {
        let m = PIECE.min(n - done);
        let bytes = r.read_in(id, (done * G1_BYTES) as u64, m * G1_BYTES)?;
        let fin = g1_points_in(r, id, done, &bytes)?;
        let ini = g1_points_in(
            r,
            id,
            done,
            &initial[done * G1_BYTES..(done + m) * G1_BYTES],
        )?;
        let k = &scalars[done..done + m];
        acc_final += G1Projective::msm_bigint(&fin, k);
        acc_init += G1Projective::msm_bigint(&ini, k);
        done += m;
    }
    let (fin, ini) = (acc_final.into_affine(), acc_init.into_affine());
    // e(Σ r·P0, G2) = e(Σ r·P, δ2)
    Ok(same_ratio(&ini, &fin, delta2, &G2Affine::generator()))
}
