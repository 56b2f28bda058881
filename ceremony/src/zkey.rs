//! snarkjs's Groth16 `.zkey` format (version 1).
//!
//! Sections: 1 protocol (u32 1 = Groth16); 2 header (below); 3 IC (nPublic + 1 G1);
//! 4 coefficients of A and B (u32 count, then matrix, constraint, signal as u32 and the
//! value as c·R²); 5 A (nVars G1); 6 B1 (nVars G1); 7 B2 (nVars G2); 8 C, the L query
//! (nVars − nPublic − 1 G1); 9 H (domainSize G1, odd-coset Lagrange basis / δ); 10 MPC
//! parameters: the 64-byte circuit hash, u32 count, and the contributions ([`Contribution`]).
//!
//! Section 2: u32 n8q = 32, q, u32 n8r = 32, r, u32 nVars, u32 nPublic, u32 domainSize,
//! α1, β1, β2, γ2, δ1, δ2 (this order; the comment atop snarkjs's `zkey_utils.js` lists
//! another and is wrong).

use ark_bn254::{Fq, Fr, G1Affine, G2Affine};
use ark_ff::{BigInteger, PrimeField};
use blake2::{Blake2b512, Digest};

use crate::{
    binfile::{BinReader, BinWriter},
    encoding::{g1_from_lem, g1_lem, g1_to_u, g2_from_lem, g2_lem, g2_to_u, G1_BYTES, G2_BYTES},
    CeremonyError,
};

/// File magic.
pub const MAGIC: &[u8; 4] = b"zkey";
/// Sections in a Groth16 zkey.
pub const SECTIONS: u32 = 10;
/// Longest contribution name snarkjs stores (it cuts names at 64 characters).
pub const MAX_NAME_BYTES: usize = 64;

/// Section ids.
pub mod section {
    /// Protocol.
    pub const PROTOCOL: u32 = 1;
    /// Groth16 header.
    pub const HEADER: u32 = 2;
    /// IC, the public-input query.
    pub const IC: u32 = 3;
    /// A and B coefficients.
    pub const COEFFS: u32 = 4;
    /// A query.
    pub const A: u32 = 5;
    /// B query in G1.
    pub const B1: u32 = 6;
    /// B query in G2.
    pub const B2: u32 = 7;
    /// L query (snarkjs calls it C).
    pub const L: u32 = 8;
    /// H query.
    pub const H: u32 = 9;
    /// MPC parameters.
    pub const MPC: u32 = 10;
}

/// Section 2 of a zkey.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Variables including the constant 1.
    pub n_vars: u32,
    /// Public inputs (not counting the constant 1).
    pub n_public: u32,
    /// Size of the FFT domain.
    pub domain_size: u32,
    /// α·G1.
    pub alpha1: G1Affine,
    /// β·G1.
    pub beta1: G1Affine,
    /// β·G2.
    pub beta2: G2Affine,
    /// γ·G2.
    pub gamma2: G2Affine,
    /// δ·G1.
    pub delta1: G1Affine,
    /// δ·G2.
    pub delta2: G2Affine,
}

/// What kind of contribution a record is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A contribution from secret randomness (type 0).
    Random,
    /// A public beacon (type 1): δ's factor comes from 2^`iterations_exp` SHA-256 rounds
    /// over `hash`.
    Beacon {
        /// log2 of the SHA-256 iterations.
        iterations_exp: u8,
        /// The public beacon value.
        hash: Vec<u8>,
    },
}

/// One contribution record of section 10.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contribution {
    /// δ·G1 after this contribution.
    pub delta_after: G1Affine,
    /// The random G1 point s.
    pub g1_s: G1Affine,
    /// x·s.
    pub g1_sx: G1Affine,
    /// x·hashToG2(transcript).
    pub g2_spx: G2Affine,
    /// blake2b-512 of the circuit hash, the earlier records and (s, x·s).
    pub transcript: [u8; 64],
    /// Random or beacon.
    pub kind: Kind,
    /// The contributor's name, if given.
    pub name: Option<String>,
}

impl Contribution {
    /// The bytes snarkjs's `hashPubKey` feeds a hasher for this record.
    pub fn hash_into(&self, h: &mut Blake2b512) {
        let mut g1 = [0u8; G1_BYTES];
        let mut g2 = [0u8; G2_BYTES];
        for p in [&self.delta_after, &self.g1_s, &self.g1_sx] {
            g1_to_u(p, &mut g1);
            h.update(g1);
        }
        g2_to_u(&self.g2_spx, &mut g2);
        h.update(g2);
        h.update(self.transcript);
    }

    /// The contribution hash contributors publish: blake2b-512 of the record.
    pub fn hash(&self) -> [u8; 64] {
        let mut h = Blake2b512::new();
        self.hash_into(&mut h);
        h.finalize().into()
    }

