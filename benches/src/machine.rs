//! What a report was measured on, printed with every report.

use std::{path::Path, process::Command};

use serde::Serialize;

/// Machine and source identification.
#[derive(Clone, Debug, Serialize)]
pub struct Machine {
    /// UTC date and time of the run, ISO 8601.
    pub date_utc: String,
    /// Logical cores available to this process.
    pub cores: usize,
    /// Total RAM in bytes (`MemTotal`), if known.
    pub ram_bytes: Option<u64>,
    /// CPU model name, if known.
    pub cpu: Option<String>,
    /// `git rev-parse HEAD` of the workspace, with `-dirty` if the tree has changes.
    pub git_commit: Option<String>,
}

impl Machine {
    /// Collects everything for the workspace containing `dir`.
    pub fn detect(dir: &Path) -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        Self {
            date_utc: utc_now(),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            ram_bytes: meminfo.lines().find_map(|l| {
                let kb = l.strip_prefix("MemTotal:")?.trim().strip_suffix("kB")?;
                Some(kb.trim().parse::<u64>().ok()? * 1024)
            }),
            cpu: cpuinfo.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                (k.trim() == "model name").then(|| v.trim().to_string())
            }),
            git_commit: git_commit(dir),
        }
    }
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn git_commit(dir: &Path) -> Option<String> {
    let head = git(dir, &["rev-parse", "HEAD"])?;
    let dirty =
        git(dir, &["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some(if dirty { format!("{head}-dirty") } else { head })
}

/// Now, as `YYYY-MM-DDTHH:MM:SSZ`.
fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format_utc(secs)
}

/// Unix seconds as ISO 8601 UTC (civil-from-days, proleptic Gregorian calendar).
fn format_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_known_instants() {
        assert_eq!(super::format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::format_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::format_utc(1_767_225_599), "2025-12-31T23:59:59Z");
    }
}
