//! The chunk circuit as a constraint system, and its circom binary `.r1cs` file.
//!
//! Wire numbering is arkworks': wire 0 is the constant 1, wires 1..=l the public inputs,
//! then the witnesses, which is circom's order (one, outputs, public inputs, private
//! signals) with no outputs. Terms are written in the order arkworks' matrices hold them, so
//! the file is a pure function of the shape.
//!
//! Sections: 1 header (u32 n8 = 32, r, u32 nWires, u32 nPubOut = 0, u32 nPubIn = l,
//! u32 nPrvIn = 0, u64 nLabels = nWires, u32 nConstraints); 2 constraints (for A, B, C:
//! u32 term count, then u32 wire and a 32-byte little-endian coefficient per term);
//! 3 wire → label map (u64 per wire, the identity).

use std::path::Path;

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, Matrix, OptimizationGoal, SynthesisMode,
    R1CS_PREDICATE_LABEL,
};
use zkfl_circuits::{ChunkCircuit, Shape};

use crate::{binfile::BinWriter, encoding::fr_to_le, CeremonyError};

/// File magic.
pub const MAGIC: &[u8; 4] = b"r1cs";

/// A rank-1 constraint system: A·z ∘ B·z = C·z.
#[derive(Clone, Debug)]
pub struct R1cs {
    /// Wires, including the constant 1.
    pub num_vars: usize,
    /// Public inputs, not counting the constant 1.
    pub num_public: usize,
    /// Rows of A, B and C: (coefficient, wire) terms per constraint.
    pub a: Matrix<Fr>,
    /// B rows.
    pub b: Matrix<Fr>,
    /// C rows.
    pub c: Matrix<Fr>,
}

impl R1cs {
    /// Synthesises the chunk circuit of `shape` in setup mode.
    ///
    /// # Errors
    /// [`CeremonyError::Invalid`] for an invalid shape, [`CeremonyError::Synthesis`].
    pub fn for_shape(shape: &Shape) -> Result<Self, CeremonyError> {
        shape
            .validate()
            .map_err(|e| CeremonyError::Invalid(e.to_string()))?;
        let syn = |e: ark_relations::gr1cs::SynthesisError| CeremonyError::Synthesis(e.to_string());
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Setup);
        ChunkCircuit::blank(*shape)
            .generate_constraints(cs.clone())
            .map_err(syn)?;
        cs.finalize();
        let num_public = cs.num_instance_variables() - 1;
        let num_vars = cs.num_instance_variables() + cs.num_witness_variables();
        let mut m = cs
            .to_matrices()
            .map_err(syn)?
            .remove(R1CS_PREDICATE_LABEL)
            .ok_or_else(|| CeremonyError::Synthesis("no R1CS constraints".into()))?;
        if m.len() != 3 {
            return Err(CeremonyError::Synthesis(format!(
                "expected 3 matrices, got {}",
                m.len()
            )));
        }
        let c = m.remove(2);
        let b = m.remove(1);
        let a = m.remove(0);
        Ok(Self {
            num_vars,
            num_public,
            a,
            b,
            c,
        })
    }

    /// Number of constraints.
    pub fn num_constraints(&self) -> usize {
        self.a.len()
    }

    /// log2 of the domain snarkjs uses: the smallest power of two above constraints +
    /// public inputs (one extra row per public input and the constant 1).
    pub fn domain_power(&self) -> u32 {
        let v = self.num_constraints() + self.num_public;
        usize::BITS - v.leading_zeros()
    }

    /// Writes the circom `.r1cs` file.
    ///
    /// # Errors
    /// [`CeremonyError::Io`].
    pub fn write(&self, path: &Path) -> Result<(), CeremonyError> {
        let mut w = BinWriter::create(path, MAGIC, 1, 3)?;
        let mut h = Vec::new();
        h.extend_from_slice(&32u32.to_le_bytes());
        h.extend_from_slice(&Fr::MODULUS.to_bytes_le());
        h.extend_from_slice(&(self.num_vars as u32).to_le_bytes());
        h.extend_from_slice(&0u32.to_le_bytes());
        h.extend_from_slice(&(self.num_public as u32).to_le_bytes());
        h.extend_from_slice(&0u32.to_le_bytes());
        h.extend_from_slice(&(self.num_vars as u64).to_le_bytes());
        h.extend_from_slice(&(self.num_constraints() as u32).to_le_bytes());
        w.section(1, &h)?;
        w.begin_section(2)?;
        let mut buf = Vec::with_capacity(1 << 16);
        for i in 0..self.num_constraints() {
            for m in [&self.a, &self.b, &self.c] {
                buf.extend_from_slice(&(m[i].len() as u32).to_le_bytes());
                for (coef, wire) in &m[i] {
                    buf.extend_from_slice(&(*wire as u32).to_le_bytes());
                    buf.extend_from_slice(&fr_to_le(coef));
                }
            }
            if buf.len() > 1 << 20 {
                w.write(&buf)?;
                buf.clear();
            }
        }
        w.write(&buf)?;
        w.end_section()?;
        let map: Vec<u8> = (0..self.num_vars as u64)
            .flat_map(u64::to_le_bytes)
            .collect();
        w.section(3, &map)?;
        w.finish()
    }
}
