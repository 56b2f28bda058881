use std::path::{Path, PathBuf};

use alloy_signer_local::PrivateKeySigner;
use anyhow::{bail, Context};
use clap::Args;
use zkfl_circuits::{
    bundle::{CommitmentRecord, Opening, COMMITMENT_FORMAT},
    Commitment, Kind,
};
use zkfl_prover::{inputs, output::write_file_atomic, setup::read_params, signed};
use zkfl_task::{SignedUpdate, Task};
use zkfl_verifier::load_bundle;

/// Environment variable holding a client's private key (hex), for `zkfl commit --task`.
pub const CLIENT_KEY_ENV: &str = "ZKFL_CLIENT_KEY";

/// Commit to a client update (or, with --model, to the genesis model).
///
/// With --task, the client also signs its update for one round (EIP-712, docs/PROTOCOL.md
/// §10) and `X.signed.json` is written next to the record `X.commit.json`: the coordinator
/// needs it for `zkfl prove --signed`. Without --task the commitment is unsigned: for local
/// runs, and a signed registry refuses it.
#[derive(Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["update", "model"])))]
pub struct CommitCmd {
    /// The update (safetensors).
    #[arg(long)]
    update: Option<PathBuf>,
    /// The genesis model (safetensors), committed up front so that clients can sign round
    /// 1; its opening is round 1's `zkfl prove --genesis-opening`.
    #[arg(long, conflicts_with_all = ["task", "clip"])]
    model: Option<PathBuf>,
    /// The coordinator's keys/params.json (fixes chunking and encodings).
    #[arg(long, default_value = "keys/params.json")]
    params: PathBuf,
    /// Public commitment record to write; the private opening goes beside it
    /// (`X.commit.json` → `X.opening.json`, and `X.signed.json` with --task). A directory
    /// (existing, or ending in `/`) gets `update.commit.json` or `model.commit.json`.
    #[arg(long)]
    out: PathBuf,
    /// Saturate out-of-range values instead of refusing the update.
    #[arg(long)]
    clip: bool,
    /// Replace an existing record and opening (the old opening is lost: a commitment
    /// already published can then no longer be opened).
    #[arg(long)]
    force: bool,
    /// Sign the update for this task (task.json): needs --round, --prev-model, --weight and
    /// the client key (--client-key-file or $ZKFL_CLIENT_KEY).
    #[arg(long, requires_all = ["round", "prev_model", "weight"])]
    task: Option<PathBuf>,
    /// The task's roster (roster.json): if given, refuse to sign unless this key is enrolled.
    #[arg(long, requires = "task")]
    roster: Option<PathBuf>,
    /// The round this update is for.
    #[arg(long, requires = "task")]
    round: Option<u64>,
    /// The model this update was trained on: the previous round's directory (its new
    /// model), a commitment record (e.g. genesis/model.commit.json from `--model`), or the
    /// commitment itself (0x + 64 hex digits).
    #[arg(long, requires = "task")]
    prev_model: Option<String>,
    /// This client's FedAvg weight (e.g. its sample count), signed with the update.
    #[arg(long, requires = "task")]
    weight: Option<u64>,
    /// File holding the client's private key (hex). Default: $ZKFL_CLIENT_KEY. The key is
    /// never accepted as a flag value.
    #[arg(long, requires = "task")]
    client_key_file: Option<PathBuf>,
}

/// `a/b.commit.json` → `a/b.<suffix>`; anything else gets `.<suffix>` appended to its stem.
fn sibling(out: &Path, suffix: &str) -> PathBuf {
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("update");
    let stem = name
        .strip_suffix(".commit.json")
        .or_else(|| name.strip_suffix(".json"))
        .unwrap_or(name);
    out.with_file_name(format!("{stem}.{suffix}"))
}

/// `a/b.commit.json` → `a/b.opening.json`; anything else gets `.opening.json` appended.
pub fn opening_path(out: &Path) -> PathBuf {
    sibling(out, "opening.json")
}

/// `a/b.commit.json` → `a/b.signed.json`: the client's signed record.
pub fn signed_path(out: &Path) -> PathBuf {
    sibling(out, "signed.json")
}

/// The commitment `--prev-model` names.
fn prev_model(arg: &str, round: u64) -> anyhow::Result<Commitment> {
    if arg.starts_with("0x") && !Path::new(arg).exists() {
        return arg
            .parse()
            .with_context(|| format!("--prev-model {arg} is not 0x and 64 hex digits"));
    }
    let path = Path::new(arg);
    let record_file = if path.is_dir() {
        path.join("model.commit.json")
    } else {
        path.to_path_buf()
    };
    if path.is_dir() && !record_file.exists() {
        let bundle = load_bundle(path)?;
        if bundle.round.checked_add(1) != Some(round) {
            bail!(
                "--prev-model {arg} is round {}, whose new model is round {}'s starting model, not round {round}'s",
                bundle.round,
                bundle.round.saturating_add(1)
            );
        }
        return Ok(bundle.new_model_commitment);
    }
    let record: CommitmentRecord = inputs::read_json(&record_file, "commitment record")?;
    if record.format != COMMITMENT_FORMAT || record.kind != Kind::Model {
        bail!(
            "{} is not a model commitment record (from `zkfl commit --model`)",
            record_file.display()
        );
    }
    Ok(record.commitment)
}

