//! Issue 12 items 6 and 10 through the `zkfl` binary: a params.json with an unusable shape,
//! or one that is not a regular file, is an error naming the file (exit code 1), never a
//! panic (exit code 101) or a hang.

use std::{path::Path, process::Command, time::Duration};

use zkfl_circuits::{
    keys::{self, KeyParams},
    tensors::{self, Layout, TensorSpec},
    Shape,
};

fn commit(dir: &Path, params: &Path) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zkfl"))
        .arg("commit")
        .arg("--update")
        .arg(dir.join("update.safetensors"))
        .arg("--params")
        .arg(params)
        .arg("--out")
        .arg(dir.join("u.commit.json"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run zkfl");
    for _ in 0..200 {
        if child.try_wait().expect("wait").is_some() {
            let out = child.wait_with_output().expect("output");
            return (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).into(),
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("zkfl commit did not finish within 20 s");
}

fn setup() -> (tempfile::TempDir, KeyParams) {
    let tmp = tempfile::tempdir().unwrap();
    let layout = Layout {
        tensors: vec![TensorSpec::f32("w", &[6])],
    };
    tensors::write(
        &tmp.path().join("update.safetensors"),
        &layout,
        &[0.0, 0.25, -0.25, 0.0, 0.125, 0.0],
    )
    .unwrap();
    let params = KeyParams {
        shape: Shape::new(2, 4),
        vk_digest: format!("0x{}", "00".repeat(32)),
        insecure_seed: None,
        constraints: 1,
        domain_size: 2,
        created_unix: 0,
        zkfl_version: "0.1.0".into(),
        reduction: Default::default(),
        provenance: None,
    };
    (tmp, params)
}

#[test]
fn commit_refuses_a_params_json_with_chunk_0() {
    let (tmp, params) = setup();
    let path = tmp.path().join("params.json");
    keys::write_params(&path, &params).unwrap();
    let (code, err) = commit(tmp.path(), &path);
    assert_eq!(code, Some(0), "{err}");
    let mut bad = params;
    bad.shape.chunk = 0;
    keys::write_params(&path, &bad).unwrap();
    let (code, err) = commit(tmp.path(), &path);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("params.json") && err.contains("chunk must be in 1..=2^20, got 0"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn commit_refuses_a_params_json_that_is_a_fifo() {
    let (tmp, _) = setup();
    let fifo = tmp.path().join("params.json");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let (code, err) = commit(tmp.path(), &fifo);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("params.json is a FIFO"), "{err}");
}
