//! Signed rounds (docs/PROTOCOL.md §10): `zkfl prove --task` checks every client's signed
//! record natively before any proving, takes each slot's weight from it, orders the slots
//! by signer, and puts the signatures into the `zkfl-round/2` bundle. The client side,
//! [`sign_update`], is what `zkfl commit --task` and the Python wheel's `commit_signed` call.

use std::path::{Path, PathBuf};

use alloy_signer_local::PrivateKeySigner;
use zkfl_circuits::{
    bundle::{ClientSignature, Opening},
    Commitment, Round,
};
use zkfl_task::{check_round, Roster, SignedUpdate, SlotClaim, Task};

use crate::{
    inputs::{read_json, ClientArgs},
    Error,
};

/// One client of a signed round: its files and its checked record.
pub struct SignedClient {
    /// Update, opening and (signed) weight.
    pub args: ClientArgs,
    /// The signed record file.
    pub file: PathBuf,
    /// Its record, signed by an enrolled client under the task.
    pub record: SignedUpdate,
}

/// The commitment an opening file claims (the full opening is checked later by
/// `inputs::prepare`, which refuses an opening that does not open its file).
///
/// # Errors
/// [`Error::BadFile`] if the file is not an opening.
pub fn opening_commitment(path: &Path) -> Result<Commitment, Error> {
    let op: Opening = read_json(path, "opening")?;
    Ok(op.commitment)
}

/// Reads and checks each client's signed record against the round: a valid low-s
/// signature under `task` by an enrolled client, for round `round`, after the model
/// committed by `prev_model`, over the commitment its opening claims, and with the weight
/// given (if any). Returns the clients in ascending signer order, as the round's slots must
/// be, each with its signed weight.
///
/// # Errors
/// [`Error`] naming the signed record (and the flag or opening it disagrees with); a client
/// that signed two records.
#[allow(clippy::too_many_arguments)]
pub fn signed_clients(
    task: &Task,
    roster: &Roster,
    round: u64,
    prev_model: &Commitment,
    updates: &[PathBuf],
    openings: &[PathBuf],
    signed: &[PathBuf],
    weights: &[u64],
) -> Result<Vec<SignedClient>, Error> {
    let mut clients = Vec::with_capacity(signed.len());
    for (i, file) in signed.iter().enumerate() {
        let bad = |reason: String| Error::BadFile {
            path: file.display().to_string(),
            reason: format!("{reason}; nothing was proven"),
        };
        let record = SignedUpdate::read(file, task, roster)
            .map_err(|e| Error::Invalid(format!("{e}; nothing was proven")))?;
        if record.round != round {
            return Err(bad(format!(
                "signed for round {}, but this is round {round}: the client must sign this round's update",
                record.round
            )));
        }
        if record.prev_model != *prev_model {
            return Err(bad(format!(
                "signed after model {}, but round {round} starts from model {prev_model}: the client trained on another model",
                record.prev_model
            )));
        }
        let committed = opening_commitment(&openings[i])?;
        if record.commitment != committed {
            return Err(bad(format!(
                "signs update {}, but the opening {} is for update {committed}: give each --signed in the order of its --update",
                record.commitment,
                openings[i].display()
            )));
        }
        if let Some(&w) = weights.get(i) {
            if w != record.weight {
                return Err(bad(format!(
                    "its client signed weight {}, but --weight says {w}; omit --weight (signed rounds take each weight from its record)",
                    record.weight
                )));
            }
        }
        clients.push(SignedClient {
            args: ClientArgs {
                update: updates[i].clone(),
                opening: openings[i].clone(),
                weight: record.weight,
            },
            file: file.clone(),
            record,
        });
    }
    clients.sort_by_key(|c| c.record.slot.signer);
    if let Some(w) = clients
        .windows(2)
        .find(|w| w[0].record.slot.signer == w[1].record.slot.signer)
    {
        return Err(Error::Invalid(format!(
            "{} and {} are both signed by {}: a client contributes one update per round; nothing was proven",
            w[0].file.display(),
            w[1].file.display(),
            w[0].record.slot.signer
        )));
    }
    Ok(clients)
}

/// The bundle's client entries for `round` (proven as round index `index` from `clients`
/// in slot order, empty slots after them), after checking the whole round with the rule
/// every verifier applies ([`check_round`]), so that no round is proven that a verifier
/// would refuse.
///
/// # Errors
/// [`Error::Invalid`] with the rule broken (e.g. fewer clients than the quorum).
pub fn bundle_clients(
    task: &Task,
    roster: &Roster,
    index: u64,
    round: &Round,
    clients: &[SignedClient],
) -> Result<Vec<Option<ClientSignature>>, Error> {
    let slots: Vec<SlotClaim<'_>> = round
        .input
        .slots
        .iter()
        .zip(&round.update_commitments)
        .enumerate()
        .map(|(i, (slot, &commitment))| SlotClaim {
            weight: slot.weight,
            commitment,
            signature: clients.get(i).map(|c| &c.record.slot),
        })
        .collect();
    check_round(task, roster, index, &round.model_commitment, &slots)
        .map_err(|e| Error::Invalid(format!("{e}; nothing was proven")))?;
    Ok((0..slots.len())
        .map(|i| clients.get(i).map(|c| c.record.slot.to_bundle()))
        .collect())
}

/// A client's secp256k1 private key from `text` (64 hex digits, `0x` optional); `origin`
/// says where it came from (a file, a variable, an argument) without ever echoing it.
///
/// # Errors
/// [`Error::Invalid`] naming `origin` if it is not a key.
pub fn parse_client_key(text: &str, origin: &str) -> Result<PrivateKeySigner, Error> {
    text.trim().parse::<PrivateKeySigner>().map_err(|_| {
        Error::Invalid(format!(
            "{origin} does not hold a secp256k1 private key (64 hex digits, 0x optional)"
        ))
    })
}

/// Signs a client's update commitment for round `round` of `task`, after the model
/// committed by `prev_model`, with FedAvg weight `weight`: the `zkfl-signed-update/1` record
/// that `zkfl commit --task` writes. Refuses a zero weight (an empty slot) and, given the
/// roster (and the name of its file, for the error), a key that is not enrolled in it, so
/// that no record is made that `zkfl prove --task` would refuse.
///
/// # Errors
/// [`Error::Invalid`] saying which and what to do.
#[allow(clippy::too_many_arguments)]
pub fn sign_update(
    task: &Task,
    roster: Option<(&Roster, &str)>,
    key: &PrivateKeySigner,
    key_origin: &str,
    round: u64,
    prev_model: Commitment,
    commitment: Commitment,
    weight: u64,
) -> Result<SignedUpdate, Error> {
    check_signer(roster, key, key_origin, weight)?;
    SignedUpdate::sign(task, key, round, prev_model, commitment, weight)
        .map_err(|e| Error::Invalid(e.to_string()))
}

/// The checks of [`sign_update`] that need no commitment, for a caller that wants to fail
/// before committing.
///
/// # Errors
/// As [`sign_update`].
pub fn check_signer(
    roster: Option<(&Roster, &str)>,
    key: &PrivateKeySigner,
    key_origin: &str,
    weight: u64,
) -> Result<(), Error> {
    if weight == 0 {
        return Err(Error::Invalid(
            "weight 0 is an empty slot; a client with an update needs a positive weight".into(),
        ));
    }
    if let Some((roster, roster_file)) = roster {
        if !roster.contains(&key.address()) {
            return Err(Error::Invalid(format!(
                "the key from {key_origin} is account {}, which is not enrolled in {roster_file}; ask the task owner to enroll it",
                key.address()
            )));
        }
    }
    Ok(())
}
