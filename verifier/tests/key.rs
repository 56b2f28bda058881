//! `zkfl-verify key`: a ceremony key whose vk.bin matches its zkey and whose header tells the
//! truth is VALID; a vk.bin from another key, or a header that lies, is INVALID (exit 1).

use std::{path::Path, process::Command};

use zkfl_ceremony::{
    contribute::{beacon, contribute},
    export::{provenance, verifying_key},
};
use zkfl_circuits::{
    keys::{self, KeyHeader, Reduction},
    Shape,
};

fn ptau() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ceremony/tests/fixtures/pot12_final.ptau")
}

fn zkfl_verify_key(ptau: &Path, zkey: &Path, vk: &Path) -> (Option<i32>, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_zkfl-verify"))
        .args(["key", "--ptau"])
        .arg(ptau)
        .arg("--zkey")
        .arg(zkey)
        .arg("--vk")
        .arg(vk)
        .output()
        .expect("run zkfl-verify");
    (
        o.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

#[test]
fn key_command_trusts_the_files_not_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let p = |f: &str| dir.path().join(f);
    let shape = Shape::new(2, 8);
    let r1cs = zkfl_ceremony::r1cs::R1cs::for_shape(&shape).unwrap();
    let mut pt = zkfl_ceremony::ptau::Ptau::open(&ptau()).unwrap();
    zkfl_ceremony::init::InitialKey::build(&r1cs, &mut pt)
        .unwrap()
        .write(&p("c0.zkey"))
        .unwrap();
    contribute(&p("c0.zkey"), &p("c1.zkey"), Some("alice"), None).unwrap();
    beacon(
        &p("c1.zkey"),
        &p("final.zkey"),
        Some("beacon"),
        b"block",
        10,
    )
    .unwrap();
    let report = zkfl_ceremony::verify_files(&ptau(), &shape, &p("final.zkey")).unwrap();

    let write = |zkey: &Path, out: &Path, claims: Option<keys::Provenance>| {
        let vk = verifying_key(zkey).unwrap();
        let header = KeyHeader {
            kind: "verifying".into(),
            shape,
            insecure_seed: None,
            vk_digest: keys::vk_digest_hex(&vk),
            reduction: Reduction::Circom,
            provenance: claims,
        };
        keys::write_vk(out, &header, &vk).unwrap();
    };
    let honest = provenance(&ptau(), &p("final.zkey"), &report).unwrap();
    write(&p("final.zkey"), &p("vk.bin"), Some(honest.clone()));
    let (code, out) = zkfl_verify_key(&ptau(), &p("final.zkey"), &p("vk.bin"));
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("VALID") && out.contains("alice"), "{out}");

    // vk.bin of the key before the beacon: not this zkey's key.
    write(&p("c1.zkey"), &p("vk_c1.bin"), Some(honest.clone()));
    let (code, out) = zkfl_verify_key(&ptau(), &p("final.zkey"), &p("vk_c1.bin"));
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("is not the verifying key"), "{out}");

    // The right key, but a header that claims another contributor.
    let mut lie = honest;
    lie.contributions[0].name = "mallory".into();
    write(&p("final.zkey"), &p("vk_lie.bin"), Some(lie));
    let (code, out) = zkfl_verify_key(&ptau(), &p("final.zkey"), &p("vk_lie.bin"));
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("contribution list"), "{out}");

    // The initial key (γ = δ, no contribution) is refused outright.
    write(&p("c0.zkey"), &p("vk_c0.bin"), None);
    let (code, out) = zkfl_verify_key(&ptau(), &p("c0.zkey"), &p("vk_c0.bin"));
    assert_ne!(code, Some(0), "{out}");
}
