//! A Poseidon permutation gadget whose linear layers stay flat.
//!
//! arkworks' `PoseidonSpongeVar` builds every MDS row as a chain of symbolic sums
//! (`cur += lane · m_ij`), so a lane after k partial rounds is a tower of nested linear
//! combinations that `finalize` has to expand. At width 17 that expansion took 32 s for one
//! n = 8, m = 1024 chunk circuit (4.3 s at width 9, 7.5× fewer per absorbed element), and
//! synthesis 0.55 s (0.38 s). This gadget enforces the same constraints (3 per S-box, none
//! on constant lanes) but writes each S-box input as one flat combination:
//! - a full round's lanes are affine forms over the previous round's S-box outputs;
//! - the partial rounds are unrolled once per parameter set ([`PartialRounds`]): the input
//!   of partial S-box k is an affine form over the lanes entering the partial rounds and
//!   the outputs s_0 … s_{k−1}, with coefficients that do not depend on the witness.
//!
//! The permutation is the one of arkworks' native `PoseidonSponge` (ARK, S-box, MDS per
//! round), which the tests check output for output.

use ark_bn254::Fr;
use ark_crypto_primitives::sponge::poseidon::PoseidonConfig;
use ark_ff::{Field, One, Zero};
use ark_r1cs_std::fields::fp::{AllocatedFp, FpVar};
use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination, SynthesisError, Variable};

/// An affine form Σ coef_i · basis_i + constant over the permutation's current basis.
#[derive(Clone, Debug)]
struct Form {
    coef: Vec<Fr>,
    constant: Fr,
}

impl Form {
    fn constant(c: Fr, len: usize) -> Self {
        Self {
            coef: vec![Fr::zero(); len],
            constant: c,
        }
    }

    fn unit(i: usize, len: usize) -> Self {
        let mut f = Self::constant(Fr::zero(), len);
        f.coef[i] = Fr::one();
        f
    }

    /// Σ_j m_j · forms_j.
    fn combine(weights: &[Fr], forms: &[Form]) -> Self {
        let len = forms.iter().map(|f| f.coef.len()).max().unwrap_or(0);
        let mut out = Self::constant(Fr::zero(), len);
        for (m, f) in weights.iter().zip(forms) {
            for (o, c) in out.coef.iter_mut().zip(&f.coef) {
                *o += *m * c;
            }
            out.constant += *m * f.constant;
        }
        out
    }
}

/// The partial rounds unrolled: S-box input k, and the lanes after the last partial round,
/// as forms over [L_0 … L_{t−1}, s_0 … s_{R_P−1}] (the lanes entering the partial rounds,
/// then the partial S-box outputs).
#[derive(Debug)]
pub struct PartialRounds {
    inputs: Vec<Form>,
    outputs: Vec<Form>,
}

impl PartialRounds {
    /// Unrolls the partial rounds of `config` (once per parameter set: t²·(t + R_P)
    /// multiplications per round).
    pub fn new(config: &PoseidonConfig<Fr>) -> Self {
        let t = config.rate + config.capacity;
        let (first, rp) = (config.full_rounds / 2, config.partial_rounds);
        let len = t + rp;
        let mut lanes: Vec<Form> = (0..t).map(|i| Form::unit(i, len)).collect();
        let mut inputs = Vec::with_capacity(rp);
        for k in 0..rp {
            for (lane, c) in lanes.iter_mut().zip(&config.ark[first + k]) {
                lane.constant += c;
            }
            inputs.push(lanes[0].clone());
            lanes[0] = Form::unit(t + k, len);
            lanes = mds(config, &lanes);
        }
        Self {
            inputs,
            outputs: lanes,
        }
    }
}

fn mds(config: &PoseidonConfig<Fr>, lanes: &[Form]) -> Vec<Form> {
    config
        .mds
        .iter()
        .map(|row| Form::combine(row, lanes))
        .collect()
}