    /// The name, or `unnamed`.
    pub fn display_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| "unnamed".into())
    }
}

/// Section 10: the circuit hash and the contribution chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MpcParams {
    /// blake2b-512 of the initial key's points (see `init`).
    pub cs_hash: [u8; 64],
    /// Contributions, oldest first.
    pub contributions: Vec<Contribution>,
}

impl MpcParams {
    /// A hasher holding the circuit hash and every record so far: the prefix of the next
    /// contribution's transcript.
    pub fn transcript_prefix(&self) -> Blake2b512 {
        let mut h = Blake2b512::new();
        h.update(self.cs_hash);
        for c in &self.contributions {
            c.hash_into(&mut h);
        }
        h
    }
}

fn modulus_bytes<F: PrimeField>() -> Vec<u8> {
    F::MODULUS.to_bytes_le()
}

/// Writes sections 1 and 2.
///
/// # Errors
/// [`CeremonyError::Io`].
pub fn write_header(w: &mut BinWriter, h: &Header) -> Result<(), CeremonyError> {
    w.section(section::PROTOCOL, &1u32.to_le_bytes())?;
    let mut b = Vec::with_capacity(660);
    b.extend_from_slice(&32u32.to_le_bytes());
    b.extend_from_slice(&modulus_bytes::<Fq>());
    b.extend_from_slice(&32u32.to_le_bytes());
    b.extend_from_slice(&modulus_bytes::<Fr>());
    b.extend_from_slice(&h.n_vars.to_le_bytes());
    b.extend_from_slice(&h.n_public.to_le_bytes());
    b.extend_from_slice(&h.domain_size.to_le_bytes());
    b.extend_from_slice(&g1_lem(&h.alpha1));
    b.extend_from_slice(&g1_lem(&h.beta1));
    b.extend_from_slice(&g2_lem(&h.beta2));
    b.extend_from_slice(&g2_lem(&h.gamma2));
    b.extend_from_slice(&g1_lem(&h.delta1));
    b.extend_from_slice(&g2_lem(&h.delta2));
    w.section(section::HEADER, &b)
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Reads and validates sections 1 and 2: Groth16, BN254, every point valid.
///
/// # Errors
/// [`CeremonyError::Format`] naming what is wrong.
pub fn read_header(r: &mut BinReader) -> Result<Header, CeremonyError> {
    if r.version != 1 {
        return Err(r.bad(format!("version {} (only version 1 is known)", r.version)));
    }
    let p = r.read_section(section::PROTOCOL)?;
    if p.len() != 4 || u32_at(&p, 0) != 1 {
        return Err(r.bad("not a Groth16 key (section 1 must hold protocol 1)"));
    }
    let b = r.read_section(section::HEADER)?;
    if b.len() != 660 {
        return Err(r.bad(format!(
            "Groth16 header has {} bytes, expected 660 (a BN254 key)",
            b.len()
        )));
    }
    if u32_at(&b, 0) != 32
        || b[4..36] != modulus_bytes::<Fq>()[..]
        || u32_at(&b, 36) != 32
        || b[40..72] != modulus_bytes::<Fr>()[..]
    {
        return Err(r.bad("the key is not for BN254 (bn128)"));
    }
    let g1 = |at: usize, what: &str| {
        g1_from_lem(&b[at..at + G1_BYTES])
            .ok_or_else(|| r.bad(format!("{what} is not a valid G1 point")))
    };
    let g2 = |at: usize, what: &str| {
        g2_from_lem(&b[at..at + G2_BYTES])
            .ok_or_else(|| r.bad(format!("{what} is not a valid G2 point")))
    };
    Ok(Header {
        n_vars: u32_at(&b, 72),
        n_public: u32_at(&b, 76),
        domain_size: u32_at(&b, 80),
        alpha1: g1(84, "alpha1")?,
        beta1: g1(148, "beta1")?,
        beta2: g2(212, "beta2")?,
        gamma2: g2(340, "gamma2")?,
        delta1: g1(468, "delta1")?,
        delta2: g2(532, "delta2")?,
    })
}

/// The bytes of section 10.
pub fn mpc_bytes(m: &MpcParams) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&m.cs_hash);
    b.extend_from_slice(&(m.contributions.len() as u32).to_le_bytes());
    for c in &m.contributions {
        b.extend_from_slice(&g1_lem(&c.delta_after));
        b.extend_from_slice(&g1_lem(&c.g1_s));
        b.extend_from_slice(&g1_lem(&c.g1_sx));
        b.extend_from_slice(&g2_lem(&c.g2_spx));
        b.extend_from_slice(&c.transcript);
        let mut params = Vec::new();
        if let Some(name) = &c.name {
            let bytes = name.as_bytes();
            let n = bytes.len().min(MAX_NAME_BYTES);
            params.push(1);
            params.push(n as u8);
            params.extend_from_slice(&bytes[..n]);
        }
        let ty = match &c.kind {
            Kind::Random => 0u32,
            Kind::Beacon {
                iterations_exp,
                hash,
            } => {
                params.push(2);
                params.push(*iterations_exp);
                params.push(3);
                params.push(hash.len() as u8);
                params.extend_from_slice(hash);
                1
            }
        };
        b.extend_from_slice(&ty.to_le_bytes());
        b.extend_from_slice(&(params.len() as u32).to_le_bytes());
        b.extend_from_slice(&params);
    }
    b
}

