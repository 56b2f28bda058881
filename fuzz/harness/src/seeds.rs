//! Valid files built from the fixture, for the targets that edit them and for the initial
//! seed corpora (`cargo run -p zkfl-fuzz --bin fuzz-seeds`).

use std::sync::OnceLock;

use ark_bn254::Bn254;
use ark_groth16::VerifyingKey;
use ark_serialize::CanonicalSerialize;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use safetensors::{tensor::TensorView, Dtype};
use serde_json::Value;
use zkfl_circuits::{
    bundle::{CommitmentRecord, Opening},
    circuit::cost,
    field::fr_to_hex,
    keys::{ContributionRecord, KeyHeader, KeyParams, Provenance, Reduction},
    tensors::{Layout, TensorSpec},
    Kind,
};

use crate::fixture::{fixture, D};

/// The compressed verifying key, as a key file's body holds it.
pub fn vk_body(vk: &VerifyingKey<Bn254>) -> Vec<u8> {
    let mut body = Vec::new();
    vk.serialize_compressed(&mut body)
        .expect("serialising to memory");
    body
}

/// The fixture's verifying key header as a ceremony export would write it: circom
/// reduction and a provenance with two contributions, the last a beacon (claims only: the
/// targets never check them against files).
pub fn ceremony_header() -> &'static KeyHeader {
    static H: OnceLock<KeyHeader> = OnceLock::new();
    H.get_or_init(|| {
        let blake = |b: u8| hex::encode([b; 64]);
        KeyHeader {
            insecure_seed: None,
            reduction: Reduction::Circom,
            provenance: Some(Provenance {
                ptau_blake2b: blake(1),
                zkey_blake2b: blake(2),
                circuit_hash: blake(3),
                contributions: vec![
                    ContributionRecord {
                        name: "alice".into(),
                        hash: blake(4),
                        beacon: None,
                    },
                    ContributionRecord {
                        name: "beacon".into(),
                        hash: blake(5),
                        beacon: Some((hex::encode([6u8; 32]), 10)),
                    },
                ],
            }),
            ..fixture().header.clone()
        }
    })
}

/// A valid file of each kind the `json` target reads: a model opening, an update's
/// commitment record, params.json and a round bundle, in that order.
pub fn json_seeds() -> &'static [Value; 4] {
    static S: OnceLock<[Value; 4]> = OnceLock::new();
    S.get_or_init(|| {
        let f = fixture();
        let round = &f.rounds[0];
        let shape = f.header.shape;
        let opening = Opening {
            format: Default::default(),
            kind: Kind::Model,
            commitment: round.new_model_commitment,
            shape,
            layout: Layout {
                tensors: vec![
                    TensorSpec::f32("a", &[2, 3]),
                    TensorSpec::f32("b", &[D - 6]),
                ],
            },
            salts: Opening::encode_salts(&round.input.new_model_salts),
            values: Some(round.new_model.clone()),
        };
        let record = CommitmentRecord {
            format: Default::default(),
            kind: Kind::Update,
            commitment: round.update_commitments[0],
            d: D as u64,
            chunk_hashes: round.update_hashes[0].iter().map(fr_to_hex).collect(),
        };
        let params = KeyParams {
            shape,
            vk_digest: f.header.vk_digest.clone(),
            insecure_seed: f.header.insecure_seed,
            constraints: cost::num_constraints(&shape),
            domain_size: cost::domain_size(&shape),
            created_unix: 0,
            zkfl_version: "0.1.0".into(),
            reduction: Default::default(),
            provenance: None,
        };
        let value = |r: Result<Value, serde_json::Error>| r.expect("seed serialises");
        [
            value(serde_json::to_value(&opening)),
            value(serde_json::to_value(&record)),
            value(serde_json::to_value(&params)),
            value(serde_json::to_value(&f.bundles[0])),
        ]
    })
}

fn safetensors_file(tensors: &[(&str, Dtype, &[usize])]) -> Vec<u8> {
    let buffers: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = tensors
        .iter()
        .map(|(name, dtype, shape)| {
            let n: usize = shape.iter().product();
            let bytes = (0..n * dtype.bitsize() / 8)
                .map(|i| (i * 37) as u8)
                .collect();
            (name.to_string(), *dtype, shape.to_vec(), bytes)
        })
        .collect();
    let views = buffers.iter().map(|(name, dtype, shape, bytes)| {
        let view = TensorView::new(*dtype, shape.clone(), bytes).expect("valid tensor");
        (name.clone(), view)
    });
    safetensors::serialize(views, None).expect("serialise safetensors")
}

/// The initial seeds of target `name`: valid inputs, and a few random byte strings for the
/// structure-aware targets whose bytes are edit lists.
pub fn initial(name: &str) -> Vec<Vec<u8>> {
    let mut rng = ChaCha20Rng::seed_from_u64(name.len() as u64);
    let mut random = |prefix: &[u8], count: usize| -> Vec<Vec<u8>> {
        (0..count)
            .map(|i| {
                let mut v = prefix.to_vec();
                v.extend((0..8 + 8 * i).map(|_| rng.gen::<u8>()));
                v
            })
            .collect()
    };
    let f = fixture();
    match name {
        "round" => {
            let mut s = vec![vec![0, 0], vec![0, 1], vec![1, 0], vec![1, 1]];
            s.extend(random(&[], 6));
            s
        }
        "keys" => {
            let header = serde_json::to_vec(&f.header).expect("header");
            let mut file = vec![0u8];
            file.extend(b"ZKFLKEY1");
            file.extend((header.len() as u32).to_le_bytes());
            file.extend(header);
            file.extend(vk_body(&f.vk));
            let mut s = vec![file, vec![1], vec![3], vec![5], vec![7]];
            s.extend(random(&[1], 3));
            s.extend(random(&[3], 2));
            s.extend(random(&[5], 2));
            s
        }
        "json" => {
            let mut s: Vec<Vec<u8>> = json_seeds()
                .iter()
                .enumerate()
                .map(|(kind, v)| {
                    let mut b = vec![kind as u8];
                    b.extend(serde_json::to_vec(v).expect("seed"));
                    b
                })
                .collect();
            for kind in 0..4u8 {
                s.extend(random(&[0x80 | kind], 2));
            }
            s
        }
        "safetensors" => vec![
            safetensors_file(&[("a.weight", Dtype::F32, &[2, 3]), ("b", Dtype::F64, &[2])]),
            safetensors_file(&[("scalar", Dtype::F32, &[])]),
            safetensors_file(&[("empty", Dtype::F64, &[0]), ("h", Dtype::F16, &[4])]),
        ],
        "snarkjs" => {
            let mut s = vec![
                vec![0, 0, 0],
                vec![1, 2, 0],
                vec![0, 1, 0xff],
                vec![0, 0, 1],
            ];
            s.extend(random(&[], 4));
            s
        }
        other => panic!("no fuzz target named {other}"),
    }
}
