//! From the prover's round bundle (`round-T/round.json`) to what the registry takes:
//! constructor arguments from the genesis bundle and `submitRound` calldata per round.
//!
//! The registry derives every chunk's public inputs from the round arrays
//! ([`RoundPublic::chunk_inputs`]), so a bundle is converted by reading those arrays back out
//! of its public inputs (docs/PROTOCOL.md section 2) and then checking that the layout
//! rebuilds every chunk's inputs exactly. A bundle that does not (reordered chunks, broken
//! accumulator chain, bounds or weights that differ between chunks) is refused here, naming
//! the round and chunk, instead of costing a reverted transaction.

use alloy_primitives::Address;
use ark_bn254::Fr;
use zkfl_circuits::{
    bundle::{ClientSignature, RoundBundle, ROUND_FORMAT, SIGNED_ROUND_FORMAT},
    commit::{commitment, Kind},
    ChunkPublic,
};

use crate::round::{RegistryParams, RoundCall, RoundPublic, SlotClient, SIGNATURE_BYTES};
use crate::ContractsError;

fn bad(bundle: &RoundBundle, reason: String) -> ContractsError {
    ContractsError::Bundle {
        round: bundle.round,
        reason,
    }
}

/// K = ceil(d / m) for the bundle's shape, checking the bundle has that many chunk records.
fn chunks(bundle: &RoundBundle) -> Result<usize, ContractsError> {
    if bundle.format != ROUND_FORMAT && bundle.format != SIGNED_ROUND_FORMAT {
        return Err(bad(
            bundle,
            format!(
                "format is '{}', expected '{SIGNED_ROUND_FORMAT}'; re-prove with this zkfl",
                bundle.format
            ),
        ));
    }
    // Everything below sizes arrays from the shape: an unchecked one (2^63 slots, chunk 0)
    // would overflow or divide by zero.
    bundle
        .shape
        .validate()
        .map_err(|e| bad(bundle, e.to_string()))?;
    let m = bundle.shape.chunk as u64;
    if bundle.d == 0 {
        return Err(bad(
            bundle,
            "d = 0: a round needs at least one parameter".into(),
        ));
    }
    let k = bundle.d.div_ceil(m) as usize;
    if bundle.chunks.len() != k {
        return Err(bad(
            bundle,
            format!(
                "{} chunk records, but d = {} in chunks of {m} needs K = {k}",
                bundle.chunks.len(),
                bundle.d
            ),
        ));
    }
    Ok(k)
}

/// Constructor arguments of `ZkflRoundRegistry` for a chain that starts at `genesis`'s
/// previous model: C_0 = `genesis.model_commitment`, shape and d from the bundle, and
/// `min_clients` = 1: set it to the task's quorum (`zkfl deploy --task` does).
///
/// The registry numbers rounds from 1 (the genesis model is round 0), as bundles do, so the
/// genesis bundle must be round 1 for the bundle's round index to be the one the registry
/// expects.
///
/// # Errors
/// [`ContractsError::Bundle`] if the bundle is not a genesis bundle of round 1, or its
/// shape does not fit the constructor's integer widths.
pub fn registry_params(
    genesis: &RoundBundle,
    coordinator: Address,
) -> Result<RegistryParams, ContractsError> {
    let k = chunks(genesis)?;
    if !genesis.genesis {
        return Err(bad(
            genesis,
            "is not a genesis bundle (its model was opened from a previous round); pass the \
             bundle of the first round, proven without --model-opening"
                .into(),
        ));
    }
    if genesis.round != 1 {
        return Err(bad(
            genesis,
            "the registry numbers rounds from 1 (lastRound starts at 0), so the genesis \
             bundle must be round 1; re-prove it with --round 1"
                .into(),
        ));
    }
    let s = &genesis.shape;
    let narrow = |name: &str, v: u32| {
        u8::try_from(v).map_err(|_| bad(genesis, format!("shape {name} = {v} does not fit uint8")))
    };
    Ok(RegistryParams {
        coordinator,
        genesis_model: genesis.model_commitment.0,
        model_dim: genesis.d,
        chunks: k as u64,
        chunk_size: s.chunk as u64,
        frac_bits: narrow("frac_bits", s.frac_bits)?,
        update_bits: narrow("update_bits", s.update_bits)?,
        model_bits: narrow("model_bits", s.model_bits)?,
        weight_bits: narrow("weight_bits", s.weight_bits)?,
        norm_bits: narrow("norm_bits", s.norm_bits)?,
        min_clients: 1,
    })
}

