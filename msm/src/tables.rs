//! Precomputed window tables: 2^{wc}·P for every base and window.
//!
//! With row w holding 2^{wc}·Pᵢ, the digit of window w multiplies row w's point, so every
//! window adds into one shared set of buckets: one bucket reduction per part instead of one
//! per window, no doublings, and all windows of a term in one task (balanced across
//! threads whatever the window count). The price is memory: one more copy of the (GLV)
//! bases per window beyond the first, built once per key by c doublings per base and row.

use ark_ec::{short_weierstrass::Projective, CurveGroup};
use ark_ff::AdditiveGroup;
use rayon::prelude::*;

use crate::{
    batch::{Line, Pt},
    digits::Layout,
    Curve,
};

/// Rows 1..windows of the table (row 0 is the bases' own copy).
pub(crate) struct Tables<F> {
    pub(crate) layout: Layout,
    pub(crate) rows: Vec<Vec<Line<F>>>,
}

/// Builds the rows after `first` (P, and φ(P) after each P when `glv`).
pub(crate) fn build<P: Curve>(
    first: &[Line<P::BaseField>],
    glv: bool,
    layout: Layout,
) -> Tables<P::BaseField> {
    let step = if glv { 2 } else { 1 };
    let beta = P::ENDO_COEFFS[0];
    let mut rows: Vec<Vec<Line<P::BaseField>>> = Vec::new();
    for _ in 1..layout.windows {
        let prev = rows.last().map_or(first, Vec::as_slice);
        let doubled: Vec<Projective<P>> = prev
            .par_iter()
            .step_by(step)
            .map(|l| {
                let mut p = l.0.to_projective::<P>();
                for _ in 0..layout.c {
                    p.double_in_place();
                }
                p
            })
            .collect();
        let row = Projective::normalize_batch(&doubled)
            .par_iter()
            .flat_map_iter(|a| {
                let p = crate::pt(a);
                let endo = Pt {
                    x: p.x * beta,
                    y: p.y,
                };
                std::iter::once(Line(p)).chain(glv.then_some(Line(endo)))
            })
            .collect();
        rows.push(row);
    }
    Tables { layout, rows }
}

#[cfg(test)]
mod tests {
    use ark_bn254::{g1, G1Projective};
    use ark_ec::{scalar_mul::glv::GLVConfig, CurveGroup, PrimeGroup};

    use super::*;

    #[test]
    fn rows_hold_multiples() {
        let p = G1Projective::generator().into_affine();
        let first = vec![
            Line(crate::pt(&p)),
            Line(Pt {
                x: p.x * g1::Config::ENDO_COEFFS[0],
                y: p.y,
            }),
        ];
        let layout = Layout::new(127, 4);
        let t = build::<g1::Config>(&first, true, layout);
        for (w, row) in t.rows.iter().enumerate() {
            let expected = (G1Projective::generator()
                * ark_ff::Field::pow(&ark_bn254::Fr::from(2u8), [4 * (w as u64 + 1)]))
            .into_affine();
            assert_eq!(row[0].0, crate::pt(&expected), "row {}", w + 1);
        }
    }
}
