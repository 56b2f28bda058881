//! Committed test vectors (docs/PROTOCOL.md §9) and golden verifying-key digests, for both
//! circuit variants.
//! Regenerate only on purpose: `ZKFL_REGENERATE_VECTORS=1 cargo test -p zkfl-circuits --test vectors`.

use ark_groth16::Groth16;
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use serde_json::{json, Value};
use zkfl_circuits::{
    commit::{pack, Kind},
    field::{fr_to_decimal, fr_to_hex},
    keys::vk_digest,
    testing::synthesize,
    Bounds, ChunkCircuit, ClientSlot, Fr, Round, RoundInput, Shape,
};

fn salts(base: u64, n: usize) -> Vec<Fr> {
    (0..n as u64).map(|i| Fr::from(base + i)).collect()
}

/// The fixed tiny round of PROTOCOL.md §9, in the per-round variant (B∞ = 1000) or the
/// fixed-L∞ variant with j = 10 (B∞ = 1024, every update in [−1024, 1023]).
fn vector_round(linf_bits: Option<u32>) -> Round {
    let shape = Shape {
        linf_bits,
        ..Shape::new(3, 4)
    };
    let d = 6;
    Round::build(RoundInput {
        shape,
        model: vec![65536, -32768, 0, 1, -1, 100_000],
        model_salts: salts(1000, 2),
        slots: vec![
            ClientSlot {
                weight: 3,
                update: vec![100, -200, 300, -400, 500, -600],
                salts: salts(2000, 2),
            },
            ClientSlot {
                weight: 1,
                update: vec![-50, 50, 0, 7, -7, 1],
                salts: salts(3000, 2),
            },
            ClientSlot::empty(&shape, d),
        ],
        bounds: Bounds {
            linf: shape.fixed_linf().unwrap_or(1000),
            l2_sq: 10_000_000,
        },
        new_model_salts: salts(4000, 2),
        acc_salts: salts(5000, 3),
    })
    .unwrap()
}

fn render(round: &Round) -> Value {
    let hex = |v: &[Fr]| v.iter().map(fr_to_hex).collect::<Vec<_>>();
    json!({
        "shape": round.shape(),
        "model": round.input.model,
        "updates": round.input.slots.iter().map(|s| &s.update).collect::<Vec<_>>(),
        "weights": round.input.slots.iter().map(|s| s.weight).collect::<Vec<_>>(),
        "salts": "model: 1000+c, client i: (i+2)·1000+c, new model: 4000+c, accumulators: 5000+c (as field elements)",
        "bounds": { "linf": round.input.bounds.linf, "l2_sq": round.input.bounds.l2_sq.to_string() },
        "new_model": round.new_model,
        "model_chunk_hashes": hex(&round.model_hashes),
        "new_model_chunk_hashes": hex(&round.new_model_hashes),
        "update_chunk_hashes": round.update_hashes.iter().map(|h| hex(h)).collect::<Vec<_>>(),
        "accumulators": hex(&round.accs),
        "model_commitment": round.model_commitment,
        "new_model_commitment": round.new_model_commitment,
        "update_commitments": round.update_commitments,
        "public_inputs_chunk_0": round.public(0).to_vec().iter().map(fr_to_decimal).collect::<Vec<_>>(),
    })
}

fn check_vectors(linf_bits: Option<u32>, file: &str) {
    let round = vector_round(linf_bits);
    // FedAvg by hand, W = 4, ⌊W/2⌋ = 2: q = ⌊(3·Δ_A + Δ_B + 2) / 4⌋.
    assert_eq!(
        round.new_model,
        vec![
            65536 + 63,
            -32768 - 137,
            225,
            1 - 298,
            -1 + 373,
            100_000 - 450
        ]
    );
    for c in 0..round.num_chunks() {
        assert!(synthesize(ChunkCircuit {
            shape: *round.shape(),
            witness: round.witness(c)
        })
        .is_satisfied()
        .unwrap());
    }
    let got = render(&round);
    let path = format!("{}/tests/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    let path = path.as_str();
    if std::env::var_os("ZKFL_REGENERATE_VECTORS").is_some() {
        std::fs::write(path, serde_json::to_string_pretty(&got).unwrap() + "\n").unwrap();
    }
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("committed vectors")).unwrap();
    assert_eq!(
        got, want,
        "protocol encodings changed: update docs/PROTOCOL.md and regenerate on purpose"
    );
}

#[test]
fn round_vectors_match_the_committed_file() {
    check_vectors(None, "round-v1.json");
}

#[test]
fn fixed_linf_round_vectors_match_their_file() {
    check_vectors(Some(10), "round-v1-linf10.json");
    // A model has the same digits in both variants, but the chunk hashes differ: width-9
    // Poseidon per round, width 17 when fixed. Update digits differ too (stride 11 and
    // offset 2^10 instead of 16 and 2^15).
    let (per_round, fixed) = (vector_round(None), vector_round(Some(10)));
    assert_eq!(
        pack(per_round.shape(), Kind::Model, &per_round.input.model[..4]),
        pack(fixed.shape(), Kind::Model, &fixed.input.model[..4])
    );
    assert_ne!(per_round.model_commitment, fixed.model_commitment);
    assert_ne!(per_round.new_model_commitment, fixed.new_model_commitment);
    assert_ne!(per_round.update_commitments[0], fixed.update_commitments[0]);
}

/// SHA-256 of the verifying key of a seeded (INSECURE, test-only) setup, which is
/// deterministic: any change to the circuit's constraints or public-input layout changes it.
fn seeded_vk_digest(shape: Shape) -> String {
    let pk = Groth16::<ark_bn254::Bn254>::generate_random_parameters_with_reduction(
        ChunkCircuit::blank(shape),
        &mut ChaCha20Rng::seed_from_u64(1),
    )
    .unwrap();
    hex::encode(vk_digest(&pk.vk))
}

#[test]
fn golden_verifying_key_digest() {
    assert_eq!(seeded_vk_digest(Shape::new(2, 4)), GOLDEN_VK_DIGEST);
}

#[test]
fn golden_verifying_key_digest_of_the_fixed_linf_variant() {
    assert_eq!(
        seeded_vk_digest(Shape::new(2, 4).with_linf_bits(10)),
        GOLDEN_VK_DIGEST_LINF10
    );
}

const GOLDEN_VK_DIGEST: &str = "ff4424ea294a93b54064771ee3e954153f88d2cfec3fb3ce6622befdd0801983";
const GOLDEN_VK_DIGEST_LINF10: &str =
    "395b1ce8731db851159414a135890c0462d2d09432589e96c553e0f381ff436e";
