//! Bucket method over signed windows, with batch-affine bucket sums.
//!
//! Each task takes one window (or, with precomputed tables, every window at once: the table
//! holds 2^{wc}·P, so all windows share one set of buckets) over a range of terms:
//! 1. counting-sorts the terms' nonzero digits by bucket into `order` (one `u64` per
//!    entry: base, endomorphism flag, window, sign);
//! 2. walks the buckets in blocks of up to 1 MiB: gathers the blocks' points, sums
//!    each bucket with [`batch::sum_segments`], and carries a bucket cut by a block
//!    boundary into the next block as one more point;
//! 3. reduces the buckets, Σ b·B_b, with running sums in affine coordinates, many lanes
//!    in step so that they share inversions ([`reduce`]).
//!
//! The caller combines windows with c doublings each (Horner) and adds the parts.

use std::ops::Range;

use ark_ec::{
    short_weierstrass::{Projective, SWCurveConfig},
    PrimeGroup,
};
use ark_ff::{AdditiveGroup, Field};
use rayon::prelude::*;

use crate::{
    batch::{add_assign_all, sum_segments, Pt, Scratch, Segment},
    digits::Layout,
    field::Arith,
    plan::Plan,
};

/// Bit 0 of a key or entry: negate the point.
const NEG: u64 = 1;
/// Bits 1..9: the window (table row) of an entry.
const WINDOW_SHIFT: u32 = 1;
/// Bits 9..: the point's index in its source: 2·base for P, 2·base + 1 for φ(P).
const POINT_SHIFT: u32 = 9;

/// Bytes of points gathered per block. Each round of a block pays one inversion (≈ 7 µs,
/// some 350 multiplications), and a block of a 2^19-base MSM takes about six rounds, so
/// larger blocks share it among more additions; the rounds stream through the block, so it
/// need not fit in L2. Alternating sizes inside one process (2 threads, mean of 10 or 30
/// repetitions, both orders): 2^19 G1 bases 1,088 ms at 256 KiB, 1,059 ms at 512 KiB;
/// 980 ms at 512 KiB, 965 ms at 1 MiB; 2^16 G1 the same at 512 KiB and 1 MiB; 2^16 G2
/// 489 ms at 256 KiB, 477 ms at 1 MiB.
const BLOCK_BYTES: usize = 1 << 20;

/// One scalar (or GLV half) of an MSM: magnitude and which base, signed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Term<const L: usize> {
    pub(crate) mag: [u64; L],
    pub(crate) key: u64,
}

impl<const L: usize> Term<L> {
    pub(crate) fn new(mag: [u64; L], base: usize, endo: bool, negative: bool) -> Self {
        let point = 2 * base as u64 + u64::from(endo);
        debug_assert!(point < 1 << (64 - POINT_SHIFT));
        Self {
            mag,
            key: (point << POINT_SHIFT) | u64::from(negative),
        }
    }
}

/// Where the points of bucket entries come from.
pub(crate) trait Source<F>: Sync {
    /// Point `point` (2·base for the base, 2·base + 1 for its endomorphism image), times
    /// 2^{window·c} if the source holds precomputed tables (window is then a table row; 0
    /// otherwise).
    fn point(&self, point: usize, window: u32) -> Pt<F>;

    /// Starts loading what [`Source::point`] will read.
    fn prefetch(&self, point: usize, window: u32);
}

#[inline(always)]
fn point_of(entry: u64) -> usize {
    (entry >> POINT_SHIFT) as usize
}

#[inline(always)]
fn window_of(entry: u64) -> u32 {
    ((entry >> WINDOW_SHIFT) & 0xff) as u32
}

/// Entries the gather prefetches ahead of its loads.
const PREFETCH_AHEAD: usize = 16;

/// Appends the points of `entries` to `buf`: first plain loads, prefetched a few entries
/// ahead so that cache misses overlap, then the signs on the now cached copies.
fn gather<F: Field, S: Source<F>>(source: &S, entries: &[u64], buf: &mut Vec<Pt<F>>) {
    let start = buf.len();
    for &e in entries.iter().take(PREFETCH_AHEAD) {
        source.prefetch(point_of(e), window_of(e));
    }
    buf.extend(entries.iter().enumerate().map(|(i, &e)| {
        if let Some(&ahead) = entries.get(i + PREFETCH_AHEAD) {
            source.prefetch(point_of(ahead), window_of(ahead));
        }
        source.point(point_of(e), window_of(e))
    }));
    for (p, &e) in buf[start..].iter_mut().zip(entries) {
        if e & NEG != 0 {
            p.y = -p.y;
        }
    }
}

