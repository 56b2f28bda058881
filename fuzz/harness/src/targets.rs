//! The fuzz target bodies. Each takes the fuzzer's bytes, must never panic, and asserts the
//! properties that make a wrong accept or a non-canonical read visible as a crash:
//!
//! - `round`: a real bundle with up to six structure-aware edits, alone or inside a
//!   two-round history. Accepted ⇒ the statement (shape, d, bounds, weights, commitments,
//!   every public input, key digest) is the original one. Proof bytes may differ only by
//!   Groth16's malleability; the round index and genesis flag are bound by the history, not
//!   by the proofs.
//! - `keys`: key file bytes, raw or as edits of the real verifying key (with a setup's or a
//!   ceremony's header). Accepted ⇒ a valid shape with one IC point per input, a header that
//!   reads back equal, and verifying a real bundle with it cannot panic.
//! - `json`: openings, commitment records, params.json and round bundles, raw or edited.
//!   Accepted ⇒ the checks a reader runs cannot panic, and writing back reads back equal.
//! - `safetensors`: any bytes. Accepted ⇒ the layout holds together with the values.
//! - `snarkjs`: an edited bundle, a chunk index and a key with extra or missing IC points.
//!   Exported ⇒ public.json is the chunk's canonical inputs and nPublic their count.

use arbitrary::Unstructured;
use ark_bn254::{Bn254, G1Affine};
use ark_groth16::VerifyingKey;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::{json, Value};
use zkfl_circuits::{
    bundle::{CommitmentRecord, Opening, RoundBundle},
    field::fr_to_hex,
    fixed::FixedPoint,
    keys, tensors,
};
use zkfl_verifier::{snarkjs, verify_history_with_rng, verify_round_with_rng};

use crate::{fixture::fixture, mutate, seeds};

/// A target body.
pub type Target = fn(&[u8]);

/// Every target by name: the names are the corpus directories under `fuzz/corpus/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("round", round),
    ("keys", keys),
    ("json", json),
    ("safetensors", safetensors),
    ("snarkjs", snarkjs),
];

/// Batch randomness fixed per execution, so that a corpus file always replays the same way.
fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(7)
}

/// What a round's proofs and the verifier's checks pin down.
#[derive(Debug, PartialEq)]
struct Statement<'a> {
    shape: zkfl_circuits::Shape,
    d: u64,
    linf: u64,
    l2_sq: u128,
    weights: &'a [u64],
    commitments: [zkfl_circuits::Commitment; 2],
    updates: &'a [zkfl_circuits::Commitment],
    inputs: Vec<&'a [String]>,
    vk_digest: &'a str,
}

fn statement(b: &RoundBundle) -> Statement<'_> {
    Statement {
        shape: b.shape,
        d: b.d,
        linf: b.bounds.linf,
        l2_sq: b.bounds.l2_sq,
        weights: &b.weights,
        commitments: [b.model_commitment, b.new_model_commitment],
        updates: &b.update_commitments,
        inputs: b
            .chunks
            .iter()
            .map(|c| c.public_inputs.as_slice())
            .collect(),
        vk_digest: &b.vk_digest,
    }
}

/// Parses `bytes` as `T`; whatever parses must write back to something that parses equal.
fn parse<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(bytes: &[u8]) -> Option<T> {
    let v: T = serde_json::from_slice(bytes).ok()?;
    let again = serde_json::to_vec(&v).expect("a parsed value serialises");
    let back: T = serde_json::from_slice(&again).expect("what zkfl writes, zkfl reads");
    assert_eq!(back, v, "a value changed on a write and read");
    Some(v)
}

/// `doc` with edits decoded from `u`, as JSON text.
fn edited(doc: &impl Serialize, u: &mut Unstructured<'_>) -> Vec<u8> {
    let mut v = serde_json::to_value(doc).expect("fixture serialises");
    mutate::apply(&mut v, &mutate::edits(u, 6));
    serde_json::to_vec(&v).expect("a JSON value serialises")
}

