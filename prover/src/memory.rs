//! Rounds from tensors in memory: quantisation, commitments, openings and every check
//! `zkfl prove` makes, on parameter vectors that are already read.
//!
//! `zkfl prove` reads its files into these types ([`crate::inputs::prepare`]) and the
//! Python package builds them from numpy arrays, so both go through the one [`prepare`]
//! and give the same errors. A `source` names where the tensors came from: a file path for
//! the CLI, a name such as `updates[2]` for arrays in memory.

use zkfl_circuits::{
    bundle::{CommitmentRecord, Opening},
    commit::{self, Kind},
    encoding::Format,
    field::fr_to_hex,
    fixed::{FixedPoint, FixedPointError},
    tensors::{self, Layout, Params},
    Bounds, ClientSlot, Round, RoundError, RoundInput, Shape,
};

use crate::{inputs::PreparedRound, Error};

/// The model M_t a round starts from.
pub struct ModelInput {
    /// Where the tensors came from (for errors).
    pub source: String,
    /// The tensors, in canonical order.
    pub params: Params,
    /// The opening of M_t's commitment and where it came from; `None` commits M_t afresh.
    pub opening: Option<(String, Opening)>,
    /// Whether this round is the one that commits M_t (the bundle's `genesis` flag): always
    /// without an opening; with one when the coordinator committed M_t itself before the
    /// round (Flower sends that commitment to the clients) rather than taking it from the
    /// previous round's output.
    pub genesis: bool,
}

/// One client's update, its opening from the client and its FedAvg weight.
pub struct ClientInput {
    /// Where the update came from (for errors).
    pub source: String,
    /// The update's tensors, in canonical order.
    pub params: Params,
    /// Where the opening came from (for errors).
    pub opening_source: String,
    /// The client's opening of its update commitment.
    pub opening: Opening,
    /// FedAvg weight (e.g. the client's sample count).
    pub weight: u64,
}

/// Quantises `values` (canonical order, tensors as in `layout`) with `fp`; `what` says
/// which role they play ("model", "update") in the error.
///
/// # Errors
/// [`Error::BadFile`] naming `source`, the tensor and the element for NaN, ±Inf or an
/// out-of-range value.
pub fn quantise(
    source: &str,
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
            path: source.into(),
            reason: format!("{what} tensor '{tensor}' element {i}: {detail}"),
        }
    })
}

/// Quantises an update to the shape's signed U-bit fixed point.
///
/// # Errors
/// As [`quantise`].
pub fn quantise_update(
    source: &str,
    params: &Params,
    shape: &Shape,
    clip: bool,
) -> Result<Vec<i64>, Error> {
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
    quantise(source, &params.layout, &params.values, fp, &what)
}

/// Quantises a model to the shape's signed Bm-bit fixed point.
///
/// # Errors
/// As [`quantise`].
pub fn quantise_model(
    source: &str,
    params: &Params,
    shape: &Shape,
    clip: bool,
) -> Result<Vec<i64>, Error> {
    let fp = FixedPoint::signed(shape.frac_bits, shape.model_bits).with_clip(clip);
    quantise(source, &params.layout, &params.values, fp, "model")
}

/// Commits to quantised `values` under fresh salts: the public record and the private
/// opening (which carries the values themselves for a model, not for an update).
///
/// # Errors
/// [`Error::BadFile`] naming `source` if the values cannot be committed.
pub fn commit_values(
    shape: &Shape,
    kind: Kind,
    source: &str,
    layout: &Layout,
    values: &[i64],
    rng: &mut impl rand::Rng,
) -> Result<(CommitmentRecord, Opening), Error> {
    let salts = commit::random_salts(rng, shape.num_chunks(values.len()));
    let (hashes, commitment) =
        commit::commit(shape, kind, values, &salts).map_err(|e| Error::BadFile {
            path: source.into(),
            reason: e.to_string(),
        })?;
    let record = CommitmentRecord {
        format: Format::new(),
        kind,
        commitment,
        d: values.len() as u64,
        chunk_hashes: hashes.iter().map(fr_to_hex).collect(),
    };
    let opening = Opening {
        format: Format::new(),
        kind,
        commitment,
        shape: *shape,
        layout: layout.clone(),
        salts: Opening::encode_salts(&salts),
        values: (kind == Kind::Model).then(|| values.to_vec()),
    };
    Ok((record, opening))
}

