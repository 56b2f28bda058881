//! Does a released model file match a committed model? (An auditor holding the opening
//! re-derives the commitment from the file itself.)

use std::path::{Path, PathBuf};

use serde::Serialize;
use zkfl_circuits::{
    bundle::{Opening, OPENING_FORMAT, OPENING_MAX},
    commit::{self, CommitError},
    field::FieldError,
    files::{self, FileError},
    fixed::{FixedPoint, FixedPointError},
    params::{Shape, ShapeError},
    tensors::{self, TensorError},
    Commitment, Kind,
};

/// Why a model file does not match a commitment, or cannot be checked.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The opening file cannot be read (missing, not a regular file, or too large).
    #[error(transparent)]
    OpeningFile(#[from] FileError),
    /// The opening is not JSON or not an opening.
    #[error(
        "{path} is not a valid zkfl opening ({source}); use the opening written by `zkfl prove`"
    )]
    OpeningJson {
        /// File.
        path: PathBuf,
        /// Parser message.
        source: serde_json::Error,
    },
    /// The model file cannot be read.
    #[error(transparent)]
    Tensors(#[from] TensorError),
    /// An opening of another format version or kind, or without model values.
    #[error("{path}: {reason}")]
    OpeningKind {
        /// File.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The opening claims another shape than the one the auditor trusts (the verifying key's
    /// or a verified round's). The shape fixes the fixed-point scale and the digit offsets,
    /// so an edited shape could make another model open the same commitment.
    #[error("{path}: the opening was made for shape {opening:?}, but the key's shape is {trusted:?}; use the opening `zkfl prove` wrote for this key")]
    ShapeMismatch {
        /// File.
        path: PathBuf,
        /// Shape in the opening.
        opening: Box<Shape>,
        /// Shape of the verifying key.
        trusted: Box<Shape>,
    },
    /// The opening's shape is unusable.
    #[error("{path}: {source}")]
    Shape {
        /// File.
        path: PathBuf,
        /// Cause.
        source: ShapeError,
    },
    /// The opening is for another commitment.
    #[error("the opening is for commitment {opening}, not {expected}")]
    OtherCommitment {
        /// Commitment asked about.
        expected: Commitment,
        /// Commitment in the opening.
        opening: Commitment,
    },
    /// The file's tensors differ from the committed layout.
    #[error("model file does not have the committed layout: {0}")]
    Layout(String),
    /// A value that cannot be quantised.
    #[error("tensor '{tensor}', element {index}: {source}")]
    Quantise {
        /// Tensor.
        tensor: String,
        /// Index inside the tensor.
        index: usize,
        /// Cause.
        source: FixedPointError,
    },
    /// A quantised value that differs from the committed integer.
    #[error("tensor '{tensor}', element {index}: the file quantises to {file}, but the committed value is {committed}")]
    Value {
        /// Tensor.
        tensor: String,
        /// Index inside the tensor.
        index: usize,
        /// From the file.
        file: i64,
        /// From the opening.
        committed: i64,
    },
    /// A salt that is not a field element.
    #[error("opening salts: {0}")]
    Salt(#[from] FieldError),
    /// Values or salts that cannot be committed.
    #[error("opening: {0}")]
    Commit(#[from] CommitError),
    /// The recomputed commitment differs.
    #[error("the model and opening give commitment {recomputed}, not {expected}: this is not the committed model")]
    Mismatch {
        /// Commitment asked about.
        expected: Commitment,
        /// Commitment recomputed.
        recomputed: Commitment,
    },
}

impl ModelError {
    /// Whether the input could not be read at all (as opposed to read and found wrong).
    pub fn is_unreadable(&self) -> bool {
        matches!(
            self,
            ModelError::OpeningFile(_) | ModelError::OpeningJson { .. } | ModelError::Tensors(_)
        )
    }
}

/// What [`verify_model`] established.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelReport {
    /// The commitment the file matches.
    pub commitment: Commitment,
    /// Parameter count d.
    pub d: usize,
    /// Number of chunks K.
    pub chunks: usize,
    /// Number of tensors.
    pub tensors: usize,
}

/// Checks that `model` (safetensors) is the model committed to by `commitment`, using its
/// `opening` (salts and exact integers): the opening must be for `shape` (the shape of the
/// verifying key the auditor trusts, never the opening's own say-so); re-reads the file in
/// canonical order, quantises it with that shape's fixed point, compares with the committed
/// integers and recomputes every chunk hash and the top-level commitment.
///
/// # Errors
/// [`ModelError`] naming the file, tensor and element at fault.
pub fn verify_model(
    shape: &Shape,
    commitment: &Commitment,
    model: &Path,
    opening: &Path,
) -> Result<ModelReport, ModelError> {
    let bytes = files::read(opening, OPENING_MAX, "zkfl opening")?;
    let o: Opening = serde_json::from_slice(&bytes).map_err(|source| ModelError::OpeningJson {
        path: opening.to_path_buf(),
        source,
    })?;
    let kind_err = |reason: String| ModelError::OpeningKind {
        path: opening.to_path_buf(),
        reason,
    };
    if o.format != OPENING_FORMAT {
        return Err(kind_err(format!(
            "format '{}', this verifier reads '{OPENING_FORMAT}'",
            o.format
        )));
    }
    if o.kind != Kind::Model {
        return Err(kind_err("this opens a client update, not a model".into()));
    }
    if o.commitment != *commitment {
        return Err(ModelError::OtherCommitment {
            expected: *commitment,
            opening: o.commitment,
        });
    }
    if o.shape != *shape {
        return Err(ModelError::ShapeMismatch {
            path: opening.to_path_buf(),
            opening: Box::new(o.shape),
            trusted: Box::new(*shape),
        });
    }
    o.shape.validate().map_err(|source| ModelError::Shape {
        path: opening.to_path_buf(),
        source,
    })?;
    let committed = o
        .values
        .as_ref()
        .ok_or_else(|| kind_err("the opening carries no model values".into()))?;

    let params = tensors::read(model)?;
    if let Some(why) = o.layout.mismatch(&params.layout) {
        return Err(ModelError::Layout(why));
    }
    let fp = FixedPoint::signed(o.shape.frac_bits, o.shape.model_bits);
    let values = fp.encode(params.values.iter().copied()).map_err(|source| {
        let at = match &source {
            FixedPointError::NotFinite { index, .. }
            | FixedPointError::OutOfRange { index, .. } => *index,
        };
        let (tensor, index) = params.layout.locate(at);
        ModelError::Quantise {
            tensor,
            index,
            source,
        }
    })?;
    if committed.len() != values.len() {
        return Err(ModelError::Layout(format!(
            "the file has {} values, the opening {}",
            values.len(),
            committed.len()
        )));
    }
    if let Some(i) = values.iter().zip(committed).position(|(a, b)| a != b) {
        let (tensor, index) = params.layout.locate(i);
        return Err(ModelError::Value {
            tensor,
            index,
            file: values[i],
            committed: committed[i],
        });
    }
    let salts = o.salts()?;
    let (hashes, recomputed) = commit::commit(&o.shape, Kind::Model, &values, &salts)?;
    if recomputed != *commitment {
        return Err(ModelError::Mismatch {
            expected: *commitment,
            recomputed,
        });
    }
    Ok(ModelReport {
        commitment: recomputed,
        d: values.len(),
        chunks: hashes.len(),
        tensors: params.layout.tensors.len(),
    })
}
