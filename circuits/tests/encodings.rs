//! Issue 12 item 5: every encoded value has one canonical spelling and every other one is
//! refused; every file struct refuses unknown fields; format tags are checked on parsing.

use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_groth16::Proof;
use ark_serialize::CanonicalSerialize;
use serde_json::{json, Value};
use zkfl_circuits::{
    bundle::{BoundsRecord, ChunkRecord, CommitmentRecord, Opening, RoundBundle},
    commit::{self, Commitment, Kind},
    field::{fr_to_hex, parse_hex32, to_hex, u128_from_decimal},
    keys::{params_from_bytes, KeyHeader},
    tensors::{Layout, TensorSpec},
    Shape,
};

const DIGEST: &str = "0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

fn shape() -> Shape {
    Shape::new(2, 4)
}

/// Serialises `v`, lets `edit` change the JSON, and parses it back as `T`.
fn reparse<T: serde::Serialize + serde::de::DeserializeOwned>(
    v: &T,
    edit: impl FnOnce(&mut Value),
) -> Result<T, String> {
    let mut j = serde_json::to_value(v).unwrap();
    edit(&mut j);
    serde_json::from_value(j).map_err(|e| e.to_string())
}

fn bundle() -> RoundBundle {
    let c = Commitment([0xab; 32]);
    RoundBundle {
        format: zkfl_circuits::bundle::ROUND_FORMAT.into(),
        shape: shape(),
        vk_digest: DIGEST.into(),
        round: 1,
        d: 5,
        genesis: true,
        bounds: BoundsRecord {
            linf: 100,
            l2_sq: 12345,
            linf_float: 0.1,
            l2_float: 0.2,
        },
        weights: vec![1, 2],
        model_commitment: c,
        new_model_commitment: c,
        update_commitments: vec![c, c],
        chunks: vec![],
        clients: None,
        model_file: None,
    }
}

#[test]
fn decimal_u128_has_one_spelling() {
    assert_eq!(u128_from_decimal("0"), Ok(0));
    assert_eq!(u128_from_decimal("12345"), Ok(12345));
    assert_eq!(u128_from_decimal(&u128::MAX.to_string()), Ok(u128::MAX));
    for bad in ["+1", "01", "00", " 1", "1 ", "", "-0", "1e3", "0x1", "１"] {
        assert!(u128_from_decimal(bad).is_err(), "{bad:?} accepted");
    }
    // 2^128 does not fit.
    assert!(u128_from_decimal("340282366920938463463374607431768211456").is_err());
}

#[test]
fn bundle_l2_sq_is_canonical_decimal() {
    let b = bundle();
    assert_eq!(reparse(&b, |_| {}).unwrap(), b);
    for bad in ["+12345", "012345", " 12345", "12345 ", "12345\n"] {
        let err = reparse(&b, |j| j["bounds"]["l2_sq"] = json!(bad)).unwrap_err();
        assert!(err.contains("canonical decimal"), "{bad:?}: {err}");
    }
}

#[test]
fn hex_is_0x_lowercase_exact_length() {
    let bytes = [0xabu8; 32];
    let canonical = to_hex(&bytes);
    assert_eq!(parse_hex32(&canonical), Ok(bytes));
    let no_prefix = canonical.trim_start_matches("0x").to_string();
    let upper = format!("0x{}", no_prefix.to_uppercase());
    let prefix_upper = format!("0X{no_prefix}");
    let short = canonical[..canonical.len() - 2].to_string();
    let long = format!("{canonical}00");
    for bad in [
        no_prefix,
        upper,
        prefix_upper,
        short,
        long,
        format!(" {canonical}"),
    ] {
        let err = parse_hex32(&bad).unwrap_err().to_string();
        assert!(err.contains("lowercase hex"), "{bad:?}: {err}");
        assert!(bad.parse::<Commitment>().is_err(), "{bad:?}");
    }
}

