//! Sharded proving (docs/PROTOCOL.md §11): a round computed once (`zkfl prove --prepare`),
//! its chunks proven by independent tasks (`zkfl prove --plan … --shard i/N`, e.g. a Slurm
//! job array), and the parts checked and assembled into the round directory that
//! `zkfl prove` writes (`zkfl assemble`).
//!
//! A plan directory holds:
//! - [`PLAN_FILE`] (public): the statement every task proves — the round bundle without
//!   proofs and every chunk's public inputs — and its digest;
//! - [`INPUT_FILE`] (private, mode 0600, as secret as the updates): what the witnesses are
//!   built from — the models, updates, every salt, the layout and the requested bounds;
//! - [`CHUNKS_DIR`]: one [`ChunkProof`] file per proven chunk, written atomically.
//!
//! Every task rebuilds the round natively from the input and checks that it gives the plan's
//! statement, so all tasks prove the same statement; every chunk file names the statement
//! digest, so a file from another plan is recognised as foreign.

mod selection;

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use ark_bn254::{Bn254, Fr};
use ark_groth16::Proof;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zkfl_circuits::{
    bundle::{ChunkRecord, ClientSignature, RoundBundle},
    encoding::{Format, Tag},
    field::{fr_from_hex, fr_to_decimal, fr_to_hex, to_hex},
    files::{self, JsonFile},
    tensors::Layout,
    Bounds, ClientSlot, Round, RoundInput, Shape,
};
use zkfl_verifier::{verify_batch, verify_single, PreparedKey, ProofItem};

pub use selection::{default_threads, Selection};

use crate::{inputs::PreparedRound, output, Error};

/// The public statement of a plan.
pub const PLAN_FILE: &str = "plan.json";
/// The private witness data of a plan.
pub const INPUT_FILE: &str = "input.json";
/// The directory of chunk proofs inside a plan.
pub const CHUNKS_DIR: &str = "chunks";
/// Format tag of [`PLAN_FILE`].
pub const PLAN_FORMAT: &str = "zkfl-plan/1";
/// Format tag of [`INPUT_FILE`].
pub const INPUT_FORMAT: &str = "zkfl-plan-input/1";
/// Format tag of a chunk proof file.
pub const CHUNK_FORMAT: &str = "zkfl-chunk-proof/1";
/// Domain of the statement digest.
const STATEMENT_DOMAIN: &[u8] = b"zkfl/v1/plan-statement";

/// The [`PLAN_FORMAT`] tag.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlanTag;
impl Tag for PlanTag {
    const TAG: &'static str = PLAN_FORMAT;
}
/// The [`INPUT_FORMAT`] tag.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InputTag;
impl Tag for InputTag {
    const TAG: &'static str = INPUT_FORMAT;
}
/// The [`CHUNK_FORMAT`] tag.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChunkTag;
impl Tag for ChunkTag {
    const TAG: &'static str = CHUNK_FORMAT;
}

/// What every task of a plan proves: the round bundle `zkfl prove` would write, without its
/// chunk records, and each chunk's public inputs (canonical decimals, PROTOCOL.md §2 order).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// The bundle with `chunks` empty.
    pub bundle: RoundBundle,
    /// Public inputs of chunk c at index c.
    pub public_inputs: Vec<Vec<String>>,
}

impl Statement {
    /// The statement of a prepared round under the key `vk_digest`, with its slots' client
    /// signatures for a signed round.
    pub fn new(
        prepared: &PreparedRound,
        round_index: u64,
        vk_digest: &str,
        clients: Option<Vec<Option<ClientSignature>>>,
    ) -> Self {
        let bundle = bundle_of(prepared, round_index, vk_digest, clients, &[]);
        let r = &prepared.round;
        let public_inputs = (0..r.num_chunks())
            .map(|c| r.public(c).to_vec().iter().map(fr_to_decimal).collect())
            .collect();
        Self {
            bundle,
            public_inputs,
        }
    }

