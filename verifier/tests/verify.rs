//! The library against real proofs: honest rounds and histories pass; every tampering in
//! the list is rejected with a message naming round, chunk or field.

mod common;

use ark_bn254::Fr;
use common::{fixture, model_layout, plus_r, prove, round_input, setup, shape, write_model, D};
use zkfl_circuits::{
    bundle::{Opening, RoundBundle},
    field::{fr_from_decimal, fr_to_decimal},
    tensors, ChunkPublic, Round, Shape,
};
use zkfl_verifier::{
    verify_batch, verify_history, verify_model, verify_round, verify_single, ModelError,
    PreparedKey, ProofItem, VerifyError,
};

fn verify(b: &RoundBundle) -> Result<zkfl_verifier::RoundReport, VerifyError> {
    let f = fixture();
    verify_round(&f.key.vk, &f.key.header, b)
}

fn reject(b: &RoundBundle) -> (VerifyError, String) {
    let e = verify(b).expect_err("tampered bundle must be rejected");
    let msg = e.to_string();
    (e, msg)
}

#[test]
fn accepts_honest_rounds_and_history() {
    let f = fixture();
    for (t, b) in f.bundles.iter().enumerate() {
        let r = verify(b).expect("honest round verifies");
        assert_eq!(r.round, t as u64 + 1);
        assert_eq!(r.chunks, 3);
        assert_eq!(r.active_slots, 2);
        assert_eq!(r.new_model_commitment, f.rounds[t].new_model_commitment);
    }
    let h = verify_history(&f.key.vk, &f.key.header, &f.bundles).expect("honest history");
    assert_eq!((h.first_round, h.last_round, h.proofs), (1, 3, 9));
    assert_eq!(h.initial_model, f.rounds[0].model_commitment);
    assert_eq!(h.final_model, f.rounds[2].new_model_commitment);
    // A history may start later than round 1 (an auditor joining mid-way).
    verify_history(&f.key.vk, &f.key.header, &f.bundles[1..]).expect("suffix of a history");
}

#[test]
fn rejects_every_public_input_plus_one() {
    let f = fixture();
    let l = shape().num_public_inputs();
    for c in 0..3 {
        for i in 0..l {
            let mut b = f.bundles[0].clone();
            let x = fr_from_decimal(&b.chunks[c].public_inputs[i]).unwrap();
            b.chunks[c].public_inputs[i] = fr_to_decimal(&(x + Fr::from(1u64)));
            let (e, msg) = reject(&b);
            let field = ChunkPublic::input_name(&shape(), i);
            assert!(
                msg.contains("round 1"),
                "input {i} ({field}) of chunk {c}: {msg}"
            );
            assert!(
                msg.contains(&format!("chunk {c}")),
                "input {i} ({field}) of chunk {c} not located: {msg}"
            );
            // Inputs the bundle fixes directly are named by field.
            if let VerifyError::InputMismatch { field: named, .. } = &e {
                assert_eq!(*named, field);
                assert!(msg.contains(&field), "{msg}");
            }
        }
    }
}

#[test]
fn rejects_x_plus_r_as_non_canonical() {
    let f = fixture();
    for i in 0..shape().num_public_inputs() {
        let mut b = f.bundles[1].clone();
        let x = b.chunks[1].public_inputs[i].clone();
        b.chunks[1].public_inputs[i] = plus_r(&x);
        let (e, msg) = reject(&b);
        assert!(
            matches!(e, VerifyError::NonCanonical { round: 2, chunk: 1, index, .. } if index == i),
            "{msg}"
        );
        assert!(msg.contains(&ChunkPublic::input_name(&shape(), i)), "{msg}");
    }
}

#[test]
fn rejects_every_flipped_proof_byte() {
    let f = fixture();
    let bytes = hex::decode(f.bundles[0].chunks[1].proof.trim_start_matches("0x")).unwrap();
    for i in 0..bytes.len() {
        let mut flipped = bytes.clone();
        flipped[i] ^= 1;
        let mut b = f.bundles[0].clone();
        b.chunks[1].proof = zkfl_circuits::field::to_hex(&flipped);
        let (e, msg) = reject(&b);
        assert!(
            matches!(
                e,
                VerifyError::ProofEncoding {
                    round: 1,
                    chunk: 1,
                    ..
                } | VerifyError::Proof { round: 1, chunk: 1 }
            ),
            "byte {i}: {msg}"
        );
    }
}