/// Σ terms as planned: windows × parts tasks in parallel, then Horner over the windows.
pub(crate) fn run<P: SWCurveConfig<BaseField: Arith>, S: Source<P::BaseField>, const L: usize>(
    terms: &[Term<L>],
    plan: &Plan,
    source: &S,
) -> Projective<P> {
    if terms.is_empty() {
        return Projective::ZERO;
    }
    let layout = plan.layout;
    let parts = plan.parts.clamp(1, terms.len());
    let part_len = terms.len().div_ceil(parts);
    let rows = if plan.shared { 1 } else { layout.windows };
    let sums: Vec<Projective<P>> = (0..rows as usize * parts)
        .into_par_iter()
        .map(|task| {
            let (row, part) = (task / parts, task % parts);
            let lo = (part * part_len).min(terms.len());
            let hi = ((part + 1) * part_len).min(terms.len());
            let windows = if plan.shared {
                0..layout.windows
            } else {
                row as u32..row as u32 + 1
            };
            bucket_task::<P, S, L>(&terms[lo..hi], layout, windows, plan.shared, source)
        })
        .collect();
    let mut total = Projective::ZERO;
    for row in sums.chunks(parts).rev() {
        if !plan.shared {
            for _ in 0..layout.c {
                total.double_in_place();
            }
        }
        for s in row {
            total += s;
        }
    }
    total
}

/// Σ over `windows` of Σ_terms digit_w(term)·2^{wc}·base(term) for a shared bucket set
/// (tables), or the plain window sum Σ digit_w·base when `windows` is one window.
fn bucket_task<P: SWCurveConfig<BaseField: Arith>, S: Source<P::BaseField>, const L: usize>(
    terms: &[Term<L>],
    layout: Layout,
    windows: Range<u32>,
    shared: bool,
    source: &S,
) -> Projective<P> {
    let buckets = layout.buckets();
    // Counting sort of the nonzero digits by bucket.
    let mut counts = vec![0usize; buckets + 1];
    for t in terms {
        for w in windows.clone() {
            counts[layout.digit(&t.mag, w).unsigned_abs() as usize] += 1;
        }
    }
    counts[0] = 0;
    let mut next = Vec::with_capacity(buckets + 1);
    let mut total = 0;
    for &n in &counts {
        next.push(total);
        total += n;
    }
    let mut order = vec![0u64; total];
    for t in terms {
        for w in windows.clone() {
            let d = layout.digit(&t.mag, w);
            if d != 0 {
                let b = d.unsigned_abs() as usize;
                // Tables give window w its own row of points; one window reads row 0.
                let row = if shared { u64::from(w) } else { 0 };
                let entry = (t.key | (row << WINDOW_SHIFT)) ^ u64::from(d < 0);
                order[next[b]] = entry;
                next[b] += 1;
            }
        }
    }
    let sums = bucket_sums(&order, &counts, source);
    reduce::<P>(&sums)
}

/// Affine sum of each bucket's entries; `order` is sorted by bucket, `counts[b]` entries
/// each (counts[0] = 0).
fn bucket_sums<F: Arith, S: Source<F>>(order: &[u64], counts: &[usize], source: &S) -> Vec<Pt<F>> {
    let cap = (BLOCK_BYTES / std::mem::size_of::<Pt<F>>()).max(4);
    let mut sums = vec![Pt::INFINITY; counts.len()];
    let mut buf: Vec<Pt<F>> = Vec::with_capacity(cap);
    let mut segments: Vec<Segment> = Vec::new();
    let mut done: Vec<(u32, u32)> = Vec::new();
    let mut scratch = Scratch::default();
    let (mut b, mut taken, mut pos) = (1usize, 0usize, 0usize);
    while b < counts.len() {
        buf.clear();
        segments.clear();
        // Plan the block, then gather all its entries in one pass, so that the prefetches
        // run ahead across bucket boundaries (per bucket, each start stalled on its first
        // loads). Only the block's first bucket can continue one cut by the previous block:
        // its partial sum goes first, ahead of the entries.
        let first = pos;
        let mut len = 0;
        while b < counts.len() && len + 2 <= cap {
            let left = counts[b] - taken;
            if left == 0 {
                b += 1;
                taken = 0;
                continue;
            }
            let start = len;
            if taken > 0 && !sums[b].is_infinity() {
                debug_assert!(segments.is_empty());
                buf.push(sums[b]);
                len += 1;
            }
            let take = left.min(cap - len);
            pos += take;
            taken += take;
            len += take;
            segments.push(Segment {
                bucket: b as u32,
                start: start as u32,
                len: (len - start) as u32,
            });
            if taken == counts[b] {
                b += 1;
                taken = 0;
            }
        }
        gather(source, &order[first..pos], &mut buf);
        debug_assert_eq!(buf.len(), len);
        done.clear();
        done.extend(segments.iter().map(|s| (s.bucket, s.start)));
        sum_segments(&mut buf, &mut segments, &mut scratch);
        for &(bucket, start) in &done {
            sums[bucket as usize] = buf[start as usize];
        }
    }
    sums
}