/// Every hex field of every file: commitments, vk digests, salts, chunk hashes.
#[test]
fn every_hex_field_refuses_other_spellings() {
    let spellings = |s: &str| {
        let digits = s.trim_start_matches("0x").to_string();
        vec![digits.clone(), format!("0x{}", digits.to_uppercase())]
    };
    let b = bundle();
    for bad in spellings(&b.model_commitment.to_string()) {
        assert!(reparse(&b, |j| j["model_commitment"] = json!(bad)).is_err());
    }
    for bad in spellings(DIGEST) {
        assert!(reparse(&b, |j| j["vk_digest"] = json!(bad)).is_err());
        let header = KeyHeader {
            kind: "verifying".into(),
            shape: shape(),
            insecure_seed: None,
            vk_digest: DIGEST.into(),
            reduction: Default::default(),
            provenance: None,
        };
        assert!(reparse(&header, |_| {}).is_ok());
        assert!(reparse(&header, |j| j["vk_digest"] = json!(bad)).is_err());
    }

    let salt = fr_to_hex(&Fr::from(0xabcdefu64));
    let (opening, _) = update_opening();
    for bad in spellings(&salt) {
        let o = reparse(&opening, |j| j["salts"][0] = json!(bad)).unwrap();
        assert!(o.check().is_err(), "salt {bad:?} accepted");
    }
    let record = record();
    assert!(record.check(&shape()).is_ok());
    for bad in spellings(&record.chunk_hashes[1]) {
        let r = reparse(&record, |j| j["chunk_hashes"][1] = json!(bad)).unwrap();
        let err = r.check(&shape()).unwrap_err().to_string();
        assert!(err.contains("chunk hash #1"), "{err}");
    }
}

fn update_opening() -> (Opening, Vec<Fr>) {
    let salts = vec![Fr::from(0xabcdefu64), Fr::from(0xfedcbau64)];
    let values = vec![1, -2, 3, 0, 4];
    let (_, commitment) = commit::commit(&shape(), Kind::Update, &values, &salts).unwrap();
    let o = Opening {
        format: Default::default(),
        kind: Kind::Update,
        commitment,
        shape: shape(),
        layout: Layout {
            tensors: vec![TensorSpec::f32("w", &[5])],
        },
        salts: Opening::encode_salts(&salts),
        values: None,
    };
    (o, salts)
}

fn record() -> CommitmentRecord {
    let salts = vec![Fr::from(0xabcdefu64), Fr::from(0xfedcbau64)];
    let (hashes, commitment) =
        commit::commit(&shape(), Kind::Update, &[1, -2, 3, 0, 4], &salts).unwrap();
    CommitmentRecord {
        format: Default::default(),
        kind: Kind::Update,
        commitment,
        d: 5,
        chunk_hashes: hashes.iter().map(fr_to_hex).collect(),
    }
}

#[test]
fn commitment_record_check_recomputes_the_commitment() {
    let r = record();
    assert!(r.check(&shape()).is_ok());
    let mut wrong_d = r.clone();
    wrong_d.d = 9; // 3 chunks of 4, but 2 hashes
    assert!(wrong_d.check(&shape()).is_err());
    wrong_d.d = 6; // 2 chunks, but d is part of the commitment
    let err = wrong_d.check(&shape()).unwrap_err().to_string();
    assert!(err.contains("give commitment"), "{err}");
}

#[test]
fn openings_check_themselves() {
    let (o, salts) = update_opening();
    assert_eq!(o.check(), Ok(salts));
    let mut bad = o.clone();
    bad.shape.chunk = 0;
    assert!(bad.check().unwrap_err().contains("chunk"));
    let mut bad = o.clone();
    bad.layout.tensors.push(TensorSpec::f32("a", &[1]));
    assert!(bad.check().unwrap_err().contains("sorted"));
    let mut bad = o.clone();
    bad.layout.tensors[0].shape = vec![1 << 40, 1 << 40];
    assert!(bad.check().unwrap_err().contains("too many elements"));
    let mut bad = o.clone();
    bad.salts.pop();
    assert!(bad.check().unwrap_err().contains("salts"));
    let mut bad = o;
    bad.values = Some(vec![0; 5]);
    assert!(bad.check().is_err());
}

