//! Verification of round bundles and histories (PROTOCOL.md §7).
//!
//! Every check that needs no pairing runs first, round by round, so that a malformed
//! bundle is reported precisely and cheaply; then all chunk proofs go into one batch.

use ark_bn254::{Bn254, Fr};
use ark_groth16::VerifyingKey;
use rand::{rngs::OsRng, CryptoRng, RngCore};
use zkfl_circuits::{
    bundle::{RecordError, RoundBundle, ROUND_FORMAT, SIGNED_ROUND_FORMAT},
    commit::{self, empty_update_commitment, Commitment, Kind},
    field::{fr_from_u128, fr_to_decimal},
    keys::{vk_digest_hex, KeyHeader},
    Bounds, ChunkPublic, RoundError,
};

use zkfl_task::{check_bundle, Fault, Roster, Task};

use crate::{
    batch::{verify_batch, verify_single, PreparedKey, ProofItem},
    error::VerifyError,
    report::{HistoryReport, RoundReport, Signatures},
};

/// The task and roster a round's client signatures are checked under (`--task`,
/// `--roster`); the roster must be the task's ([`Task::read_roster`] checks it).
#[derive(Clone, Copy, Debug)]
pub struct TaskRoster<'a> {
    /// task.json.
    pub task: &'a Task,
    /// roster.json.
    pub roster: &'a Roster,
}

/// A round whose structure checked out, with its proofs ready for the batch.
struct Checked {
    report: RoundReport,
    items: Vec<ProofItem>,
}

/// The key prepared once, after checking that it is the key its header describes.
fn prepare(vk: &VerifyingKey<Bn254>, header: &KeyHeader) -> Result<PreparedKey, VerifyError> {
    let bad = |s: String| Err(VerifyError::KeyHeader(s));
    if let Err(e) = header.shape.validate() {
        return bad(e.to_string());
    }
    let digest = vk_digest_hex(vk);
    if digest != header.vk_digest {
        return bad(format!(
            "header digest {} but the key hashes to {digest}",
            header.vk_digest
        ));
    }
    if vk.gamma_abc_g1.len() != header.shape.num_public_inputs() + 1 {
        return bad(format!(
            "key has {} IC points, its shape needs {}",
            vk.gamma_abc_g1.len(),
            header.shape.num_public_inputs() + 1
        ));
    }
    // γ = δ lets anyone forge proofs; keys::read_vk refuses it, and so do we for callers
    // that built the key another way.
    if vk.gamma_g2 == vk.delta_g2 {
        return bad("gamma = delta makes proofs forgeable".into());
    }
    Ok(PreparedKey::new(vk))
}

fn length(round: u64, what: impl Into<String>, expected: usize, got: usize) -> VerifyError {
    VerifyError::Length {
        round,
        what: what.into(),
        expected,
        got,
    }
}

