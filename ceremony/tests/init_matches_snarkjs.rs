//! `zkfl ceremony init` and `snarkjs zkey new` write the same key, section by section.

mod common;

use zkfl_ceremony::{init::InitialKey, ptau::Ptau, r1cs::R1cs};

#[test]
fn init_equals_snarkjs_zkey_new_section_by_section() {
    let dir = tempfile::tempdir().unwrap();
    let r1cs = R1cs::for_shape(&common::small_shape()).unwrap();
    assert_eq!(r1cs.num_constraints(), 3734);
    let info = compare(&r1cs, &common::ptau12(), dir.path());
    assert!(info.contains("# of Constraints: 3734"), "{info}");
}

/// snarkjs's circuit hash reads bytes past the τ section when the ptau's power equals the
/// circuit's and the domain exceeds 2^14 (see `init`'s docs); init refuses that case and
/// names the power to use instead.
#[test]
fn init_refuses_a_ptau_of_exactly_the_circuit_size_above_2_14() {
    let dir = tempfile::tempdir().unwrap();
    let template = zkfl_circuits::Shape::new(2, 1);
    let m = zkfl_circuits::circuit::cost::max_chunk_for_domain(&template, 15).unwrap();
    let r1cs = R1cs::for_shape(&zkfl_circuits::Shape {
        chunk: m,
        ..template
    })
    .unwrap();
    assert_eq!(r1cs.domain_power(), 15);
    let ptau = dir.path().join("pot15.ptau");
    zkfl_ceremony::testing::write_insecure_ptau(&ptau, 15, 1).unwrap();
    let err = InitialKey::build(&r1cs, &mut Ptau::open(&ptau).unwrap()).unwrap_err();
    assert!(err.to_string().contains("Use a ptau of power 16"), "{err}");
}

/// Writes `r1cs`, runs `snarkjs r1cs info` and `snarkjs zkey new` and zkfl's init, and
/// asserts the two keys are equal section by section; returns snarkjs's r1cs info.
fn compare(r1cs: &R1cs, ptau: &std::path::Path, dir: &std::path::Path) -> String {
    let r1cs_path = dir.join("circuit.r1cs");
    r1cs.write(&r1cs_path).unwrap();
    let info = common::run_snarkjs(&["r1cs", "info", r1cs_path.to_str().unwrap()]);
    let theirs = dir.join("snarkjs.zkey");
    common::run_snarkjs(&[
        "zkey",
        "new",
        r1cs_path.to_str().unwrap(),
        ptau.to_str().unwrap(),
        theirs.to_str().unwrap(),
    ]);
    let ours = dir.join("zkfl.zkey");
    InitialKey::build(r1cs, &mut Ptau::open(ptau).unwrap())
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
    info
}
