//! Issue 12 items 7 and 10 on the verifier's side: malformed keys and special files give
//! errors, never a panic or a hang.

use std::{path::PathBuf, sync::mpsc, time::Duration};

use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_groth16::{Proof, VerifyingKey};
use zkfl_circuits::{
    bundle::{BoundsRecord, ChunkRecord, RoundBundle, ROUND_FORMAT},
    Commitment, Shape,
};
use zkfl_verifier::{
    load_bundle, snarkjs::snarkjs_files, verify_model, verify_single, BatchError, ExportError,
    PreparedKey,
};

fn vk(ic: usize) -> VerifyingKey<Bn254> {
    let g2 = G2Affine::generator();
    VerifyingKey {
        alpha_g1: G1Affine::generator(),
        beta_g2: g2,
        gamma_g2: g2,
        delta_g2: (g2 * Fr::from(2u64)).into_affine(),
        gamma_abc_g1: vec![G1Affine::generator(); ic],
    }
}

fn proof() -> Proof<Bn254> {
    Proof {
        a: G1Affine::generator(),
        b: G2Affine::generator(),
        c: G1Affine::generator(),
    }
}

/// A one-chunk bundle for n = 1 (l = 9 inputs) whose record decodes.
fn bundle() -> RoundBundle {
    let shape = Shape::new(1, 4);
    let inputs: Vec<Fr> = (0..shape.num_public_inputs() as u64)
        .map(Fr::from)
        .collect();
    RoundBundle {
        format: ROUND_FORMAT.into(),
        shape,
        vk_digest: format!("0x{}", "ab".repeat(32)),
        round: 1,
        d: 4,
        genesis: true,
        bounds: BoundsRecord {
            linf: 1,
            l2_sq: 2,
            linf_float: 0.0,
            l2_float: 0.0,
        },
        weights: vec![1],
        model_commitment: Commitment::default(),
        new_model_commitment: Commitment::default(),
        update_commitments: vec![Commitment::default()],
        chunks: vec![ChunkRecord::new(&inputs, &proof())],
        clients: None,
        model_file: None,
    }
}

#[test]
fn snarkjs_export_refuses_a_key_without_ic_points() {
    let b = bundle();
    // vk_json used to compute nPublic as len − 1.
    assert_eq!(zkfl_verifier::snarkjs::vk_json(&vk(0))["nPublic"], 0);
    for ic in [0, 3, 11] {
        let err = snarkjs_files(&vk(ic), &b, 0).unwrap_err();
        assert!(
            matches!(err, ExportError::KeyInputs { ic: got, inputs: 9, .. } if got == ic),
            "{err}"
        );
    }
    assert!(snarkjs_files(&vk(10), &b, 0).is_ok());
}

#[test]
fn groth16_checks_refuse_a_key_without_ic_points() {
    let key = PreparedKey::new(&vk(0));
    assert_eq!(key.num_inputs(), 0);
    assert_eq!(
        verify_single(&key, &proof(), &[]),
        Err(BatchError::NoIcPoints)
    );
}

fn promptly<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(20))
        .expect("the reader did not return within 20 s")
}

#[cfg(unix)]
#[test]
fn special_files_are_refused_promptly() {
    let tmp = tempfile::tempdir().unwrap();
    let round = tmp.path().join("round-1");
    std::fs::create_dir(&round).unwrap();
    let fifo = round.join("round.json");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let err = promptly(move || load_bundle(&round).map(drop))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("round.json") && err.contains("a FIFO"),
        "{err}"
    );

    let zero = tmp.path().join("opening.json");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let model: PathBuf = tmp.path().join("model.safetensors");
    std::os::unix::fs::symlink("/dev/zero", &model).unwrap();
    let shape = Shape::new(1, 4);
    let err =
        promptly(move || verify_model(&shape, &Commitment::default(), &model, &zero).map(drop))
            .unwrap_err();
    assert!(err.is_unreadable(), "{err}");
    let err = err.to_string();
    assert!(
        err.contains("opening.json") && err.contains("character device"),
        "{err}"
    );
}
