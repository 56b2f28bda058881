//! A round bundle's client signatures (`zkfl-round/2`, docs/PROTOCOL.md §6 and §10): the
//! strings a bundle stores, decoded strictly, and the whole-bundle check.

use alloy_primitives::Address;
use zkfl_circuits::bundle::{ClientSignature, RoundBundle, SIGNED_ROUND_FORMAT};

use crate::{check_round, Roster, RoundClients, SlotClaim, SlotSignature, Task, TaskError};

/// `0x` + 40 lowercase hex digits: the one spelling of an address a bundle accepts, so that
/// a bundle has a single encoding (a checksummed twin would be the same client twice).
fn canonical_address(slot: usize, s: &str) -> Result<Address, TaskError> {
    let bad = || TaskError::SignerEncoding {
        slot,
        found: s.into(),
    };
    let digits = s.strip_prefix("0x").ok_or_else(bad)?;
    if digits.len() != 40
        || !digits
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(bad());
    }
    let mut bytes = [0u8; 20];
    hex::decode_to_slice(digits, &mut bytes).map_err(|_| bad())?;
    Ok(Address::from(bytes))
}

impl SlotSignature {
    /// Slot `slot`'s signature as a bundle stores it, with the signer decoded strictly
    /// (the signature itself is decoded by [`SlotSignature::decode`] when it is checked).
    ///
    /// # Errors
    /// [`TaskError::SignerEncoding`] naming the slot.
    pub fn from_bundle(slot: usize, c: &ClientSignature) -> Result<Self, TaskError> {
        Ok(Self {
            signer: canonical_address(slot, &c.signer)?,
            signature: c.signature.clone(),
        })
    }

    /// This signature as a bundle stores it (lowercase signer).
    pub fn to_bundle(&self) -> ClientSignature {
        ClientSignature {
            signer: format!("0x{}", hex::encode(self.signer)),
            signature: self.signature.clone(),
        }
    }
}

/// Checks a round bundle's client signatures under `task` and `roster`: the bundle is a
/// [`SIGNED_ROUND_FORMAT`] bundle with one client entry per slot, and [`check_round`] holds
/// for its round, previous-model commitment, weights and update commitments. The proofs
/// are not checked here (the verifier does that); this is the signature half of a verdict.
///
/// # Errors
/// [`TaskError::UnsignedRound`] for an unsigned bundle, [`TaskError::BundleClients`] for a
/// client list that does not fit, or the first error of [`check_round`].
pub fn check_bundle(
    task: &Task,
    roster: &Roster,
    bundle: &RoundBundle,
) -> Result<RoundClients, TaskError> {
    let round = bundle.round;
    let clients = match (&bundle.clients, bundle.format == SIGNED_ROUND_FORMAT) {
        (Some(c), true) => c,
        (None, _) => {
            return Err(TaskError::UnsignedRound {
                round,
                format: bundle.format.clone(),
                expected: SIGNED_ROUND_FORMAT,
            })
        }
        (Some(_), false) => {
            return Err(TaskError::BundleClients {
                round,
                reason: format!(
                    "format '{}' carries client signatures; only '{SIGNED_ROUND_FORMAT}' does",
                    bundle.format
                ),
            })
        }
    };
    let n = bundle.weights.len();
    if clients.len() != n || bundle.update_commitments.len() != n {
        return Err(TaskError::BundleClients {
            round,
            reason: format!(
                "{} client entries, {} weights and {} update commitments: one of each per slot",
                clients.len(),
                n,
                bundle.update_commitments.len()
            ),
        });
    }
    let signatures = clients
        .iter()
        .enumerate()
        .map(|(slot, c)| {
            c.as_ref()
                .map(|c| SlotSignature::from_bundle(slot, c))
                .transpose()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let slots: Vec<SlotClaim<'_>> = bundle
        .weights
        .iter()
        .zip(&bundle.update_commitments)
        .zip(&signatures)
        .map(|((&weight, &commitment), signature)| SlotClaim {
            weight,
            commitment,
            signature: signature.as_ref(),
        })
        .collect();
    check_round(task, roster, round, &bundle.model_commitment, &slots)
}
