//! `zkfl ceremony init` and `snarkjs zkey new` write the same key, section by section.

mod common;

use zkfl_ceremony::{init::InitialKey, ptau::Ptau, r1cs::R1cs};

#[test]
fn init_equals_snarkjs_zkey_new_section_by_section() {
    let dir = tempfile::tempdir().unwrap();
    let r1cs = R1cs::for_shape(&common::small_shape()).unwrap();
    assert_eq!(r1cs.num_constraints(), 3734);
    let r1cs_path = dir.path().join("circuit.r1cs");
    r1cs.write(&r1cs_path).unwrap();
    let info = common::run_snarkjs(&["r1cs", "info", r1cs_path.to_str().unwrap()]);
    assert!(info.contains("# of Constraints: 3734"), "{info}");

    let theirs = dir.path().join("snarkjs.zkey");
    let ptau = common::ptau12();
    common::run_snarkjs(&[
        "zkey",
        "new",
        r1cs_path.to_str().unwrap(),
        ptau.to_str().unwrap(),
        theirs.to_str().unwrap(),
    ]);
    let ours = dir.path().join("zkfl.zkey");
    InitialKey::build(&r1cs, &mut Ptau::open(&ptau).unwrap())
        .unwrap()
        .write(&ours)
        .unwrap();

    let (a, b) = (common::sections(&theirs), common::sections(&ours));
    assert_eq!(
        a.iter().map(|s| s.0).collect::<Vec<_>>(),
        b.iter().map(|s| s.0).collect::<Vec<_>>(),
        "section order"
    );
    for ((id, x), (_, y)) in a.iter().zip(&b) {
        assert_eq!(x.len(), y.len(), "section {id} length");
        if let Some(i) = x.iter().zip(y).position(|(p, q)| p != q) {
            panic!("section {id} differs first at byte {i} of {}", x.len());
        }
    }
    assert_eq!(
        std::fs::read(&theirs).unwrap(),
        std::fs::read(&ours).unwrap(),
        "whole file"
    );
}
