//! Resident memory as the Linux kernel accounts it (`/proc/self/status`), not estimated.
//!
//! `VmHWM` is the process's peak resident set size. Writing `5` to `/proc/self/clear_refs`
//! (Linux ≥ 4.0) resets that peak to the current RSS, which lets a process measure the peak
//! of one phase (proving) separately from an earlier one (loading the key).

/// Reads a `kB` field of `/proc/self/status` in bytes; `None` off Linux.
fn status_field(name: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(name)?.strip_prefix(':')?;
        let kb: u64 = rest.trim().strip_suffix("kB")?.trim().parse().ok()?;
        Some(kb * 1024)
    })
}

/// Peak resident set size of this process so far (`VmHWM`), in bytes.
pub fn peak_bytes() -> Option<u64> {
    status_field("VmHWM")
}

/// Current resident set size (`VmRSS`), in bytes.
pub fn current_bytes() -> Option<u64> {
    status_field("VmRSS")
}

/// Resets the peak to the current RSS; false if the kernel does not support it.
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn peak_is_at_least_current() {
        // Current first: the peak only grows, even while other tests allocate.
        let now = super::current_bytes();
        if let (Some(now), Some(peak)) = (now, super::peak_bytes()) {
            assert!(peak >= now && now > 0);
        }
    }
}
