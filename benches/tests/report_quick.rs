//! Smoke test of `report --quick`: the command docs/BENCHMARKS.md is made with runs end to
//! end from the workspace and every section it promises is there, with exact constraint
//! counts. No timing is asserted (timing goals live in the report itself), only that each
//! figure was measured.

use std::process::Command;

use serde_json::Value;
use zkfl_circuits::{circuit::cost, Shape};

fn positive(v: &Value, what: &str) -> f64 {
    let x = v
        .as_f64()
        .unwrap_or_else(|| panic!("{what} is not a number: {v}"));
    assert!(x.is_finite() && x > 0.0, "{what} = {x}");
    x
}

fn count(v: &Value, what: &str) -> usize {
    v.as_u64()
        .unwrap_or_else(|| panic!("{what} is not a count: {v}")) as usize
}

#[test]
fn quick_report_measures_every_section() {
    let out = Command::new(env!("CARGO_BIN_EXE_report"))
        .args(["--quick", "--json"])
        .output()
        .expect("run the report binary");
    assert!(
        out.status.success(),
        "report --quick failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).expect("report --json prints JSON");
    assert_eq!(r["mode"], "quick");
    assert!(r["machine"]["cores"].as_u64().unwrap_or(0) >= 1);

    // Circuit: exact counts for n = 1, 8, 32 at m = 1024, equal to the closed form.
    let rows = r["circuit"]["rows"].as_array().expect("circuit rows");
    let slots: Vec<usize> = rows.iter().map(|x| count(&x["slots"], "slots")).collect();
    assert_eq!(slots, [1, 8, 32]);
    for row in rows {
        let shape = Shape::new(count(&row["slots"], "slots"), count(&row["chunk"], "chunk"));
        assert_eq!(
            count(&row["constraints"], "constraints"),
            cost::num_constraints(&shape)
        );
        positive(&row["alpha"], "alpha");
        positive(&row["beta"], "beta");
        assert!(row["beta_goal"]["met"].is_boolean());
    }
    let check = &r["circuit"]["check"];
    assert_eq!(check["synthesized"], check["closed_form"]);

    // Prover: the proof and its irreducible part were both timed, and the ratio is theirs.
    let main = &r["prover"]["main"];
    let prove = positive(&main["prove_s"], "prove_s");
    let irreducible = positive(&main["irreducible"]["total_s"], "irreducible");
    let ratio = positive(&main["ratio"], "ratio");
    assert!((ratio - prove / irreducible).abs() < 1e-9 * ratio.max(1.0));
    assert!(main["ratio_goal"]["met"].is_boolean());
    positive(&main["context_s"], "context_s");
    let ark = positive(&main["prove_arkworks_s"], "prove_arkworks_s");
    let speedup = positive(&main["speedup"], "speedup");
    assert!((speedup - ark / prove).abs() < 1e-9 * speedup.max(1.0));

    // MSM: the H query (plain and with tables) and the G2 B query, against ark-ec.
    let msm = r["msm"]["rows"].as_array().expect("msm rows");
    assert!(msm.len() >= 3, "{} msm rows", msm.len());
    for row in msm {
        let c = &row["comparison"];
        let ratio = positive(&c["arkworks_ms"], "arkworks_ms") / positive(&c["ours_ms"], "ours_ms");
        assert!((positive(&c["speedup"], "speedup") - ratio).abs() < 1e-9 * ratio.max(1.0));
    }
    positive(&r["msm"]["key_extra_bytes"], "key_extra_bytes");

    // Scaling: 1 and 2 chunks, each on one thread and on all cores.
    let scaling = r["scaling"]["rows"].as_array().expect("scaling rows");
    assert!(scaling.len() >= 4, "{} scaling rows", scaling.len());
    for row in scaling {
        positive(&row["wall_s"], "scaling wall_s");
    }

    // Verifier: single against batched.
    let verify = r["verifier"]["rows"].as_array().expect("verifier rows");
    assert_eq!(
        verify
            .iter()
            .map(|x| count(&x["proofs"], "proofs"))
            .collect::<Vec<_>>(),
        [1, 16]
    );

    // Gas, in a real EVM (needs `npm ci --prefix contracts`, as the README's test command).
    assert!(
        r["gas_error"].is_null(),
        "gas not measured: {}",
        r["gas_error"]
    );
    let gas = r["gas"]["rows"].as_array().expect("gas rows");
    assert_eq!(gas.len(), 4, "verifyProof and three batch sizes");
    for row in gas {
        assert!(count(&row["exec_gas"], "exec_gas") > count(&row["floor"], "floor") / 2);
    }

    // Memory, from the kernel, and the whole round.
    positive(&r["memory_chunk"]["rss"]["work_peak"], "chunk peak RSS");
    let round = &r["round"];
    positive(&round["rss"]["work_peak"], "round peak RSS");
    let params = count(&round["params"], "params");
    let chunk = count(&round["chunk"], "chunk");
    assert_eq!(count(&round["proofs"], "proofs"), params.div_ceil(chunk));
    assert!(count(&round["bundle_bytes"], "bundle bytes") > 0);

    let md = r["markdown"].as_str().expect("markdown");
    for section in [
        "### Circuit",
        "### Prover",
        "### Parallel scaling",
        "### Verifier",
        "### Gas",
        "### Memory",
        "### One full round",
    ] {
        assert!(md.contains(section), "markdown lacks {section}");
    }
}
