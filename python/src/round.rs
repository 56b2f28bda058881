//! Preparing and proving a round from arrays in memory.

use std::{
    path::PathBuf,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Instant,
};

use pyo3::prelude::*;
use zkfl_prover::{
    inputs::{self, salt_rng},
    memory::{self, ClientInput, ModelInput, NewModel},
    output,
    prove::{prove_round_with, Parallelism},
};

use crate::{
    arrays::{self, ArrayIn, ArrayOut},
    commit::Opening,
    errors,
    keys::{KeyPair, Keys},
};

/// One client of a round as the Python layer passes it: a name for errors, the update's
/// arrays, the client's opening and its FedAvg weight.
pub type UpdateIn<'py> = (String, Vec<ArrayIn<'py>>, Opening, u64);

/// A round checked and aggregated natively, not yet proven: the new model is already
/// final (proving does not change it), so a coordinator can hand it on and prove later or
/// in another thread.
#[pyclass(frozen, module = "zkfl")]
pub struct PreparedRound {
    keys: Arc<KeyPair>,
    index: u64,
    prepared: inputs::PreparedRound,
    model: NewModel,
}

/// A proven round: the bundle directory and what it holds.
#[pyclass(frozen, module = "zkfl")]
pub struct RoundResult {
    index: u64,
    bundle_dir: PathBuf,
    model: NewModel,
    model_commitment: String,
    update_commitments: Vec<String>,
    chunks: usize,
    prove_seconds: f64,
}

fn hex_all(cs: &[zkfl_circuits::Commitment]) -> Vec<String> {
    cs.iter().map(ToString::to_string).collect()
}

/// Checks the model, every update and its opening, and aggregates: everything `zkfl
/// prove` does before it proves. `model_opening` is the previous round's
/// `RoundResult.model_opening`; without it the model is committed afresh (genesis).
/// `genesis=True` with an opening marks a model the coordinator committed itself before
/// this first round (`commit_model`). Raises ValueError naming the update, tensor and
/// element at fault.
#[pyfunction]
#[pyo3(signature = (keys, round, model, updates, linf, l2, *, model_opening=None, genesis=None, clip=false))]
#[allow(clippy::too_many_arguments)]
pub fn prepare_round(
    py: Python<'_>,
    keys: &Keys,
    round: u64,
    model: Vec<ArrayIn<'_>>,
    updates: Vec<UpdateIn<'_>>,
    linf: f64,
    l2: f64,
    model_opening: Option<Opening>,
    genesis: Option<bool>,
    clip: bool,
) -> PyResult<PreparedRound> {
    let keys = keys.inner.clone();
    let model = ModelInput {
        source: "model".into(),
        params: arrays::params("model", model)?,
        genesis: genesis.unwrap_or(model_opening.is_none()),
        opening: model_opening.map(|o| ("model_opening".to_string(), o.inner)),
    };
    let clients = updates
        .into_iter()
        .map(|(name, arrays, opening, weight)| {
            Ok(ClientInput {
                params: arrays::params(&name, arrays)?,
                opening_source: format!("{name} opening"),
                source: name,
                opening: opening.inner,
                weight,
            })
        })
        .collect::<PyResult<Vec<_>>>()?;
    let shape = keys.header.shape;
    let prepared = py
        .detach(|| memory::prepare(&shape, model, &clients, (linf, l2), clip, &mut salt_rng()))
        .map_err(errors::prover)?;
    Ok(PreparedRound {
        model: NewModel::of(&prepared),
        keys,
        index: round,
        prepared,
    })
}

#[pymethods]
impl PreparedRound {
    /// Round index t (this round turns M_t into M_{t+1}).
    #[getter]
    fn round(&self) -> u64 {
        self.index
    }

