//! Turning files into a round: quantisation, openings, bound checks with errors that name
//! the file, tensor and index.

use std::path::{Path, PathBuf};

use rand::{rngs::OsRng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkfl_circuits::{
    bundle::{CommitmentRecord, Opening},
    commit::Kind,
    files::{self, JsonFile},
    tensors::{self, Layout},
    Round, Shape,
};

use crate::{
    memory::{self, ClientInput, ModelInput},
    Error,
};

/// A fresh CSPRNG for salts.
pub fn salt_rng() -> ChaCha20Rng {
    let mut seed = [0u8; 32];
    OsRng.fill_bytes(&mut seed);
    ChaCha20Rng::from_seed(seed)
}

/// Reads a JSON file into `T` (a regular file no larger than any valid `T`), with an error
/// naming the file.
///
/// # Errors
/// [`Error`] if the file is missing, not a regular file, too large or not the expected JSON.
pub fn read_json<T: JsonFile>(path: &Path, what: &str) -> Result<T, Error> {
    Ok(files::read_json(path, what)?)
}

/// A client update read and quantised.
pub struct LoadedUpdate {
    /// File.
    pub path: PathBuf,
    /// Tensors.
    pub layout: Layout,
    /// Fixed-point values.
    pub values: Vec<i64>,
}

/// Reads and quantises an update file: U-bit signed, or within [−2^j, 2^j − 1] when the
/// shape fixes the L∞ bound at 2^j (what such an update commitment can hold; `clip`
/// saturates to that range).
///
/// # Errors
/// [`Error`] naming the file, tensor and index for NaN/Inf/out-of-range values.
pub fn load_update(path: &Path, shape: &Shape, clip: bool) -> Result<LoadedUpdate, Error> {
    let p = tensors::read(path)?;
    let values = memory::quantise_update(&path.display().to_string(), &p, shape, clip)?;
    Ok(LoadedUpdate {
        path: path.to_path_buf(),
        layout: p.layout,
        values,
    })
}

/// Commits to an update: the public record and the private opening.
///
/// # Errors
/// [`Error`] if the update cannot be committed.
pub fn commit_update(
    shape: &Shape,
    update: &LoadedUpdate,
    rng: &mut impl rand::Rng,
) -> Result<(CommitmentRecord, Opening), Error> {
    memory::commit_values(
        shape,
        Kind::Update,
        &update.path.display().to_string(),
        &update.layout,
        &update.values,
        rng,
    )
}

/// Commits to a model file (the genesis model, committed up front so that clients can sign
/// round 1's previous-model commitment): the public record and the opening, which holds the
/// exact integers and is the first round's `--genesis-opening`.
///
/// # Errors
/// [`Error`] naming the file, tensor and index for values the shape cannot hold.
pub fn commit_model(
    shape: &Shape,
    path: &Path,
    clip: bool,
    rng: &mut impl rand::Rng,
) -> Result<(CommitmentRecord, Opening), Error> {
    let source = path.display().to_string();
    let file = tensors::read(path)?;
    let values = memory::quantise_model(&source, &file, shape, clip)?;
    memory::commit_values(shape, Kind::Model, &source, &file.layout, &values, rng)
}

/// One client as given on the command line.
#[derive(Clone, Debug)]
pub struct ClientArgs {
    /// Update file.
    pub update: PathBuf,
    /// Opening file from `zkfl commit`.
    pub opening: PathBuf,
    /// FedAvg weight.
    pub weight: u64,
}

/// Everything `zkfl prove` reads, checked and assembled.
pub struct PreparedRound {
    /// The computed round.
    pub round: Round,
    /// Tensor layout of the model.
    pub layout: Layout,
    /// Whether M_t was committed afresh.
    pub genesis: bool,
    /// Bounds as floats, for the record.
    pub linf_float: f64,
    /// B₂ as float.
    pub l2_float: f64,
}

/// Reads the model, the clients and their openings, then checks everything natively before
/// any proving and computes the round ([`memory::prepare`]).
///
/// # Errors
/// [`Error`] naming the client file, tensor and index at fault.
#[allow(clippy::too_many_arguments)]
pub fn prepare(
    shape: &Shape,
    model_path: &Path,
    model_opening: Option<&Path>,
    clients: &[ClientArgs],
    linf: f64,
    l2: f64,
    clip: bool,
    rng: &mut impl rand::Rng,
) -> Result<PreparedRound, Error> {
    let opening = match model_opening {
        Some(op_path) => Some((
            op_path.display().to_string(),
            read_json::<Opening>(op_path, "model opening")?,
        )),
        None => None,
    };
    let model = ModelInput {
        source: model_path.display().to_string(),
        params: tensors::read(model_path)?,
        genesis: opening.is_none(),
        opening,
    };
    let inputs = clients
        .iter()
        .map(|c| {
            Ok(ClientInput {
                source: c.update.display().to_string(),
                params: tensors::read(&c.update)?,
                opening_source: c.opening.display().to_string(),
                opening: read_json(&c.opening, "update opening")?,
                weight: c.weight,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    memory::prepare(shape, model, &inputs, (linf, l2), clip, rng)
}