/// Lanes of [`reduce`]: one inversion per step is shared by this many additions.
const LANES: usize = 256;

/// Σ b·sums[b] (`sums[0]` unused), by running sums in affine coordinates.
///
/// A single running sum (R ← R + B_b, T ← T + R from the top bucket down) is sequential, so
/// its additions cannot share an inversion. The buckets are cut into lanes of `len`
/// consecutive buckets instead, lane c starting at bucket 1 + c·len, and all lanes run
/// their running sums in step: every step is two batches of affine additions, one per
/// lane each (2 × 5M + 1S plus a share of one inversion, against 11M + 5S and 7M + 4S for
/// the Jacobian pair). Afterwards lane c holds S_c = Σ B and T_c = Σ i·B over its local
/// indices i, and Σ_b b·B_b = Σ_c (1 + c·len)·S_c + T_c = Σ S_c + len·Σ c·S_c + Σ T_c,
/// the middle sum being one short Jacobian running sum over the lanes.
fn reduce<P: SWCurveConfig<BaseField: Arith>>(sums: &[Pt<P::BaseField>]) -> Projective<P> {
    let Some(top) = sums.iter().rposition(|p| !p.is_infinity()) else {
        return Projective::ZERO;
    };
    if top == 0 {
        return Projective::ZERO;
    }
    let len = top.div_ceil(LANES.min(top));
    let lanes = top.div_ceil(len);
    let mut running = vec![Pt::INFINITY; lanes];
    let mut total = vec![Pt::INFINITY; lanes];
    let mut column = Vec::with_capacity(lanes);
    let mut scratch = Scratch::default();
    for i in (0..len).rev() {
        column.clear();
        column
            .extend((0..lanes).map(|c| sums.get(1 + c * len + i).copied().unwrap_or(Pt::INFINITY)));
        add_assign_all(&mut running, &column, &mut scratch);
        if i > 0 {
            add_assign_all(&mut total, &running, &mut scratch);
        }
    }
    // s = Σ_{c' ≥ c} S_c', and weighted accumulates it for c ≥ 1: Σ c·S_c.
    let (mut s, mut weighted, mut t) = (
        Projective::<P>::ZERO,
        Projective::<P>::ZERO,
        Projective::<P>::ZERO,
    );
    for c in (0..lanes).rev() {
        s += running[c].to_projective::<P>();
        if c > 0 {
            weighted += s;
        }
        t += total[c].to_projective::<P>();
    }
    weighted.mul_bigint([len as u64]) + s + t
}

#[cfg(test)]
mod tests {
    use ark_bn254::{g1, g2};
    use ark_ec::CurveGroup;
    use ark_std::UniformRand;
    use rand::SeedableRng;

    use super::*;

    /// Σ b·B_b the slow way.
    fn naive<P: SWCurveConfig>(sums: &[Projective<P>]) -> Projective<P> {
        sums.iter()
            .enumerate()
            .map(|(b, p)| p.mul_bigint([b as u64]))
            .sum()
    }

    fn check<P: crate::Curve>(sums: &[Projective<P>], what: &str) {
        let pts: Vec<_> = sums.iter().map(|p| crate::pt(&p.into_affine())).collect();
        assert_eq!(
            reduce::<P>(&pts),
            naive(sums),
            "{what}, {} buckets",
            sums.len()
        );
    }

    fn cases<P: crate::Curve>() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(5);
        let p = Projective::<P>::rand(&mut rng);
        // Lane counts below, at and around LANES, and lengths that do not divide evenly.
        for n in [0, 1, 2, 3, 255, 256, 257, 258, 700, 1025] {
            let random: Vec<Projective<P>> = (0..n)
                .map(|i| {
                    if i % 7 == 3 {
                        Projective::ZERO
                    } else {
                        Projective::rand(&mut rng)
                    }
                })
                .collect();
            check(&random, "random with gaps");
            // Every bucket the same point: the running sums meet doublings (T = R) and the
            // lanes' sums are equal.
            check(&vec![p; n], "one repeated point");
            // B_b = −R: running sums cancel to infinity and restart.
            let cancelling: Vec<_> = (0..n).map(|b| if b % 2 == 0 { p } else { -p }).collect();
            check(&cancelling, "alternating ±P");
        }
        let mut top_only = vec![Projective::ZERO; 600];
        top_only[599] = p;
        check(&top_only, "only the top bucket");
        check(&[Projective::<P>::ZERO; 300], "all empty");
    }

    #[test]
    fn reduce_matches_the_weighted_sum_g1() {
        cases::<g1::Config>();
    }

    #[test]
    fn reduce_matches_the_weighted_sum_g2() {
        cases::<g2::Config>();
    }
}