    /// SHA-256("zkfl/v1/plan-statement" ‖ the statement's JSON), `0x` + hex.
    pub fn digest(&self) -> String {
        let json = serde_json::to_vec(self).expect("statement serialises");
        to_hex(
            &Sha256::new()
                .chain_update(STATEMENT_DOMAIN)
                .chain_update(json)
                .finalize(),
        )
    }

    /// Number of chunks.
    pub fn num_chunks(&self) -> usize {
        self.public_inputs.len()
    }
}

/// The one way a plan's bundle is built, with or without proofs.
fn bundle_of(
    prepared: &PreparedRound,
    round_index: u64,
    vk_digest: &str,
    clients: Option<Vec<Option<ClientSignature>>>,
    proofs: &[Proof<Bn254>],
) -> RoundBundle {
    let bundle = output::bundle(prepared, round_index, vk_digest, proofs);
    match clients {
        Some(c) => bundle.signed(c),
        None => bundle,
    }
}

/// [`PLAN_FILE`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// [`PLAN_FORMAT`].
    pub format: Format<PlanTag>,
    /// [`Statement::digest`] of `statement`.
    pub statement_digest: String,
    /// What is proven.
    pub statement: Statement,
}

impl JsonFile for Plan {
    const MAX_BYTES: u64 = 2 << 30;
}

/// One client slot in [`INPUT_FILE`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotInput {
    /// FedAvg weight (0 = empty slot).
    pub weight: u64,
    /// The update's fixed-point values.
    pub update: Vec<i64>,
    /// The update's commitment salts, hex.
    pub salts: Vec<String>,
}

/// [`INPUT_FILE`]: everything the witnesses are built from. Private.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    /// [`INPUT_FORMAT`].
    pub format: Format<InputTag>,
    /// The digest of the statement these inputs give.
    pub statement_digest: String,
    /// The model's tensors.
    pub layout: Layout,
    /// Whether this is the genesis round.
    pub genesis: bool,
    /// The L∞ bound as requested (float).
    pub linf_float: f64,
    /// The L2 bound as requested (float).
    pub l2_float: f64,
    /// M_t's fixed-point values.
    pub model: Vec<i64>,
    /// M_t's salts, hex.
    pub model_salts: Vec<String>,
    /// Every slot, empty ones included.
    pub slots: Vec<SlotInput>,
    /// M_{t+1}'s salts, hex.
    pub new_model_salts: Vec<String>,
    /// The K + 1 accumulator salts, hex.
    pub acc_salts: Vec<String>,
}

impl JsonFile for PlanInput {
    const MAX_BYTES: u64 = 32 << 30;
}

impl PlanInput {
    fn new(prepared: &PreparedRound, statement_digest: String) -> Self {
        let input = &prepared.round.input;
        let hex = |salts: &[Fr]| salts.iter().map(fr_to_hex).collect();
        Self {
            format: Format::new(),
            statement_digest,
            layout: prepared.layout.clone(),
            genesis: prepared.genesis,
            linf_float: prepared.linf_float,
            l2_float: prepared.l2_float,
            model: input.model.clone(),
            model_salts: hex(&input.model_salts),
            slots: input
                .slots
                .iter()
                .map(|s| SlotInput {
                    weight: s.weight,
                    update: s.update.clone(),
                    salts: hex(&s.salts),
                })
                .collect(),
            new_model_salts: hex(&input.new_model_salts),
            acc_salts: hex(&input.acc_salts),
        }
    }