/// The round's public arrays, read back from its chunks' public inputs and checked to
/// rebuild every chunk's inputs and the bundle's commitments exactly.
///
/// # Errors
/// [`ContractsError::BundleRecord`] for an input or proof that does not decode,
/// [`ContractsError::Bundle`] naming the chunk (and input) that does not fit.
pub fn round_public(bundle: &RoundBundle) -> Result<RoundPublic, ContractsError> {
    chunks(bundle)?;
    // The floats are not sent (the registry stores the fixed-point bounds), so the encoder
    // is where a bundle whose floats misstate its bounds is refused.
    bundle
        .bounds
        .check(&bundle.shape)
        .map_err(|e| bad(bundle, e.to_string()))?;
    let shape = &bundle.shape;
    let n = shape.slots;
    let record = |source| ContractsError::BundleRecord {
        round: bundle.round,
        source,
    };
    let layout = bundle
        .chunks
        .iter()
        .enumerate()
        .map(|(c, rec)| {
            let x = rec.inputs(c).map_err(record)?;
            ChunkPublic::from_slice(shape, &x).map_err(|e| bad(bundle, format!("chunk {c}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let first = &layout[0];
    let mut accumulators = vec![first.acc_in];
    accumulators.extend(layout.iter().map(|x| x.acc_out));
    let public = RoundPublic {
        b_inf: first.linf,
        b2_sq: first.l2_sq,
        weights: first.weights.clone(),
        old_model_hashes: layout.iter().map(|x| x.model).collect(),
        new_model_hashes: layout.iter().map(|x| x.new_model).collect(),
        update_hashes: (0..n)
            .map(|i| layout.iter().map(|x| x.updates[i]).collect())
            .collect(),
        accumulators,
    };
    let inputs: Vec<Vec<Fr>> = layout.iter().map(ChunkPublic::to_vec).collect();
    let l = shape.num_public_inputs();
    for (c, x) in inputs.iter().enumerate() {
        let expected = public.chunk_inputs(c);
        if let Some(i) = (0..l).find(|&i| expected[i] != x[i]) {
            return Err(bad(
                bundle,
                format!(
                    "chunk {c}, public input #{i} does not fit the round (chunk index, bounds \
                     and weights must match chunk 0, acc_in must equal the previous chunk's \
                     acc_out); the bundle is inconsistent: check it with `zkfl-verify`"
                ),
            ));
        }
    }
    let weights_match = bundle.weights.len() == n
        && bundle
            .weights
            .iter()
            .zip(&public.weights)
            .all(|(w, x)| Fr::from(*w) == *x);
    if !weights_match {
        return Err(bad(
            bundle,
            "the weights field differs from the weights in the public inputs".into(),
        ));
    }
    let d = bundle.d;
    let checks = [
        (
            "model_commitment",
            bundle.model_commitment.0,
            commitment(Kind::Model, d, &public.old_model_hashes).0,
        ),
        (
            "new_model_commitment",
            bundle.new_model_commitment.0,
            commitment(Kind::Model, d, &public.new_model_hashes).0,
        ),
    ];
    for (name, stated, computed) in checks {
        if stated != computed {
            return Err(bad(
                bundle,
                format!(
                    "{name} 0x{} is not the commitment of the chunk hashes in the public \
                     inputs (0x{})",
                    hex::encode(stated),
                    hex::encode(computed)
                ),
            ));
        }
    }
    Ok(public)
}

/// `0x` and exactly `N` bytes of lowercase hex (the bundle's documented encoding), or why not.
fn lower_hex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let digits = s.strip_prefix("0x")?;
    if digits.len() != 2 * N || digits.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let mut out = [0u8; N];
    hex::decode_to_slice(digits, &mut out).ok()?;
    Some(out)
}

/// The slots' clients of a signed (`zkfl-round/2`) bundle, decoded but not checked: the
/// registry checks the signatures, so that it, not the encoder, refuses a bad one.
///
/// # Errors
/// [`ContractsError::Bundle`] for an unsigned bundle (the registry takes signed rounds only),
/// a client list of the wrong length, or a signer or signature that is not lowercase hex of
/// 20 or 65 bytes.
pub fn round_clients(bundle: &RoundBundle) -> Result<Vec<Option<SlotClient>>, ContractsError> {
    let n = bundle.shape.slots;
    let clients = match (&bundle.clients, bundle.format.as_str()) {
        (Some(c), SIGNED_ROUND_FORMAT) => c,
        _ => {
            return Err(bad(
                bundle,
                format!(
                    "is an unsigned '{}' bundle, but the registry takes only rounds whose \
                     updates carry their clients' signatures ('{SIGNED_ROUND_FORMAT}'); prove \
                     the round with `zkfl prove --task` from signed updates (`zkfl commit --task`)",
                    bundle.format
                ),
            ))
        }
    };
    if clients.len() != n {
        return Err(bad(
            bundle,
            format!("{} client entries for {n} slots", clients.len()),
        ));
    }
    clients
        .iter()
        .enumerate()
        .map(|(slot, c)| {
            c.as_ref()
                .map(|ClientSignature { signer, signature }| {
                    let signer = lower_hex::<20>(signer).ok_or_else(|| {
                        bad(
                            bundle,
                            format!("slot {slot}: signer '{signer}' is not 0x and 40 lowercase hex digits"),
                        )
                    })?;
                    let signature = lower_hex::<SIGNATURE_BYTES>(signature).ok_or_else(|| {
                        bad(
                            bundle,
                            format!("slot {slot}: signature is not 0x and 130 lowercase hex digits"),
                        )
                    })?;
                    Ok(SlotClient {
                        signer: Address::from(signer),
                        signature,
                    })
                })
                .transpose()
        })
        .collect()
}

/// `submitRound` calldata for a signed bundle: round index `bundle.round`, its public
/// arrays, its K chunk proofs, its slots' clients and signatures, the model file's SHA-256,
/// and `roster`, the registry's `roster()` (read it from the registry the round goes to:
/// its order is the registry's), encoded by [`RoundCall::new`].
///
/// # Errors
/// As [`round_public`] and [`round_clients`], and [`ContractsError::BundleRecord`] for a
/// proof that does not decode.
pub fn round_call(bundle: &RoundBundle, roster: &[Address]) -> Result<RoundCall, ContractsError> {
    // The shape first: it sizes everything after it.
    let public = round_public(bundle)?;
    let clients = round_clients(bundle)?;
    let proofs = bundle
        .chunks
        .iter()
        .enumerate()
        .map(|(c, rec)| rec.proof(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| ContractsError::BundleRecord {
            round: bundle.round,
            source,
        })?;
    let mut call = RoundCall::new(bundle.round, &public, &proofs, &clients, roster)?;
    if let Some(file) = &bundle.model_file {
        // Validated when the bundle was read (`0x` + 64 lowercase hex digits).
        call.model_file = lower_hex::<32>(&file.sha256).ok_or_else(|| {
            ContractsError::RoundShape(format!(
                "model_file.sha256 {:?} is not 0x and 64 lowercase hex digits",
                file.sha256
            ))
        })?;
    }
    Ok(call)
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkfl_circuits::bundle::BoundsRecord;
    use zkfl_circuits::{Commitment, Shape};

    /// Issue 12 item 7: shapes from a bundle are validated before they size anything.
    #[test]
    fn unusable_bundle_shapes_are_errors_not_panics() {
        for (slots, chunk) in [(1usize << 63, 4), (usize::MAX, 4), (2, 0)] {
            let bundle = RoundBundle {
                format: SIGNED_ROUND_FORMAT.into(),
                shape: Shape {
                    slots,
                    ..Shape::new(2, chunk)
                },
                vk_digest: format!("0x{}", "00".repeat(32)),
                round: 1,
                d: 4,
                genesis: true,
                bounds: BoundsRecord {
                    linf: 1,
                    l2_sq: 1,
                    linf_float: 0.0,
                    l2_float: 0.0,
                },
                weights: vec![1, 1],
                model_commitment: Commitment::default(),
                new_model_commitment: Commitment::default(),
                update_commitments: vec![Commitment::default(); 2],
                chunks: vec![],
                clients: Some(vec![None, None]),
                model_file: None,
            };
            let err = round_call(&bundle, &[]).unwrap_err().to_string();
            assert!(err.contains("invalid circuit shape"), "{err}");
            assert!(registry_params(&bundle, Address::ZERO).is_err());
        }
    }
}
