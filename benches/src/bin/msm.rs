//! `msm`: zkfl-msm against ark-ec's MSM on one size, side by side.
//!
//! `cargo run --release -p zkfl-benches --bin msm -- --log-size 18 --json`
//!
//! Random bases and uniformly random (full-size) scalars, the shape of the Groth16 H query;
//! repetitions alternate the two implementations on the same threads and check they agree.

use clap::{Parser, ValueEnum};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkfl_benches::msm::{compare, random_bases};
use zkfl_msm::Settings;

#[derive(Clone, Copy, ValueEnum)]
enum Group {
    G1,
    G2,
}

#[derive(Parser)]
#[command(about = "Time zkfl-msm against ark-ec's VariableBaseMSM on random full-size scalars")]
struct Args {
    /// log2 of the number of bases.
    #[arg(long, default_value_t = 16)]
    log_size: u32,
    /// Group of the bases.
    #[arg(long, value_enum, default_value = "g1")]
    group: Group,
    /// Repetitions of each (median reported).
    #[arg(long, default_value_t = 3)]
    reps: usize,
    /// Threads (default: rayon's, which honours RAYON_NUM_THREADS).
    #[arg(long)]
    threads: Option<usize>,
    /// Turn GLV off (measuring its contribution).
    #[arg(long)]
    no_glv: bool,
    /// Read the bases from the caller's slice instead of an aligned copy.
    #[arg(long)]
    no_copy: bool,
    /// Precompute window tables (memory for speed; see zkfl_msm::Settings::tables).
    #[arg(long)]
    tables: bool,
    /// Force the window width of the full-size scalars.
    #[arg(long)]
    window: Option<u32>,
    /// Print one JSON line.
    #[arg(long)]
    json: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(
        args.log_size <= 24,
        "--log-size above 24 does not fit this machine"
    );
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(t) = args.threads {
        builder = builder.num_threads(t);
    }
    let pool = builder.build()?;
    let settings = Settings {
        glv: !args.no_glv,
        copy_bases: !args.no_copy,
        tables: args.tables,
        window: args.window,
    };
    let mut rng = ChaCha20Rng::seed_from_u64(u64::from(args.log_size));
    let n = 1usize << args.log_size;
    let result = pool.install(|| match args.group {
        Group::G1 => compare(
            &random_bases::<ark_bn254::g1::Config>(n, &mut rng),
            settings,
            args.reps,
            &mut rng,
        ),
        Group::G2 => compare(
            &random_bases::<ark_bn254::g2::Config>(n, &mut rng),
            settings,
            args.reps,
            &mut rng,
        ),
    });
    if args.json {
        println!("{}", serde_json::to_string(&result)?);
    } else {
        println!(
            "2^{} bases, {} thread(s), median of {}: ark-ec {:.1} ms, zkfl-msm {:.1} ms, {:.2}× faster",
            args.log_size, result.threads, args.reps, result.arkworks_ms, result.ours_ms, result.speedup
        );
    }
    Ok(())
}
