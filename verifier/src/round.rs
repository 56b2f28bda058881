//! Verification of round bundles and histories (PROTOCOL.md §7).
//!
//! Every check that needs no pairing runs first, round by round, so that a malformed
//! bundle is reported precisely and cheaply; then all chunk proofs go into one batch.

use ark_bn254::{Bn254, Fr};
use ark_groth16::VerifyingKey;
use rand::{rngs::OsRng, CryptoRng, RngCore};
use zkfl_circuits::{
    bundle::{RecordError, RoundBundle, ROUND_FORMAT},
    commit::{self, empty_update_commitment, Commitment, Kind},
    field::{fr_from_u128, fr_to_decimal},
    keys::{vk_digest_hex, KeyHeader},
    ChunkPublic,
};

use crate::{
    batch::{verify_batch, verify_single, PreparedKey, ProofItem},
    error::VerifyError,
    report::{HistoryReport, RoundReport},
};

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
    if b.format != ROUND_FORMAT {
        return Err(VerifyError::Format {
            round,
            found: b.format.clone(),
            expected: ROUND_FORMAT,
        });
    }
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
    let total: u128 = b.weights.iter().map(|&w| w as u128).sum();
    if total == 0 {
        return Err(VerifyError::ZeroWeight { round });
    }

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
        let d = usize::try_from(b.d).map_err(|_| VerifyError::NoParameters { round })?;
        let (_, empty) = empty_update_commitment(&shape, d);
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
            model_commitment: b.model_commitment,
            new_model_commitment: b.new_model_commitment,
            update_commitments: b.update_commitments.clone(),
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

/// Batch-verifies `items`; on failure re-checks each proof to name the first bad one.
/// `owner(i)` maps an item to its (round, chunk).
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

/// Verifies one round bundle against a verifying key: bundle format, shape and key digest,
/// canonical public inputs, chunk indices, bounds and weights, the chunk count, every
/// top-level commitment recomputed from the chunk hashes, the accumulator chain, canonical
/// empty slots, and all chunk proofs in one batched pairing check (CSPRNG randomness, see
/// the crate docs).
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
    let key = prepare(vk, vk_header)?;
    let checked = check_structure(vk_header, bundle).map_err(|e| locate(&key, bundle, e))?;
    verify_all(&key, &checked.items, |i| (bundle.round, i), rng)?;
    Ok(checked.report)
}

/// Verifies a history: every round as in [`verify_round`], round indices consecutive from
/// `bundles[0].round`, each round starting from the previous round's new model, only the
/// first round may be genesis, and every chunk proof of every round in ONE batch (falling
/// back to single checks to name the failing round and chunk).
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
    let key = prepare(vk, vk_header)?;
    let first = bundles.first().ok_or(VerifyError::EmptyHistory)?;
    let mut reports = Vec::with_capacity(bundles.len());
    let mut items = Vec::new();
    let mut owners = Vec::new();
    for (t, b) in bundles.iter().enumerate() {
        // Index arithmetic on untrusted u64s: a first round near u64::MAX cannot overflow
        // into a "consecutive" small index.
        let expected = first.round.checked_add(t as u64);
        if expected != Some(b.round) {
            return Err(VerifyError::RoundIndex {
                expected: expected.unwrap_or(u64::MAX),
                found: b.round,
            });
        }
        if t > 0 {
            if b.genesis {
                return Err(VerifyError::Genesis { round: b.round });
            }
            let prev = &bundles[t - 1];
            if b.model_commitment != prev.new_model_commitment {
                return Err(VerifyError::ModelChain {
                    round: b.round,
                    prev: prev.round,
                    expected: prev.new_model_commitment,
                    found: b.model_commitment,
                });
            }
        }
        let checked = check_structure(vk_header, b).map_err(|e| locate(&key, b, e))?;
        owners.extend((0..checked.items.len()).map(|c| (b.round, c)));
        items.extend(checked.items);
        reports.push(checked.report);
    }
    verify_all(&key, &items, |i| owners[i], rng)?;
    let last = &bundles[bundles.len() - 1];
    Ok(HistoryReport {
        first_round: first.round,
        last_round: last.round,
        initial_model: first.model_commitment,
        final_model: last.new_model_commitment,
        proofs: items.len(),
        rounds: reports,
    })
}
