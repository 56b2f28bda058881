//! Key directories (`zkfl setup` output) and the public parameters clients commit with.

use std::{path::PathBuf, sync::Arc};

use ark_bn254::Bn254;
use ark_groth16::{ProvingKey, VerifyingKey};
use pyo3::{exceptions::PyValueError, prelude::*};
use zkfl_circuits::{
    circuit::cost,
    keys::{read_pk, KeyHeader},
    Shape,
};
use zkfl_prover::setup::{self as key_setup, KeyPaths};
use zkfl_verifier::{Verifier, VerifierError};

use crate::errors;

/// A loaded key pair, shared by every round prepared with it.
pub struct KeyPair {
    /// Directory the keys were read from or written to.
    pub dir: PathBuf,
    /// The proving key's header (shape, digest, seed).
    pub header: KeyHeader,
    /// Proving key.
    pub pk: ProvingKey<Bn254>,
    /// The verifier for `vk.bin` in `dir`, read back as `zkfl-verify` reads it.
    pub verifier: Verifier,
}

impl KeyPair {
    /// The verifying key.
    pub fn vk(&self) -> &VerifyingKey<Bn254> {
        &self.pk.vk
    }
}

/// Proving and verifying keys for one circuit shape, as `zkfl setup` writes them
/// (`pk.bin`, `vk.bin`, `params.json`).
#[pyclass(frozen, module = "zkfl")]
pub struct Keys {
    /// The key pair.
    pub inner: Arc<KeyPair>,
}

#[pymethods]
impl Keys {
    /// Loads `pk.bin` and `vk.bin` from a key directory (the GIL is released meanwhile).
    ///
    /// Raises OSError for a missing file and ValueError for a file that is not a zkfl key
    /// or a proving and verifying key of two different setups.
    #[staticmethod]
    fn load(py: Python<'_>, dir: PathBuf) -> PyResult<Keys> {
        let paths = KeyPaths::in_dir(&dir);
        let (header, pk) = py.detach(|| read_pk(&paths.pk)).map_err(errors::key)?;
        let verifier = vk_verifier(&paths)?;
        if verifier.header().vk_digest != header.vk_digest || *verifier.vk() != pk.vk {
            return Err(PyValueError::new_err(format!(
                "{} and {} come from different setups; use the pair `zkfl setup` wrote",
                paths.pk.display(),
                paths.vk.display()
            )));
        }
        Ok(Keys {
            inner: Arc::new(KeyPair {
                dir,
                header,
                pk,
                verifier,
            }),
        })
    }

    /// The key directory.
    #[getter]
    fn dir(&self) -> PathBuf {
        self.inner.dir.clone()
    }

    /// Path of the verifying key file (what auditors need).
    #[getter]
    fn vk_path(&self) -> PathBuf {
        KeyPaths::in_dir(&self.inner.dir).vk
    }

    /// SHA-256 of the verifying key, hex.
    #[getter]
    fn vk_digest(&self) -> String {
        self.inner.header.vk_digest.clone()
    }

    /// The seed of INSECURE test keys, or None for keys from OS randomness.
    #[getter]
    fn insecure_seed(&self) -> Option<u64> {
        self.inner.header.insecure_seed
    }

    /// Why proofs under these keys convince nobody but their maker (a fixed seed, or a
    /// single-party `setup` without a ceremony), or None for keys that claim a ceremony.
    #[getter]
    fn insecurity(&self) -> Option<String> {
        self.inner.header.insecurity()
    }

    /// The public parameters clients commit with.
    #[getter]
    fn params(&self) -> Params {
        Params {
            shape: self.inner.header.shape,
            vk_digest: self.inner.header.vk_digest.clone(),
        }
    }

    fn __repr__(&self) -> String {
        let s = &self.inner.header.shape;
        format!(
            "Keys(dir={:?}, slots={}, chunk={}, vk_digest={}{})",
            self.inner.dir.display().to_string(),
            s.slots,
            s.chunk,
            self.inner.header.vk_digest,
            if self.inner.header.insecurity().is_some() {
                ", INSECURE"
            } else {
                ""
            }
        )
    }
}

/// The public half of a key directory: the circuit shape (chunking and encodings) and the
/// verifying key's digest. Clients need it to commit; it holds no secret.
#[pyclass(frozen, module = "zkfl", eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub struct Params {
    /// Circuit shape.
    pub shape: Shape,
    /// SHA-256 of the verifying key, hex.
    pub vk_digest: String,
}

#[pymethods]
impl Params {
    /// Reads `keys/params.json`.
    #[staticmethod]
    fn load(path: PathBuf) -> PyResult<Params> {
        let p = key_setup::read_params(&path).map_err(errors::prover)?;
        Ok(Params {
            shape: p.shape,
            vk_digest: p.vk_digest,
        })
    }

    /// Parses what [`Params::to_json`] wrote (or a `params.json`).
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Params> {
        #[derive(serde::Deserialize)]
        struct Wire {
            shape: Shape,
            vk_digest: String,
        }
        let w: Wire = serde_json::from_str(text).map_err(|e| errors::json("zkfl params", e))?;
        w.shape.validate().map_err(|e| errors::prover(e.into()))?;
        Ok(Params {
            shape: w.shape,
            vk_digest: w.vk_digest,
        })
    }

