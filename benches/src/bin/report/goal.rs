//! A goal printed beside a figure, so a reader sees at once what falls short.

use serde::Serialize;

/// A target and whether the measured figure meets it.
#[derive(Clone, Debug, Serialize)]
pub struct Goal {
    /// The target, as printed (e.g. "≤ 40").
    pub target: String,
    /// Whether the figure meets it.
    pub met: bool,
}

impl Goal {
    /// figure ≤ limit.
    pub fn at_most(figure: f64, limit: f64, target: &str) -> Self {
        Self {
            target: target.into(),
            met: figure <= limit,
        }
    }

    /// figure ≥ limit.
    pub fn at_least(figure: f64, limit: f64, target: &str) -> Self {
        Self {
            target: target.into(),
            met: figure >= limit,
        }
    }

    /// The Markdown cell: target and verdict.
    pub fn cell(&self) -> String {
        format!("{} {}", self.target, if self.met { "✓" } else { "**✗**" })
    }
}
