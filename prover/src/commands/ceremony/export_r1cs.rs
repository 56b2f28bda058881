use std::path::PathBuf;

use clap::Args;
use zkfl_ceremony::r1cs::R1cs;
use zkfl_prover::FullShapeArgs;

/// Write the chunk circuit as a circom `.r1cs` file.
#[derive(Args)]
pub struct ExportR1csCmd {
    #[command(flatten)]
    shape: FullShapeArgs,
    /// Output `.r1cs` file.
    #[arg(long)]
    out: PathBuf,
    /// Print a JSON summary on stdout.
    #[arg(long)]
    json: bool,
}

impl ExportR1csCmd {
    pub fn run(self) -> anyhow::Result<()> {
        let shape = self.shape.shape()?;
        let r1cs = R1cs::for_shape(&shape)?;
        r1cs.write(&self.out)?;
        let summary = serde_json::json!({
            "out": self.out,
            "shape": shape,
            "constraints": r1cs.num_constraints(),
            "wires": r1cs.num_vars,
            "public_inputs": r1cs.num_public,
            "ptau_power": r1cs.domain_power(),
        });
        if self.json {
            println!("{summary}");
        } else {
            println!(
                "{}: {} constraints, {} wires, {} public inputs; needs a ptau of power {} or more",
                self.out.display(),
                r1cs.num_constraints(),
                r1cs.num_vars,
                r1cs.num_public,
                r1cs.domain_power()
            );
        }
        Ok(())
    }
}