    /// `{"shape": …, "vk_digest": …}` as JSON (what a Flower server sends its clients).
    fn to_json(&self) -> String {
        serde_json::json!({ "shape": self.shape, "vk_digest": self.vk_digest }).to_string()
    }

    /// Client slots per round (n).
    #[getter]
    fn slots(&self) -> usize {
        self.shape.slots
    }

    /// Parameters per chunk (m).
    #[getter]
    fn chunk(&self) -> usize {
        self.shape.chunk
    }

    /// Fixed-point fractional bits (f): a float x is proven as round(x·2^f).
    #[getter]
    fn frac_bits(&self) -> u32 {
        self.shape.frac_bits
    }

    /// Update width in bits (U).
    #[getter]
    fn update_bits(&self) -> u32 {
        self.shape.update_bits
    }

    /// Model width in bits (Bm).
    #[getter]
    fn model_bits(&self) -> u32 {
        self.shape.model_bits
    }

    /// Weight width in bits (Wb): every weight and their sum are < 2^Wb.
    #[getter]
    fn weight_bits(&self) -> u32 {
        self.shape.weight_bits
    }

    /// SHA-256 of the verifying key, hex.
    #[getter]
    fn vk_digest(&self) -> String {
        self.vk_digest.clone()
    }

    fn __repr__(&self) -> String {
        format!("Params({})", self.to_json())
    }
}

/// Runs a Groth16 setup for one circuit shape and writes `pk.bin`, `vk.bin` and
/// `params.json` into `out_dir` (see `zkfl setup --help`). `chunk=None` fills the FFT
/// domain 2^log_domain. `linf_bits=j` fixes the L∞ bound at 2^j fixed-point units (the
/// cheaper circuit variant, `zkfl setup --linf-bits`). With `seed` the keys are INSECURE (tests and demos only). The GIL
/// is released while the keys are generated.
#[pyfunction]
#[pyo3(signature = (out_dir, slots, chunk=None, *, log_domain=16, frac_bits=Shape::DEFAULT_FRAC_BITS, update_bits=Shape::DEFAULT_UPDATE_BITS, model_bits=Shape::DEFAULT_MODEL_BITS, weight_bits=Shape::DEFAULT_WEIGHT_BITS, norm_bits=Shape::DEFAULT_NORM_BITS, linf_bits=None, seed=None))]
#[allow(clippy::too_many_arguments)]
pub fn setup(
    py: Python<'_>,
    out_dir: PathBuf,
    slots: usize,
    chunk: Option<usize>,
    log_domain: u32,
    frac_bits: u32,
    update_bits: u32,
    model_bits: u32,
    weight_bits: u32,
    norm_bits: u32,
    linf_bits: Option<u32>,
    seed: Option<u64>,
) -> PyResult<Keys> {
    let mut shape = Shape {
        slots,
        chunk: 1,
        frac_bits,
        update_bits,
        model_bits,
        weight_bits,
        norm_bits,
        linf_bits,
    };
    shape.chunk = match chunk {
        Some(c) => c,
        None => cost::max_chunk_for_domain(&shape, log_domain).ok_or_else(|| {
            PyValueError::new_err(format!(
                "{slots} slots do not fit a domain of 2^{log_domain}; raise log_domain"
            ))
        })?,
    };
    shape.validate().map_err(|e| errors::prover(e.into()))?;
    let (pk, params) = py
        .detach(|| {
            let (pk, params) = key_setup::setup(shape, seed)?;
            key_setup::write_keys(&out_dir, &pk, &params)?;
            Ok((pk, params))
        })
        .map_err(errors::prover)?;
    let header = KeyHeader {
        kind: "proving".into(),
        shape,
        insecure_seed: params.insecure_seed,
        vk_digest: params.vk_digest,
        reduction: params.reduction,
        provenance: params.provenance,
    };
    let verifier = vk_verifier(&KeyPaths::in_dir(&out_dir))?;
    Ok(Keys {
        inner: Arc::new(KeyPair {
            dir: out_dir,
            header,
            pk,
            verifier,
        }),
    })
}

/// The verifier for a key directory's `vk.bin`.
fn vk_verifier(paths: &KeyPaths) -> PyResult<Verifier> {
    Verifier::from_vk_file(&paths.vk).map_err(|e| match e {
        VerifierError::Key(k) => errors::key(k),
        other => PyValueError::new_err(zkfl_verifier::describe_error(&other)),
    })
}

/// The shape a `Keys` or `Params` object fixes.
///
/// # Errors
/// `TypeError` for anything else.
pub fn shape_of(obj: &Bound<'_, PyAny>) -> PyResult<Shape> {
    if let Ok(k) = obj.cast::<Keys>() {
        return Ok(k.get().inner.header.shape);
    }
    if let Ok(p) = obj.cast::<Params>() {
        return Ok(p.get().shape);
    }
    Err(pyo3::exceptions::PyTypeError::new_err(
        "params must be zkfl.Keys or zkfl.Params",
    ))
}