/// Every check of one round except the pairings.
fn check_structure(header: &KeyHeader, b: &RoundBundle) -> Result<Checked, VerifyError> {
    let round = b.round;
    let signed = match b.format.as_str() {
        ROUND_FORMAT => false,
        SIGNED_ROUND_FORMAT => true,
        _ => {
            return Err(VerifyError::Format {
                round,
                found: b.format.clone(),
                expected: "zkfl-round/1 or zkfl-round/2",
            })
        }
    };
    let shape = header.shape;
    if b.shape != shape {
        return Err(VerifyError::ShapeMismatch {
            round,
            bundle: Box::new(b.shape),
            key: Box::new(shape),
        });
    }
    if b.vk_digest != header.vk_digest {
        return Err(VerifyError::KeyDigest {
            round,
            bundle: b.vk_digest.clone(),
            key: header.vk_digest.clone(),
        });
    }
    let n = shape.slots;
    if b.d == 0 {
        return Err(VerifyError::NoParameters { round });
    }
    // A d beyond usize cannot have its chunks in memory; report it as a count mismatch.
    let k = usize::try_from(b.d)
        .map(|d| shape.num_chunks(d))
        .unwrap_or(usize::MAX);
    if b.chunks.len() != k {
        return Err(length(
            round,
            format!("chunk proofs for d = {} (ceil(d/m))", b.d),
            k,
            b.chunks.len(),
        ));
    }
    if b.weights.len() != n {
        return Err(length(round, "weights (one per slot)", n, b.weights.len()));
    }
    if b.update_commitments.len() != n {
        return Err(length(
            round,
            "update commitments (one per slot)",
            n,
            b.update_commitments.len(),
        ));
    }
    // The client list's shape is structure: checked with or without a task, so that a
    // signed bundle never verifies with signatures that could not even be read.
    match (&b.clients, signed) {
        (None, false) => {}
        (Some(c), true) if c.len() == n => {}
        (Some(c), true) => {
            return Err(length(round, "client entries (one per slot)", n, c.len()));
        }
        (clients, _) => {
            return Err(VerifyError::Clients {
                round,
                fault: Fault::BundleClients,
                reason: format!(
                    "format '{}' {} client signatures",
                    b.format,
                    if clients.is_some() {
                        "carries"
                    } else {
                        "lacks"
                    }
                ),
            });
        }
    }
    let total: u128 = b.weights.iter().map(|&w| w as u128).sum();
    if total == 0 {
        return Err(VerifyError::ZeroWeight { round });
    }
    // The floats an auditor reads must be the bounds that are proven, and the bounds must
    // lie within the widths PROTOCOL.md §2 fixes (B₂² < 2^Nb is not a circuit constraint).
    b.bounds.check(&shape).map_err(|e| VerifyError::Bounds {
        round,
        reason: match e {
            RoundError::Bounds(reason) => reason,
            other => other.to_string(),
        },
    })?;
    let (linf_proven, l2_proven) = Bounds {
        linf: b.bounds.linf,
        l2_sq: b.bounds.l2_sq,
    }
    .to_floats(&shape)
    .ok_or_else(|| VerifyError::Bounds {
        round,
        reason: format!(
            "B₂² = {} is not a perfect square, so no L2 bound rounds down to it",
            b.bounds.l2_sq
        ),
    })?;

    // The values the bundle says every chunk must carry at indices 1..3+n.
    let mut expected_head = vec![Fr::from(b.bounds.linf), fr_from_u128(b.bounds.l2_sq)];
    expected_head.extend(b.weights.iter().map(|&w| Fr::from(w)));

    let l = shape.num_public_inputs();
    let mut publics = Vec::with_capacity(k);
    let mut items = Vec::with_capacity(k);
    for (c, record) in b.chunks.iter().enumerate() {
        if record.public_inputs.len() != l {
            return Err(length(
                round,
                format!("public inputs of chunk {c} (2n + 7)"),
                l,
                record.public_inputs.len(),
            ));
        }
        let inputs = record.inputs(c).map_err(|e| match e {
            RecordError::PublicInput {
                chunk,
                index,
                source,
            } => VerifyError::NonCanonical {
                round,
                chunk,
                index,
                field: ChunkPublic::input_name(&shape, index),
                source,
            },
            RecordError::Proof { chunk, reason } => VerifyError::ProofEncoding {
                round,
                chunk,
                reason,
            },
        })?;
        let mismatch = |index: usize, expected: Fr| VerifyError::InputMismatch {
            round,
            chunk: c,
            index,
            field: ChunkPublic::input_name(&shape, index),
            expected: fr_to_decimal(&expected),
            got: fr_to_decimal(&inputs[index]),
        };
        // Chunk order is part of the statement: chunk 0 is the one whose accumulator the
        // circuit forces to start at zero, and swapped chunks would reorder the model.
        if inputs[0] != Fr::from(c as u64) {
            return Err(mismatch(0, Fr::from(c as u64)));
        }
        for (i, want) in expected_head.iter().enumerate() {
            if inputs[1 + i] != *want {
                return Err(mismatch(1 + i, *want));
            }
        }
        let proof = record.proof(c).map_err(|e| VerifyError::ProofEncoding {
            round,
            chunk: c,
            reason: match e {
                RecordError::Proof { reason, .. } => reason,
                other => other.to_string(),
            },
        })?;
        // Length was checked above, so the layout cannot fail.
        let public = ChunkPublic::from_slice(&shape, &inputs).map_err(|e| {
            length(
                round,
                format!("public inputs of chunk {c}"),
                e.expected,
                e.got,
            )
        })?;
        publics.push(public);
        items.push(ProofItem { proof, inputs });
    }

    // The L2 bound spans chunks only through the accumulator chain; the circuit pins
    // chunk 0's start, the verifier links the rest.
    for c in 1..k {
        if publics[c - 1].acc_out != publics[c].acc_in {
            return Err(VerifyError::AccumulatorChain {
                round,
                chunk: c - 1,
                next: c,
            });
        }
    }

    let commitment_of = |kind: Kind, hashes: Vec<Fr>| commit::commitment(kind, b.d, &hashes);
    let check = |what: String, bundle: Commitment, recomputed: Commitment| {
        if bundle == recomputed {
            Ok(())
        } else {
            Err(VerifyError::Commitment {
                round,
                chunk: None,
                what,
                bundle,
                recomputed,
            })
        }
    };
    check(
        "previous-model commitment".into(),
        b.model_commitment,
        commitment_of(Kind::Model, publics.iter().map(|p| p.model).collect()),
    )?;
    check(
        "new-model commitment".into(),
        b.new_model_commitment,
        commitment_of(Kind::Model, publics.iter().map(|p| p.new_model).collect()),
    )?;
    for slot in 0..n {
        check(
            format!("update commitment of slot {slot}"),
            b.update_commitments[slot],
            commitment_of(
                Kind::Update,
                publics.iter().map(|p| p.updates[slot]).collect(),
            ),
        )?;
    }
    // An empty slot must provably contribute nothing: weight 0 alone would still let a
    // coordinator attach an arbitrary committed "update" to the round record.
    if b.weights.contains(&0) {
        let empty = empty_update_commitment(&shape, b.d);
        for (slot, (&w, &found)) in b.weights.iter().zip(&b.update_commitments).enumerate() {
            if w == 0 && found != empty {
                return Err(VerifyError::EmptySlot {
                    round,
                    slot,
                    found,
                    expected: empty,
                });
            }
        }
    }

    Ok(Checked {
        report: RoundReport {
            round,
            genesis: b.genesis,
            shape,
            d: b.d,
            chunks: k,
            active_slots: b.weights.iter().filter(|&&w| w > 0).count(),
            // Bounded by n · 2^64, but W itself is proven < 2^Wb ≤ 2^32.
            total_weight: u64::try_from(total).unwrap_or(u64::MAX),
            linf: b.bounds.linf,
            l2_sq: b.bounds.l2_sq.to_string(),
            linf_proven,
            l2_proven,
            linf_requested: b.bounds.linf_float,
            l2_requested: b.bounds.l2_float,
            model_commitment: b.model_commitment,
            new_model_commitment: b.new_model_commitment,
            update_commitments: b.update_commitments.clone(),
            signatures: if signed {
                Signatures::NotChecked
            } else {
                Signatures::Unsigned
            },
            clients: None,
        },
        items,
    })
}