/// Reads section 10, checking every point (on the curve, in the subgroup).
///
/// # Errors
/// [`CeremonyError::Format`] naming the contribution and field.
pub fn read_mpc(r: &mut BinReader) -> Result<MpcParams, CeremonyError> {
    let b = r.read_section(section::MPC)?;
    let mut cur = Cursor { b: &b, at: 0 };
    let short = || r.bad("section 10 (contributions) is truncated");
    let mut cs_hash = [0u8; 64];
    cs_hash.copy_from_slice(cur.take(64).ok_or_else(short)?);
    let n = cur.u32().ok_or_else(short)?;
    let mut contributions = Vec::new();
    for i in 1..=n {
        let bad = |what: &str| r.bad(format!("contribution #{i}: {what}"));
        let mut g1 = |what: &str| -> Result<G1Affine, CeremonyError> {
            let bytes = cur.take(G1_BYTES).ok_or_else(short)?;
            g1_from_lem(bytes).ok_or_else(|| bad(&format!("{what} is not a valid G1 point")))
        };
        let delta_after = g1("deltaAfter")?;
        let g1_s = g1("g1_s")?;
        let g1_sx = g1("g1_sx")?;
        let g2_spx = g2_from_lem(cur.take(G2_BYTES).ok_or_else(short)?)
            .ok_or_else(|| bad("g2_spx is not a valid G2 point"))?;
        let mut transcript = [0u8; 64];
        transcript.copy_from_slice(cur.take(64).ok_or_else(short)?);
        let ty = cur.u32().ok_or_else(short)?;
        let len = cur.u32().ok_or_else(short)? as usize;
        let params = cur.take(len).ok_or_else(short)?;
        let mut p = Cursor { b: params, at: 0 };
        let (mut name, mut exp, mut hash) = (None, None, None);
        let mut last = 0u8;
        while p.at < params.len() {
            let t = p.take(1).ok_or_else(|| bad("parameters are truncated"))?[0];
            if t <= last {
                return Err(bad("parameters are not sorted"));
            }
            last = t;
            match t {
                1 => {
                    let l = p.take(1).ok_or_else(|| bad("name is truncated"))?[0] as usize;
                    let s = p.take(l).ok_or_else(|| bad("name is truncated"))?;
                    name = Some(String::from_utf8_lossy(s).into_owned());
                }
                2 => exp = Some(p.take(1).ok_or_else(|| bad("beacon is truncated"))?[0]),
                3 => {
                    let l = p.take(1).ok_or_else(|| bad("beacon is truncated"))?[0] as usize;
                    hash = Some(
                        p.take(l)
                            .ok_or_else(|| bad("beacon is truncated"))?
                            .to_vec(),
                    );
                }
                other => return Err(bad(&format!("unknown parameter {other}"))),
            }
        }
        let kind = match (ty, exp, hash) {
            (0, None, None) => Kind::Random,
            (1, Some(iterations_exp), Some(hash)) => Kind::Beacon {
                iterations_exp,
                hash,
            },
            (1, _, _) => return Err(bad("beacon without its iterations or hash")),
            (t, _, _) => return Err(bad(&format!("unknown contribution type {t}"))),
        };
        contributions.push(Contribution {
            delta_after,
            g1_s,
            g1_sx,
            g2_spx,
            transcript,
            kind,
            name,
        });
    }
    if cur.at != b.len() {
        return Err(r.bad("section 10 has trailing bytes"));
    }
    Ok(MpcParams {
        cs_hash,
        contributions,
    })
}

struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4).map(|b| u32_at(b, 0))
    }
}

/// blake2b-512 of a whole file, streamed: how Hermez/PPoT publish their `.ptau` hashes and
/// how a coordinator names a `.zkey`.
///
/// # Errors
/// [`CeremonyError::Io`].
pub fn file_blake2b(path: &std::path::Path) -> Result<[u8; 64], CeremonyError> {
    use std::io::Read;
    let io = |e| CeremonyError::io(path, e);
    let mut f = std::fs::File::open(path).map_err(io)?;
    let mut h = Blake2b512::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().into())
}
