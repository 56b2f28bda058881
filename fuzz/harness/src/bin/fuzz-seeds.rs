//! Writes the initial seed corpora into `fuzz/corpus/<target>/` (files named by their
//! SHA-256, as libFuzzer names what it adds). Run once before the first fuzzing session;
//! the committed corpora are the minimised result of fuzzing from these seeds.

use sha2::{Digest, Sha256};

fn main() -> std::io::Result<()> {
    for (name, _) in zkfl_fuzz::TARGETS {
        let dir = zkfl_fuzz::corpus_dir(name);
        std::fs::create_dir_all(&dir)?;
        let seeds = zkfl_fuzz::seeds::initial(name);
        for seed in &seeds {
            let file = dir.join(hex::encode(Sha256::digest(seed)));
            std::fs::write(file, seed)?;
        }
        println!("{name}: {} seeds in {}", seeds.len(), dir.display());
    }
    Ok(())
}