/// For a commitment mismatch, finds the chunk whose proof fails (its hashes were altered),
/// so that the report names a chunk and not only a commitment.
fn locate(key: &PreparedKey, b: &RoundBundle, err: VerifyError) -> VerifyError {
    let VerifyError::Commitment {
        round,
        chunk: None,
        what,
        bundle,
        recomputed,
    } = err
    else {
        return err;
    };
    let chunk = b.chunks.iter().enumerate().find_map(|(c, r)| {
        let inputs = r.inputs(c).ok()?;
        let proof = r.proof(c).ok()?;
        match verify_single(key, &proof, &inputs) {
            Ok(true) => None,
            _ => Some(c),
        }
    });
    VerifyError::Commitment {
        round,
        chunk,
        what,
        bundle,
        recomputed,
    }
}

/// Proofs per batched pairing check. Each proof's G2 point is prepared for the Miller loop
/// (about 20 KB), so a batch holds about 1.3 MB of them however long the history is; at 64
/// proofs the k + 3 pairings already cost 95% of k separate checks' saving (the batch
/// benchmark's 6.25× at k = 64).
pub const BATCH_GROUP: usize = 64;

/// Batch-verifies `items` (at most [`BATCH_GROUP`] of them, or more if the caller accepts
/// the memory); on failure re-checks each proof to name the first bad one. `owner(i)` maps
/// an item to its (round, chunk).
fn verify_all<R: RngCore + CryptoRng>(
    key: &PreparedKey,
    items: &[ProofItem],
    owner: impl Fn(usize) -> (u64, usize),
    rng: &mut R,
) -> Result<(), VerifyError> {
    if verify_batch(key, items, rng)? {
        return Ok(());
    }
    for (i, item) in items.iter().enumerate() {
        if !verify_single(key, &item.proof, &item.inputs)? {
            let (round, chunk) = owner(i);
            return Err(VerifyError::Proof { round, chunk });
        }
    }
    Err(VerifyError::BatchInconsistent)
}