/// Opens M_t: checks the opening against the shape, the tensors and its commitment, and
/// returns the committed integers and salts.
fn open_model(
    shape: &Shape,
    model: &ModelInput,
    op_path: &str,
    op: &Opening,
    clip: bool,
) -> Result<(Vec<i64>, Vec<zkfl_circuits::Fr>), Error> {
    let layout = &model.params.layout;
    let bad = |reason: String| Error::BadFile {
        path: op_path.into(),
        reason,
    };
    if op.kind != Kind::Model || op.shape != *shape {
        return Err(bad("not a model opening for these keys' shape".into()));
    }
    let values = op
        .values
        .clone()
        .ok_or_else(|| bad("model opening has no values".into()))?;
    let salts = op.check().map_err(bad)?;
    if let Some(m) = op.layout.mismatch(layout) {
        return Err(bad(format!("does not describe {}: {m}", model.source)));
    }
    let (_, c) =
        commit::commit(shape, Kind::Model, &values, &salts).map_err(|e| bad(e.to_string()))?;
    if c != op.commitment {
        return Err(bad(format!(
            "values and salts do not open the commitment {}",
            op.commitment
        )));
    }
    let file_values = quantise_model(&model.source, &model.params, shape, clip)?;
    if let Some(j) = file_values.iter().zip(&values).position(|(a, b)| a != b) {
        let (t, i) = layout.locate(j);
        return Err(Error::BadFile {
            path: model.source.clone(),
            reason: format!("tensor '{t}' element {i} differs from the opening {op_path}"),
        });
    }
    Ok((values, salts))
}

/// Opens client `i`'s update against the model's layout and the client's opening: the
/// quantised update must have the model's tensors and reproduce the opening's commitment.
///
/// # Errors
/// [`Error::BadFile`] naming the client's update or opening and what to do.
pub fn open_update(
    shape: &Shape,
    i: usize,
    client: &ClientInput,
    model_layout: &Layout,
    model_source: &str,
    clip: bool,
) -> Result<ClientSlot, Error> {
    let values =
        quantise_update(&client.source, &client.params, shape, clip).map_err(|e| match e {
            Error::BadFile { path, reason } => Error::BadFile {
                path,
                reason: format!("client {i}: {reason}; nothing was written"),
            },
            other => other,
        })?;
    if let Some(m) = model_layout.mismatch(&client.params.layout) {
        return Err(Error::BadFile {
            path: client.source.clone(),
            reason: format!("client {i} update does not match the model {model_source}: {m}"),
        });
    }
    let op = &client.opening;
    let bad = |reason: String| Error::BadFile {
        path: client.opening_source.clone(),
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
    let (_, commitment) =
        commit::commit(shape, Kind::Update, &values, &salts).map_err(|e| bad(e.to_string()))?;
    if commitment != op.commitment {
        return Err(bad(format!(
            "does not open client {i}'s update {}: the update file changed since `zkfl commit`, or the opening belongs to another update",
            client.source
        )));
    }
    Ok(ClientSlot {
        weight: client.weight,
        update: values,
        salts,
    })
}

/// Checks the model, every client and its opening natively, before any proving, and
/// computes the round (new model, hashes, accumulators) under fresh salts.
///
/// # Errors
/// [`Error`] naming the client, tensor and element at fault.
pub fn prepare(
    shape: &Shape,
    model: ModelInput,
    clients: &[ClientInput],
    (linf, l2): (f64, f64),
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
    let layout = model.params.layout.clone();
    let d = layout.num_params();
    let k = shape.num_chunks(d);
    let (model_values, model_salts) = match &model.opening {
        Some((op_path, op)) => open_model(shape, &model, op_path, op, clip)?,
        None if model.genesis => (
            quantise_model(&model.source, &model.params, shape, clip)?,
            commit::random_salts(rng, k),
        ),
        None => {
            return Err(Error::Invalid(format!(
                "{} is not the genesis model: give the previous round's model opening",
                model.source
            )))
        }
    };

    // A weight-0 slot is an empty slot: it must carry the canonical empty commitment
    // (every verifier checks it), so a client that sent an update needs a weight > 0.
    if let Some((i, c)) = clients.iter().enumerate().find(|(_, c)| c.weight == 0) {
        return Err(Error::Invalid(format!(
            "client {i} ({}) has --weight 0: a client with an update needs a positive weight; leave the client out of the round instead",
            c.source
        )));
    }
    let mut slots = Vec::with_capacity(shape.slots);
    for (i, c) in clients.iter().enumerate() {
        slots.push(open_update(shape, i, c, &layout, &model.source, clip)?);
    }
    while slots.len() < shape.slots {
        slots.push(ClientSlot::empty(shape, d));
    }
    let input = RoundInput {
        shape: *shape,
        model: model_values,
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
        genesis: model.genesis,
        linf_float: linf,
        l2_float: l2,
    })
}