/// Circuit variables with their values: the basis the current forms are written over. A
/// constant c sits in the basis as `Variable::One` with value c.
struct Basis {
    vars: Vec<Variable>,
    values: Vec<Option<Fr>>,
}

impl Basis {
    fn with_capacity(n: usize) -> Self {
        Self {
            vars: Vec::with_capacity(n),
            values: Vec::with_capacity(n),
        }
    }

    fn push(&mut self, x: Result<(Variable, Option<Fr>), Fr>) {
        let (var, value) = x.unwrap_or_else(|c| (Variable::One, Some(c)));
        self.vars.push(var);
        self.values.push(value);
    }

    fn terms<'a>(&'a self, f: &'a Form) -> impl Iterator<Item = (Fr, Variable, Option<Fr>)> + 'a {
        f.coef
            .iter()
            .zip(self.vars.iter().zip(&self.values))
            .filter(|(c, _)| !c.is_zero())
            .map(|(c, (v, x))| (*c, *v, *x))
    }

    fn lc(&self, f: &Form) -> LinearCombination<Fr> {
        let mut constant = f.constant;
        let mut terms = Vec::with_capacity(f.coef.len() + 1);
        for (c, v, x) in self.terms(f) {
            if v == Variable::One {
                constant += c * x.expect("constants have values");
            } else {
                terms.push((c, v));
            }
        }
        if !constant.is_zero() {
            terms.push((constant, Variable::One));
        }
        LinearCombination(terms)
    }

    fn value(&self, f: &Form) -> Option<Fr> {
        self.terms(f)
            .try_fold(f.constant, |acc, (c, _, x)| x.map(|x| acc + c * x))
    }

    fn is_constant(&self, f: &Form) -> bool {
        self.terms(f).all(|(_, v, _)| v == Variable::One)
    }
}

/// x^5 with three constraints (x·x = x², x²·x² = x⁴, x⁴·x = x⁵), or natively if x is
/// constant (`Err(x^5)`).
fn sbox(
    cs: &ConstraintSystemRef<Fr>,
    basis: &Basis,
    x: &Form,
) -> Result<Result<(Variable, Option<Fr>), Fr>, SynthesisError> {
    if basis.is_constant(x) {
        let c = basis.value(x).expect("constants have values");
        return Ok(Err(c.pow([5])));
    }
    let v = basis.value(x);
    let v2 = v.map(|v| v.square());
    let v4 = v2.map(|v| v.square());
    let v5 = v4.zip(v).map(|(a, b)| a * b);
    let missing = SynthesisError::AssignmentMissing;
    let x2 = cs.new_witness_variable(|| v2.ok_or(missing))?;
    cs.enforce_r1cs_constraint(|| basis.lc(x), || basis.lc(x), || x2.into())?;
    let x4 = cs.new_witness_variable(|| v4.ok_or(missing))?;
    cs.enforce_r1cs_constraint(|| x2.into(), || x2.into(), || x4.into())?;
    let x5 = cs.new_witness_variable(|| v5.ok_or(missing))?;
    cs.enforce_r1cs_constraint(|| x4.into(), || basis.lc(x), || x5.into())?;
    Ok(Ok((x5, v5)))
}

/// One full round: ARK, S-box on every lane, MDS. The new forms are over the S-box outputs.
fn full_round(
    cs: &ConstraintSystemRef<Fr>,
    config: &PoseidonConfig<Fr>,
    round: usize,
    basis: &Basis,
    lanes: &[Form],
) -> Result<(Basis, Vec<Form>), SynthesisError> {
    let t = lanes.len();
    let mut next = Basis::with_capacity(t);
    for (lane, c) in lanes.iter().zip(&config.ark[round]) {
        let mut x = lane.clone();
        x.constant += c;
        next.push(sbox(cs, basis, &x)?);
    }
    // MDS applied to the S-box outputs (unit forms) is the matrix itself: row i is lane i.
    let lanes = config
        .mds
        .iter()
        .map(|row| Form {
            coef: row.clone(),
            constant: Fr::zero(),
        })
        .collect();
    Ok((next, lanes))
}

