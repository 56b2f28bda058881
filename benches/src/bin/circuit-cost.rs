//! `circuit-cost`: exact constraint counts of the chunk circuit for one shape.
//!
//! `cargo run --release -p zkfl-benches --bin circuit-cost -- --slots 8 --chunk 1024 --update-bits 16 --json`
//!
//! The counts come from synthesising the circuit (setup mode), not from the closed form; α
//! (constraints per parameter per client slot) is the marginal cost of one more slot, β the
//! rest per parameter: constraints = n·m·α + m·β.

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

fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    let shape = a.shape.shape(a.chunk);
    shape.validate()?;
    let here = synthesize(shape)?;
    let more = synthesize(Shape {
        slots: shape.slots + 1,
        ..shape
    })?;
    anyhow::ensure!(
        here.constraints == cost::num_constraints(&shape),
        "closed-form cost model disagrees with synthesis"
    );
    let m = shape.chunk as f64;
    let alpha = (more.constraints - here.constraints) as f64 / m;
    let beta = here.constraints as f64 / m - shape.slots as f64 * alpha;
    let domain = cost::domain_size(&shape);
    let fill = (here.constraints + here.public_inputs + 1) as f64 / domain as f64;
    if a.json {
        println!(
            "{}",
            serde_json::json!({
                "slots": shape.slots,
                "chunk": shape.chunk,
                "update_bits": shape.update_bits,
                "constraints": here.constraints,
                "witness_vars": here.witness_vars,
                "public_inputs": here.public_inputs,
                "per_client_param": alpha,
                "per_param": beta,
                "domain_size": domain,
                "domain_fill": fill,
            })
        );
    } else {
        println!(
            "n = {}, m = {}, U = {}: {} constraints, {} witness variables, {} public inputs\n\
             α = {alpha:.2} per parameter per slot (goal ≤ 40), β = {beta:.2} per parameter (goal ≤ 100)\n\
             domain 2^{} ({:.1}% full)",
            shape.slots,
            shape.chunk,
            shape.update_bits,
            here.constraints,
            here.witness_vars,
            here.public_inputs,
            domain.trailing_zeros(),
            fill * 100.0
        );
    }
    Ok(())
}
