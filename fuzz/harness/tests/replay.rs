//! Replays every committed corpus file through its target, on stable Rust: whatever the
//! fuzzer found interesting (and every crash it found, once fixed) stays covered in CI.

#[test]
fn every_corpus_file_replays_without_a_failure() {
    for (name, target) in zkfl_fuzz::TARGETS {
        let dir = zkfl_fuzz::corpus_dir(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display()))
            .map(|e| e.expect("corpus entry").path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "corpus {} is empty", dir.display());
        for file in &files {
            let data = std::fs::read(file).expect("corpus file");
            // A failure names the file, so `cargo fuzz run <name> <file>` reproduces it.
            eprintln!("replaying {}", file.display());
            target(&data);
        }
        eprintln!("{name}: {} files replayed", files.len());
    }
}
