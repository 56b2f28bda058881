//! Reading a phase-1 `.ptau` file that `snarkjs powersoftau prepare phase2` has prepared.
//!
//! Sections: 1 header (u32 n8 = 32, q, u32 power, u32 ceremony power); 2 τ^i·G1 for
//! i < 2^(power+1) − 1; 3 τ^i·G2, 4 ατ^i·G1, 5 βτ^i·G1 for i < 2^power; 6 β·G2;
//! 7 contributions; and, after preparation, 12–15: the Lagrange bases of sections 2–5 for
//! every domain 2^0 … 2^power one after another (section 12 also for 2^(power+1)), so the
//! basis of a domain of size N starts at point N − 1.
//!
//! A ptau is trusted by its blake2b-512 hash ([`crate::zkey::file_blake2b`]), which
//! Hermez/PPoT publish for their files; nothing in the file proves it honest.

use std::path::Path;

use ark_bn254::{Fq, G1Affine, G2Affine};
use ark_ff::{BigInteger, PrimeField};

use crate::{
    binfile::BinReader,
    encoding::{g1_points_in, g2_points_in, G1_BYTES, G2_BYTES},
    CeremonyError,
};

/// File magic.
pub const MAGIC: &[u8; 4] = b"ptau";

/// The sections of a prepared ptau a zkey is built from.
pub mod section {
    /// τ^i·G1 (monomial).
    pub const TAU_G1: u32 = 2;
    /// ατ^i·G1 (monomial).
    pub const ALPHA_TAU_G1: u32 = 4;
    /// βτ^i·G1 (monomial).
    pub const BETA_TAU_G1: u32 = 5;
    /// β·G2.
    pub const BETA_G2: u32 = 6;
    /// Lagrange τ·G1.
    pub const L_TAU_G1: u32 = 12;
    /// Lagrange τ·G2.
    pub const L_TAU_G2: u32 = 13;
    /// Lagrange ατ·G1.
    pub const L_ALPHA_TAU_G1: u32 = 14;
    /// Lagrange βτ·G1.
    pub const L_BETA_TAU_G1: u32 = 15;
}

/// An open, prepared phase-1 file.
#[derive(Debug)]
pub struct Ptau {
    file: BinReader,
    /// log2 of the number of powers.
    pub power: u32,
}

impl Ptau {
    /// Opens `path` and checks that it is a BN254 ptau prepared for phase 2.
    ///
    /// # Errors
    /// [`CeremonyError::Format`], [`CeremonyError::PtauNotPrepared`].
    pub fn open(path: &Path) -> Result<Self, CeremonyError> {
        let mut file = BinReader::open(path, MAGIC, ".ptau")?;
        let h = file.read_section(1)?;
        if h.len() != 44 {
            return Err(file.bad(format!("header has {} bytes, expected 44", h.len())));
        }
        if h[..4] != 32u32.to_le_bytes() || h[4..36] != Fq::MODULUS.to_bytes_le()[..] {
            return Err(file.bad("not a BN254 (bn128) ceremony"));
        }
        let power = u32::from_le_bytes([h[36], h[37], h[38], h[39]]);
        if power == 0 || power > 28 {
            return Err(file.bad(format!("power {power} is out of range")));
        }
        if !(12..=15).all(|s| file.has_section(s)) {
            return Err(CeremonyError::PtauNotPrepared {
                path: path.to_path_buf(),
            });
        }
        let ptau = Self { file, power };
        let expect = |n: u64, bytes: usize| n * bytes as u64;
        let p = 1u64 << power;
        for (id, size) in [
            (2, expect(2 * p - 1, G1_BYTES)),
            (3, expect(p, G2_BYTES)),
            (4, expect(p, G1_BYTES)),
            (5, expect(p, G1_BYTES)),
            (6, expect(1, G2_BYTES)),
            (12, expect(4 * p - 1, G1_BYTES)),
            (13, expect(2 * p - 1, G2_BYTES)),
            (14, expect(2 * p - 1, G1_BYTES)),
            (15, expect(2 * p - 1, G1_BYTES)),
        ] {
            let s = ptau.file.section(id)?;
            if s.size != size {
                return Err(ptau.file.bad(format!(
                    "section {id} has {} bytes; a power-{power} file has {size}",
                    s.size
                )));
            }
        }
        Ok(ptau)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        self.file.path()
    }

    /// Refuses a file too small for a domain of 2^`needed`.
    ///
    /// # Errors
    /// [`CeremonyError::PtauTooSmall`].
    pub fn require_power(&self, needed: u32) -> Result<(), CeremonyError> {
        if needed > self.power {
            return Err(CeremonyError::PtauTooSmall {
                path: self.path().to_path_buf(),
                power: self.power,
                needed,
            });
        }
        Ok(())
    }

    /// `count` raw LEM points of section `id`, starting at point `first`.
    ///
    /// # Errors
    /// [`CeremonyError::Format`] if they are not all in the section.
    pub fn raw_points(
        &mut self,
        id: u32,
        point_bytes: usize,
        first: usize,
        count: usize,
    ) -> Result<Vec<u8>, CeremonyError> {
        self.file
            .read_in(id, (first * point_bytes) as u64, count * point_bytes)
    }

    /// Decoded, validated G1 points.
    ///
    /// # Errors
    /// [`CeremonyError::Format`] naming the first invalid point.
    pub fn g1_points(
        &mut self,
        id: u32,
        first: usize,
        count: usize,
    ) -> Result<Vec<G1Affine>, CeremonyError> {
        let raw = self.raw_points(id, G1_BYTES, first, count)?;
        g1_points_in(&self.file, id, first, &raw)
    }

    /// Decoded, validated G2 points (on the curve and in the subgroup).
    ///
    /// # Errors
    /// [`CeremonyError::Format`] naming the first invalid point.
    pub fn g2_points(
        &mut self,
        id: u32,
        first: usize,
        count: usize,
    ) -> Result<Vec<G2Affine>, CeremonyError> {
        let raw = self.raw_points(id, G2_BYTES, first, count)?;
        g2_points_in(&self.file, id, first, &raw)
    }
}