    /// The new model M_{t+1} as `(name, dtype.str, shape, bytes)` tuples: the fixed-point
    /// FedAvg that the proof will state, exactly.
    #[getter]
    fn model<'py>(&self, py: Python<'py>) -> Vec<ArrayOut<'py>> {
        arrays::to_python(py, &self.model.layout, &self.model.values)
    }

    /// Commitment to M_t.
    #[getter]
    fn model_commitment(&self) -> String {
        self.prepared.round.model_commitment.to_string()
    }

    /// Commitment to M_{t+1}.
    #[getter]
    fn new_model_commitment(&self) -> String {
        self.prepared.round.new_model_commitment.to_string()
    }

    /// The opening of M_{t+1}: the next round's `model_opening`.
    #[getter]
    fn model_opening(&self) -> Opening {
        Opening {
            inner: self.model.opening.clone(),
        }
    }

    /// Commitment to each slot's update (empty slots included).
    #[getter]
    fn update_commitments(&self) -> Vec<String> {
        hex_all(&self.prepared.round.update_commitments)
    }

    /// Chunk proofs the round needs (K).
    #[getter]
    fn chunks(&self) -> usize {
        self.prepared.round.num_chunks()
    }

    /// Whether M_t is committed by this round.
    #[getter]
    fn genesis(&self) -> bool {
        self.prepared.genesis
    }

    /// Proves every chunk and writes the round directory `out_dir` atomically (it must not
    /// exist). The GIL is released while proving; `progress(done, total)` is called after
    /// each chunk. `jobs` chunks are proven at once (default: one per thread).
    #[pyo3(signature = (out_dir, progress=None, jobs=None))]
    fn prove(
        &self,
        py: Python<'_>,
        out_dir: PathBuf,
        progress: Option<Py<PyAny>>,
        jobs: Option<usize>,
    ) -> PyResult<RoundResult> {
        output::check_new_output(&out_dir).map_err(errors::prover)?;
        let k = self.prepared.round.num_chunks();
        let par = Parallelism::new(jobs, None, k);
        let done = AtomicUsize::new(0);
        let callback_error: Mutex<Option<PyErr>> = Mutex::new(None);
        let on_done = |_chunk: usize| {
            let n = done.fetch_add(1, Ordering::SeqCst) + 1;
            if let Some(cb) = &progress {
                Python::attach(|py| {
                    if let Err(e) = cb.call1(py, (n, k)) {
                        if let Ok(mut slot) = callback_error.lock() {
                            slot.get_or_insert(e);
                        }
                    }
                });
            }
        };
        let started = Instant::now();
        let keys = &self.keys;
        let prepared = &self.prepared;
        let out = &out_dir;
        py.detach(|| {
            let proofs = prove_round_with(
                &keys.pk,
                keys.header.reduction,
                &prepared.round,
                par,
                &on_done,
            )?;
            let bundle = output::bundle(prepared, self.index, &keys.header.vk_digest, &proofs);
            output::write_round(out, prepared, &bundle)
        })
        .map_err(errors::prover)?;
        let prove_seconds = started.elapsed().as_secs_f64();
        if let Some(e) = callback_error.into_inner().ok().flatten() {
            return Err(e);
        }
        let r = &self.prepared.round;
        Ok(RoundResult {
            index: self.index,
            bundle_dir: out_dir,
            model: self.model.clone(),
            model_commitment: r.model_commitment.to_string(),
            update_commitments: hex_all(&r.update_commitments),
            chunks: k,
            prove_seconds,
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "PreparedRound(round={}, chunks={}, new_model={})",
            self.index,
            self.chunks(),
            self.new_model_commitment()
        )
    }
}

#[pymethods]
impl RoundResult {
    /// Round index t.
    #[getter]
    fn round(&self) -> u64 {
        self.index
    }

    /// The round directory (`round.json`, `model.safetensors`, `model.opening.json`).
    #[getter]
    fn bundle_dir(&self) -> PathBuf {
        self.bundle_dir.clone()
    }

    /// The proven new model M_{t+1} as `(name, dtype.str, shape, bytes)` tuples.
    #[getter]
    fn model<'py>(&self, py: Python<'py>) -> Vec<ArrayOut<'py>> {
        arrays::to_python(py, &self.model.layout, &self.model.values)
    }

    /// Commitment to M_t.
    #[getter]
    fn model_commitment(&self) -> String {
        self.model_commitment.clone()
    }

    /// Commitment to M_{t+1}.
    #[getter]
    fn new_model_commitment(&self) -> String {
        self.model.opening.commitment.to_string()
    }

    /// Commitment to each slot's update (empty slots included).
    #[getter]
    fn update_commitments(&self) -> Vec<String> {
        self.update_commitments.clone()
    }

    /// The opening of M_{t+1}: the next round's `model_opening`.
    #[getter]
    fn model_opening(&self) -> Opening {
        Opening {
            inner: self.model.opening.clone(),
        }
    }

    /// Number of chunk proofs.
    #[getter]
    fn chunks(&self) -> usize {
        self.chunks
    }

    /// Wall-clock seconds spent proving and writing the bundle.
    #[getter]
    fn prove_seconds(&self) -> f64 {
        self.prove_seconds
    }

    fn __repr__(&self) -> String {
        format!(
            "RoundResult(round={}, bundle_dir={:?}, chunks={}, new_model={})",
            self.index,
            self.bundle_dir.display().to_string(),
            self.chunks,
            self.new_model_commitment()
        )
    }
}