fn client_key(file: Option<&Path>) -> anyhow::Result<(PrivateKeySigner, String)> {
    let (text, origin) = match file {
        Some(path) => (
            std::fs::read_to_string(path)
                .with_context(|| format!("reading the client key file {}", path.display()))?,
            format!("key file {}", path.display()),
        ),
        None => match std::env::var(CLIENT_KEY_ENV) {
            Ok(k) if !k.trim().is_empty() => (k, format!("${CLIENT_KEY_ENV}")),
            _ => bail!(
                "no client key: set {CLIENT_KEY_ENV} to the client's hex private key, or pass --client-key-file PATH to a file holding it"
            ),
        },
    };
    let key = signed::parse_client_key(&text, &origin)?;
    Ok((key, origin))
}

impl CommitCmd {
    pub fn run(self) -> anyhow::Result<()> {
        let params = read_params(&self.params)?;
        let kind = if self.model.is_some() {
            "model"
        } else {
            "update"
        };
        let out = if self.out.is_dir() || self.out.as_os_str().to_string_lossy().ends_with('/') {
            self.out.join(format!("{kind}.commit.json"))
        } else {
            self.out.clone()
        };
        let signer = match &self.task {
            Some(task) => Some(self.signer(task)?),
            None => None,
        };
        let (record, opening) = match (&self.model, &self.update) {
            (Some(model), _) => {
                inputs::commit_model(&params.shape, model, false, &mut inputs::salt_rng())?
            }
            (None, Some(update)) => {
                let update = inputs::load_update(update, &params.shape, self.clip)?;
                inputs::commit_update(&params.shape, &update, &mut inputs::salt_rng())?
            }
            (None, None) => bail!("give --update or --model"),
        };
        let opening_file = opening_path(&out);
        let signed_file = signed_path(&out);
        let signed = signer
            .map(|(task, key, round, prev, weight)| {
                SignedUpdate::sign(&task, &key, round, prev, record.commitment, weight)
            })
            .transpose()?;
        let mut files = vec![&out, &opening_file];
        if signed.is_some() {
            files.push(&signed_file);
        }
        if !self.force {
            for p in &files {
                if p.symlink_metadata().is_ok() {
                    bail!(
                        "{} already exists; choose another --out, or pass --force to replace it (its opening is then lost)",
                        p.display()
                    );
                }
            }
        }
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        self.write(&out, &opening_file, &record, &opening)?;
        if let Some(s) = &signed {
            write_file_atomic(
                &signed_file,
                &serde_json::to_vec_pretty(s)?,
                false,
                self.force,
            )
            .with_context(|| format!("writing {}", signed_file.display()))?;
        }
        println!(
            "{kind} commitment {} ({} params, {} chunks)\n  public record: {}\n  private opening ({}): {}",
            record.commitment,
            record.d,
            record.chunk_hashes.len(),
            out.display(),
            if self.model.is_some() {
                "the first round's `zkfl prove --genesis-opening`"
            } else {
                "hand to the coordinator with the update"
            },
            opening_file.display()
        );
        match &signed {
            Some(s) => println!(
                "  signed by {} for round {} after model {}, weight {}: {} (hand to the coordinator)",
                s.slot.signer,
                s.round,
                s.prev_model,
                s.weight,
                signed_file.display()
            ),
            None if self.update.is_some() => println!(
                "  unsigned: for local runs; a signed registry refuses it (sign with --task)"
            ),
            None => {}
        }
        Ok(())
    }

    /// The task, key, round, previous model and weight to sign with.
    fn signer(
        &self,
        task_path: &Path,
    ) -> anyhow::Result<(Task, PrivateKeySigner, u64, Commitment, u64)> {
        let task = Task::read(task_path)?;
        let (Some(round), Some(prev), Some(weight)) = (self.round, &self.prev_model, self.weight)
        else {
            bail!("--task needs --round, --prev-model and --weight");
        };
        let prev = prev_model(prev, round)?;
        let (key, origin) = client_key(self.client_key_file.as_deref())?;
        let roster = match &self.roster {
            Some(file) => Some((task.read_roster(file)?, file.display().to_string())),
            None => None,
        };
        // Checked before committing, so that a refusal leaves no files behind.
        signed::check_signer(
            roster.as_ref().map(|(r, file)| (r, file.as_str())),
            &key,
            &origin,
            weight,
        )?;
        Ok((task, key, round, prev, weight))
    }

    fn write(
        &self,
        out: &Path,
        opening_file: &Path,
        record: &CommitmentRecord,
        opening: &Opening,
    ) -> anyhow::Result<()> {
        // The private opening first (mode 0600), then the public record: a crash between the
        // two leaves an opening without a record, never a published record without its opening.
        write_file_atomic(
            opening_file,
            &serde_json::to_vec_pretty(opening)?,
            true,
            self.force,
        )
        .with_context(|| format!("writing {}", opening_file.display()))?;
        write_file_atomic(out, &serde_json::to_vec_pretty(record)?, false, self.force)
            .with_context(|| format!("writing {}", out.display()))?;
        Ok(())
    }
}
