//! A software prefetch: one of the crate's two `unsafe` places (the other is `field`'s
//! assembly).
//!
//! Gathering a block's points reads bases in bucket order, i.e. at random: at 2^16 bases
//! and more they come from DRAM, and the plain loads took 11–14% of a G1 MSM in `perf`
//! profiles (on the load instruction itself). Asking for the point a few entries ahead
//! overlaps those misses.
//!
//! Why it is sound: `_mm_prefetch` is a hint that never faults and never reads into the
//! program; any address is allowed. The pointer is computed with `wrapping_add`, so
//! forming it is defined even past the end of the slice (callers stay in bounds anyway).

/// Hints the CPU to bring `slice[i]` into the cache.
#[inline(always)]
#[allow(unsafe_code)]
pub(crate) fn prefetch<T>(slice: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        let p = slice.as_ptr().wrapping_add(i).cast::<i8>();
        // SAFETY: a prefetch is a hint with no architectural effect; it cannot fault.
        unsafe { core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(p) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (slice, i);
}
