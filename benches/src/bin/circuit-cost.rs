//! `circuit-cost`: exact constraint counts of the chunk circuit for one shape.
//!
//! `cargo run --release -p zkfl-benches --bin circuit-cost -- --slots 8 --chunk 1024 --update-bits 16 --json`
//!
//! The counts come from synthesising the circuit (setup mode), not from the closed form; α
//! (constraints per parameter per client slot) is the marginal cost of one more slot, β the
//! rest per parameter: constraints = n·m·α + m·β. With `--linf-bits j` the fixed-L∞ variant
//! is shown beside the per-round one of the same widths (JSON: `{"per_round_linf": …,
//! "fixed_linf": …}`).

use clap::Parser;
use zkfl_circuits::{circuit::cost, ChunkCircuit, Shape};
use zkfl_prover::ShapeArgs;

#[derive(Parser)]
#[command(about = "Exact constraint counts of the zkfl chunk circuit")]
struct Args {
    #[command(flatten)]
    shape: ShapeArgs,
    /// Parameters per chunk (m).
    #[arg(long)]
    chunk: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

struct Counts {
    constraints: usize,
    witness_vars: usize,
    public_inputs: usize,
}

fn synthesize(shape: Shape) -> anyhow::Result<Counts> {
    use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem, SynthesisMode};
    let cs = ConstraintSystem::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    ChunkCircuit::blank(shape).generate_constraints(cs.clone())?;
    Ok(Counts {
        constraints: cs.num_constraints(),
        witness_vars: cs.num_witness_variables(),
        public_inputs: cs.num_instance_variables() - 1,
    })
}

/// One variant's counts, α, β and domain.
struct Measured {
    shape: Shape,
    counts: Counts,
    alpha: f64,
    beta: f64,
    domain: usize,
    fill: f64,
}

fn measure(shape: Shape) -> anyhow::Result<Measured> {
    shape.validate()?;
    let here = synthesize(shape)?;
    let more = synthesize(Shape {
        slots: shape.slots + 1,
        ..shape
    })?;
    anyhow::ensure!(
        here.constraints == cost::num_constraints(&shape),
        "closed-form cost model disagrees with synthesis ({})",
        shape.linf_variant()
    );
    let m = shape.chunk as f64;
    let alpha = (more.constraints - here.constraints) as f64 / m;
    let beta = here.constraints as f64 / m - shape.slots as f64 * alpha;
    let domain = cost::domain_size(&shape);
    let fill = (here.constraints + here.public_inputs + 1) as f64 / domain as f64;
    Ok(Measured {
        shape,
        counts: here,
        alpha,
        beta,
        domain,
        fill,
    })
}

impl Measured {
    fn json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "slots": self.shape.slots,
            "chunk": self.shape.chunk,
            "update_bits": self.shape.update_bits,
            "constraints": self.counts.constraints,
            "witness_vars": self.counts.witness_vars,
            "public_inputs": self.counts.public_inputs,
            "per_client_param": self.alpha,
            "per_param": self.beta,
            "domain_size": self.domain,
            "domain_fill": self.fill,
        });
        if let Some(j) = self.shape.linf_bits {
            v["linf_bits"] = j.into();
        }
        v
    }

    fn human(&self) -> String {
        let s = &self.shape;
        let (variant, goals) = match s.linf_bits {
            None => ("L∞ per round".to_string(), (40, 100)),
            Some(j) => (format!("L∞ fixed at 2^{j}"), (20, 90)),
        };
        format!(
            "n = {}, m = {}, U = {}, {variant}: {} constraints, {} witness variables, {} public inputs\n\
             α = {:.2} per parameter per slot (goal ≤ {}), β = {:.2} per parameter (goal ≤ {})\n\
             domain 2^{} ({:.1}% full)",
            s.slots,
            s.chunk,
            s.update_bits,
            self.counts.constraints,
            self.counts.witness_vars,
            self.counts.public_inputs,
            self.alpha,
            goals.0,
            self.beta,
            goals.1,
            self.domain.trailing_zeros(),
            self.fill * 100.0
        )
    }
}

fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let shape = a.shape.shape(a.chunk);
    let here = measure(shape)?;
    if shape.linf_bits.is_none() {
        if a.json {
            println!("{}", here.json());
        } else {
            println!("{}", here.human());
        }
        return Ok(());
    }
    let per_round = measure(Shape {
        linf_bits: None,
        ..shape
    })?;
    let ratio = per_round.counts.constraints as f64 / here.counts.constraints as f64;
    if a.json {
        println!(
            "{}",
            serde_json::json!({
                "per_round_linf": per_round.json(),
                "fixed_linf": here.json(),
                "constraint_ratio": ratio,
            })
        );
    } else {
        println!(
            "{}\n\n{}\n\nthe per-round variant has {ratio:.2}× the constraints of the fixed one",
            per_round.human(),
            here.human()
        );
    }
    Ok(())
}