/// Verifies a history one round at a time, so that memory stays bounded however many rounds
/// there are: each round's structure is checked as it arrives, its chunk proofs join a
/// pending batch, and every [`BATCH_GROUP`] proofs are checked in one multi-pairing.
/// [`verify_history`] is `new`, `push` for every round, then `finish`.
pub struct HistoryVerifier<'h, R: RngCore + CryptoRng> {
    key: PreparedKey,
    header: &'h KeyHeader,
    rng: R,
    pending: Vec<ProofItem>,
    owners: Vec<(u64, usize)>,
    first: Option<(u64, Commitment)>,
    last: Option<(u64, Commitment)>,
    proofs: usize,
    reports: Vec<RoundReport>,
    task: Option<TaskRoster<'h>>,
}

impl<'h, R: RngCore + CryptoRng> HistoryVerifier<'h, R> {
    /// Starts a history under `vk`, whose header must describe it.
    ///
    /// # Errors
    /// [`VerifyError::KeyHeader`] if the key and its header disagree.
    pub fn new(
        vk: &VerifyingKey<Bn254>,
        header: &'h KeyHeader,
        rng: R,
    ) -> Result<Self, VerifyError> {
        Ok(Self {
            key: prepare(vk, header)?,
            header,
            rng,
            pending: Vec::new(),
            owners: Vec::new(),
            first: None,
            last: None,
            proofs: 0,
            reports: Vec::new(),
            task: None,
        })
    }

    /// Also checks every round's client signatures under `task` (docs/PROTOCOL.md §10):
    /// an unsigned round is then invalid.
    pub fn with_task(mut self, task: TaskRoster<'h>) -> Self {
        self.task = Some(task);
        self
    }

    /// Checks the next round: its index follows the previous one, it starts from the
    /// previous round's new model, only the first round may be genesis, everything
    /// [`verify_round`] checks, and its client signatures if [`Self::with_task`] was given;
    /// its proofs are batched with the following rounds'.
    ///
    /// # Errors
    /// The first [`VerifyError`] found, naming the round (and chunk).
    pub fn push(&mut self, b: &RoundBundle) -> Result<(), VerifyError> {
        if let Some((prev_round, prev_model)) = self.last {
            // Index arithmetic on untrusted u64s: a round near u64::MAX cannot overflow into
            // a "consecutive" small index.
            let expected = prev_round.checked_add(1);
            if expected != Some(b.round) {
                return Err(VerifyError::RoundIndex {
                    expected: expected.unwrap_or(u64::MAX),
                    found: b.round,
                });
            }
            if b.genesis {
                return Err(VerifyError::Genesis { round: b.round });
            }
            if b.model_commitment != prev_model {
                return Err(VerifyError::ModelChain {
                    round: b.round,
                    prev: prev_round,
                    expected: prev_model,
                    found: b.model_commitment,
                });
            }
        }
        let mut checked = check_structure(self.header, b).map_err(|e| locate(&self.key, b, e))?;
        if let Some(t) = self.task {
            let clients = check_bundle(t.task, t.roster, b).map_err(|e| {
                let reason = e.to_string();
                VerifyError::Clients {
                    round: b.round,
                    fault: e.fault(),
                    // TaskError's round-level messages name the round already.
                    reason: reason
                        .strip_prefix(&format!("round {}: ", b.round))
                        .map(str::to_owned)
                        .unwrap_or(reason),
                }
            })?;
            checked.report.signatures = Signatures::Checked;
            checked.report.clients = Some(clients.clients);
        }
        self.first.get_or_insert((b.round, b.model_commitment));
        self.last = Some((b.round, b.new_model_commitment));
        for (c, item) in checked.items.into_iter().enumerate() {
            self.pending.push(item);
            self.owners.push((b.round, c));
            if self.pending.len() >= BATCH_GROUP {
                self.flush()?;
            }
        }
        self.reports.push(checked.report);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), VerifyError> {
        let owners = std::mem::take(&mut self.owners);
        let items = std::mem::take(&mut self.pending);
        verify_all(&self.key, &items, |i| owners[i], &mut self.rng)?;
        self.proofs += items.len();
        Ok(())
    }

