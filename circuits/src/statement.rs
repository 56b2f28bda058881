//! The public statement of one chunk proof: its inputs and their order (PROTOCOL.md §2).

use ark_bn254::Fr;

use crate::params::Shape;

/// The public inputs of one chunk circuit, by name. `T` is a field element, or whatever a
/// caller reads before it knows the value is one (the contracts crate lays out raw calldata
/// words with it, so that x + r keeps its place instead of being reduced): the layout lives
/// here once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkPublic<T = Fr> {
    /// Chunk index c.
    pub chunk: T,
    /// B∞ in fixed-point units.
    pub linf: T,
    /// B₂² in squared fixed-point units.
    pub l2_sq: T,
    /// Client weights w_1..w_n.
    pub weights: Vec<T>,
    /// h(M_t[c]).
    pub model: T,
    /// h(M_{t+1}[c]).
    pub new_model: T,
    /// h(Δ_i[c]) for each slot.
    pub updates: Vec<T>,
    /// Norm accumulator entering the chunk.
    pub acc_in: T,
    /// Norm accumulator leaving the chunk.
    pub acc_out: T,
}

/// A public-input vector of the wrong length for the shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected} public inputs for {slots} slots, got {got}")]
pub struct LayoutError {
    /// 2n + 7.
    pub expected: usize,
    /// n.
    pub slots: usize,
    /// Length given.
    pub got: usize,
}

impl<T: Clone> ChunkPublic<T> {
    /// The public-input vector in circuit order.
    pub fn to_vec(&self) -> Vec<T> {
        let mut v = Vec::with_capacity(7 + 2 * self.weights.len());
        v.extend([self.chunk.clone(), self.linf.clone(), self.l2_sq.clone()]);
        v.extend_from_slice(&self.weights);
        v.extend([self.model.clone(), self.new_model.clone()]);
        v.extend_from_slice(&self.updates);
        v.extend([self.acc_in.clone(), self.acc_out.clone()]);
        v
    }

    /// Reads a public-input vector in circuit order.
    ///
    /// # Errors
    /// [`LayoutError`] if the length is not 2n + 7.
    pub fn from_slice(shape: &Shape, v: &[T]) -> Result<Self, LayoutError> {
        let n = shape.slots;
        if v.len() != shape.num_public_inputs() {
            return Err(LayoutError {
                expected: shape.num_public_inputs(),
                slots: n,
                got: v.len(),
            });
        }
        Ok(Self {
            chunk: v[0].clone(),
            linf: v[1].clone(),
            l2_sq: v[2].clone(),
            weights: v[3..3 + n].to_vec(),
            model: v[3 + n].clone(),
            new_model: v[4 + n].clone(),
            updates: v[5 + n..5 + 2 * n].to_vec(),
            acc_in: v[5 + 2 * n].clone(),
            acc_out: v[6 + 2 * n].clone(),
        })
    }
}

impl ChunkPublic {
    /// Name of public input `index`, for error messages.
    pub fn input_name(shape: &Shape, index: usize) -> String {
        let n = shape.slots;
        match index {
            0 => "chunk index".into(),
            1 => "B∞ (linf)".into(),
            2 => "B₂² (l2_sq)".into(),
            i if i < 3 + n => format!("weight of slot {}", i - 3),
            i if i == 3 + n => "previous-model chunk hash".into(),
            i if i == 4 + n => "new-model chunk hash".into(),
            i if i < 5 + 2 * n => format!("update chunk hash of slot {}", i - 5 - n),
            i if i == 5 + 2 * n => "acc_in".into(),
            i if i == 6 + 2 * n => "acc_out".into(),
            i => format!("public input #{i} (out of layout)"),
        }
    }
}
