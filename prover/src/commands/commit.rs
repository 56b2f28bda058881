use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use zkfl_prover::{inputs, output::write_file_atomic, setup::read_params};

/// Commit to a client update.
#[derive(Args)]
pub struct CommitCmd {
    /// The update (safetensors).
    #[arg(long)]
    update: PathBuf,
    /// The coordinator's keys/params.json (fixes chunking and encodings).
    #[arg(long, default_value = "keys/params.json")]
    params: PathBuf,
    /// Public commitment record to write; the private opening goes beside it
    /// (`X.commit.json` → `X.opening.json`).
    #[arg(long)]
    out: PathBuf,
    /// Saturate out-of-range values instead of refusing the update.
    #[arg(long)]
    clip: bool,
    /// Replace an existing record and opening (the old opening is lost: a commitment
    /// already published can then no longer be opened).
    #[arg(long)]
    force: bool,
}

/// `a/b.commit.json` → `a/b.opening.json`; anything else gets `.opening.json` appended.
pub fn opening_path(out: &Path) -> PathBuf {
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("update");
    let stem = name
        .strip_suffix(".commit.json")
        .or_else(|| name.strip_suffix(".json"))
        .unwrap_or(name);
    out.with_file_name(format!("{stem}.opening.json"))
}

impl CommitCmd {
    pub fn run(self) -> anyhow::Result<()> {
        let params = read_params(&self.params)?;
        let update = inputs::load_update(&self.update, &params.shape, self.clip)?;
        let (record, opening) =
            inputs::commit_update(&params.shape, &update, &mut inputs::salt_rng())?;
        let opening_file = opening_path(&self.out);
        if !self.force {
            for p in [&self.out, &opening_file] {
                if p.symlink_metadata().is_ok() {
                    anyhow::bail!(
                        "{} already exists; choose another --out, or pass --force to replace it (its opening is then lost)",
                        p.display()
                    );
                }
            }
        }
        // The private opening first (mode 0600), then the public record: a crash between the
        // two leaves an opening without a record, never a published record without its opening.
        write_file_atomic(
            &opening_file,
            &serde_json::to_vec_pretty(&opening)?,
            true,
            self.force,
        )
        .with_context(|| format!("writing {}", opening_file.display()))?;
        write_file_atomic(
            &self.out,
            &serde_json::to_vec_pretty(&record)?,
            false,
            self.force,
        )
        .with_context(|| format!("writing {}", self.out.display()))?;
        println!(
            "commitment {} ({} params, {} chunks)\n  public record: {}\n  private opening (hand to the coordinator with the update): {}",
            record.commitment,
            record.d,
            record.chunk_hashes.len(),
            self.out.display(),
            opening_file.display()
        );
        Ok(())
    }
}