#[test]
fn format_tags_are_checked_when_parsing() {
    let (o, _) = update_opening();
    assert_eq!(reparse(&o, |_| {}).unwrap(), o);
    let err = reparse(&o, |j| j["format"] = json!("zkfl-opening/2")).unwrap_err();
    assert!(
        err.contains("zkfl-opening/2") && err.contains("zkfl-opening/1"),
        "{err}"
    );
    assert!(reparse(&o, |j| j["format"] = json!("zkfl-commitment/1")).is_err());
    let r = record();
    assert_eq!(reparse(&r, |_| {}).unwrap(), r);
    assert!(reparse(&r, |j| j["format"] = json!("zkfl-opening/1")).is_err());
}

#[test]
fn file_structs_refuse_unknown_fields() {
    let b = bundle();
    let err = reparse(&b, |j| j["bounds"]["l2_float_typo"] = json!(1.0)).unwrap_err();
    assert!(err.contains("unknown field"), "{err}");
    let header = KeyHeader {
        kind: "verifying".into(),
        shape: shape(),
        insecure_seed: None,
        vk_digest: DIGEST.into(),
        reduction: Default::default(),
        provenance: None,
    };
    assert!(reparse(&header, |j| j["extra"] = json!(0)).is_err());
    let layout = Layout {
        tensors: vec![TensorSpec::f32("w", &[5])],
    };
    assert!(reparse(&layout, |j| j["order"] = json!("sorted")).is_err());
    assert!(reparse(&layout, |j| j["tensors"][0]["offset"] = json!(0)).is_err());
    let params = json!({
        "shape": shape(), "vk_digest": DIGEST, "insecure_seed": null, "constraints": 1,
        "domain_size": 2, "created_unix": 0, "zkfl_version": "0.1.0",
    });
    assert!(params_from_bytes(params.to_string().as_bytes(), "params.json").is_ok());
    let mut extra = params.clone();
    extra["chunk_auto"] = json!(true);
    let err = params_from_bytes(extra.to_string().as_bytes(), "keys/params.json")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("keys/params.json") && err.contains("unknown field"),
        "{err}"
    );
}

/// A proof from three generators (it verifies nothing, but it decodes).
fn proof_bytes() -> Vec<u8> {
    let p = Proof::<Bn254> {
        a: G1Affine::generator(),
        b: G2Affine::generator(),
        c: G1Affine::generator(),
    };
    let mut bytes = Vec::new();
    p.serialize_compressed(&mut bytes).unwrap();
    bytes
}

#[test]
fn proofs_are_canonical_hex_of_canonical_points() {
    let bytes = proof_bytes();
    let record = |proof: String| ChunkRecord {
        public_inputs: vec![],
        proof,
    };
    assert!(record(to_hex(&bytes)).proof(0).is_ok());
    let digits = hex::encode(&bytes);
    for bad in [
        digits.clone(),
        format!("0x{}", digits.to_uppercase()),
        format!("0x{digits}00"),
    ] {
        let err = record(bad.clone()).proof(0).unwrap_err().to_string();
        assert!(err.contains("lowercase hex"), "{bad:?}: {err}");
    }
    // arkworks reads any x behind the point-at-infinity flag as the identity: A = (5, ∞)
    // decodes to the same proof as A = (0, ∞), so only the zero spelling may pass.
    let mut infinity = bytes.clone();
    infinity[..32].fill(0);
    infinity[31] = 0x40;
    assert!(record(to_hex(&infinity)).proof(0).is_ok());
    infinity[0] = 5;
    let err = record(to_hex(&infinity)).proof(0).unwrap_err().to_string();
    assert!(err.contains("canonical encoding"), "{err}");
}

/// Found by fuzzing: serde_json's default float parser read 9.020528796694308e18 back as
/// 9.020528796694307e18. The bounds' floats are checked against the proven bounds, so they
/// must read back exactly (the workspace enables serde_json's `float_roundtrip`).
#[test]
fn bound_floats_read_back_exactly() {
    use rand::{Rng, SeedableRng};
    let mut b = bundle();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(12);
    let found = 9.020528796694308e18;
    for x in std::iter::once(found).chain((0..20_000).map(|_| f64::from_bits(rng.gen()))) {
        if !x.is_finite() {
            continue;
        }
        b.bounds.linf_float = x;
        let back: RoundBundle = serde_json::from_slice(&serde_json::to_vec(&b).unwrap()).unwrap();
        assert_eq!(back.bounds.linf_float.to_bits(), x.to_bits(), "{x:e}");
    }
}
