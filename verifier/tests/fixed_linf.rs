//! The verifier on the fixed-L∞ circuit variant: honest rounds pass and report the variant;
//! a bundle that records another bound is refused by name, and no proof verifies with
//! public input #1 other than 2^j (the circuit pins it), so every verifier of the same
//! public-input layout agrees: snarkjs is checked here, the Solidity verifier is the same
//! pairing check over the same inputs.

mod common;

use std::{path::Path, process::Command};

use ark_bn254::Fr;
use common::{prove, setup, D};
use zkfl_circuits::{
    bundle::RoundBundle,
    field::{fr_from_decimal, fr_to_decimal},
    testing::RandomRound,
    Shape,
};
use zkfl_verifier::{export_snarkjs, verify_round, verify_single, PreparedKey, VerifyError};

fn shape() -> Shape {
    Shape::new(3, 8).with_linf_bits(10)
}

#[test]
fn fixed_linf_rounds_verify_and_only_with_the_fixed_bound() {
    let key = setup(shape(), 44);
    let round = RandomRound::new(shape(), D)
        .empty_last(1)
        .build()
        .expect("honest round");
    assert_eq!(round.input.bounds.linf, 1024);
    let bundle = prove(&key, &round, 1, true);
    let report = verify_round(&key.vk, &key.header, &bundle).expect("honest round verifies");
    assert_eq!(report.linf_variant, "fixed-linf");
    assert_eq!(report.linf, 1024);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["linf_variant"], "fixed-linf");
    assert_eq!(json["shape"]["linf_bits"], 10);
    assert_eq!(
        report.shape.describe_linf(report.linf),
        "-1024 ≤ Δ ≤ 1023 (L∞ bound 2^10 fixed by the key)"
    );

    // The bundle claims a tighter bound, consistently in every chunk's input #1.
    let mut b = bundle.clone();
    b.bounds.linf = 1000;
    for c in &mut b.chunks {
        c.public_inputs[1] = "1000".into();
    }
    let e = verify_round(&key.vk, &key.header, &b).unwrap_err();
    assert_eq!(
        e,
        VerifyError::FixedLinf {
            round: 1,
            bundle: 1000,
            fixed: 1024,
            bits: 10
        }
    );
    assert!(e.to_string().contains("2^10 = 1024"), "{e}");
    // ... and the proofs themselves refuse it: #1 is pinned to 2^j inside the circuit.
    let pvk = PreparedKey::new(&key.vk);
    for (c, rec) in bundle.chunks.iter().enumerate() {
        let mut inputs = rec.inputs(c).unwrap();
        let proof = rec.proof(c).unwrap();
        assert!(verify_single(&pvk, &proof, &inputs).unwrap());
        for linf in [1000u64, 1023, 1025] {
            inputs[1] = Fr::from(linf);
            assert!(
                !verify_single(&pvk, &proof, &inputs).unwrap(),
                "B∞ = {linf}"
            );
        }
    }

    // Input #1 disagreeing with the recorded bound is named like any other input.
    let mut b = bundle.clone();
    let x = fr_from_decimal(&b.chunks[2].public_inputs[1]).unwrap();
    b.chunks[2].public_inputs[1] = fr_to_decimal(&(x - Fr::from(1u64)));
    let e = verify_round(&key.vk, &key.header, &b).unwrap_err();
    assert!(
        matches!(
            e,
            VerifyError::InputMismatch {
                round: 1,
                chunk: 2,
                index: 1,
                ..
            }
        ),
        "{e}"
    );

    // A per-round key of the same size is another statement.
    let other = setup(Shape::new(3, 8), 44);
    assert!(matches!(
        verify_round(&other.vk, &other.header, &bundle).unwrap_err(),
        VerifyError::ShapeMismatch { .. }
    ));

    snarkjs_agrees(&key.vk, &bundle);
}

/// snarkjs, an independent Groth16 implementation, reads the same layout: it accepts an
/// exported fixed-L∞ chunk and refuses it with input #1 = 2^j − 1.
fn snarkjs_agrees(vk: &ark_groth16::VerifyingKey<ark_bn254::Bn254>, bundle: &RoundBundle) {
    let snarkjs = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/.bin/snarkjs");
    assert!(
        snarkjs.exists(),
        "{} is missing: run `npm ci --prefix verifier`",
        snarkjs.display()
    );
    let dir = tempfile::tempdir().unwrap();
    export_snarkjs(vk, bundle, 1, dir.path()).expect("export");
    let verify = || {
        let o = Command::new("node")
            .arg(&snarkjs)
            .args(["groth16", "verify"])
            .arg(dir.path().join("verification_key.json"))
            .arg(dir.path().join("public.json"))
            .arg(dir.path().join("proof.json"))
            .output()
            .expect("run node (is Node.js installed?)");
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    let out = verify();
    assert!(out.contains("OK!"), "snarkjs: {out}");
    let public = dir.path().join("public.json");
    let mut inputs: Vec<String> = serde_json::from_slice(&std::fs::read(&public).unwrap()).unwrap();
    assert_eq!(inputs[1], "1024");
    inputs[1] = "1023".into();
    std::fs::write(&public, serde_json::to_vec(&inputs).unwrap()).unwrap();
    let out = verify();
    assert!(out.contains("Invalid proof"), "snarkjs: {out}");
}
