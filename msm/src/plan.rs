//! Window width and work split, from a cost model of the bucket method.
//!
//! One task sums one window over a part of the terms: about one affine addition per term
//! (a batch-affine addition, ≈ 6 field multiplications) plus the bucket reduction, two
//! batch-affine additions per bucket (lanes in step, `pippenger::reduce`). Tasks
//! run `threads` at a time, so the time is ⌈tasks / threads⌉ times a task's cost: the model
//! trades wider windows (fewer of them, more buckets each) against splitting the terms into
//! parts (better balance across threads, one more bucket reduction per part).

use crate::digits::Layout;

/// Cost of one bucket (reduction) in affine additions. It was 4 while the reduction ran in
/// Jacobian coordinates; with the batch-affine reduction, forcing c = 16 against the
/// model's old c = 13 at 2^17 bases measured 262–292 ms against 279–298 ms (fastest of 15,
/// three alternated runs), which this weight now picks.
const BUCKET_COST: f64 = 2.0;
/// Cost of reading one term's digit in a window, in affine additions.
const SCAN_COST: f64 = 0.05;
/// Widest window considered: 2^21 buckets of affine points is 128 MiB per task for G2.
const MAX_C: u32 = 20;

/// How one MSM class is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) layout: Layout,
    /// Parts the terms are split into (each part has its own buckets).
    pub(crate) parts: usize,
    /// All windows share one bucket set (the source holds 2^{wc}-multiples of the bases).
    pub(crate) shared: bool,
}

impl Plan {
    /// The cheapest window width (or `c` if given) for `terms` magnitudes below 2^bits on
    /// `threads` threads.
    pub(crate) fn windows(terms: usize, bits: u32, threads: usize, c: Option<u32>) -> Self {
        let threads = threads.max(1);
        let widths = match c {
            Some(c) => c.clamp(1, MAX_C)..=c.clamp(1, MAX_C),
            None => 1..=MAX_C,
        };
        let mut best = (f64::INFINITY, Self::single(Layout::new(bits, 1)));
        for c in widths {
            let layout = Layout::new(bits, c);
            for parts in 1..=threads {
                let tasks = layout.windows as usize * parts;
                let rounds = tasks.div_ceil(threads) as f64;
                let per_task = terms as f64 / parts as f64 * (1.0 + SCAN_COST)
                    + layout.buckets() as f64 * BUCKET_COST;
                let cost = rounds * per_task;
                if cost < best.0 {
                    best = (
                        cost,
                        Self {
                            layout,
                            parts,
                            shared: false,
                        },
                    );
                }
            }
        }
        best.1
    }

    /// All windows in one bucket set per part, one part per thread (precomputed tables).
    pub(crate) fn tables(layout: Layout, threads: usize) -> Self {
        Self {
            layout,
            parts: threads.max(1),
            shared: true,
        }
    }

    /// The window layout of precomputed tables for up to `terms` magnitudes below 2^bits
    /// (or width `c` if given): every window's entries share the buckets, so only one
    /// reduction per thread is paid.
    pub(crate) fn table_layout(terms: usize, bits: u32, threads: usize, c: Option<u32>) -> Layout {
        let threads = threads.max(1) as f64;
        let widths = match c {
            Some(c) => c.clamp(1, MAX_C)..=c.clamp(1, MAX_C),
            None => 1..=MAX_C,
        };
        widths
            .map(|c| Layout::new(bits, c))
            .min_by(|a, b| {
                let cost = |l: &Layout| {
                    terms as f64 * f64::from(l.windows) * (1.0 + SCAN_COST) / threads
                        + l.buckets() as f64 * BUCKET_COST
                };
                cost(a).total_cmp(&cost(b))
            })
            .unwrap_or(Layout::new(bits, 1))
    }

    fn single(layout: Layout) -> Self {
        Self {
            layout,
            parts: 1,
            shared: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_threads_get_an_even_number_of_tasks_for_large_msms() {
        let p = Plan::windows(1 << 20, 127, 2, None);
        assert_eq!((p.layout.windows as usize * p.parts) % 2, 0, "{p:?}");
        assert!((14..=17).contains(&p.layout.c), "{p:?}");
    }

    #[test]
    fn unit_scalars_are_one_bucket_split_over_threads() {
        let p = Plan::windows(100_000, 1, 2, None);
        assert_eq!(p.layout, Layout::new(1, 1));
        assert_eq!(p.parts, 2);
    }
}
