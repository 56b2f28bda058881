//! A whole ceremony across zkfl and snarkjs: zkfl init → zkfl contribute → snarkjs
//! contribute → zkfl beacon; snarkjs and zkfl both accept it, and the beacon is the one
//! `snarkjs zkey beacon` makes from the same value.

mod common;

use zkfl_ceremony::{
    contribute::{beacon, contribute},
    init::InitialKey,
    ptau::Ptau,
    r1cs::R1cs,
    verify::verify,
};

const BEACON: &str = "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";

#[test]
fn zkfl_and_snarkjs_contributions_chain_and_both_verifiers_accept() {
    let dir = tempfile::tempdir().unwrap();
    let p = |f: &str| dir.path().join(f);
    let s = |f: &str| p(f).to_str().unwrap().to_owned();
    let r1cs = R1cs::for_shape(&common::small_shape()).unwrap();
    r1cs.write(&p("circuit.r1cs")).unwrap();
    let ptau = common::ptau12();
    let init = InitialKey::build(&r1cs, &mut Ptau::open(&ptau).unwrap()).unwrap();
    init.write(&p("c0.zkey")).unwrap();

    let first = contribute(
        &p("c0.zkey"),
        &p("c1.zkey"),
        Some("alice (zkfl)"),
        Some(b"dice"),
    )
    .unwrap();
    assert_eq!(first.index, 1);
    common::run_snarkjs(&[
        "zkey",
        "contribute",
        &s("c1.zkey"),
        &s("c2.zkey"),
        "--name=bob (snarkjs)",
        "-e=bob's entropy",
    ]);
    let last = beacon(
        &p("c2.zkey"),
        &p("final.zkey"),
        Some("beacon"),
        &hex::decode(BEACON).unwrap(),
        10,
    )
    .unwrap();
    assert_eq!(last.index, 3);

    // snarkjs makes the same beacon contribution from the same value, byte for byte.
    common::run_snarkjs(&[
        "zkey",
        "beacon",
        &s("c2.zkey"),
        &s("final_snarkjs.zkey"),
        BEACON,
        "10",
        "--name=beacon",
    ]);
    assert_eq!(
        std::fs::read(p("final.zkey")).unwrap(),
        std::fs::read(p("final_snarkjs.zkey")).unwrap(),
        "zkfl's beacon differs from snarkjs's"
    );

    let out = common::run_snarkjs(&[
        "zkey",
        "verify",
        &s("circuit.r1cs"),
        ptau.to_str().unwrap(),
        &s("final.zkey"),
    ]);
    assert!(out.contains("ZKey Ok!"), "{out}");

    let report = verify(&p("final.zkey"), &init.reference).unwrap();
    let names: Vec<_> = report
        .contributions
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["alice (zkfl)", "bob (snarkjs)", "beacon"]);
    assert_eq!(report.contributions[0].hash, first.hash);
    assert_eq!(report.contributions[2].hash, last.hash);
    assert!(report.contributions[2].beacon.is_some());
    assert_eq!(report.cs_hash, init.cs_hash);
}
