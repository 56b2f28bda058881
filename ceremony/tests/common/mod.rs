//! What the ceremony tests share: the fixture ptau, the pinned snarkjs, a small shape.

#![allow(dead_code)]

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use zkfl_circuits::Shape;

/// n = 2 slots, m = 8 parameters: 3,734 constraints, a 2^12 domain.
pub fn small_shape() -> Shape {
    Shape::new(2, 8)
}

/// The power-12 prepared ptau made by snarkjs (fixtures/make-ptau.sh).
pub fn ptau12() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pot12_final.ptau")
}

/// The pinned snarkjs binary; panics with the install command when it is missing.
pub fn snarkjs() -> PathBuf {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("../verifier/node_modules/.bin/snarkjs");
    assert!(
        bin.exists(),
        "snarkjs is not installed at {}: run `npm ci --prefix verifier` (CI does) and rerun",
        bin.display()
    );
    bin
}

/// Runs snarkjs with `args`, panicking with its output unless it succeeds and prints no
/// error (snarkjs exits 0 on some failures and reports them on stdout).
pub fn run_snarkjs(args: &[&str]) -> String {
    let out = Command::new(snarkjs())
        .args(args)
        .output()
        .expect("run snarkjs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && !text.contains("[ERROR]"),
        "snarkjs {args:?} failed:\n{text}"
    );
    text
}

/// The sections of a binfile as (id, bytes), in file order.
pub fn sections(path: &Path) -> Vec<(u32, Vec<u8>)> {
    let b = std::fs::read(path).expect("read binfile");
    let n = u32::from_le_bytes(b[8..12].try_into().unwrap()) as usize;
    let mut at = 12;
    let mut out = Vec::new();
    for _ in 0..n {
        let id = u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
        let len = u64::from_le_bytes(b[at + 4..at + 12].try_into().unwrap()) as usize;
        out.push((id, b[at + 12..at + 12 + len].to_vec()));
        at += 12 + len;
    }
    out
}

/// Writes a binfile with the given sections (in order) and the header of `like`.
pub fn write_sections(like: &Path, out: &Path, sections: &[(u32, Vec<u8>)]) {
    let head = std::fs::read(like).expect("read binfile");
    let mut b = head[..8].to_vec();
    b.extend_from_slice(&(sections.len() as u32).to_le_bytes());
    for (id, bytes) in sections {
        b.extend_from_slice(&id.to_le_bytes());
        b.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        b.extend_from_slice(bytes);
    }
    std::fs::write(out, b).expect("write binfile");
}

/// Copies `src` to `out` with section `id` replaced by `f(old bytes)`.
pub fn edit_section(src: &Path, out: &Path, id: u32, f: impl FnOnce(&mut Vec<u8>)) {
    let mut s = sections(src);
    let sec = s
        .iter_mut()
        .find(|(i, _)| *i == id)
        .expect("section present");
    f(&mut sec.1);
    write_sections(src, out, &s);
}
