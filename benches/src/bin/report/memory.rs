//! Runs the `child` subcommands in fresh processes and collects what they measured.

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use anyhow::Context;
use serde::de::DeserializeOwned;
use zkfl_circuits::keys::{self, KeyHeader};

use crate::{
    child::{ChunkOutcome, RoundOutcome},
    prover::{Keyed, KEY_SEED},
};

/// Writes the main shape's proving key as `zkfl setup` would.
pub fn write_key(dir: &Path, keyed: &Keyed) -> anyhow::Result<PathBuf> {
    let path = dir.join("pk.bin");
    let header = KeyHeader {
        kind: "proving".into(),
        shape: keyed.shape,
        insecure_seed: Some(KEY_SEED),
        vk_digest: keyed.vk_digest.clone(),
        reduction: keys::Reduction::Libsnark,
        provenance: None,
    };
    keys::write_pk(&path, &header, &keyed.pk)?;
    Ok(path)
}

fn child<T: DeserializeOwned>(args: &[&str]) -> anyhow::Result<T> {
    let exe = std::env::current_exe().context("locating the report binary")?;
    let out = Command::new(exe)
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running `report {}`", args.join(" ")))?;
    anyhow::ensure!(
        out.status.success(),
        "`report {}` failed ({})",
        args.join(" "),
        out.status
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line).with_context(|| format!("child printed {line:?}"))
}

/// Peak RSS of proving one chunk with the key at `pk`.
pub fn chunk(pk: &Path) -> anyhow::Result<ChunkOutcome> {
    eprintln!("[memory] one chunk in a child process");
    child(&["child-chunk", "--pk", &pk.display().to_string()])
}

/// A whole round of `params` parameters with the key at `pk`.
pub fn round(pk: &Path, params: usize) -> anyhow::Result<RoundOutcome> {
    eprintln!("[round] {params} parameters in a child process");
    child(&[
        "child-round",
        "--pk",
        &pk.display().to_string(),
        "--params",
        &params.to_string(),
    ])
}
