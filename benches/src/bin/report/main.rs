//! `report`: measures the whole zkfl pipeline in one run against its goals and floors.
//!
//! `cargo run --release -p zkfl-benches --bin report -- [--quick] [--json]`
//!
//! Sections: circuit cost, prover against its irreducible part and against ark-groth16's own
//! prover, zkfl-msm against ark-ec's MSM, parallel scaling, batched
//! verification, verifier gas, peak memory, and one full round. Every ratio is measured
//! side by side in this run. Memory is measured in child processes (this binary re-run with
//! a hidden subcommand) so that each figure is the kernel's peak for that work alone.
//! `--quick` uses small sizes (CI smoke test, < 3 minutes on 2 cores); the full run is what
//! docs/BENCHMARKS.md embeds.

mod child;
mod circuit;
mod gas;
mod goal;
mod markdown;
mod memory;
mod msm;
mod plan;
mod prover;
mod scaling;
mod verifier;

use std::path::Path;

use anyhow::Context;
use clap::Parser;
use serde::Serialize;
use zkfl_benches::{machine::Machine, timing::timed};

use plan::Plan;

#[derive(Parser)]
#[command(about = "Measure zkfl's circuit, prover, verifier, gas and memory against their goals")]
struct Args {
    /// Small sizes for a smoke test (under 3 minutes on 2 cores).
    #[arg(long)]
    quick: bool,
    /// Print one JSON object (which also holds the Markdown) instead of Markdown.
    #[arg(long)]
    json: bool,
    #[command(subcommand)]
    child: Option<child::ChildCmd>,
}

/// Everything one run measured.
#[derive(Serialize)]
pub struct Report {
    /// `quick` or `full`.
    pub mode: &'static str,
    /// The command that produced this report.
    pub command: String,
    /// Where it ran.
    pub machine: Machine,
    /// Wall time of the whole run, seconds.
    pub runtime_s: f64,
    /// Constraint counts.
    pub circuit: circuit::CircuitSection,
    /// Prover against the irreducible part.
    pub prover: prover::ProverSection,
    /// zkfl-msm against ark-ec's MSM.
    pub msm: msm::MsmSection,
    /// Rounds of several chunks under different thread splits.
    pub scaling: scaling::ScalingSection,
    /// Single against batched verification.
    pub verifier: verifier::VerifierSection,
    /// On-chain verifier gas (`None` if it could not be measured: see `gas_error`).
    pub gas: Option<gas::GasSection>,
    /// Why gas was not measured (e.g. `npm ci --prefix contracts` not run).
    pub gas_error: Option<String>,
    /// Peak RSS of one chunk proof, measured in a child process.
    pub memory_chunk: child::ChunkOutcome,
    /// One whole round, measured in a child process.
    pub round: child::RoundOutcome,
}

/// `--json` output: the report's fields in order, then the Markdown rendering.
#[derive(Serialize)]
struct WithMarkdown<'a> {
    #[serde(flatten)]
    report: &'a Report,
    markdown: &'a str,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(cmd) = args.child {
        return cmd.run();
    }
    let plan = if args.quick {
        Plan::quick()
    } else {
        Plan::full()
    };
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let machine = Machine::detect(&workspace);
    let (report, runtime) = timed(|| run(&plan, machine));
    let mut report = report?;
    report.runtime_s = runtime.as_secs_f64();
    let md = markdown::render(&report, &plan);
    if args.json {
        let out = WithMarkdown {
            report: &report,
            markdown: &md,
        };
        let json = serde_json::to_string_pretty(&out).context("serialising the report")?;
        println!("{json}");
    } else {
        print!("{md}");
    }
    Ok(())
}

fn run(plan: &Plan, machine: Machine) -> anyhow::Result<Report> {
    let command = format!(
        "cargo run --release -p zkfl-benches --bin report --{}",
        if plan.quick { " --quick" } else { "" }
    );
    let threads = machine.cores;
    let circuit = circuit::measure(plan)?;
    let (prover, main) = prover::measure(plan, threads)?;
    let msm = msm::measure(plan, &main, threads)?;
    let scaling_key = if plan.scaling_chunk == main.shape.chunk {
        None
    } else {
        Some(prover::keyed(zkfl_circuits::Shape::new(plan.slots, plan.scaling_chunk))?.0)
    };
    let small = scaling_key.as_ref().unwrap_or(&main);
    let (scaling, proofs) = scaling::measure(plan, small, threads)?;
    let verifier = verifier::measure(plan, &small.pk.vk, &proofs)?;
    let (gas, gas_error) = match gas::measure(plan, &small.shape, &small.pk.vk, &proofs) {
        Ok(g) => (Some(g), None),
        Err(e) => (None, Some(format!("{e:#}"))),
    };
    let keys = tempfile::tempdir().context("temp dir for the proving key")?;
    let pk_path = memory::write_key(keys.path(), &main)?;
    let memory_chunk = memory::chunk(&pk_path)?;
    let round = memory::round(&pk_path, plan.round_params)?;
    Ok(Report {
        mode: if plan.quick { "quick" } else { "full" },
        command,
        machine,
        runtime_s: 0.0,
        circuit,
        prover,
        msm,
        scaling,
        verifier,
        gas,
        gas_error,
        memory_chunk,
        round,
    })
}