/// Round bundles: parsing and verification, alone and in a history.
pub fn round(data: &[u8]) {
    let f = fixture();
    let mut u = Unstructured::new(data);
    let history = u.arbitrary::<bool>().unwrap_or(false);
    let which = usize::from(u.arbitrary::<u8>().unwrap_or(0)) % f.bundles.len();
    let bytes = edited(&f.bundles[which], &mut u);
    let Some(bundle) = parse::<RoundBundle>(&bytes) else {
        return;
    };
    let original = &f.bundles[which];
    if history {
        let mut bundles = f.bundles.clone();
        bundles[which] = bundle;
        if verify_history_with_rng(&f.vk, &f.header, &bundles, &mut rng()).is_ok() {
            assert_eq!(
                (statement(&bundles[which]), bundles[which].round),
                (statement(original), original.round),
                "WRONG ACCEPT: an edited bundle verified inside the history"
            );
        }
    } else if verify_round_with_rng(&f.vk, &f.header, &bundle, &mut rng()).is_ok() {
        assert_eq!(
            statement(&bundle),
            statement(original),
            "WRONG ACCEPT: an edited bundle verified"
        );
    }
}

/// A verifying key's file bytes: magic, header length, header JSON, body.
fn key_file(header: &Value, body: &[u8]) -> Vec<u8> {
    let json = serde_json::to_vec(header).expect("header serialises");
    let mut out = b"ZKFLKEY1".to_vec();
    out.extend((json.len() as u32).to_le_bytes());
    out.extend(json);
    out.extend(body);
    out
}

/// Accepted key headers: the reports built from them cannot panic, and they write back to
/// what they were read from.
fn check_header(header: &keys::KeyHeader) {
    assert!(header.shape.validate().is_ok(), "accepted an invalid shape");
    let _ = (header.insecurity(), header.provenance_lines());
    let again = serde_json::to_value(header).expect("a header serialises");
    let back: keys::KeyHeader =
        serde_json::from_value(again).expect("what zkfl writes, zkfl reads");
    assert_eq!(&back, header, "a key header changed on a write and read");
}

/// Key files: raw bytes (first byte even) or edits of the real verifying key's header plus
/// bit flips in its body (first byte odd); bit 2 of the first byte starts from a header that
/// claims a ceremony (provenance, circom reduction) instead of the seeded setup's.
pub fn keys(data: &[u8]) {
    let f = fixture();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        let mut u = Unstructured::new(rest);
        let header = if mode & 4 == 0 {
            edited(&f.header, &mut u)
        } else {
            edited(seeds::ceremony_header(), &mut u)
        };
        let mut header: Value = serde_json::from_slice(&header).expect("edited JSON parses");
        // An edit may have replaced the whole header by a scalar: keep that as it is.
        if let (3, Some(fields)) = (mode % 4, header.as_object_mut()) {
            fields.insert("kind".into(), json!("proving"));
        }
        let mut body = seeds::vk_body(&f.vk);
        // `arbitrary` yields zeros once the bytes run out, so stop on empty input.
        for _ in 0..16 {
            if u.is_empty() {
                break;
            }
            let bit = usize::from(u.arbitrary::<u16>().unwrap_or(0)) % (8 * body.len());
            body[bit / 8] ^= 1 << (bit % 8);
        }
        key_file(&header, &body)
    };
    if let Ok((header, vk)) = keys::vk_from_bytes(&bytes, "vk.bin") {
        check_header(&header);
        assert_eq!(vk.gamma_abc_g1.len(), header.shape.num_public_inputs() + 1);
        let _ = verify_round_with_rng(&vk, &header, &f.bundles[0], &mut rng());
        let _ = snarkjs::vk_json(&vk);
    }
    if let Ok((header, pk)) = keys::pk_from_bytes(&bytes, "pk.bin") {
        check_header(&header);
        assert_eq!(keys::vk_digest_hex(&pk.vk), header.vk_digest);
    }
}