    /// Checks the proofs still pending and reports the history.
    ///
    /// # Errors
    /// [`VerifyError::EmptyHistory`] if no round was pushed, or the failing proof.
    pub fn finish(mut self) -> Result<HistoryReport, VerifyError> {
        self.flush()?;
        let (Some((first_round, initial_model)), Some((last_round, final_model))) =
            (self.first, self.last)
        else {
            return Err(VerifyError::EmptyHistory);
        };
        Ok(HistoryReport {
            first_round,
            last_round,
            initial_model,
            final_model,
            proofs: self.proofs,
            rounds: self.reports,
        })
    }
}

/// Verifies one round bundle against a verifying key: bundle format, shape and key digest,
/// canonical public inputs, chunk indices, bounds and weights, the chunk count, every
/// top-level commitment recomputed from the chunk hashes, the accumulator chain, canonical
/// empty slots, and all chunk proofs in batched pairing checks of [`BATCH_GROUP`] (CSPRNG
/// randomness, see the crate docs).
///
/// # Errors
/// The first [`VerifyError`] found, naming the round and, where there is one, the chunk and
/// public input.
pub fn verify_round(
    vk: &VerifyingKey<Bn254>,
    vk_header: &KeyHeader,
    bundle: &RoundBundle,
) -> Result<RoundReport, VerifyError> {
    verify_round_with_rng(vk, vk_header, bundle, &mut OsRng)
}

/// [`verify_round`] with caller-supplied batch randomness (tests, benchmarks). The RNG must
/// be unpredictable to whoever produced the bundle.
///
/// # Errors
/// As [`verify_round`].
pub fn verify_round_with_rng<R: RngCore + CryptoRng>(
    vk: &VerifyingKey<Bn254>,
    vk_header: &KeyHeader,
    bundle: &RoundBundle,
    rng: &mut R,
) -> Result<RoundReport, VerifyError> {
    // A one-round history: the same checks, and the chunk proofs in bounded batches.
    let mut history = HistoryVerifier::new(vk, vk_header, rng)?;
    history.push(bundle)?;
    let mut report = history.finish()?;
    Ok(report.rounds.remove(0))
}

/// Verifies a history: every round as in [`verify_round`], round indices consecutive from
/// `bundles[0].round`, each round starting from the previous round's new model, only the
/// first round may be genesis, and the chunk proofs of all rounds in batches of
/// [`BATCH_GROUP`] (falling back to single checks to name the failing round and chunk).
/// For histories too long to hold in memory, push rounds into a [`HistoryVerifier`].
///
/// # Errors
/// The first [`VerifyError`] found, naming the round (and chunk).
pub fn verify_history(
    vk: &VerifyingKey<Bn254>,
    vk_header: &KeyHeader,
    bundles: &[RoundBundle],
) -> Result<HistoryReport, VerifyError> {
    verify_history_with_rng(vk, vk_header, bundles, &mut OsRng)
}

/// [`verify_history`] with caller-supplied batch randomness.
///
/// # Errors
/// As [`verify_history`].
pub fn verify_history_with_rng<R: RngCore + CryptoRng>(
    vk: &VerifyingKey<Bn254>,
    vk_header: &KeyHeader,
    bundles: &[RoundBundle],
    rng: &mut R,
) -> Result<HistoryReport, VerifyError> {
    let mut history = HistoryVerifier::new(vk, vk_header, rng)?;
    for b in bundles {
        history.push(b)?;
    }
    history.finish()
}

/// The verdict on a history under an optional task, the one function `zkfl-verify round`
/// and `history` use and the registry's parity tests compare against: everything
/// [`verify_history`] checks and, with `task`, every round's client signatures
/// (`zkfl_task::check_bundle`; an unsigned round is invalid). Without `task`, signed
/// rounds verify with [`Signatures::NotChecked`] in their report.
///
/// # Errors
/// The first [`VerifyError`] found, naming the round; [`VerifyError::Clients`] carries the
/// [`Fault`] for a signature that does not hold.
pub fn verify_history_for_task(
    vk: &VerifyingKey<Bn254>,
    vk_header: &KeyHeader,
    bundles: &[RoundBundle],
    task: Option<TaskRoster<'_>>,
) -> Result<HistoryReport, VerifyError> {
    let mut history = HistoryVerifier::new(vk, vk_header, OsRng)?;
    if let Some(t) = task {
        history = history.with_task(t);
    }
    for b in bundles {
        history.push(b)?;
    }
    history.finish()
}
