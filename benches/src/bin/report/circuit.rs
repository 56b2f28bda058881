//! Constraint counts from the closed form, cross-checked once against synthesis.

use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem, SynthesisMode};
use serde::Serialize;
use zkfl_circuits::{circuit::cost, ChunkCircuit, Shape};

use crate::{goal::Goal, plan::Plan};

/// One shape's cost.
#[derive(Serialize)]
pub struct CostRow {
    /// `per-round-linf` or `fixed-linf`.
    pub variant: &'static str,
    /// j of the fixed-L∞ variant.
    pub linf_bits: Option<u32>,
    /// n.
    pub slots: usize,
    /// m.
    pub chunk: usize,
    /// Constraints of one chunk proof.
    pub constraints: usize,
    /// Marginal constraints of one more slot, per parameter.
    pub alpha: f64,
    /// The rest, per parameter: constraints = n·m·α + m·β.
    pub beta: f64,
    /// α goal.
    pub alpha_goal: Goal,
    /// β goal.
    pub beta_goal: Goal,
    /// FFT domain size.
    pub domain_size: usize,
    /// (constraints + inputs + 1) / domain.
    pub fill: f64,
}

/// The synthesis cross-check.
#[derive(Serialize)]
pub struct SynthesisCheck {
    /// Shape synthesised.
    pub slots: usize,
    /// m.
    pub chunk: usize,
    /// Constraints counted by synthesis (setup mode).
    pub synthesized: usize,
    /// Closed form.
    pub closed_form: usize,
}

/// Circuit section.
#[derive(Serialize)]
pub struct CircuitSection {
    /// One row per slot count.
    pub rows: Vec<CostRow>,
    /// The same slot counts in the fixed-L∞ variant.
    pub fixed_rows: Vec<CostRow>,
    /// Closed form == synthesis for one shape.
    pub check: SynthesisCheck,
    /// The same in the fixed-L∞ variant.
    pub fixed_check: SynthesisCheck,
}

/// The cost of `shape` (α, β as in the `circuit-cost` binary: α is the marginal slot), with
/// the goals of its variant (issue 6 for the per-round one, issue 16 for the fixed one).
pub fn row(shape: Shape) -> CostRow {
    let here = cost::num_constraints(&shape);
    let more = cost::num_constraints(&Shape {
        slots: shape.slots + 1,
        ..shape
    });
    let m = shape.chunk as f64;
    let alpha = (more - here) as f64 / m;
    let beta = here as f64 / m - shape.slots as f64 * alpha;
    let domain_size = cost::domain_size(&shape);
    let (alpha_goal, beta_goal) = match shape.linf_bits {
        None => (
            Goal::at_most(alpha, 40.0, "≤ 40"),
            Goal::at_most(beta, 100.0, "≤ 100"),
        ),
        Some(_) => (
            Goal::at_most(alpha, 20.0, "≤ 20"),
            Goal::at_most(beta, 90.0, "≤ 90"),
        ),
    };
    CostRow {
        variant: shape.linf_variant(),
        linf_bits: shape.linf_bits,
        slots: shape.slots,
        chunk: shape.chunk,
        constraints: here,
        alpha,
        beta,
        alpha_goal,
        beta_goal,
        domain_size,
        fill: (here + shape.num_public_inputs() + 1) as f64 / domain_size as f64,
    }
}

pub fn measure(plan: &Plan) -> anyhow::Result<CircuitSection> {
    eprintln!(
        "[circuit] closed form for n = {:?}, m = {}",
        plan.cost_slots, plan.cost_chunk
    );
    let rows = plan
        .cost_slots
        .iter()
        .map(|&n| row(Shape::new(n, plan.cost_chunk)))
        .collect();
    let fixed_rows = plan
        .cost_slots
        .iter()
        .map(|&n| row(Shape::new(n, plan.cost_chunk).with_linf_bits(plan.linf_bits)))
        .collect();
    let shape = Shape::new(1, plan.cost_chunk);
    let check = synthesis_check(shape)?;
    let fixed_check = synthesis_check(shape.with_linf_bits(plan.linf_bits))?;
    Ok(CircuitSection {
        rows,
        fixed_rows,
        check,
        fixed_check,
    })
}

fn synthesis_check(shape: Shape) -> anyhow::Result<SynthesisCheck> {
    let cs = ConstraintSystem::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    ChunkCircuit::blank(shape).generate_constraints(cs.clone())?;
    let check = SynthesisCheck {
        slots: shape.slots,
        chunk: shape.chunk,
        synthesized: cs.num_constraints(),
        closed_form: cost::num_constraints(&shape),
    };
    anyhow::ensure!(
        check.synthesized == check.closed_form,
        "closed-form cost {} disagrees with synthesis {} at n = {}, m = {} ({})",
        check.closed_form,
        check.synthesized,
        shape.slots,
        shape.chunk,
        shape.linf_variant()
    );
    Ok(check)
}
