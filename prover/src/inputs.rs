//! Turning files into a round: quantisation, openings, bound checks with errors that name
//! the file, tensor and index.

use std::path::{Path, PathBuf};

use rand::{rngs::OsRng, RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkfl_circuits::{
    bundle::{CommitmentRecord, Opening},
    commit::{self, Kind},
    encoding::Format,
    field::fr_to_hex,
    files::{self, JsonFile},
    fixed::{FixedPoint, FixedPointError},
    tensors::{self, Layout},
    Bounds, ClientSlot, Round, RoundError, RoundInput, Shape,
};

use crate::Error;

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

fn quantise(
    path: &Path,
    layout: &Layout,
    values: &[f64],
    fp: FixedPoint,
    what: &str,
) -> Result<Vec<i64>, Error> {
    fp.encode(values.iter().copied()).map_err(|e| {
        let (index, detail) = match &e {
            FixedPointError::NotFinite { index, .. }
            | FixedPointError::OutOfRange { index, .. } => (*index, e.to_string()),
        };
        let (tensor, i) = layout.locate(index);
        Error::BadFile {
            path: path.display().to_string(),
            reason: format!("{what} tensor '{tensor}' element {i}: {detail}"),
        }
    })
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
    let fp = FixedPoint {
        frac_bits: shape.frac_bits,
        min: shape.update_min(),
        max: shape.update_max(),
        clip,
    };
    let what = match shape.linf_bits {
        None => "update".to_string(),
        Some(j) => format!("update (the keys fix the L∞ bound: linf bits {j})"),
    };
    let values = quantise(path, &p.layout, &p.values, fp, &what)?;
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
    let salts = commit::random_salts(rng, shape.num_chunks(update.values.len()));
    let (hashes, commitment) = commit::commit(shape, Kind::Update, &update.values, &salts)
        .map_err(|e| Error::BadFile {
            path: update.path.display().to_string(),
            reason: e.to_string(),
        })?;
    let record = CommitmentRecord {
        format: Format::new(),
        kind: Kind::Update,
        commitment,
        d: update.values.len() as u64,
        chunk_hashes: hashes.iter().map(fr_to_hex).collect(),
    };
    let opening = Opening {
        format: Format::new(),
        kind: Kind::Update,
        commitment,
        shape: *shape,
        layout: update.layout.clone(),
        salts: Opening::encode_salts(&salts),
        values: None,
    };
    Ok((record, opening))
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
    let file = tensors::read(path)?;
    let fp = FixedPoint::signed(shape.frac_bits, shape.model_bits).with_clip(clip);
    let values = quantise(path, &file.layout, &file.values, fp, "model")?;
    let salts = commit::random_salts(rng, shape.num_chunks(values.len()));
    let (hashes, commitment) =
        commit::commit(shape, Kind::Model, &values, &salts).map_err(|e| Error::BadFile {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
    let record = CommitmentRecord {
        format: Format::new(),
        kind: Kind::Model,
        commitment,
        d: values.len() as u64,
        chunk_hashes: hashes.iter().map(fr_to_hex).collect(),
    };
    let opening = Opening {
        format: Format::new(),
        kind: Kind::Model,
        commitment,
        shape: *shape,
        layout: file.layout,
        salts: Opening::encode_salts(&salts),
        values: Some(values),
    };
    Ok((record, opening))
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

/// Reads the model, the clients and their openings; checks everything natively before any
/// proving; computes the round.
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
    if clients.is_empty() {
        return Err(Error::Invalid("at least one --update is needed".into()));
    }
    if clients.len() > shape.slots {
        return Err(Error::Invalid(format!(
            "{} clients but the keys have {} slots",
            clients.len(),
            shape.slots
        )));
    }
    let model_file = tensors::read(model_path)?;
    let layout = model_file.layout.clone();
    let d = layout.num_params();
    let k = shape.num_chunks(d);
    let model_fp = FixedPoint::signed(shape.frac_bits, shape.model_bits).with_clip(clip);
    let (model, model_salts, genesis) = match model_opening {
        Some(op_path) => {
            let op: Opening = read_json(op_path, "model opening")?;
            let bad = |reason: String| Error::BadFile {
                path: op_path.display().to_string(),
                reason,
            };
            if op.kind != Kind::Model || op.shape != *shape {
                return Err(bad("not a model opening for these keys' shape".into()));
            }
            let salts = op.check().map_err(bad)?;
            let values = op
                .values
                .clone()
                .ok_or_else(|| bad("model opening has no values".into()))?;
            if let Some(m) = op.layout.mismatch(&layout) {
                return Err(bad(format!(
                    "does not describe {}: {m}",
                    model_path.display()
                )));
            }
            let (_, c) = commit::commit(shape, Kind::Model, &values, &salts)
                .map_err(|e| bad(e.to_string()))?;
            if c != op.commitment {
                return Err(bad(format!(
                    "values and salts do not open the commitment {}",
                    op.commitment
                )));
            }
            let file_values = quantise(model_path, &layout, &model_file.values, model_fp, "model")?;
            if file_values != values {
                let j = file_values
                    .iter()
                    .zip(&values)
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                let (t, i) = layout.locate(j);
                return Err(Error::BadFile {
                    path: model_path.display().to_string(),
                    reason: format!(
                        "tensor '{t}' element {i} differs from the opening {}",
                        op_path.display()
                    ),
                });
            }
            (values, salts, false)
        }
        None => {
            let values = quantise(model_path, &layout, &model_file.values, model_fp, "model")?;
            (values, commit::random_salts(rng, k), true)
        }
    };

    // A weight-0 slot is an empty slot: it must carry the canonical empty commitment
    // (every verifier checks it), so a client that sent an update needs a weight > 0.
    if let Some((i, c)) = clients.iter().enumerate().find(|(_, c)| c.weight == 0) {
        return Err(Error::Invalid(format!(
            "client {i} ({}) has --weight 0: a client with an update needs a positive weight; leave the client out of the round instead",
            c.update.display()
        )));
    }
    let mut slots = Vec::with_capacity(shape.slots);
    for (i, c) in clients.iter().enumerate() {
        let update = load_update(&c.update, shape, clip).map_err(|e| match e {
            Error::BadFile { path, reason } => Error::BadFile {
                path,
                reason: format!("client {i}: {reason}; nothing was written"),
            },
            other => other,
        })?;
        if let Some(m) = layout.mismatch(&update.layout) {
            return Err(Error::BadFile {
                path: c.update.display().to_string(),
                reason: format!(
                    "client {i} update does not match the model {}: {m}",
                    model_path.display()
                ),
            });
        }
        let op: Opening = read_json(&c.opening, "update opening")?;
        let bad = |reason: String| Error::BadFile {
            path: c.opening.display().to_string(),
            reason,
        };
        if op.kind != Kind::Update {
            return Err(bad("not an update opening".into()));
        }
        if op.shape != *shape {
            return Err(bad(format!(
                "client {i}'s opening was made for another circuit shape ({} slots, chunk {}); the client must recommit with these keys' params.json",
                op.shape.slots, op.shape.chunk
            )));
        }
        let salts = op.check().map_err(bad)?;
        let (_, commitment) = commit::commit(shape, Kind::Update, &update.values, &salts)
            .map_err(|e| bad(e.to_string()))?;
        if commitment != op.commitment {
            return Err(bad(format!(
                "does not open client {i}'s update {}: the update file changed since `zkfl commit`, or the opening belongs to another update",
                c.update.display()
            )));
        }
        slots.push(ClientSlot {
            weight: c.weight,
            update: update.values,
            salts,
        });
    }
    while slots.len() < shape.slots {
        slots.push(ClientSlot::empty(shape, d));
    }
    let input = RoundInput {
        shape: *shape,
        model,
        model_salts,
        slots,
        bounds: Bounds::from_floats(shape, linf, l2)
            .map_err(|e| Error::Invalid(format!("--linf {linf} / --l2 {l2}: {e}")))?,
        new_model_salts: commit::random_salts(rng, k),
        acc_salts: commit::random_salts(rng, k + 1),
    };
    let round = Round::build(input).map_err(|e| explain(e, clients, &layout))?;
    Ok(PreparedRound {
        round,
        layout,
        genesis,
        linf_float: linf,
        l2_float: l2,
    })
}

fn explain(e: RoundError, clients: &[ClientArgs], layout: &Layout) -> Error {
    let file = |slot: usize| {
        clients
            .get(slot)
            .map(|c| c.update.display().to_string())
            .unwrap_or_default()
    };
    match e {
        RoundError::Linf { slot, index, abs, bound } => {
            let (t, i) = layout.locate(index);
            Error::BadFile {
                path: file(slot),
                reason: format!("client {slot}: tensor '{t}' element {i} has |Δ| = {abs} fixed-point units > L∞ bound {bound}; nothing was written"),
            }
        }
        RoundError::FixedLinf { slot, index, value, min, max, bits } => {
            let (t, i) = layout.locate(index);
            Error::BadFile {
                path: file(slot),
                reason: format!("client {slot}: tensor '{t}' element {i} has Δ = {value} fixed-point units, outside [{min}, {max}], the L∞ range the keys fix (linf bits {bits}); nothing was written"),
            }
        }
        RoundError::L2 { slot, norm_sq, bound } => Error::BadFile {
            path: file(slot),
            reason: format!("client {slot}: squared L2 norm {norm_sq} > bound {bound} (fixed-point units²); nothing was written"),
        },
        RoundError::ModelOverflow { index, value, .. } => {
            let (t, i) = layout.locate(index);
            Error::Invalid(format!("new model tensor '{t}' element {i} = {value} overflows the model bits; use keys with more --model-bits"))
        }
        RoundError::Weights(m) => Error::Invalid(format!("weights: {m}")),
        other => Error::Invalid(other.to_string()),
    }
}
