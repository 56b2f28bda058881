//! The verifier on the fixed-L∞ circuit variant: honest rounds pass and report the variant;
//! a bundle that records another bound is refused by name, and no proof verifies with
//! public input #1 other than 2^j (the circuit pins it), so every verifier of the same
//! public-input layout agrees.

mod common;

use ark_bn254::Fr;
use common::{prove, setup, D};
use zkfl_circuits::{
    field::{fr_from_decimal, fr_to_decimal},
    testing::RandomRound,
    Shape,
};
use zkfl_verifier::{verify_round, verify_single, PreparedKey, VerifyError};

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
}
