//! The zkfl-msm prover makes ark-groth16's proofs: equal bytes for equal randomness, and
//! they verify. About 10 s (a seeded n = 2, m = 4 key).

use ark_bn254::{Bn254, Fr};
use ark_ff::{UniformRand, Zero};
use ark_groth16::{r1cs_to_qap::LibsnarkReduction, Groth16};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkfl_circuits::{testing::RandomRound, Shape};
use zkfl_msm::Settings;
use zkfl_prover::{groth16::MsmKey, prove::ProvingContext, setup};
use zkfl_verifier::{verify_single, PreparedKey};

#[test]
fn proofs_equal_ark_groth16_and_verify() {
    let shape = Shape::new(2, 4);
    let (pk, _) = setup::setup(shape, Some(11)).expect("setup");
    let round = RandomRound::new(shape, 7).build().expect("round");
    let ctx = ProvingContext::new(&pk, shape).expect("context");
    let vk = PreparedKey::new(&pk.vk);
    let mut rng = ChaCha20Rng::seed_from_u64(12);
    for chunk in 0..round.num_chunks() {
        let full = ctx.assignment(round.witness(chunk)).expect("assignment");
        // r = 0 skips B in G1 in ark-groth16: cover that branch too.
        for (r, s) in [
            (Fr::rand(&mut rng), Fr::rand(&mut rng)),
            (Fr::zero(), Fr::rand(&mut rng)),
        ] {
            let expected = Groth16::<Bn254>::create_proof_with_reduction_and_matrices(
                &pk,
                r,
                s,
                ctx.matrices(),
                ctx.num_inputs(),
                ctx.num_constraints(),
                &full,
            )
            .expect("ark-groth16 proof");
            for settings in [
                Settings::default(),
                Settings {
                    glv: false,
                    copy_bases: false,
                    tables: false,
                    window: Some(3),
                },
                Settings {
                    tables: true,
                    ..Settings::default()
                },
            ] {
                let ours = MsmKey::new(&pk, settings)
                    .expect("key")
                    .prove::<LibsnarkReduction>(
                        r,
                        s,
                        ctx.matrices(),
                        ctx.num_inputs(),
                        ctx.num_constraints(),
                        &full,
                    )
                    .expect("proof");
                assert_eq!(ours, expected, "chunk {chunk}, {settings:?}");
            }
            assert!(
                verify_single(&vk, &expected, &round.public(chunk).to_vec()).expect("well-formed"),
                "chunk {chunk}"
            );
        }
        let proof = ctx.prove(round.witness(chunk), &mut rng).expect("proof");
        assert!(verify_single(&vk, &proof, &round.public(chunk).to_vec()).expect("well-formed"));
    }
}