/// Checks one quantised update (client number `client`, as the caller counts them) against
/// the round's bounds before it is given a slot, so that a coordinator can leave an
/// over-bound client out and say why.
///
/// # Errors
/// [`Error::BadFile`] naming `source`, the tensor and element (L∞) or the norm (L2);
/// [`Error::Invalid`] for bounds the shape cannot prove.
pub fn check_bounds(
    shape: &Shape,
    client: usize,
    source: &str,
    layout: &Layout,
    update: &[i64],
    (linf, l2): (f64, f64),
) -> Result<(), Error> {
    let bounds = Bounds::from_floats(shape, linf, l2)
        .map_err(|e| Error::Invalid(format!("--linf {linf} / --l2 {l2}: {e}")))?;
    bounds
        .check_update(shape, client, update)
        .map_err(|e| explain_one(e, source, layout))
}

fn explain(e: RoundError, clients: &[ClientInput], layout: &Layout) -> Error {
    let source = |slot: usize| {
        clients
            .get(slot)
            .map(|c| c.source.clone())
            .unwrap_or_default()
    };
    match e {
        RoundError::Linf { slot, .. }
        | RoundError::FixedLinf { slot, .. }
        | RoundError::L2 { slot, .. } => explain_one(e, &source(slot), layout),
        RoundError::ModelOverflow { index, value, .. } => {
            let (t, i) = layout.locate(index);
            Error::Invalid(format!("new model tensor '{t}' element {i} = {value} overflows the model bits; use keys with more --model-bits"))
        }
        RoundError::Weights(m) => Error::Invalid(format!("weights: {m}")),
        other => Error::Invalid(other.to_string()),
    }
}

fn explain_one(e: RoundError, source: &str, layout: &Layout) -> Error {
    let bad = |reason: String| Error::BadFile {
        path: source.into(),
        reason,
    };
    match e {
        RoundError::Linf { slot, index, abs, bound } => {
            let (t, i) = layout.locate(index);
            bad(format!("client {slot}: tensor '{t}' element {i} has |Δ| = {abs} fixed-point units > L∞ bound {bound}; nothing was written"))
        }
        RoundError::FixedLinf { slot, index, value, min, max, bits } => {
            let (t, i) = layout.locate(index);
            bad(format!("client {slot}: tensor '{t}' element {i} has Δ = {value} fixed-point units, outside [{min}, {max}], the L∞ range the keys fix (linf bits {bits}); nothing was written"))
        }
        RoundError::L2 { slot, norm_sq, bound } => bad(format!("client {slot}: squared L2 norm {norm_sq} > bound {bound} (fixed-point units²); nothing was written")),
        other => Error::Invalid(other.to_string()),
    }
}

/// What a round hands on: the new model M_{t+1} and the openings a round directory holds.
#[derive(Clone, Debug)]
pub struct NewModel {
    /// The layout M_{t+1} is written with: the model's, except F32 tensors whose values an
    /// f32 cannot hold exactly, which become F64 (see [`tensors::exact_layout`]).
    pub layout: Layout,
    /// M_{t+1} as floats, exactly k/2^f, in canonical order.
    pub values: Vec<f64>,
    /// Tensors widened from F32 to F64.
    pub widened: Vec<String>,
    /// The opening of M_{t+1}'s commitment: the next round's model opening.
    pub opening: Opening,
    /// For a genesis round, the opening of the M_t it committed.
    pub previous_opening: Option<Opening>,
}

impl NewModel {
    /// The new model of a prepared round (known before any proof: proving does not
    /// change it).
    pub fn of(prepared: &PreparedRound) -> Self {
        let r = &prepared.round;
        let shape = r.shape();
        let fp = FixedPoint::signed(shape.frac_bits, shape.model_bits);
        let values: Vec<f64> = r.new_model.iter().map(|&v| fp.decode(v)).collect();
        let (layout, widened) = tensors::exact_layout(&prepared.layout, &values);
        let opening = |values: &[i64], salts, commitment, layout: &Layout| Opening {
            format: Format::new(),
            kind: Kind::Model,
            commitment,
            shape: *shape,
            layout: layout.clone(),
            salts: Opening::encode_salts(salts),
            values: Some(values.to_vec()),
        };
        Self {
            opening: opening(
                &r.new_model,
                &r.input.new_model_salts,
                r.new_model_commitment,
                &layout,
            ),
            previous_opening: prepared.genesis.then(|| {
                opening(
                    &r.input.model,
                    &r.input.model_salts,
                    r.model_commitment,
                    &prepared.layout,
                )
            }),
            layout,
            values,
            widened,
        }
    }
}
