//! Wall-clock timing. Medians, because the machine is shared and outliers are one-sided.

use std::time::{Duration, Instant};

/// Runs `f` once and returns its result and wall time.
pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

/// Median of `samples` in seconds (mean of the middle two for an even count); 0 if empty.
pub fn median_secs(samples: &[Duration]) -> f64 {
    let mut s: Vec<f64> = samples.iter().map(Duration::as_secs_f64).collect();
    s.sort_by(f64::total_cmp);
    match s.len() {
        0 => 0.0,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    }
}

/// The fastest of `samples`, in seconds (0 for none).
pub fn min_secs(samples: &[Duration]) -> f64 {
    samples
        .iter()
        .map(Duration::as_secs_f64)
        .min_by(f64::total_cmp)
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        let d = |ms| Duration::from_millis(ms);
        assert_eq!(median_secs(&[d(3), d(1), d(2)]), 0.002);
        assert_eq!(median_secs(&[d(4), d(1), d(2), d(3)]), 0.0025);
        assert_eq!(median_secs(&[]), 0.0);
    }
}