#[test]
fn rejects_swapped_chunks_and_a_broken_accumulator_chain() {
    let f = fixture();
    let mut b = f.bundles[0].clone();
    b.chunks.swap(0, 2);
    let (e, msg) = reject(&b);
    assert!(
        matches!(
            e,
            VerifyError::InputMismatch {
                round: 1,
                chunk: 0,
                index: 0,
                ..
            }
        ),
        "{msg}"
    );
    assert!(msg.contains("chunk index"), "{msg}");

    // acc_in of chunk 2 taken from another round: chunk 1's acc_out no longer leads into it.
    let mut b = f.bundles[0].clone();
    let acc_in = 5 + 2 * shape().slots;
    b.chunks[2].public_inputs[acc_in] = f.bundles[1].chunks[2].public_inputs[acc_in].clone();
    let (e, msg) = reject(&b);
    assert_eq!(
        e,
        VerifyError::AccumulatorChain {
            round: 1,
            chunk: 1,
            next: 2
        },
        "{msg}"
    );
    assert!(msg.contains("accumulator chain"), "{msg}");
}

#[test]
fn rejects_keys_and_bundles_of_another_shape() {
    let f = fixture();
    let other = setup(Shape::new(2, 8), 43);
    let e = verify_round(&other.vk, &other.header, &f.bundles[0]).unwrap_err();
    assert!(
        matches!(e, VerifyError::ShapeMismatch { round: 1, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("shape"), "{e}");

    let mut b = f.bundles[0].clone();
    b.shape.chunk = 16;
    let (e, msg) = reject(&b);
    assert!(matches!(e, VerifyError::ShapeMismatch { .. }), "{msg}");

    let mut b = f.bundles[0].clone();
    b.vk_digest = other.header.vk_digest.clone();
    let (e, msg) = reject(&b);
    assert!(
        matches!(e, VerifyError::KeyDigest { round: 1, .. }),
        "{msg}"
    );

    // A header that lies about its key is refused before any bundle is looked at.
    let e = verify_round(&other.vk, &f.key.header, &f.bundles[0]).unwrap_err();
    assert!(matches!(e, VerifyError::KeyHeader(_)), "{e}");
}

#[test]
fn rejects_structural_lies() {
    let f = fixture();
    let mut b = f.bundles[0].clone();
    b.chunks.pop();
    assert!(matches!(reject(&b).0, VerifyError::Length { round: 1, .. }));

    let mut b = f.bundles[0].clone();
    b.d = 17; // still 3 chunks, but the commitments bind d
    let (e, msg) = reject(&b);
    assert!(
        matches!(e, VerifyError::Commitment { round: 1, .. }),
        "{msg}"
    );

    let mut b = f.bundles[0].clone();
    b.new_model_commitment = f.bundles[1].new_model_commitment;
    let (e, msg) = reject(&b);
    assert!(
        matches!(e, VerifyError::Commitment { round: 1, chunk: None, ref what, .. } if what == "new-model commitment"),
        "{msg}"
    );

    let mut b = f.bundles[0].clone();
    b.format = "zkfl-round/0".into();
    assert!(matches!(reject(&b).0, VerifyError::Format { .. }));

    let mut b = f.bundles[0].clone();
    b.weights = vec![0, 0, 0];
    assert!(matches!(reject(&b).0, VerifyError::ZeroWeight { round: 1 }));
}

#[test]
fn rejects_a_weight_zero_slot_with_a_real_update() {
    let f = fixture();
    let r0 = &f.rounds[0];
    let round = Round::build(round_input(
        r0.input.model.clone(),
        r0.input.model_salts.clone(),
        101,
        true,
    ))
    .expect("the circuit allows it; only the verifier's empty-slot rule refuses it");
    let b = prove(&f.key, &round, 1, true);
    let (e, msg) = reject(&b);
    assert!(
        matches!(
            e,
            VerifyError::EmptySlot {
                round: 1,
                slot: 2,
                ..
            }
        ),
        "{msg}"
    );
}

#[test]
fn history_rejects_broken_chains_skips_and_late_genesis() {
    let f = fixture();
    let (vk, h) = (&f.key.vk, &f.key.header);
    let [b1, b2, b3] = [&f.bundles[0], &f.bundles[1], &f.bundles[2]];

    let e = verify_history(vk, h, &[b1.clone(), b3.clone()]).unwrap_err();
    assert_eq!(
        e,
        VerifyError::RoundIndex {
            expected: 2,
            found: 3
        }
    );

    // Round 3's real proofs relabelled as round 2: indices fine, model chain broken.
    let mut relabelled = b3.clone();
    relabelled.round = 2;
    let e = verify_history(vk, h, &[b1.clone(), relabelled]).unwrap_err();
    assert!(
        matches!(
            e,
            VerifyError::ModelChain {
                round: 2,
                prev: 1,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("model chain is broken"), "{e}");

    let mut late = b2.clone();
    late.genesis = true;
    let e = verify_history(vk, h, &[b1.clone(), late, b3.clone()]).unwrap_err();
    assert_eq!(e, VerifyError::Genesis { round: 2 });

    assert_eq!(
        verify_history(vk, h, &[]).unwrap_err(),
        VerifyError::EmptyHistory
    );
}

#[test]
fn history_batch_failure_pinpoints_round_and_chunk() {
    let f = fixture();
    let mut bundles = f.bundles.clone();
    // A well-formed proof of another chunk: only the pairing check can catch it.
    bundles[2].chunks[1].proof = bundles[2].chunks[2].proof.clone();
    let e = verify_history(&f.key.vk, &f.key.header, &bundles).unwrap_err();
    assert_eq!(e, VerifyError::Proof { round: 3, chunk: 1 });
    assert!(e.to_string().contains("round 3, chunk 1"), "{e}");
}

#[test]
fn batch_agrees_with_single_verification() {
    let f = fixture();
    let key = PreparedKey::new(&f.key.vk);
    let mut items: Vec<ProofItem> = f
        .bundles
        .iter()
        .flat_map(|b| b.chunks.iter().enumerate())
        .map(|(c, r)| ProofItem {
            proof: r.proof(c).unwrap(),
            inputs: r.inputs(c).unwrap(),
        })
        .collect();
    let mut rng = common::rng(5);
    assert!(verify_batch(&key, &items, &mut rng).unwrap());
    for it in &items {
        assert!(verify_single(&key, &it.proof, &it.inputs).unwrap());
    }
    items[4].inputs[3] += Fr::from(1u64);
    assert!(!verify_batch(&key, &items, &mut rng).unwrap());
    assert!(!verify_single(&key, &items[4].proof, &items[4].inputs).unwrap());
    // Two wrong proofs whose errors could cancel in an unweighted sum: swap A-parts.
    let mut items2: Vec<ProofItem> = items.clone();
    items2[4].inputs[3] -= Fr::from(1u64);
    let (a0, a1) = (items2[0].proof.a, items2[1].proof.a);
    items2[0].proof.a = a1;
    items2[1].proof.a = a0;
    assert!(!verify_batch(&key, &items2, &mut rng).unwrap());
}

#[test]
fn model_file_matches_its_commitment_and_nothing_else() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let layout = model_layout();
    let round = &f.rounds[1];
    let (model, opening) = write_model(dir.path(), round, &layout);
    let r = verify_model(&shape(), &round.new_model_commitment, &model, &opening)
        .expect("honest model");
    assert_eq!((r.d, r.chunks, r.tensors), (D, 3, 2));

    // Another round's commitment.
    let e = verify_model(
        &shape(),
        &f.rounds[0].new_model_commitment,
        &model,
        &opening,
    )
    .unwrap_err();
    assert!(matches!(e, ModelError::OtherCommitment { .. }), "{e}");

    // One parameter nudged by one fixed-point unit in the released file.
    let mut floats: Vec<f64> = round
        .new_model
        .iter()
        .map(|&v| v as f64 / 65536.0)
        .collect();
    floats[13] += 1.0 / 65536.0;
    tensors::write(&model, &layout, &floats).unwrap();
    let e = verify_model(&shape(), &round.new_model_commitment, &model, &opening).unwrap_err();
    assert!(
        matches!(e, ModelError::Value { ref tensor, index: 1, .. } if tensor == "b.bias"),
        "{e}"
    );

    // File and opening agree with each other but not with the commitment (other salts).
    let (model, opening_path) = write_model(dir.path(), round, &layout);
    let mut o: Opening = serde_json::from_slice(&std::fs::read(&opening_path).unwrap()).unwrap();
    o.salts = Opening::encode_salts(&f.rounds[0].input.new_model_salts);
    std::fs::write(&opening_path, serde_json::to_vec(&o).unwrap()).unwrap();
    let e = verify_model(&shape(), &round.new_model_commitment, &model, &opening_path).unwrap_err();
    assert!(matches!(e, ModelError::Mismatch { .. }), "{e}");

    std::fs::write(&opening_path, b"{\"format\":").unwrap();
    let e = verify_model(&shape(), &round.new_model_commitment, &model, &opening_path).unwrap_err();
    assert!(
        e.is_unreadable() && e.to_string().contains("opening.json"),
        "{e}"
    );
}

/// Issue 12, item 2: an opening cannot choose how its values are read. Halving the model and
/// editing `frac_bits` (or shifting every value and editing `update_bits`, which moves the
/// digit offset by the same amount) reopens the same commitment for another model; the
/// shape of the key the auditor trusts refuses both.
#[test]
fn model_check_binds_the_shape_to_the_key() {
    let f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let layout = model_layout();
    let round = &f.rounds[1];
    let commitment = round.new_model_commitment;

    // frac_bits 16 → 15: the file holds every value at half the scale, and the digits (and
    // so the commitment) are unchanged.
    let (model, opening) = write_model(dir.path(), round, &layout);
    let mut o: Opening = serde_json::from_slice(&std::fs::read(&opening).unwrap()).unwrap();
    o.shape.frac_bits = 15;
    std::fs::write(&opening, serde_json::to_vec(&o).unwrap()).unwrap();
    let halved: Vec<f64> = round
        .new_model
        .iter()
        .map(|&v| v as f64 / 32768.0)
        .collect();
    tensors::write(&model, &layout, &halved).unwrap();
    // What the old check (the opening's own shape) would have accepted:
    verify_model(&o.shape, &commitment, &model, &opening).expect("self-consistent forgery");
    let e = verify_model(&shape(), &commitment, &model, &opening).unwrap_err();
    assert!(matches!(e, ModelError::ShapeMismatch { .. }), "{e}");
    assert!(e.to_string().contains("opening.json"), "{e}");

    // update_bits 16 → 17: the model digit offset 2^(Bm−1) + 2^(U−1) grows by 2^15, so
    // values shifted down by 2^15 give the same digits (and the same commitment whenever
    // d is a multiple of m; here the padded last chunk's zero digits move, so the forgery
    // itself fails on the commitment, and the shape check must refuse it first either way).
    let (model, opening) = write_model(dir.path(), round, &layout);
    let mut o: Opening = serde_json::from_slice(&std::fs::read(&opening).unwrap()).unwrap();
    o.shape.update_bits = 17;
    let shifted: Vec<i64> = round.new_model.iter().map(|&v| v - (1 << 15)).collect();
    o.values = Some(shifted.clone());
    std::fs::write(&opening, serde_json::to_vec(&o).unwrap()).unwrap();
    let floats: Vec<f64> = shifted.iter().map(|&v| v as f64 / 65536.0).collect();
    tensors::write(&model, &layout, &floats).unwrap();
    let e = verify_model(&shape(), &commitment, &model, &opening).unwrap_err();
    assert!(matches!(e, ModelError::ShapeMismatch { .. }), "{e}");
    let pack = |s: &Shape, v: &[i64]| zkfl_circuits::commit::pack(s, zkfl_circuits::Kind::Model, v);
    assert_eq!(
        pack(&o.shape, &shifted[..8]),
        pack(&shape(), &round.new_model[..8])
    );
}

/// Issue 12, items 3 and 13: the floats in round.json must be the bounds that are proven
/// (floor rule of PROTOCOL.md §5), and B₂² must be below 2^Nb although the circuit alone
/// proves a B₂² of 2^Nb when every slot has a positive sum of squares.
#[test]
fn rejects_bounds_that_differ_from_their_floats_or_exceed_the_shape() {
    let f = fixture();
    let honest = verify(&f.bundles[0]).expect("honest");
    assert_eq!(honest.linf_proven, honest.linf as f64 / 65536.0);
    assert!(honest
        .bounds_line()
        .contains(&format!("{} units", honest.linf)));

    let mut b = f.bundles[0].clone();
    b.bounds.linf_float *= 2.0;
    let (e, msg) = reject(&b);
    assert!(matches!(e, VerifyError::Bounds { round: 1, .. }), "{msg}");
    assert!(msg.contains("linf_float"), "{msg}");

    let mut b = f.bundles[0].clone();
    b.bounds.l2_float += 1.0 / 65536.0;
    let (e, msg) = reject(&b);
    assert!(matches!(e, VerifyError::Bounds { round: 1, .. }), "{msg}");
    assert!(msg.contains("l2_float"), "{msg}");

    let mut b = f.bundles[0].clone();
    b.bounds.l2_float = -0.0;
    assert!(matches!(reject(&b).0, VerifyError::Bounds { .. }));

    // A real proof for B₂² = 2^64 = 2^Nb: all three slots active, so every
    // B₂² − S_out,i < 2^Nb and the circuit is satisfied.
    let r0 = &f.rounds[0];
    let mut round = Round::build(
        zkfl_circuits::testing::RandomRound {
            seed: 77,
            ..zkfl_circuits::testing::RandomRound::new(shape(), D)
        }
        .input_from(r0.input.model.clone(), r0.input.model_salts.clone()),
    )
    .expect("honest round");
    round.input.bounds.l2_sq = 1u128 << 64;
    let b = prove(&f.key, &round, 1, true);
    let key = PreparedKey::new(&f.key.vk);
    for (c, rec) in b.chunks.iter().enumerate() {
        let inputs = rec.inputs(c).unwrap();
        assert!(verify_single(&key, &rec.proof(c).unwrap(), &inputs).unwrap());
    }
    assert_eq!(b.bounds.l2_float, 65536.0);
    let (e, msg) = reject(&b);
    assert!(matches!(e, VerifyError::Bounds { round: 1, .. }), "{msg}");
    assert!(msg.contains("norm bits"), "{msg}");
}
