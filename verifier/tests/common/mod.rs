//! Shared fixture: one seeded key, a real 3-round history proven with it, and helpers to
//! write keys and bundles to disk. Keys from fixed seeds: INSECURE, tests only.
#![allow(dead_code)]

use std::{
    path::{Path, PathBuf},
    sync::OnceLock,
};

use ark_bn254::{Bn254, Fr};
use ark_groth16::{Groth16, ProvingKey, VerifyingKey};
use ark_snark::{CircuitSpecificSetupSNARK, SNARK};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkfl_circuits::{
    bundle::{Opening, RoundBundle},
    encoding::Format,
    keys::{vk_digest_hex, write_vk, KeyHeader},
    tensors::{self, Layout, TensorSpec},
    testing::RandomRound,
    ChunkCircuit, Kind, Round, RoundInput, Shape,
};

/// n = 3 slots (the last one empty), m = 8, d = 20: K = 3 chunks, l = 13 inputs.
pub const D: usize = 20;
pub const KEY_SEED: u64 = 42;

pub fn shape() -> Shape {
    Shape::new(3, 8)
}

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

pub struct Key {
    pub pk: ProvingKey<Bn254>,
    pub vk: VerifyingKey<Bn254>,
    pub header: KeyHeader,
}

/// A Groth16 key pair for `shape` from a fixed seed.
pub fn setup(shape: Shape, seed: u64) -> Key {
    let (pk, vk) =
        Groth16::<Bn254>::setup(ChunkCircuit::blank(shape), &mut rng(seed)).expect("setup");
    let header = KeyHeader {
        kind: "verifying".into(),
        shape,
        insecure_seed: Some(seed),
        vk_digest: vk_digest_hex(&vk),
        reduction: zkfl_circuits::keys::Reduction::Libsnark,
        provenance: None,
    };
    Key { pk, vk, header }
}

/// Random honest input for a round starting from `model` with `model_salts`. Slot 2 is
/// the canonical empty slot unless `junk_empty`, where it gets weight 0 but a real update.
pub fn round_input(
    model: Vec<i64>,
    model_salts: Vec<Fr>,
    seed: u64,
    junk_empty: bool,
) -> RoundInput {
    let spec = RandomRound {
        seed,
        ..RandomRound::new(shape(), D)
    };
    let spec = if junk_empty {
        RandomRound {
            zero_weight: vec![2],
            ..spec
        }
    } else {
        RandomRound {
            empty: vec![2],
            ..spec
        }
    };
    spec.input_from(model, model_salts)
}

/// Proves every chunk of `round` and packs the bundle for round index `t`.
pub fn prove(key: &Key, round: &Round, t: u64, genesis: bool) -> RoundBundle {
    let shape = *round.shape();
    let mut rng = rng(1000 + t);
    let proofs: Vec<_> = (0..round.num_chunks())
        .map(|c| {
            let circuit = ChunkCircuit {
                shape,
                witness: round.witness(c),
            };
            Groth16::<Bn254>::prove(&key.pk, circuit, &mut rng).expect("prove")
        })
        .collect();
    let floats = round.input.bounds.to_floats(&shape).expect("square B₂²");
    RoundBundle::from_round(round, t, genesis, &key.header.vk_digest, floats, &proofs)
}

pub struct Fixture {
    pub key: Key,
    /// Rounds 1..=3, round t+1 starting from round t's new model.
    pub rounds: Vec<Round>,
    pub bundles: Vec<RoundBundle>,
}

/// The shared fixture, built once per test binary.
pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let key = setup(shape(), KEY_SEED);
        // The genesis model and its salts (seed 7); each round draws its own clients.
        let genesis = RandomRound::new(shape(), D).input();
        let (mut model, mut model_salts) = (genesis.model, genesis.model_salts);
        let mut rounds = Vec::new();
        let mut bundles = Vec::new();
        for t in 1..=3u64 {
            let round = Round::build(round_input(model, model_salts, 100 + t, false))
                .expect("honest round");
            bundles.push(prove(&key, &round, t, t == 1));
            model = round.new_model.clone();
            model_salts = round.input.new_model_salts.clone();
            rounds.push(round);
        }
        Fixture {
            key,
            rounds,
            bundles,
        }
    })
}

/// Writes the fixture's key to `dir/vk.bin` and returns the path.
pub fn write_key(dir: &Path, key: &Key) -> std::path::PathBuf {
    let path = dir.join("vk.bin");
    write_vk(&path, &key.header, &key.vk).expect("write vk");
    path
}

/// Writes `bundle` to `dir/round.json`.
pub fn write_bundle(dir: &Path, bundle: &RoundBundle) {
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(
        dir.join("round.json"),
        serde_json::to_vec_pretty(bundle).expect("json"),
    )
    .expect("write bundle");
}

/// Decimal x + r, by schoolbook addition (no big-integer dependency needed).
pub fn plus_r(x: &str) -> String {
    const R: &str = "21888242871839275222246405745257275088548364400416034343698204186575808495617";
    let (a, b) = (x.as_bytes(), R.as_bytes());
    let mut out = Vec::new();
    let mut carry = 0;
    for i in 0..a.len().max(b.len()) {
        let da = if i < a.len() {
            a[a.len() - 1 - i] - b'0'
        } else {
            0
        };
        let db = if i < b.len() {
            b[b.len() - 1 - i] - b'0'
        } else {
            0
        };
        let s = da + db + carry;
        out.push(b'0' + s % 10);
        carry = s / 10;
    }
    if carry > 0 {
        out.push(b'0' + carry);
    }
    out.reverse();
    String::from_utf8(out).expect("digits")
}

/// Two F64 tensors holding the D parameters (F64 so that every fixed-point value is exact).
pub fn model_layout() -> Layout {
    Layout {
        tensors: vec![
            TensorSpec {
                name: "a.weight".into(),
                shape: vec![4, 3],
                dtype: "F64".into(),
            },
            TensorSpec {
                name: "b.bias".into(),
                shape: vec![D - 12],
                dtype: "F64".into(),
            },
        ],
    }
}

/// Writes `round`'s new model as `dir/model.safetensors` and its opening as
/// `dir/opening.json`.
pub fn write_model(dir: &Path, round: &Round, layout: &Layout) -> (PathBuf, PathBuf) {
    let model = dir.join("model.safetensors");
    let floats: Vec<f64> = round
        .new_model
        .iter()
        .map(|&v| v as f64 / 65536.0)
        .collect();
    tensors::write(&model, layout, &floats).expect("write model");
    let opening = Opening {
        format: Format::new(),
        kind: Kind::Model,
        commitment: round.new_model_commitment,
        shape: shape(),
        layout: layout.clone(),
        salts: Opening::encode_salts(&round.input.new_model_salts),
        values: Some(round.new_model.clone()),
    };
    let path = dir.join("opening.json");
    std::fs::write(&path, serde_json::to_vec(&opening).expect("json")).expect("write opening");
    (model, path)
}
