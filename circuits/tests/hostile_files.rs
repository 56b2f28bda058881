//! Issue 12 items 6, 7 and 10: hostile key files, params.json and input paths give an error
//! that names the file, never a panic, a hang or unbounded memory.

use std::{
    path::{Path, PathBuf},
    sync::mpsc,
    time::Duration,
};

use ark_bn254::{Bn254, Fr, G1Affine, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_groth16::VerifyingKey;
use ark_serialize::CanonicalSerialize;
use zkfl_circuits::{
    bundle::{Opening, RoundBundle},
    files,
    keys::{self, KeyHeader, KeyParams},
    tensors,
    testing::RandomRound,
    Round, RoundError, Shape,
};

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Self {
        let d = std::env::temp_dir().join(format!("zkfl-hostile-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Self(d)
    }
    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `f` on its own thread and fails the test if it has not returned within 20 s (a
/// reader blocked on a FIFO, or filling memory from /dev/zero, never returns).
fn promptly<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("{what} did not return within 20 s"))
}

fn vk_for(shape: Shape, ic: usize) -> VerifyingKey<Bn254> {
    let g1 = G1Affine::generator();
    let g2 = G2Affine::generator();
    VerifyingKey {
        alpha_g1: g1,
        beta_g2: g2,
        gamma_g2: g2,
        delta_g2: (g2 * Fr::from(2u64)).into_affine(),
        gamma_abc_g1: vec![g1; ic.min(shape.num_public_inputs() + 1)],
    }
}

fn header(kind: &str, shape: Shape, vk: &VerifyingKey<Bn254>) -> KeyHeader {
    KeyHeader {
        kind: kind.into(),
        shape,
        insecure_seed: None,
        vk_digest: keys::vk_digest_hex(vk),
        reduction: Default::default(),
        provenance: None,
    }
}

/// The bytes of a key file with header JSON `json`.
fn key_bytes(json: &[u8], body: &[u8]) -> Vec<u8> {
    let mut f = b"ZKFLKEY1".to_vec();
    f.extend((json.len() as u32).to_le_bytes());
    f.extend(json);
    f.extend(body);
    f
}

fn json(h: &KeyHeader) -> Vec<u8> {
    serde_json::to_vec(h).unwrap()
}

#[test]
fn verifying_keys_round_trip_and_their_size_is_fixed_by_the_shape() {
    let dir = Dir::new("vk");
    let shape = Shape::new(2, 4);
    let vk = vk_for(shape, usize::MAX);
    let path = dir.join("vk.bin");
    keys::write_vk(&path, &header("verifying", shape, &vk), &vk).unwrap();
    let (h, back) = keys::read_vk(&path).unwrap();
    assert_eq!((h.shape, back), (shape, vk.clone()));
    assert_eq!(vk.compressed_size() as u64, keys::vk_bytes(&shape));

    // One trailing byte is refused without decoding the rest.
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.push(0);
    let err = keys::vk_from_bytes(&bytes, "vk.bin")
        .unwrap_err()
        .to_string();
    assert!(err.contains("vk.bin") && err.contains("key bytes"), "{err}");
}

#[test]
fn key_header_shapes_are_validated_before_use() {
    let dir = Dir::new("shape");
    let vk = vk_for(Shape::new(2, 4), usize::MAX);
    let mut body = Vec::new();
    vk.serialize_compressed(&mut body).unwrap();
    let digest = keys::vk_digest_hex(&vk);
    let path = dir.join("vk.bin");
    // chunk 0 would divide by zero; 2^63 slots would overflow 2n + 7 (items 6 and 7).
    for (slots, chunk) in [(2u64, 0u64), (1 << 63, 4), (u64::MAX, 4)] {
        let json = format!(
            r#"{{"kind":"verifying","shape":{{"slots":{slots},"chunk":{chunk},"frac_bits":16,"update_bits":16,"model_bits":32,"weight_bits":16,"norm_bits":64}},"insecure_seed":null,"vk_digest":"{digest}"}}"#
        );
        std::fs::write(&path, key_bytes(json.as_bytes(), &body)).unwrap();
        let err = keys::read_vk(&path).unwrap_err().to_string();
        assert!(
            err.contains("vk.bin") && err.contains("invalid circuit shape"),
            "{slots} slots, chunk {chunk}: {err}"
        );
        let err = keys::read_pk(&path).unwrap_err().to_string();
        assert!(err.contains("vk.bin"), "{err}");
    }
}

#[test]
fn a_key_without_ic_points_is_an_error_not_a_panic() {
    let shape = Shape::new(2, 4);
    let vk = vk_for(shape, 0);
    let mut body = Vec::new();
    vk.serialize_compressed(&mut body).unwrap();
    let file = key_bytes(&json(&header("verifying", shape, &vk)), &body);
    let err = keys::vk_from_bytes(&file, "vk.bin")
        .unwrap_err()
        .to_string();
    assert!(err.contains("vk.bin"), "{err}");
}

#[test]
fn a_non_canonical_point_in_a_verifying_key_is_refused() {
    let shape = Shape::new(2, 4);
    let mut vk = vk_for(shape, usize::MAX);
    vk.gamma_abc_g1[1] = G1Affine::zero();
    let mut file = key_bytes(&json(&header("verifying", shape, &vk)), &[]);
    let body_start = file.len();
    vk.serialize_compressed(&mut file).unwrap();
    assert!(keys::vk_from_bytes(&file, "vk.bin").is_ok());
    // IC_1 sits after α, β, γ, δ, the length and IC_0; arkworks reads any x behind the
    // infinity flag as the identity, so the digest of the re-encoded key still matches.
    let ic1 = body_start + 32 + 3 * 64 + 8 + 32;
    assert_eq!(file[ic1 + 31], 0x40);
    file[ic1] = 1;
    let err = keys::vk_from_bytes(&file, "vk.bin")
        .unwrap_err()
        .to_string();
    assert!(err.contains("canonical encoding"), "{err}");
}

#[test]
fn oversized_key_headers_and_bodies_are_refused() {
    let shape = Shape::new(2, 4);
    let mut file = b"ZKFLKEY1".to_vec();
    file.extend(u32::MAX.to_le_bytes()); // header length
    let err = keys::vk_from_bytes(&file, "vk.bin")
        .unwrap_err()
        .to_string();
    assert!(err.contains("more than the"), "{err}");
    let vk = vk_for(shape, usize::MAX);
    let body = vec![0; keys::pk_bytes_max(&shape) as usize + 1];
    let file = key_bytes(&json(&header("proving", shape, &vk)), &body);
    let err = keys::pk_from_bytes(&file, "pk.bin")
        .unwrap_err()
        .to_string();
    assert!(err.contains("pk.bin") && err.contains("more than"), "{err}");
}

#[test]
fn params_json_shape_is_validated_on_read() {
    let dir = Dir::new("params");
    let path = dir.join("params.json");
    let params = KeyParams {
        shape: Shape::new(2, 4),
        vk_digest: keys::vk_digest_hex(&vk_for(Shape::new(2, 4), usize::MAX)),
        insecure_seed: None,
        constraints: 1,
        domain_size: 2,
        created_unix: 0,
        zkfl_version: "0.1.0".into(),
        reduction: Default::default(),
        provenance: None,
    };
    keys::write_params(&path, &params).unwrap();
    assert_eq!(keys::read_params(&path).unwrap(), params);
    let mut bad = params.clone();
    bad.shape.chunk = 0;
    keys::write_params(&path, &bad).unwrap();
    let err = keys::read_params(&path).unwrap_err().to_string();
    assert!(
        err.contains("params.json") && err.contains("chunk must be in"),
        "{err}"
    );
    std::fs::write(&path, vec![b' '; keys::PARAMS_MAX as usize + 1]).unwrap();
    let err = keys::read_params(&path).unwrap_err().to_string();
    assert!(
        err.contains("params.json") && err.contains("bytes"),
        "{err}"
    );
}

/// Item 7: weights from flags whose u64 sum overflows.
#[test]
fn overflowing_weights_are_an_error_not_a_panic() {
    let shape = Shape::new(2, 4);
    let mut input = RandomRound::new(shape, 6).input();
    input.slots[0].weight = u64::MAX;
    input.slots[1].weight = 1;
    let err = Round::build(input.clone()).unwrap_err();
    assert!(matches!(err, RoundError::Weights(_)), "{err}");
    input.slots[0].weight = shape.weight_max();
    input.slots[1].weight = shape.weight_max();
    let err = Round::build(input).unwrap_err().to_string();
    assert!(err.contains("total weight 131070"), "{err}");
}

/// Every reader of an input file, by name.
#[allow(clippy::type_complexity)]
fn readers() -> Vec<(&'static str, fn(&Path) -> Result<(), String>)> {
    vec![
        ("vk", |p| {
            keys::read_vk(p).map(drop).map_err(|e| e.to_string())
        }),
        ("pk", |p| {
            keys::read_pk(p).map(drop).map_err(|e| e.to_string())
        }),
        ("params", |p| {
            keys::read_params(p).map(drop).map_err(|e| e.to_string())
        }),
        ("tensors", |p| {
            tensors::read(p).map(drop).map_err(|e| e.to_string())
        }),
        ("bundle", |p| {
            files::read_json::<RoundBundle>(p, "round bundle")
                .map(drop)
                .map_err(|e| e.to_string())
        }),
        ("opening", |p| {
            files::read_json::<Opening>(p, "opening")
                .map(drop)
                .map_err(|e| e.to_string())
        }),
    ]
}

#[cfg(unix)]
#[test]
fn dev_zero_fifos_and_directories_are_refused_promptly() {
    let dir = Dir::new("special");
    let zero = dir.join("zero.json");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let fifo = dir.join("fifo.json");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo");
    for (name, read) in readers() {
        for (path, kind) in [
            (zero.clone(), "a character device"),
            (fifo.clone(), "a FIFO"),
            (dir.0.clone(), "a directory"),
        ] {
            let shown = path.display().to_string();
            let err = promptly(name, move || read(&path)).unwrap_err();
            assert!(err.contains(&shown) && err.contains(kind), "{name}: {err}");
        }
    }
}