/// JSON files: the first byte picks the kind (low two bits) and raw text or edits of a
/// valid file (high bit).
pub fn json(data: &[u8]) {
    let f = fixture();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let seed = seeds::json_seeds();
    let kind = usize::from(mode % 4);
    let bytes = if mode & 0x80 == 0 {
        rest.to_vec()
    } else {
        edited(&seed[kind], &mut Unstructured::new(rest))
    };
    match kind {
        0 => {
            if let Some(o) = parse::<Opening>(&bytes) {
                if let Ok(salts) = o.check() {
                    let canonical: Vec<String> = salts.iter().map(fr_to_hex).collect();
                    assert_eq!(
                        canonical, o.salts,
                        "a salt was accepted in another spelling"
                    );
                }
            }
        }
        1 => {
            if let Some(r) = parse::<CommitmentRecord>(&bytes) {
                if let Ok(hashes) = r.check(&f.header.shape) {
                    let canonical: Vec<String> = hashes.iter().map(fr_to_hex).collect();
                    assert_eq!(
                        canonical, r.chunk_hashes,
                        "a hash was accepted in another spelling"
                    );
                }
            }
        }
        2 => {
            if let Ok(p) = keys::params_from_bytes(&bytes, "params.json") {
                assert!(p.shape.validate().is_ok(), "accepted an invalid shape");
                assert_eq!(parse::<keys::KeyParams>(&bytes).as_ref(), Some(&p));
            }
        }
        _ => {
            if let Some(b) = parse::<RoundBundle>(&bytes) {
                for (c, record) in b.chunks.iter().enumerate() {
                    let _ = record.inputs(c);
                    if let Ok(proof) = record.proof(c) {
                        let canonical = zkfl_circuits::bundle::proof_to_hex(&proof);
                        assert_eq!(canonical, record.proof, "a proof in another spelling");
                    }
                }
            }
        }
    }
}

/// Safetensors files.
pub fn safetensors(data: &[u8]) {
    if let Ok(p) = tensors::parse(data, "model.safetensors") {
        assert_eq!(
            p.layout.check(),
            Ok(p.values.len()),
            "layout and values disagree"
        );
        for bits in [16, 32] {
            let _ = FixedPoint::signed(16, bits).encode(p.values.iter().copied());
        }
        if let Some(last) = p.values.len().checked_sub(1) {
            let _ = p.layout.locate(last);
        }
    }
}

/// snarkjs export: an edited bundle, a chunk index and a key with IC points added or cut.
pub fn snarkjs(data: &[u8]) {
    let f = fixture();
    let mut u = Unstructured::new(data);
    let which = usize::from(u.arbitrary::<u8>().unwrap_or(0)) % f.bundles.len();
    let chunk = usize::from(u.arbitrary::<u8>().unwrap_or(0));
    let ic = i8::from_le_bytes([u.arbitrary::<u8>().unwrap_or(0)]);
    let mut vk: VerifyingKey<Bn254> = f.vk.clone();
    let len = vk.gamma_abc_g1.len();
    vk.gamma_abc_g1.resize(
        (len as i64 + i64::from(ic)).clamp(0, 64) as usize,
        G1Affine::default(),
    );
    let bytes = edited(&f.bundles[which], &mut u);
    let Some(bundle) = parse::<RoundBundle>(&bytes) else {
        return;
    };
    if let Ok([(_, key), _, (_, public)]) = snarkjs::snarkjs_files(&vk, &bundle, chunk) {
        let inputs = &bundle.chunks[chunk].public_inputs;
        assert_eq!(
            public,
            json!(inputs),
            "public.json differs from the chunk's inputs"
        );
        assert_eq!(key["nPublic"], json!(inputs.len()));
    }
}