/// The Poseidon permutation of `state` under `config`, with `partial` its unrolled partial
/// rounds. Output lanes are single symbolic combinations of the last S-box outputs.
///
/// # Errors
/// Propagates synthesis errors.
pub fn permute(
    cs: &ConstraintSystemRef<Fr>,
    config: &PoseidonConfig<Fr>,
    partial: &PartialRounds,
    state: &[FpVar<Fr>],
) -> Result<Vec<FpVar<Fr>>, SynthesisError> {
    assert_eq!(config.alpha, 5, "the flat gadget implements x^5");
    let t = state.len();
    let mut basis = Basis::with_capacity(t);
    for x in state {
        basis.push(match x {
            FpVar::Constant(c) => Err(*c),
            FpVar::Var(a) => Ok((a.variable, a.value().ok())),
        });
    }
    let mut lanes: Vec<Form> = (0..t).map(|j| Form::unit(j, t)).collect();

    let half = config.full_rounds / 2;
    for r in 0..half {
        (basis, lanes) = full_round(cs, config, r, &basis, &lanes)?;
    }

    // Partial rounds: S-box input k = Σ_i a_i·L_i + Σ_{r<k} b_r·s_r + c, with L the lanes
    // above (forms over `basis`) and s the S-box outputs, appended to the basis as they come.
    let entry = basis.vars.len();
    let rp = config.partial_rounds;
    // A form over [L, s_0 … s_{width−entry−1}] as a form over [basis, s_0 …].
    let rebase = |f: &Form, lanes: &[Form], width: usize| -> Form {
        let mut out = Form::combine(&f.coef[..t], lanes);
        out.coef.resize(width, Fr::zero());
        out.coef[entry..].copy_from_slice(&f.coef[t..t + width - entry]);
        out.constant += f.constant;
        out
    };
    for k in 0..rp {
        let u = rebase(&partial.inputs[k], &lanes, entry + k);
        let s = sbox(cs, &basis, &u)?;
        basis.push(s);
    }
    lanes = partial
        .outputs
        .iter()
        .map(|f| rebase(f, &lanes, entry + rp))
        .collect();

    for r in half + rp..config.full_rounds + rp {
        (basis, lanes) = full_round(cs, config, r, &basis, &lanes)?;
    }
    lanes
        .iter()
        .map(|f| {
            if basis.is_constant(f) {
                return Ok(FpVar::Constant(
                    basis.value(f).expect("constants have values"),
                ));
            }
            let var = cs.new_lc(|| basis.lc(f))?;
            Ok(FpVar::Var(AllocatedFp::new(
                basis.value(f),
                var,
                cs.clone(),
            )))
        })
        .collect()
}

/// Duplex-sponge hash with `config`: absorb `inputs` into the rate lanes (after the
/// capacity), one permutation per block of `rate` (the last one included), squeeze lane
/// `capacity`. The same sequence as arkworks' `PoseidonSponge` absorbing `inputs` at once
/// and squeezing one element.
///
/// # Errors
/// Propagates synthesis errors.
pub fn hash(
    cs: &ConstraintSystemRef<Fr>,
    config: &PoseidonConfig<Fr>,
    partial: &PartialRounds,
    inputs: &[FpVar<Fr>],
) -> Result<FpVar<Fr>, SynthesisError> {
    let t = config.rate + config.capacity;
    let mut state = vec![FpVar::Constant(Fr::zero()); t];
    for block in inputs.chunks(config.rate) {
        for (lane, x) in state[config.capacity..].iter_mut().zip(block) {
            *lane += x;
        }
        state = permute(cs, config, partial, &state)?;
    }
    if inputs.is_empty() {
        state = permute(cs, config, partial, &state)?;
    }
    Ok(state[config.capacity].clone())
}
