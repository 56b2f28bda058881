//! The circuit-shape flags shared by `zkfl setup` and the benchmark tools.

use zkfl_circuits::{circuit::cost, Shape};

use crate::Error;

/// Every width of a [`Shape`] as command-line flags; the chunk size is left to each command
/// (`zkfl setup` also accepts `auto`).
#[derive(clap::Args, Clone, Debug)]
pub struct ShapeArgs {
    /// Client slots per round (n).
    #[arg(long)]
    pub slots: usize,
    /// Fixed-point fractional bits (f).
    #[arg(long, default_value_t = Shape::DEFAULT_FRAC_BITS)]
    pub frac_bits: u32,
    /// Update width in bits (U): |Δ| < 2^(U−1).
    #[arg(long, default_value_t = Shape::DEFAULT_UPDATE_BITS)]
    pub update_bits: u32,
    /// Model value width in bits (Bm).
    #[arg(long, default_value_t = Shape::DEFAULT_MODEL_BITS)]
    pub model_bits: u32,
    /// Weight width in bits (Wb): every weight and their total are < 2^Wb.
    #[arg(long, default_value_t = Shape::DEFAULT_WEIGHT_BITS)]
    pub weight_bits: u32,
    /// Norm width in bits (Nb): B₂² and every running sum of squares are < 2^Nb.
    #[arg(long, default_value_t = Shape::DEFAULT_NORM_BITS)]
    pub norm_bits: u32,
}

/// A whole circuit shape as flags: the widths plus `--chunk` (a number, or `auto` to fill
/// the FFT domain 2^`--log-domain`). What `zkfl setup` and every `zkfl ceremony` command
/// that needs the circuit take.
#[derive(clap::Args, Clone, Debug)]
pub struct FullShapeArgs {
    #[command(flatten)]
    /// The widths.
    pub widths: ShapeArgs,
    /// Parameters per chunk (m), or `auto` to fill the FFT domain 2^--log-domain.
    #[arg(long, default_value = "auto")]
    pub chunk: String,
    /// With `--chunk auto`: log2 of the FFT domain to fill.
    #[arg(long, default_value_t = 16)]
    pub log_domain: u32,
}

impl FullShapeArgs {
    /// The validated shape.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a bad `--chunk` or a domain too small for the slots;
    /// [`Error::Shape`] for an invalid shape.
    pub fn shape(&self) -> Result<Shape, Error> {
        let mut shape = self.widths.shape(1);
        shape.chunk = if self.chunk == "auto" {
            cost::max_chunk_for_domain(&shape, self.log_domain).ok_or_else(|| {
                Error::Invalid(format!(
                    "{} slots do not fit a domain of 2^{}; raise --log-domain",
                    shape.slots, self.log_domain
                ))
            })?
        } else {
            self.chunk.parse().map_err(|_| {
                Error::Invalid(format!(
                    "--chunk must be a number or `auto`, got '{}'",
                    self.chunk
                ))
            })?
        };
        shape.validate()?;
        Ok(shape)
    }
}

impl ShapeArgs {
    /// The shape with chunks of `chunk` parameters (not validated).
    pub fn shape(&self, chunk: usize) -> Shape {
        Shape {
            slots: self.slots,
            chunk,
            frac_bits: self.frac_bits,
            update_bits: self.update_bits,
            model_bits: self.model_bits,
            weight_bits: self.weight_bits,
            norm_bits: self.norm_bits,
        }
    }
}
