//! Writing a proven round: all files appear at once (temp dir + rename) or not at all.

use std::path::{Path, PathBuf};

use ark_bn254::Bn254;
use ark_groth16::Proof;
use zkfl_circuits::{
    bundle::{BoundsRecord, ChunkRecord, Opening, RoundBundle, ROUND_FORMAT},
    commit::Kind,
    encoding::Format,
    fixed::FixedPoint,
    tensors,
};

use crate::{inputs::PreparedRound, Error};

/// File names inside a round directory.
pub const BUNDLE_FILE: &str = "round.json";
/// New model, floats.
pub const MODEL_FILE: &str = "model.safetensors";
/// New model's opening (exact integers + salts): the next round's `--model-opening`.
pub const MODEL_OPENING_FILE: &str = "model.opening.json";
/// For genesis rounds: the opening of the freshly committed previous model.
pub const PREV_OPENING_FILE: &str = "previous-model.opening.json";

/// Assembles the bundle.
pub fn bundle(
    prepared: &PreparedRound,
    round_index: u64,
    vk_digest: &str,
    proofs: &[Proof<Bn254>],
) -> RoundBundle {
    let r = &prepared.round;
    RoundBundle {
        format: ROUND_FORMAT.into(),
        shape: *r.shape(),
        vk_digest: vk_digest.into(),
        round: round_index,
        d: r.input.model.len() as u64,
        genesis: prepared.genesis,
        bounds: BoundsRecord {
            linf: r.input.bounds.linf,
            l2_sq: r.input.bounds.l2_sq,
            linf_float: prepared.linf_float,
            l2_float: prepared.l2_float,
        },
        weights: r.input.slots.iter().map(|s| s.weight).collect(),
        model_commitment: r.model_commitment,
        new_model_commitment: r.new_model_commitment,
        update_commitments: r.update_commitments.clone(),
        chunks: proofs
            .iter()
            .enumerate()
            .map(|(c, p)| ChunkRecord::new(&r.public(c).to_vec(), p))
            .collect(),
    }
}

/// Writes the round directory atomically: everything goes to a sibling temp dir that is
/// renamed into place at the end. Refuses to overwrite an existing directory.
///
/// # Errors
/// [`Error`] on I/O failure; nothing is left behind.
pub fn write_round(
    out: &Path,
    prepared: &PreparedRound,
    bundle: &RoundBundle,
) -> Result<PathBuf, Error> {
    if out.exists() {
        return Err(Error::Invalid(format!(
            "{} already exists; choose a new --out",
            out.display()
        )));
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("round");
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        std::fs::create_dir(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let r = &prepared.round;
        let shape = r.shape();
        let json = serde_json::to_string_pretty(bundle).expect("bundle serialises");
        std::fs::write(tmp.join(BUNDLE_FILE), json)
            .map_err(|e| Error::io(&tmp.join(BUNDLE_FILE), e))?;
        let fp = FixedPoint::signed(shape.frac_bits, shape.model_bits);
        let floats: Vec<f64> = r.new_model.iter().map(|&v| fp.decode(v)).collect();
        tensors::write(&tmp.join(MODEL_FILE), &prepared.layout, &floats)?;
        let opening = |values: &[i64], salts, commitment| Opening {
            format: Format::new(),
            kind: Kind::Model,
            commitment,
            shape: *shape,
            layout: prepared.layout.clone(),
            salts: Opening::encode_salts(salts),
            values: Some(values.to_vec()),
        };
        let write_json = |file: &str, op: &Opening| {
            let p = tmp.join(file);
            std::fs::write(
                &p,
                serde_json::to_string_pretty(op).expect("opening serialises"),
            )
            .map_err(|e| Error::io(&p, e))
        };
        write_json(
            MODEL_OPENING_FILE,
            &opening(
                &r.new_model,
                &r.input.new_model_salts,
                r.new_model_commitment,
            ),
        )?;
        if prepared.genesis {
            write_json(
                PREV_OPENING_FILE,
                &opening(&r.input.model, &r.input.model_salts, r.model_commitment),
            )?;
        }
        std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result.map(|_| out.to_path_buf())
}
