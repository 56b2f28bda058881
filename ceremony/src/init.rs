//! The initial phase-2 key, equal to `snarkjs zkey new` byte for byte.
//!
//! For a domain of size N (the smallest power of two above constraints + public inputs),
//! with the ptau's Lagrange bases Lτ, Lατ, Lβτ (G1) and Lτ₂ (G2) of size N:
//! - A_s = Σ a_cs·Lτ_c, B1_s = Σ b_cs·Lτ_c, B2_s = Σ b_cs·Lτ₂_c, over the constraints c
//!   plus one extra row per public wire s ≤ l that puts 1 in A (binding the inputs);
//! - K_s = Σ (a_cs·Lβτ_c + b_cs·Lατ_c + c_cs·Lτ_c), which is IC for s ≤ l and the L query
//!   (δ = 1) otherwise;
//! - H_i = the size-2N Lagrange basis of τ at the odd index 2i + 1 (the odd coset), read from
//!   section 12: that is the "circom" QAP reduction ([`crate::reduction`]).
//! - γ = δ = the generators: a key that no one has contributed to yet, and therefore
//!   forgeable by anyone; [`crate::verify`] refuses it.
//!
//! The circuit hash (section 10) is blake2b-512 over, in U encoding: α1, β1, β2, γ2, δ1, δ2,
//! then IC, the H points *in monomial form* (τ^(i+N) − τ^i)·G1 from ptau section 2, L, A,
//! B1, B2, each list preceded by its length as a big-endian u32.
//!
//! snarkjs quirk kept on purpose: it hashes the monomial H points in blocks of 2^14 with
//! every block full, so for N > 2^14 it hashes N points although it announces N − 1; the
//! last one is τ^(2N−1)·G1 − τ^(N−1)·G1. When the ptau's power equals the circuit's,
//! τ^(2N−1) lies past the end of section 2 and snarkjs feeds the 64 bytes that follow (the
//! header of section 3 and the start of the G2 generator) to its WebAssembly point
//! subtraction, whose result on those out-of-range limbs is not the field arithmetic's.
//! Rather than emulate that, `init` refuses this one case (N > 2^14 and ptau power = circuit
//! power) and asks for a ptau one power larger, where snarkjs's hash is well defined and
//! matched here.

use std::path::Path;

