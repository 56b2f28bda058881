//! Which chunks one task of a sharded round proves: `--chunks`, `--shard i/N`, or
//! `--shard auto` from the scheduler's environment, and the task's default threads.

use std::ops::Range;

use crate::Error;

/// Which chunks a task proves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// `--chunks A..B` (B exclusive) or `A..=B`, or one chunk `A`.
    Chunks(Range<usize>),
    /// `--shard i/N`: the i-th of N contiguous, near-equal parts (0-based).
    Shard {
        /// This task's index.
        index: usize,
        /// Number of tasks.
        count: usize,
    },
}

impl Selection {
    /// Parses `--chunks`.
    ///
    /// # Errors
    /// [`Error::Invalid`] with the accepted forms.
    pub fn parse_chunks(s: &str) -> Result<Self, Error> {
        let bad = || {
            Error::Invalid(format!(
                "--chunks {s}: expected A..B (B exclusive), A..=B or a single chunk A"
            ))
        };
        let num = |t: &str| t.trim().parse::<usize>().map_err(|_| bad());
        let range = if let Some((a, b)) = s.split_once("..=") {
            num(a)?..num(b)?.checked_add(1).ok_or_else(bad)?
        } else if let Some((a, b)) = s.split_once("..") {
            num(a)?..num(b)?
        } else {
            let a = num(s)?;
            a..a + 1
        };
        if range.is_empty() {
            return Err(bad());
        }
        Ok(Selection::Chunks(range))
    }

    /// Parses `--shard i/N` or `--shard auto`, which reads `env`: Slurm's
    /// `SLURM_ARRAY_TASK_ID` and `SLURM_ARRAY_TASK_COUNT` (an array numbered 0..N−1), or
    /// Kubernetes' `JOB_COMPLETION_INDEX` with `ZKFL_SHARD_COUNT`.
    ///
    /// # Errors
    /// [`Error::Invalid`] saying what is missing.
    pub fn parse_shard(s: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let num = |what: &str, t: &str| {
            t.trim()
                .parse::<usize>()
                .map_err(|_| Error::Invalid(format!("--shard {s}: {what} {t:?} is not a number")))
        };
        let (index, count) = if s == "auto" {
            if let (Some(id), Some(count)) =
                (env("SLURM_ARRAY_TASK_ID"), env("SLURM_ARRAY_TASK_COUNT"))
            {
                let (id, count) = (
                    num("SLURM_ARRAY_TASK_ID", &id)?,
                    num("SLURM_ARRAY_TASK_COUNT", &count)?,
                );
                let min = env("SLURM_ARRAY_TASK_MIN")
                    .map_or(Ok(0), |m| num("SLURM_ARRAY_TASK_MIN", &m))?;
                let max = env("SLURM_ARRAY_TASK_MAX").map_or(Ok(count.saturating_sub(1)), |m| {
                    num("SLURM_ARRAY_TASK_MAX", &m)
                })?;
                if min != 0 || max + 1 != count {
                    return Err(Error::Invalid(format!(
                        "--shard auto needs a job array numbered 0..N-1, but this one is {min}..{max} with {count} tasks (a resubmitted subset?); pass --shard $SLURM_ARRAY_TASK_ID/N with the plan's N instead"
                    )));
                }
                (id, count)
            } else if let Some(idx) = env("JOB_COMPLETION_INDEX") {
                let Some(count) = env("ZKFL_SHARD_COUNT") else {
                    return Err(Error::Invalid(
                        "--shard auto under a Kubernetes Indexed Job needs ZKFL_SHARD_COUNT (the Job's completions)".into(),
                    ));
                };
                (
                    num("JOB_COMPLETION_INDEX", &idx)?,
                    num("ZKFL_SHARD_COUNT", &count)?,
                )
            } else {
                return Err(Error::Invalid(
                    "--shard auto found no SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT (Slurm job array) nor JOB_COMPLETION_INDEX (Kubernetes Indexed Job); pass --shard i/N".into(),
                ));
            }
        } else {
            let Some((i, n)) = s.split_once('/') else {
                return Err(Error::Invalid(format!(
                    "--shard {s}: expected i/N (0 ≤ i < N) or auto"
                )));
            };
            (num("i", i)?, num("N", n)?)
        };
        if count == 0 || index >= count {
            return Err(Error::Invalid(format!(
                "--shard {s}: task {index} of {count} is out of range (0 ≤ i < N)"
            )));
        }
        Ok(Selection::Shard { index, count })
    }

