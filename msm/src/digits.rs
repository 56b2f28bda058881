//! Signed window digits, each computable on its own.
//!
//! A magnitude k is written k = Σ_w d_w·2^{wc} with c-bit windows. Below the top window a
//! digit is recentred: if the window's top bit is set, 2^c is subtracted and a carry of 1
//! moves up. The carry into window w is then exactly bit wc − 1 of k, so
//! d_w = bits_w + bit(wc − 1) − 2^c·bit(wc + c − 1) needs no pass over the lower windows,
//! and each window task reads its digit straight from the scalar. Digits lie in
//! [−2^{c−1}, 2^{c−1}]: 2^{c−1} buckets per window, the sign going to the point (negating
//! an affine point is free). The top window is not recentred; [`Layout::new`] picks enough
//! windows that its digit stays within 2^{c−1}.

/// Window width and count for magnitudes below 2^bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Window width c in bits.
    pub(crate) c: u32,
    /// Number of windows.
    pub(crate) windows: u32,
}

impl Layout {
    /// The fewest windows of width `c` that represent every magnitude < 2^bits.
    pub(crate) fn new(bits: u32, c: u32) -> Self {
        debug_assert!((1..=31).contains(&c) && bits >= 1);
        let mut windows = 1;
        loop {
            // The top digit is at most ⌊(2^bits − 1) / 2^{(W−1)c}⌋ + carry.
            let shift = (windows - 1) * c;
            let top_max = if shift >= bits {
                0
            } else if bits - shift >= 64 {
                u64::MAX
            } else {
                (1u64 << (bits - shift)) - 1
            };
            let carry = u64::from(windows > 1);
            if top_max.saturating_add(carry) <= 1 << (c - 1) {
                return Self { c, windows };
            }
            windows += 1;
        }
    }

    /// Buckets per window (|digit| ranges over 1..=buckets).
    pub(crate) fn buckets(&self) -> usize {
        1 << (self.c - 1)
    }

    /// Digit `w` of the little-endian magnitude `mag`.
    #[inline(always)]
    pub(crate) fn digit<const L: usize>(&self, mag: &[u64; L], w: u32) -> i64 {
        let c = self.c;
        let lo = w * c;
        let bits = extract(mag, lo, c) as i64;
        let carry = if lo == 0 { 0 } else { bit(mag, lo - 1) as i64 };
        if w + 1 == self.windows {
            bits + carry
        } else {
            bits + carry - ((bit(mag, lo + c - 1) as i64) << c)
        }
    }
}

#[inline(always)]
fn bit<const L: usize>(mag: &[u64; L], i: u32) -> u64 {
    let limb = (i / 64) as usize;
    if limb < L {
        (mag[limb] >> (i % 64)) & 1
    } else {
        0
    }
}

/// Bits lo..lo + c of `mag` (c ≤ 31).
#[inline(always)]
fn extract<const L: usize>(mag: &[u64; L], lo: u32, c: u32) -> u64 {
    let limb = (lo / 64) as usize;
    let off = lo % 64;
    if limb >= L {
        return 0;
    }
    let mut v = mag[limb] >> off;
    if off + c > 64 && limb + 1 < L {
        v |= mag[limb + 1] << (64 - off);
    }
    v & ((1 << c) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Σ d_w·2^{wc} modulo 2^128 (exact for magnitudes below 2^127).
    fn recompose(layout: &Layout, mag: &[u64; 2]) -> u128 {
        (0..layout.windows).rev().fold(0u128, |acc, w| {
            let d = layout.digit(mag, w);
            assert!(
                d.unsigned_abs() <= layout.buckets() as u64,
                "digit {d} of window {w} out of range for {layout:?}"
            );
            acc.wrapping_shl(layout.c).wrapping_add(d as i128 as u128)
        })
    }

    #[test]
    fn digits_recompose_to_the_magnitude() {
        let samples: [u128; 8] = [
            0,
            1,
            2,
            0xffff,
            0x8000,
            (1 << 126) + 12345,
            (1 << 127) - 1,
            0x5555_5555_5555_5555_5555_5555_5555_5555,
        ];
        for c in 1..=20 {
            let layout = Layout::new(127, c);
            for &m in &samples {
                let mag = [m as u64, (m >> 64) as u64];
                assert_eq!(recompose(&layout, &mag), m, "c = {c}, m = {m:#x}");
            }
        }
    }

    #[test]
    fn window_counts() {
        // 127-bit GLV halves fill 8 windows of 16 bits exactly.
        assert_eq!(Layout::new(127, 16).windows, 8);
        assert_eq!(Layout::new(128, 16).windows, 9);
        // ±1 needs one single-bucket window.
        assert_eq!(Layout::new(1, 1), Layout { c: 1, windows: 1 });
        assert_eq!(Layout::new(254, 16).windows, 16);
        assert_eq!(Layout::new(16, 17).windows, 1);
        assert_eq!(Layout::new(16, 16).windows, 2);
    }
}