use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine};
use ark_ec::{short_weierstrass::Affine, AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{BigInteger, One, PrimeField, Zero};
use blake2::{Blake2b512, Digest};
use rand::{rngs::OsRng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rayon::prelude::*;

use crate::{
    binfile::BinWriter,
    encoding::{fr_r2, fr_to_le, g1_from_lem, g1_to_u, g2_to_u, G1_BYTES, G2_BYTES},
    ptau::{self, Ptau},
    r1cs::R1cs,
    zkey::{self, section, Header, MpcParams},
    CeremonyError,
};

/// What the initial key of a circuit is, from the ptau and the circuit, short of the
/// per-wire sums A, B1 and B2: the header, IC, the coefficients, L and H, the terms and
/// bases of A, B1 and B2, and the circuit hash up to them.
///
/// [`InitialKey::build`] adds A, B1 and B2 point by point, as `snarkjs zkey new` writes them;
/// [`crate::verify`] instead checks a key's A, B1 and B2 against the terms by a random linear
/// combination ([`Reference::check_ab`]), one multi-scalar multiplication per section, and
/// hashes the key's own (then proven equal) bytes.
#[derive(Clone, Debug)]
pub struct Reference {
    /// Section 2 (δ = γ = the generators).
    pub header: Header,
    /// Section 3.
    pub ic: Vec<u8>,
    /// Section 4.
    pub coeffs: Vec<u8>,
    /// Section 8.
    pub l: Vec<u8>,
    /// Section 9.
    pub h: Vec<u8>,
    /// Per wire, its A terms (row, coefficient), the input rows included.
    a_terms: Vec<Terms>,
    /// Per wire, its B terms.
    b_terms: Vec<Terms>,
    /// The ptau's Lagrange bases Lτ and Lτ₂ of size N.
    tau: Vec<G1Affine>,
    tau2: Vec<G2Affine>,
    /// blake2b over everything the circuit hash covers before A, B1 and B2.
    hash_prefix: Blake2b512,
}

/// A freshly initialised key: the [`Reference`] with A, B1 and B2, and the circuit hash.
#[derive(Clone, Debug)]
pub struct InitialKey {
    /// Sections 2, 3, 4, 8 and 9, and what A, B1 and B2 are made of.
    pub reference: Reference,
    /// Section 5.
    pub a: Vec<u8>,
    /// Section 6.
    pub b1: Vec<u8>,
    /// Section 7.
    pub b2: Vec<u8>,
    /// The circuit hash of section 10.
    pub cs_hash: [u8; 64],
}

#[derive(Clone, Copy)]
enum Base {
    Tau,
    AlphaTau,
    BetaTau,
}

type Terms = Vec<(u32, Fr)>;

/// Wires with at least this many terms go through a multi-scalar multiplication; the
/// Poseidon rows give many wires hundreds of full-size coefficients.
const MSM_TERMS: usize = 16;

/// Σ c·P over every wire's terms, in parallel. Long sums go through arkworks' (parallel)
/// Pippenger MSM one wire at a time, because nesting its rayon jobs inside a parallel loop
/// over wires overflows worker stacks; short sums run term by term across wires.
fn lincombs<A: AffineRepr<ScalarField = Fr>>(wires: &[Vec<(A, Fr)>]) -> Vec<A::Group>
where
    A::Group: VariableBaseMSM<MulBase = A>,
{
    let mut out: Vec<A::Group> = wires
        .par_iter()
        .map(|t| {
            if t.len() >= MSM_TERMS {
                A::Group::zero()
            } else {
                lincomb_points(t)
            }
        })
        .collect();
    for (o, t) in out.iter_mut().zip(wires) {
        if t.len() >= MSM_TERMS {
            let (bases, scalars): (Vec<A>, Vec<Fr>) = t.iter().copied().unzip();
            *o = A::Group::msm_unchecked(&bases, &scalars);
        }
    }
    out
}

/// Σ c·P term by term, where ±1 and 64-bit coefficients (most range-check terms) take an
/// addition or a short double-and-add instead of a 254-bit multiplication.
fn lincomb_points<A: AffineRepr<ScalarField = Fr>>(terms: &[(A, Fr)]) -> A::Group {
    let mut acc = A::Group::zero();
    for (p, c) in terms {
        let p = *p;
        if c.is_one() {
            acc += p;
            continue;
        }
        let big = c.into_bigint();
        if big.num_bits() <= 64 {
            acc += p.mul_bigint(big);
            continue;
        }
        let neg = (-*c).into_bigint();
        if neg.num_bits() <= 64 {
            acc -= p.mul_bigint(neg);
        } else {
            acc += p * c;
        }
    }
    acc
}

/// Every wire's Σ c·bases[i] over its (base index, coefficient) terms.
fn lincombs_on<A: AffineRepr<ScalarField = Fr>>(bases: &[A], wires: &[Terms]) -> Vec<A::Group>
where
    A::Group: VariableBaseMSM<MulBase = A>,
{
    let pairs: Vec<Vec<(A, Fr)>> = wires
        .par_iter()
        .map(|t| t.iter().map(|(i, c)| (bases[*i as usize], *c)).collect())
        .collect();
    lincombs(&pairs)
}

fn g1_lem_bytes(points: &[G1Projective]) -> Vec<u8> {
    let affine = G1Projective::normalize_batch(points);
    let mut out = vec![0u8; affine.len() * G1_BYTES];
    out.par_chunks_mut(G1_BYTES)
        .zip(affine.par_iter())
        .for_each(|(o, p)| crate::encoding::g1_to_lem(p, o));
    out
}

fn g2_lem_bytes(points: &[ark_bn254::G2Projective]) -> Vec<u8> {
    let affine = ark_bn254::G2Projective::normalize_batch(points);
    let mut out = vec![0u8; affine.len() * G2_BYTES];
    out.par_chunks_mut(G2_BYTES)
        .zip(affine.par_iter())
        .for_each(|(o, p)| crate::encoding::g2_to_lem(p, o));
    out
}

/// Feeds `n` (big-endian u32) and then every LEM point of `lem` (computed here, so not
/// re-checked), re-encoded as U.
fn hash_points(h: &mut Blake2b512, lem: &[u8], size: usize, g2: bool) {
    let n = lem.len() / size;
    h.update((n as u32).to_be_bytes());
    let u: Vec<u8> = lem
        .par_chunks(size)
        .flat_map_iter(|b| {
            let mut o = vec![0u8; size];
            if g2 {
                if let Some(p) = crate::encoding::g2_from_lem_unchecked(b) {
                    g2_to_u(&p, &mut o);
                }
            } else if let Some(p) = crate::encoding::g1_from_lem_unchecked(b) {
                g1_to_u(&p, &mut o);
            }
            o
        })
        .collect();
    h.update(&u);
}

impl Reference {
    /// Rebuilds everything of `r1cs`'s initial key but A, B1 and B2 from the prepared
    /// phase-1 file.
    ///
    /// # Errors
    /// [`CeremonyError::PtauTooSmall`] with the power the circuit needs; format errors.
    pub fn build(r1cs: &R1cs, ptau: &mut Ptau) -> Result<Self, CeremonyError> {
        let power = r1cs.domain_power();
        ptau.require_power(power)?;
        if power >= 28 {
            return Err(CeremonyError::Invalid(format!(
                "a domain of 2^{power} exceeds BN254's 2^28 roots of unity"
            )));
        }
        let n = 1usize << power;
        if power == ptau.power && n > 1 << 14 {
            return Err(CeremonyError::Invalid(format!(
                "{}: this circuit needs a domain of 2^{power}, exactly the ptau's power; for domains above 2^14 snarkjs then hashes bytes past the end of the ptau's τ section, so a key made here could not be checked by `snarkjs zkey verify`. Use a ptau of power {} (for example powersOfTau28_hez_final_{}.ptau)",
                ptau.path().display(),
                power + 1,
                power + 1
            )));
        }
        let nc = r1cs.num_constraints();
        let np = r1cs.num_public;
        let nv = r1cs.num_vars;

        let tau = ptau.g1_points(ptau::section::L_TAU_G1, n - 1, n)?;
        let tau2 = ptau.g2_points(ptau::section::L_TAU_G2, n - 1, n)?;
        let alpha_tau = ptau.g1_points(ptau::section::L_ALPHA_TAU_G1, n - 1, n)?;
        let beta_tau = ptau.g1_points(ptau::section::L_BETA_TAU_G1, n - 1, n)?;

        // Per-wire terms, and section 4 in snarkjs's order (per constraint: A then B terms;
        // then the input rows).
        let mut a_terms: Vec<Terms> = vec![Vec::new(); nv];
        let mut b_terms: Vec<Terms> = vec![Vec::new(); nv];
        let mut k_terms: Vec<Vec<(Base, u32, Fr)>> = vec![Vec::new(); nv];
        let r2 = fr_r2();
        let n_coefs = r1cs.a.iter().chain(&r1cs.b).map(Vec::len).sum::<usize>() + np + 1;
        let mut coeffs = Vec::with_capacity(4 + n_coefs * 44);
        coeffs.extend_from_slice(&(n_coefs as u32).to_le_bytes());
        let mut push_coef = |m: u32, c: usize, s: usize, v: &Fr| {
            coeffs.extend_from_slice(&m.to_le_bytes());
            coeffs.extend_from_slice(&(c as u32).to_le_bytes());
            coeffs.extend_from_slice(&(s as u32).to_le_bytes());
            coeffs.extend_from_slice(&fr_to_le(&(*v * r2)));
        };
        let wire = |s: usize| -> Result<usize, CeremonyError> {
            (s < nv)
                .then_some(s)
                .ok_or_else(|| CeremonyError::Synthesis(format!("wire {s} out of range")))
        };
        for c in 0..nc {
            for (v, s) in &r1cs.a[c] {
                let s = wire(*s)?;
                a_terms[s].push((c as u32, *v));
                k_terms[s].push((Base::BetaTau, c as u32, *v));
                push_coef(0, c, s, v);
            }
            for (v, s) in &r1cs.b[c] {
                let s = wire(*s)?;
                b_terms[s].push((c as u32, *v));
                k_terms[s].push((Base::AlphaTau, c as u32, *v));
                push_coef(1, c, s, v);
            }
            for (v, s) in &r1cs.c[c] {
                let s = wire(*s)?;
                k_terms[s].push((Base::Tau, c as u32, *v));
            }
        }
        for s in 0..=np {
            a_terms[s].push(((nc + s) as u32, Fr::one()));
            k_terms[s].push((Base::BetaTau, (nc + s) as u32, Fr::one()));
            push_coef(0, nc + s, s, &Fr::one());
        }

        let k_pairs: Vec<Vec<(G1Affine, Fr)>> = k_terms
            .par_iter()
            .map(|terms| {
                terms
                    .iter()
                    .map(|(base, i, v)| {
                        let bases = match base {
                            Base::Tau => &tau,
                            Base::AlphaTau => &alpha_tau,
                            Base::BetaTau => &beta_tau,
                        };
                        (bases[*i as usize], *v)
                    })
                    .collect()
            })
            .collect();
        drop(k_terms);
        let k = lincombs(&k_pairs);
        drop(k_pairs);

        let k = g1_lem_bytes(&k);
        let (ic, l) = k.split_at((np + 1) * G1_BYTES);
        let (ic, l) = (ic.to_vec(), l.to_vec());

        // H: odd points of the size-2N basis, which starts at point 2N − 1 of section 12.
        let h_raw = ptau.raw_points(ptau::section::L_TAU_G1, G1_BYTES, 2 * n - 1, 2 * n)?;
        let h: Vec<u8> = h_raw
            .chunks(G1_BYTES)
            .skip(1)
            .step_by(2)
            .flatten()
            .copied()
            .collect();

        let alpha1 = ptau.g1_points(ptau::section::ALPHA_TAU_G1, 0, 1)?[0];
        let beta1 = ptau.g1_points(ptau::section::BETA_TAU_G1, 0, 1)?[0];
        let beta2 = ptau.g2_points(ptau::section::BETA_G2, 0, 1)?[0];
        let header = Header {
            n_vars: nv as u32,
            n_public: np as u32,
            domain_size: n as u32,
            alpha1,
            beta1,
            beta2,
            gamma2: G2Affine::generator(),
            delta1: G1Affine::generator(),
            delta2: G2Affine::generator(),
        };

        let mut hasher = Blake2b512::new();
        let mut g1 = [0u8; G1_BYTES];
        let mut g2 = [0u8; G2_BYTES];
        for p in [&header.alpha1, &header.beta1] {
            g1_to_u(p, &mut g1);
            hasher.update(g1);
        }
        g2_to_u(&header.beta2, &mut g2);
        hasher.update(g2);
        g2_to_u(&header.gamma2, &mut g2);
        hasher.update(g2);
        g1_to_u(&header.delta1, &mut g1);
        hasher.update(g1);
        g2_to_u(&header.delta2, &mut g2);
        hasher.update(g2);
        hash_points(&mut hasher, &ic, G1_BYTES, false);
        hash_monomial_h(&mut hasher, ptau, n)?;
        hash_points(&mut hasher, &l, G1_BYTES, false);

        Ok(Self {
            header,
            ic,
            coeffs,
            l,
            h,
            a_terms,
            b_terms,
            tau,
            tau2,
            hash_prefix: hasher,
        })
    }

    /// The circuit hash of a key whose A, B1 and B2 sections are `a`, `b1` and `b2` (LEM
    /// bytes of valid points).
    pub fn circuit_hash(&self, a: &[u8], b1: &[u8], b2: &[u8]) -> [u8; 64] {
        let mut hasher = self.hash_prefix.clone();
        hash_points(&mut hasher, a, G1_BYTES, false);
        hash_points(&mut hasher, b1, G1_BYTES, false);
        hash_points(&mut hasher, b2, G2_BYTES, true);
        hasher.finalize().into()
    }

    /// Whether `a`, `b1` and `b2` (one point per wire, B2 in the prime-order subgroup) are
    /// this circuit's A, B1 and B2, by a random linear combination over the wires: with
    /// random 64-bit ρ_s and σ_c = Σ_s ρ_s·a_cs, Σ ρ_s·A_s = Σ σ_c·Lτ_c, and the same with
    /// the B terms for B1 (over Lτ) and B2 (over Lτ₂). Each side is one multi-scalar
    /// multiplication. A key that differs from the rebuilt one in any point passes with
    /// probability at most 2^−64.
    ///
    /// # Errors
    /// `Err((section id, name))` for the first section that is not this circuit's.
    pub fn check_ab(
        &self,
        a: &[G1Affine],
        b1: &[G1Affine],
        b2: &[G2Affine],
    ) -> Result<(), (u32, &'static str)> {
        let nv = self.a_terms.len();
        let (sec_a, sec_b1, sec_b2) = ((section::A, "A"), (section::B1, "B1"), (section::B2, "B2"));
        for (sec, len) in [(sec_a, a.len()), (sec_b1, b1.len()), (sec_b2, b2.len())] {
            if len != nv {
                return Err(sec);
            }
        }
        let mut seed = [0u8; 32];
        OsRng.fill_bytes(&mut seed);
        let mut rng = ChaCha20Rng::from_seed(seed);
        let rho: Vec<Fr> = (0..nv).map(|_| Fr::from(rng.next_u64())).collect();
        let sigma_a = row_weights(&self.a_terms, &rho, self.tau.len());
        let sigma_b = row_weights(&self.b_terms, &rho, self.tau.len());
        for (sec, ok) in [
            (sec_a, same_sum(a, &rho, &self.tau, &sigma_a)),
            (sec_b1, same_sum(b1, &rho, &self.tau, &sigma_b)),
            (sec_b2, same_sum(b2, &rho, &self.tau2, &sigma_b)),
        ] {
            if !ok {
                return Err(sec);
            }
        }
        Ok(())
    }
}

/// Whether Σ x_i·P_i = Σ y_j·Q_j (false also for mismatched lengths, which callers rule out).
fn same_sum<C: zkfl_msm::Curve>(p: &[Affine<C>], x: &[Fr], q: &[Affine<C>], y: &[Fr]) -> bool {
    matches!(
        (zkfl_msm::msm(p, x), zkfl_msm::msm(q, y)),
        (Ok(l), Ok(r)) if l == r
    )
}

/// σ_c = Σ_s ρ_s·m_cs over every row c of the N-point domain, from per-wire terms.
fn row_weights(terms: &[Terms], rho: &[Fr], n: usize) -> Vec<Fr> {
    let mut sigma = vec![Fr::zero(); n];
    for (t, r) in terms.iter().zip(rho) {
        for (c, v) in t {
            sigma[*c as usize] += *r * v;
        }
    }
    sigma
}

impl InitialKey {
    /// Builds the initial key of `r1cs` from the prepared phase-1 file.
    ///
    /// # Errors
    /// [`CeremonyError::PtauTooSmall`] with the power the circuit needs; format errors.
    pub fn build(r1cs: &R1cs, ptau: &mut Ptau) -> Result<Self, CeremonyError> {
        let reference = Reference::build(r1cs, ptau)?;
        let a = g1_lem_bytes(&lincombs_on(&reference.tau, &reference.a_terms));
        let b1 = g1_lem_bytes(&lincombs_on(&reference.tau, &reference.b_terms));
        let b2 = g2_lem_bytes(&lincombs_on(&reference.tau2, &reference.b_terms));
        let cs_hash = reference.circuit_hash(&a, &b1, &b2);
        Ok(Self {
            reference,
            a,
            b1,
            b2,
            cs_hash,
        })
    }

    /// The MPC parameters of a key no one has contributed to.
    pub fn mpc(&self) -> MpcParams {
        MpcParams {
            cs_hash: self.cs_hash,
            contributions: Vec::new(),
        }
    }

    /// Writes the key in `snarkjs zkey new`'s section order (1, 2, 4, 3, 9, 8, 5, 6, 7, 10),
    /// so the file is byte-identical to snarkjs's.
    ///
    /// # Errors
    /// [`CeremonyError::Io`].
    pub fn write(&self, path: &Path) -> Result<(), CeremonyError> {
        let mut w = BinWriter::create(path, zkey::MAGIC, 1, zkey::SECTIONS)?;
        let r = &self.reference;
        zkey::write_header(&mut w, &r.header)?;
        w.section(section::COEFFS, &r.coeffs)?;
        w.section(section::IC, &r.ic)?;
        w.section(section::H, &r.h)?;
        w.section(section::L, &r.l)?;
        w.section(section::A, &self.a)?;
        w.section(section::B1, &self.b1)?;
        w.section(section::B2, &self.b2)?;
        w.section(section::MPC, &zkey::mpc_bytes(&self.mpc()))?;
        w.finish()
    }
}

/// The monomial H points snarkjs hashes, (τ^(i+N) − τ^i)·G1, with its block quirk (module
/// docs).
fn hash_monomial_h(h: &mut Blake2b512, ptau: &mut Ptau, n: usize) -> Result<(), CeremonyError> {
    const BLOCK: usize = 1 << 14;
    h.update(((n - 1) as u32).to_be_bytes());
    let count = if n - 1 <= BLOCK { n - 1 } else { n };
    let low = ptau.g1_points(ptau::section::TAU_G1, 0, count)?;
    let high = ptau.g1_points(ptau::section::TAU_G1, n, count)?;
    let diffs: Vec<G1Projective> = high
        .par_iter()
        .zip(low.par_iter())
        .map(|(hi, lo)| hi.into_group() - lo)
        .collect();
    let points = G1Projective::normalize_batch(&diffs);
    let mut u = vec![0u8; points.len() * G1_BYTES];
    u.par_chunks_mut(G1_BYTES)
        .zip(points.par_iter())
        .for_each(|(o, p)| g1_to_u(p, o));
    h.update(&u);
    Ok(())
}

/// Reads a key's point bytes back as checked G1 points (for tests and tools).
///
/// # Errors
/// [`CeremonyError::Invalid`] naming the first bad point.
pub fn decode_g1(bytes: &[u8]) -> Result<Vec<G1Affine>, CeremonyError> {
    bytes
        .chunks(G1_BYTES)
        .enumerate()
        .map(|(i, b)| {
            g1_from_lem(b).ok_or_else(|| CeremonyError::Invalid(format!("point {i} is not on G1")))
        })
        .collect()
}
