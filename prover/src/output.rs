//! Writing a proven round: all files appear at once (temp dir + rename) or not at all.

use std::path::{Path, PathBuf};

use ark_bn254::Bn254;
use ark_groth16::Proof;
use zkfl_circuits::{
    bundle::{Opening, RoundBundle},
    cid::ModelFile,
    tensors,
};

use crate::{inputs::PreparedRound, memory::NewModel, Error};

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
    RoundBundle::from_round(
        &prepared.round,
        round_index,
        prepared.genesis,
        vk_digest,
        (prepared.linf_float, prepared.l2_float),
        proofs,
    )
}

/// Refuses an output path that already exists, before any work is done: `zkfl prove`
/// calls it first so that hours of proving are never lost to a taken `--out`.
///
/// # Errors
/// [`Error::Invalid`] naming the path.
pub fn check_new_output(out: &Path) -> Result<(), Error> {
    if out.symlink_metadata().is_ok() {
        return Err(Error::Invalid(format!(
            "{} already exists; choose a new --out (nothing was proven)",
            out.display()
        )));
    }
    Ok(())
}

/// Writes `bytes` to a new file at `path` and flushes it to disk; `private` files (openings,
/// which hold salts) are created with mode 0600 on Unix.
///
/// # Errors
/// [`Error::Io`] naming the file.
pub fn write_synced(path: &Path, bytes: &[u8], private: bool) -> Result<(), Error> {
    use std::io::Write;
    let io = |e| Error::io(path, e);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut f = options.open(path).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)
}

/// Flushes a directory's entries (a rename or a new file in it) to disk. Best effort where
/// the platform cannot open directories.
fn sync_dir(dir: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io(dir, e))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// A fresh, unguessable sibling of `target` for staging: `.NAME.tmp-PID-RANDOM`.
fn staging_path(target: &Path) -> (PathBuf, PathBuf) {
    use rand::RngCore;
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = parent.join(format!(
        ".{name}.tmp-{}-{:016x}",
        std::process::id(),
        rand::rngs::OsRng.next_u64()
    ));
    (parent, tmp)
}

/// Writes one file atomically: a synced temp file renamed into place, then the directory
/// synced. An existing `path` is refused unless `replace`.
///
/// # Errors
/// [`Error`] naming the file; no temp file is left behind.
pub fn write_file_atomic(
    path: &Path,
    bytes: &[u8],
    private: bool,
    replace: bool,
) -> Result<(), Error> {
    let check = || {
        if replace {
            Ok(())
        } else {
            check_new_output(path)
        }
    };
    check()?;
    let (parent, tmp) = staging_path(path);
    let result = write_synced(&tmp, bytes, private).and_then(|()| {
        // rename(2) replaces silently: check again right before it (a concurrent writer can
        // still race us, but not a stale file).
        check()?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return result;
    }
    sync_dir(&parent)
}

/// Writes the round directory atomically: everything goes to a fresh sibling temp dir
/// (created by this call, so the error path removes only what it made), every file is
/// synced, and the directory is renamed into place at the end. Refuses to overwrite an
/// existing path. Returns the tensors written as F64 although the model had them as F32,
/// because an f32 cannot hold their proven values exactly (see [`tensors::exact_layout`]).
///
/// # Errors
/// [`Error`] on I/O failure; nothing is left behind.
pub fn write_round(
    out: &Path,
    prepared: &PreparedRound,
    bundle: &RoundBundle,
) -> Result<Vec<String>, Error> {
    write_dir_atomic(out, |tmp| {
        let model = NewModel::of(prepared);
        let model_path = tmp.join(MODEL_FILE);
        tensors::write(&model_path, &model.layout, &model.values)?;
        std::fs::File::open(&model_path)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io(&model_path, e))?;
        // round.json records the model file's digests (PROTOCOL.md §6.2), so it comes after.
        let model_bytes = std::fs::read(&model_path).map_err(|e| Error::io(&model_path, e))?;
        let bundle = RoundBundle {
            model_file: Some(ModelFile::of(&model_bytes)),
            ..bundle.clone()
        };
        let json = serde_json::to_vec_pretty(&bundle).expect("bundle serialises");
        write_synced(&tmp.join(BUNDLE_FILE), &json, false)?;
        let write_json = |file: &str, op: &Opening| {
            let json = serde_json::to_vec_pretty(op).expect("opening serialises");
            write_synced(&tmp.join(file), &json, true)
        };
        write_json(MODEL_OPENING_FILE, &model.opening)?;
        if let Some(previous) = &model.previous_opening {
            write_json(PREV_OPENING_FILE, previous)?;
        }
        Ok(model.widened)
    })
}

/// Creates the directory `out` atomically: `fill` writes its files into a fresh sibling
/// temp dir (created by this call, so the error path removes only what it made), which is
/// synced and renamed into place. Refuses an existing `out`.
///
/// # Errors
/// `fill`'s error or [`Error`] on I/O failure; nothing is left behind.
pub fn write_dir_atomic<T>(
    out: &Path,
    fill: impl FnOnce(&Path) -> Result<T, Error>,
) -> Result<T, Error> {
    check_new_output(out)?;
    let (parent, tmp) = staging_path(out);
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    // create_dir fails if the path exists: the directory removed on error is ours.
    std::fs::create_dir(&tmp).map_err(|e| Error::io(&tmp, e))?;
    let result = fill(&tmp).and_then(|value| {
        sync_dir(&tmp)?;
        check_new_output(out)?;
        std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))?;
        sync_dir(&parent)?;
        Ok(value)
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}