    /// Rebuilds the round natively (every check `zkfl prove` makes).
    fn prepared(&self, shape: &Shape) -> Result<PreparedRound, String> {
        let salts = |what: &str, v: &[String]| {
            v.iter()
                .map(|s| fr_from_hex(s))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("{what}: {e}"))
        };
        let slots = self
            .slots
            .iter()
            .enumerate()
            .map(|(i, s)| {
                Ok(ClientSlot {
                    weight: s.weight,
                    update: s.update.clone(),
                    salts: salts(&format!("slot {i} salts"), &s.salts)?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let d = self.layout.check().map_err(|e| format!("layout: {e}"))?;
        if d != self.model.len() {
            return Err(format!(
                "the layout has {d} parameters but the model {}",
                self.model.len()
            ));
        }
        let input = RoundInput {
            shape: *shape,
            model: self.model.clone(),
            model_salts: salts("model salts", &self.model_salts)?,
            slots,
            bounds: Bounds::from_floats(shape, self.linf_float, self.l2_float)
                .map_err(|e| e.to_string())?,
            new_model_salts: salts("new model salts", &self.new_model_salts)?,
            acc_salts: salts("accumulator salts", &self.acc_salts)?,
        };
        Ok(PreparedRound {
            round: Round::build(input).map_err(|e| e.to_string())?,
            layout: self.layout.clone(),
            genesis: self.genesis,
            linf_float: self.linf_float,
            l2_float: self.l2_float,
        })
    }
}

/// One proven chunk of a plan (`chunks/chunk-NNNNNN.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChunkProof {
    /// [`CHUNK_FORMAT`].
    pub format: Format<ChunkTag>,
    /// The digest of the plan's statement this chunk was proven for.
    pub statement_digest: String,
    /// Chunk index.
    pub chunk: usize,
    /// The public inputs and the proof, as in a round bundle.
    pub record: ChunkRecord,
}

impl JsonFile for ChunkProof {
    const MAX_BYTES: u64 = 1 << 20;
}

/// A plan read from disk and checked against itself, with its private input.
pub struct LoadedPlan {
    /// The plan directory.
    pub dir: PathBuf,
    /// [`PLAN_FILE`].
    pub plan: Plan,
    /// The round rebuilt from [`INPUT_FILE`]; it gives exactly the plan's statement.
    pub prepared: PreparedRound,
}

/// Writes a plan directory atomically: the statement, the private input and an empty
/// `chunks/`. Returns the statement digest.
///
/// # Errors
/// [`Error`] on I/O failure; nothing is left behind.
pub fn write_plan(
    out: &Path,
    prepared: &PreparedRound,
    round_index: u64,
    vk_digest: &str,
    clients: Option<Vec<Option<ClientSignature>>>,
) -> Result<String, Error> {
    let statement = Statement::new(prepared, round_index, vk_digest, clients);
    let digest = statement.digest();
    let plan = Plan {
        format: Format::new(),
        statement_digest: digest.clone(),
        statement,
    };
    let input = PlanInput::new(prepared, digest.clone());
    output::write_dir_atomic(out, |tmp| {
        let json = serde_json::to_vec_pretty(&plan).expect("plan serialises");
        output::write_synced(&tmp.join(PLAN_FILE), &json, false)?;
        let json = serde_json::to_vec(&input).expect("input serialises");
        output::write_synced(&tmp.join(INPUT_FILE), &json, true)?;
        let chunks = tmp.join(CHUNKS_DIR);
        std::fs::create_dir(&chunks).map_err(|e| Error::io(&chunks, e))?;
        Ok(digest)
    })
}

/// Reads a plan directory: the plan must hash to its digest, and the input must rebuild a
/// round whose statement is the plan's.
///
/// # Errors
/// [`Error::BadFile`] naming the file that does not belong to the plan.
pub fn read_plan(dir: &Path) -> Result<LoadedPlan, Error> {
    let plan_path = dir.join(PLAN_FILE);
    let plan: Plan = files::read_json(&plan_path, "plan (zkfl prove --prepare)")?;
    let bad = |path: &Path, reason: String| Error::BadFile {
        path: path.display().to_string(),
        reason,
    };
    let digest = plan.statement.digest();
    if digest != plan.statement_digest {
        return Err(bad(
            &plan_path,
            format!(
                "the statement hashes to {digest}, not the recorded {}: the plan was edited; prepare it again",
                plan.statement_digest
            ),
        ));
    }
    let input_path = dir.join(INPUT_FILE);
    let input: PlanInput = files::read_json(&input_path, "plan input (zkfl prove --prepare)")?;
    if input.statement_digest != plan.statement_digest {
        return Err(bad(
            &input_path,
            format!(
                "belongs to statement {}, not this plan's {}",
                input.statement_digest, plan.statement_digest
            ),
        ));
    }
    let shape = plan.statement.bundle.shape;
    let prepared = input
        .prepared(&shape)
        .map_err(|e| bad(&input_path, format!("does not rebuild the round: {e}")))?;
    let b = &plan.statement.bundle;
    let again = Statement::new(&prepared, b.round, &b.vk_digest, b.clients.clone());
    if again != plan.statement {
        return Err(bad(
            &input_path,
            format!(
                "gives statement {}, not the plan's {}: the input was edited; prepare the plan again",
                again.digest(),
                plan.statement_digest
            ),
        ));
    }
    Ok(LoadedPlan {
        dir: dir.to_path_buf(),
        plan,
        prepared,
    })
}

impl LoadedPlan {
    /// The statement digest.
    pub fn digest(&self) -> &str {
        &self.plan.statement_digest
    }

    /// Number of chunks.
    pub fn num_chunks(&self) -> usize {
        self.plan.statement.num_chunks()
    }

    /// The file chunk `c`'s proof is written to.
    pub fn chunk_path(&self, c: usize) -> PathBuf {
        self.dir.join(CHUNKS_DIR).join(format!("chunk-{c:06}.json"))
    }

    /// Chunk `c`'s proof file.
    pub fn chunk_file(&self, c: usize, proof: &Proof<Bn254>) -> ChunkProof {
        ChunkProof {
            format: Format::new(),
            statement_digest: self.digest().into(),
            chunk: c,
            record: ChunkRecord::new(&self.prepared.round.public(c).to_vec(), proof),
        }
    }

    /// Writes chunk `c`'s proof atomically (replacing an invalid file of the same name).
    ///
    /// # Errors
    /// [`Error::Io`] naming the file.
    pub fn write_chunk(&self, c: usize, proof: &Proof<Bn254>) -> Result<(), Error> {
        let json = serde_json::to_vec_pretty(&self.chunk_file(c, proof)).expect("serialises");
        output::write_file_atomic(&self.chunk_path(c), &json, false, true)
    }

    /// Checks one chunk file against the plan, except its proof's pairing check: returns the
    /// chunk index and the decoded proof.
    fn decode(&self, path: &Path) -> Result<(usize, Proof<Bn254>), Problem> {
        let file: ChunkProof =
            files::read_json(path, "chunk proof").map_err(|e| Problem::Invalid(e.to_string()))?;
        if file.statement_digest != self.digest() {
            return Err(Problem::Foreign(file.statement_digest));
        }
        let c = file.chunk;
        let Some(expected) = self.plan.statement.public_inputs.get(c) else {
            return Err(Problem::Invalid(format!(
                "claims chunk {c}, but the plan has {} chunks",
                self.num_chunks()
            )));
        };
        if &file.record.public_inputs != expected {
            return Err(Problem::Invalid(format!(
                "chunk {c}'s public inputs are not the plan's"
            )));
        }
        let proof = file
            .record
            .proof(c)
            .map_err(|e| Problem::Invalid(e.to_string()))?;
        Ok((c, proof))
    }

    /// Whether chunk `c` already has a valid proof file at its own path (a resubmitted
    /// task skips it).
    pub fn has_valid_chunk(&self, key: &PreparedKey, c: usize) -> bool {
        let path = self.chunk_path(c);
        if !path.exists() {
            return false;
        }
        match self.decode(&path) {
            Ok((got, proof)) if got == c => matches!(
                verify_single(key, &proof, &self.prepared.round.public(c).to_vec()),
                Ok(true)
            ),
            _ => false,
        }
    }

    /// Reads every chunk file, checks each against the plan and all proofs in one batch,
    /// and returns the proofs in chunk order.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming every missing, duplicate, foreign or invalid chunk.
    pub fn collect(&self, key: &PreparedKey) -> Result<Vec<Proof<Bn254>>, Error> {
        let dir = self.dir.join(CHUNKS_DIR);
        let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| Error::io(&dir, e))?
            .map(|e| e.map(|e| e.path()).map_err(|e| Error::io(&dir, e)))
            .collect::<Result<_, _>>()?;
        // Dot files are the temp files of writes in progress (or of killed tasks).
        names.retain(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| !n.starts_with('.'))
        });
        names.sort();
        let mut found: BTreeMap<usize, Vec<(PathBuf, Proof<Bn254>)>> = BTreeMap::new();
        let mut problems = Vec::new();
        for path in names {
            match self.decode(&path) {
                Ok((c, proof)) => found.entry(c).or_default().push((path, proof)),
                Err(p) => problems.push(p.describe(&path, self.digest())),
            }
        }
        let k = self.num_chunks();
        let missing: Vec<usize> = (0..k).filter(|c| !found.contains_key(c)).collect();
        if !missing.is_empty() {
            problems.insert(
                0,
                format!(
                    "missing chunk{} {}: prove {} (e.g. resubmit the tasks that hold them)",
                    if missing.len() == 1 { "" } else { "s" },
                    ranges(&missing),
                    if missing.len() == 1 { "it" } else { "them" }
                ),
            );
        }
        for (c, files) in &found {
            if files.len() > 1 {
                let list: Vec<String> =
                    files.iter().map(|(p, _)| p.display().to_string()).collect();
                problems.push(format!(
                    "duplicate chunk {c}: {}; keep one",
                    list.join(", ")
                ));
            }
        }
        // The pairing checks: one batch; on failure, name each chunk that fails alone.
        let items: Vec<(usize, &Path, ProofItem)> = found
            .iter()
            .flat_map(|(&c, files)| {
                files.iter().map(move |(p, proof)| {
                    (
                        c,
                        p.as_path(),
                        ProofItem {
                            proof: proof.clone(),
                            inputs: self.prepared.round.public(c).to_vec(),
                        },
                    )
                })
            })
            .collect();
        let batch: Vec<ProofItem> = items.iter().map(|(_, _, it)| it.clone()).collect();
        let ok = verify_batch(key, &batch, &mut crate::inputs::salt_rng())
            .map_err(|e| Error::Invalid(e.to_string()))?;
        if !ok {
            for (c, path, it) in &items {
                if !matches!(verify_single(key, &it.proof, &it.inputs), Ok(true)) {
                    problems.push(format!(
                        "invalid chunk {c} ({}): the proof does not verify; delete it and prove the chunk again",
                        path.display()
                    ));
                }
            }
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(format!(
                "{} cannot be assembled ({} chunks, statement {}):\n  {}",
                self.dir.display(),
                k,
                self.digest(),
                problems.join("\n  ")
            )));
        }
        Ok(found
            .into_values()
            .map(|mut files| files.remove(0).1)
            .collect())
    }

    /// The round bundle of these proofs (chunk order): exactly what `zkfl prove` writes.
    pub fn bundle(&self, proofs: &[Proof<Bn254>]) -> RoundBundle {
        let b = &self.plan.statement.bundle;
        bundle_of(
            &self.prepared,
            b.round,
            &b.vk_digest,
            b.clients.clone(),
            proofs,
        )
    }
}

/// What is wrong with one chunk file.
enum Problem {
    Foreign(String),
    Invalid(String),
}

impl Problem {
    fn describe(&self, path: &Path, digest: &str) -> String {
        match self {
            Problem::Foreign(other) => format!(
                "foreign chunk {}: proven for statement {other}, not this plan's {digest} (another `zkfl prove --prepare`); remove it",
                path.display()
            ),
            Problem::Invalid(why) => format!(
                "invalid chunk file {}: {why}; delete it and prove the chunk again",
                path.display()
            ),
        }
    }
}

/// `1, 3..=5, 9` for [1, 3, 4, 5, 9] (sorted input).
fn ranges(v: &[usize]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j + 1 < v.len() && v[j + 1] == v[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            v[i].to_string()
        } else {
            format!("{}..={}", v[i], v[j])
        });
        i = j + 1;
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_missing_ranges() {
        assert_eq!(ranges(&[1, 3, 4, 5, 9]), "1, 3..=5, 9");
    }
}