    /// The chunks selected out of `k`.
    ///
    /// # Errors
    /// [`Error::Invalid`] for chunks the plan does not have.
    pub fn chunks(&self, k: usize) -> Result<Range<usize>, Error> {
        match self {
            Selection::Chunks(r) if r.end > k => Err(Error::Invalid(format!(
                "--chunks {}..{}: the plan has {k} chunks (0..{k})",
                r.start, r.end
            ))),
            Selection::Chunks(r) => Ok(r.clone()),
            Selection::Shard { index, count } => Ok(index * k / count..(index + 1) * k / count),
        }
    }
}

/// Threads for a task: `SLURM_CPUS_PER_TASK` when set, else the CPUs this process may use
/// (`std::thread::available_parallelism`, which honours the cgroup CPU quota and the
/// affinity mask on Linux).
pub fn default_threads(env: &dyn Fn(&str) -> Option<String>) -> usize {
    env("SLURM_CPUS_PER_TASK")
        .and_then(|s| s.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_chunk_once() {
        for k in [1, 7, 8, 9, 100] {
            for n in 1..=10 {
                let mut next = 0;
                for i in 0..n {
                    let r = Selection::Shard { index: i, count: n }.chunks(k).unwrap();
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, k);
            }
        }
    }

    #[test]
    fn parses_chunks_and_shards() {
        assert_eq!(
            Selection::parse_chunks("2..5").unwrap(),
            Selection::Chunks(2..5)
        );
        assert_eq!(
            Selection::parse_chunks("2..=5").unwrap(),
            Selection::Chunks(2..6)
        );
        assert_eq!(
            Selection::parse_chunks("3").unwrap(),
            Selection::Chunks(3..4)
        );
        assert!(Selection::parse_chunks("5..2").is_err());
        assert!(Selection::parse_chunks("a..b").is_err());
        let none = |_: &str| None;
        assert_eq!(
            Selection::parse_shard("1/4", &none).unwrap(),
            Selection::Shard { index: 1, count: 4 }
        );
        assert!(Selection::parse_shard("4/4", &none).is_err());
        assert!(Selection::parse_shard("auto", &none)
            .unwrap_err()
            .to_string()
            .contains("SLURM_ARRAY_TASK_ID"));
        let slurm = |k: &str| {
            match k {
                "SLURM_ARRAY_TASK_ID" => Some("2"),
                "SLURM_ARRAY_TASK_COUNT" => Some("4"),
                "SLURM_ARRAY_TASK_MIN" => Some("0"),
                "SLURM_ARRAY_TASK_MAX" => Some("3"),
                _ => None,
            }
            .map(String::from)
        };
        assert_eq!(
            Selection::parse_shard("auto", &slurm).unwrap(),
            Selection::Shard { index: 2, count: 4 }
        );
        let resubmitted = |k: &str| {
            match k {
                "SLURM_ARRAY_TASK_ID" | "SLURM_ARRAY_TASK_MIN" | "SLURM_ARRAY_TASK_MAX" => {
                    Some("2")
                }
                "SLURM_ARRAY_TASK_COUNT" => Some("1"),
                _ => None,
            }
            .map(String::from)
        };
        let e = Selection::parse_shard("auto", &resubmitted)
            .unwrap_err()
            .to_string();
        assert!(e.contains("$SLURM_ARRAY_TASK_ID/N"), "{e}");
        let k8s = |k: &str| {
            match k {
                "JOB_COMPLETION_INDEX" => Some("3"),
                "ZKFL_SHARD_COUNT" => Some("8"),
                _ => None,
            }
            .map(String::from)
        };
        assert_eq!(
            Selection::parse_shard("auto", &k8s).unwrap(),
            Selection::Shard { index: 3, count: 8 }
        );
        assert_eq!(
            default_threads(&|k| (k == "SLURM_CPUS_PER_TASK").then(|| "3".into())),
            3
        );
    }
}
