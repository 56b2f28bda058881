//! [`Verifier`]: the auditor's checks as one object, built once from a verifying key.
//!
//! This is the API integrators call (the Python wheel wraps it); `zkfl-verify` is a thin
//! command line over the same functions, so both give one verdict.

use std::path::Path;

use ark_bn254::Bn254;
use ark_groth16::VerifyingKey;
use rand::rngs::OsRng;
use zkfl_circuits::{
    bundle::RoundBundle,
    keys::{self, KeyError, KeyHeader},
    Commitment,
};

use zkfl_task::{Roster, Task, TaskError};

use crate::{
    io::{bundle_index, load_bundle, LoadError},
    model::{verify_model, ModelError, ModelReport},
    report::{HistoryReport, RoundReport},
    round::{HistoryVerifier, TaskRoster},
    VerifyError,
};

/// Why a [`Verifier`] call failed: the input could not be used (`Key`, `InsecureKey`,
/// `Load`, or an unreadable model file), or it was read and is invalid (`Invalid`,
/// `Model`). [`VerifierError::is_invalid`] tells the two apart, as `zkfl-verify`'s exit
/// codes do (1 for invalid, 2 for unreadable).
#[derive(Debug, thiserror::Error)]
pub enum VerifierError {
    /// The verifying key cannot be read.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The key has no ceremony behind it and the caller did not opt in.
    #[error("{origin}: {why}. Refusing to verify under it; use keys from a ceremony (`zkfl ceremony export-keys`, checked with `zkfl-verify key`), or allow insecure keys for tests and demos")]
    InsecureKey {
        /// Where the key came from (file or "key bytes").
        origin: String,
        /// What makes it insecure.
        why: String,
    },
    /// A bundle or round directory cannot be read.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// task.json or roster.json cannot be read, or they do not belong together.
    #[error(transparent)]
    Task(#[from] TaskError),
    /// A round or history that was read and does not verify.
    #[error(transparent)]
    Invalid(#[from] VerifyError),
    /// A model check that failed (unreadable files included: see [`ModelError::is_unreadable`]).
    #[error(transparent)]
    Model(#[from] ModelError),
}

impl VerifierError {
    /// Whether the input was read and found invalid (rather than unreadable).
    pub fn is_invalid(&self) -> bool {
        match self {
            VerifierError::Invalid(_) => true,
            VerifierError::Model(e) => !e.is_unreadable(),
            _ => false,
        }
    }
}

/// Verifies rounds, histories and released models under one verifying key.
///
/// Keys from `zkfl setup` (a fixed seed, or no ceremony provenance) let whoever made them
/// forge proofs, so they are refused unless [`Verifier::allow_insecure_keys`] is called.
///
/// ```
/// # // A one-round history under a seeded (INSECURE) key, as a coordinator would publish it.
/// # use ark_bn254::Bn254;
/// # use ark_groth16::Groth16;
/// # use ark_snark::{CircuitSpecificSetupSNARK, SNARK};
/// # use rand::SeedableRng;
/// # use zkfl_circuits::{bundle::RoundBundle, keys, testing::RandomRound, ChunkCircuit, Round, Shape};
/// # let dir = tempfile::tempdir()?;
/// # let (vk_file, rounds) = (dir.path().join("vk.bin"), dir.path().join("rounds"));
/// # let shape = Shape::new(2, 8);
/// # let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
/// # let (pk, vk) = Groth16::<Bn254>::setup(ChunkCircuit::blank(shape), &mut rng)?;
/// # let header = keys::KeyHeader {
/// #     kind: "verifying".into(),
/// #     shape,
/// #     insecure_seed: Some(1),
/// #     vk_digest: keys::vk_digest_hex(&vk),
/// #     reduction: keys::Reduction::Libsnark,
/// #     provenance: None,
/// # };
/// # keys::write_vk(&vk_file, &header, &vk)?;
/// # let round = Round::build(RandomRound::new(shape, 12).input())?;
/// # let proofs = (0..round.num_chunks())
/// #     .map(|c| Groth16::<Bn254>::prove(&pk, ChunkCircuit { shape, witness: round.witness(c) }, &mut rng))
/// #     .collect::<Result<Vec<_>, _>>()?;
/// # let floats = round.input.bounds.to_floats(&shape).expect("square bound");
/// # let bundle = RoundBundle::from_round(&round, 1, true, &header.vk_digest, floats, &proofs);
/// # std::fs::create_dir_all(rounds.join("round-1"))?;
/// # std::fs::write(rounds.join("round-1/round.json"), serde_json::to_vec(&bundle)?)?;
/// use zkfl_verifier::Verifier;
///
/// // Keys from `zkfl setup` are refused unless the caller opts in (tests and demos only).
/// let verifier = Verifier::from_vk_file(&vk_file)?.allow_insecure_keys();
/// let report = verifier.round(rounds.join("round-1"))?;
/// println!("round {} gives model {}", report.round, report.new_model_commitment);
///
/// let history = verifier.history(&rounds)?;
/// assert_eq!(history.final_model, report.new_model_commitment);
///
/// // The same key without the opt-in: an error, not a verdict.
/// let strict = Verifier::from_vk_file(&vk_file)?;
/// assert!(!strict.round(rounds.join("round-1")).unwrap_err().is_invalid());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Verifier {
    header: KeyHeader,
    vk: VerifyingKey<Bn254>,
    origin: String,
    allow_insecure: bool,
    task: Option<(Task, Roster)>,
}

impl Verifier {
    /// A verifier for the key in `path` (a `vk.bin` from `zkfl ceremony export-keys`).
    ///
    /// # Errors
    /// [`VerifierError::Key`] naming the file and what is wrong.
    pub fn from_vk_file(path: impl AsRef<Path>) -> Result<Self, VerifierError> {
        let path = path.as_ref();
        let (header, vk) = keys::read_vk(path)?;
        Ok(Self::new(header, vk, path.display().to_string()))
    }

    /// A verifier for a key file's bytes (what `vk.bin` holds).
    ///
    /// # Errors
    /// [`VerifierError::Key`] saying what is wrong with the bytes.
    pub fn from_vk_bytes(bytes: &[u8]) -> Result<Self, VerifierError> {
        let origin = "verifying key bytes";
        let (header, vk) = keys::vk_from_bytes(bytes, origin)?;
        Ok(Self::new(header, vk, origin.into()))
    }

    fn new(header: KeyHeader, vk: VerifyingKey<Bn254>, origin: String) -> Self {
        Self {
            header,
            vk,
            origin,
            allow_insecure: false,
            task: None,
        }
    }

    /// Also checks every round's client signatures under a task (docs/PROTOCOL.md §10):
    /// each weighted slot signed by a distinct enrolled client for this round, previous
    /// model, update and weight, and the quorum met. Unsigned (`zkfl-round/1`) rounds are
    /// then invalid. Without a task, signatures are not checked (the report says so).
    ///
    /// # Errors
    /// [`VerifierError::Task`] if either file cannot be read or the roster is not the one
    /// task.json names.
    pub fn with_task(
        mut self,
        task: impl AsRef<Path>,
        roster: impl AsRef<Path>,
    ) -> Result<Self, VerifierError> {
        let task = Task::read(task.as_ref())?;
        let roster = task.read_roster(roster.as_ref())?;
        self.task = Some((task, roster));
        Ok(self)
    }

    /// Accepts keys without a ceremony (tests and demos only: such proofs convince only
    /// someone who trusts whoever made the key).
    pub fn allow_insecure_keys(mut self) -> Self {
        self.allow_insecure = true;
        self
    }

    /// The key's header: shape, digest, claimed provenance.
    pub fn header(&self) -> &KeyHeader {
        &self.header
    }

    /// The verifying key.
    pub fn vk(&self) -> &VerifyingKey<Bn254> {
        &self.vk
    }

    /// Why the key is insecure, if it is (whether or not it is allowed).
    pub fn insecurity(&self) -> Option<String> {
        self.header.insecurity()
    }

    fn trusted(&self) -> Result<(), VerifierError> {
        match self.header.insecurity() {
            Some(why) if !self.allow_insecure => Err(VerifierError::InsecureKey {
                origin: self.origin.clone(),
                why,
            }),
            _ => Ok(()),
        }
    }

    /// Verifies the round in `dir` (a round directory, or its `round.json`).
    ///
    /// # Errors
    /// [`VerifierError::Invalid`] naming round, chunk and input; others if unreadable.
    pub fn round(&self, dir: impl AsRef<Path>) -> Result<RoundReport, VerifierError> {
        self.round_bundle(&load_bundle(dir.as_ref())?)
    }

    /// Verifies a round bundle already in memory.
    ///
    /// # Errors
    /// As [`Verifier::round`].
    pub fn round_bundle(&self, bundle: &RoundBundle) -> Result<RoundReport, VerifierError> {
        let mut history = self.start()?;
        history.push(bundle)?;
        let mut report = history.finish()?;
        Ok(report.rounds.remove(0))
    }

    fn start(&self) -> Result<HistoryVerifier<'_, OsRng>, VerifierError> {
        self.trusted()?;
        let history = HistoryVerifier::new(&self.vk, &self.header, OsRng)?;
        Ok(match &self.task {
            Some((task, roster)) => history.with_task(TaskRoster { task, roster }),
            None => history,
        })
    }

    /// Verifies every round under `dir` (one subdirectory per round) and the model chain
    /// between them, holding one round in memory at a time.
    ///
    /// # Errors
    /// As [`Verifier::round`], naming the first failing round.
    pub fn history(&self, dir: impl AsRef<Path>) -> Result<HistoryReport, VerifierError> {
        let mut history = self.start()?;
        for (_, round) in bundle_index(dir.as_ref())? {
            history.push(&load_bundle(&round)?)?;
        }
        Ok(history.finish()?)
    }

    /// Checks that `model` (safetensors) is the model committed to by `commitment`, with its
    /// `opening`, read with this key's shape.
    ///
    /// # Errors
    /// [`VerifierError::Model`] naming the file, tensor and element at fault.
    pub fn model(
        &self,
        commitment: &Commitment,
        model: impl AsRef<Path>,
        opening: impl AsRef<Path>,
    ) -> Result<ModelReport, VerifierError> {
        self.trusted()?;
        Ok(verify_model(
            &self.header.shape,
            commitment,
            model.as_ref(),
            opening.as_ref(),
        )?)
    }
}
