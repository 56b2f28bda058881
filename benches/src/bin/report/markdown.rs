//! The Markdown that docs/BENCHMARKS.md embeds: every figure with its goal beside it.

use std::fmt::Write as _;

use crate::{child::Rss, goal::Goal, plan::Plan, prover::ProverRun, Report};

fn secs(s: f64) -> String {
    if s < 1.0 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

fn mib(b: Option<u64>) -> String {
    b.map_or_else(
        || "n/a".into(),
        |b| format!("{:.0} MiB", b as f64 / (1u64 << 20) as f64),
    )
}

/// 1234567 → "1,234,567".
fn int(v: usize) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn pct(f: f64) -> String {
    format!("{:.1}%", f * 100.0)
}

fn goal(g: &Option<Goal>) -> String {
    g.as_ref().map_or_else(String::new, Goal::cell)
}

fn prover_row(s: &mut String, r: &ProverRun) {
    let _ = writeln!(
        s,
        "| {} | {} | 2^{} | {} | {} | {} | {} | {:.2}× | {} | {} | {} | {:.2}× | {} | {:.0} | {:.0} |",
        r.chunk,
        int(r.constraints),
        r.domain_size.trailing_zeros(),
        pct(r.fill),
        r.fill_goal.cell(),
        secs(r.prove_s),
        secs(r.prove_arkworks_s),
        r.speedup,
        r.speedup_goal.cell(),
        secs(r.irreducible.h_msm_s),
        secs(r.irreducible.qap_ffts_s),
        r.ratio,
        r.ratio_goal.cell(),
        r.constraints_per_s,
        r.client_params_per_s,
    );
}

fn rss_row(s: &mut String, what: &str, r: &Rss) {
    let _ = writeln!(
        s,
        "| {what} | {} | {} | {} | {} |",
        mib(r.key_load_peak),
        mib(r.after_key_load),
        mib(r.work_peak),
        mib(r.process_peak)
    );
}

/// Renders the whole report.
pub fn render(r: &Report, plan: &Plan) -> String {
    let mut s = String::new();
    let m = &r.machine;
    let _ = writeln!(s, "## zkfl benchmark report ({})\n", r.mode);
    let _ = writeln!(
        s,
        "`{}` on {}: {} cores{}, {} RAM, commit `{}`; the run took {}.\n",
        r.command,
        m.date_utc,
        m.cores,
        m.cpu
            .as_deref()
            .map_or_else(String::new, |c| format!(" ({c})")),
        m.ram_bytes.map_or_else(
            || "unknown".into(),
            |b| format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64)
        ),
        m.git_commit.as_deref().unwrap_or("unknown"),
        secs(r.runtime_s)
    );
    let _ = writeln!(
        s,
        "Goals are checked in this run: ✓ met, **✗** falls short. Every ratio compares figures measured side by side in this run. Keys are seeded (insecure; measuring only).\n"
    );

    let c = &r.circuit;
    let _ = writeln!(
        s,
        "### Circuit: constraints per chunk (closed form, exact)\n"
    );
    let _ = writeln!(
        s,
        "| n | m | constraints | α | goal | β | goal | domain | fill |"
    );
    let _ = writeln!(s, "|---:|---:|---:|---:|:-:|---:|:-:|---:|---:|");
    for row in &c.rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.2} | {} | {:.2} | {} | 2^{} | {} |",
            row.slots,
            row.chunk,
            int(row.constraints),
            row.alpha,
            row.alpha_goal.cell(),
            row.beta,
            row.beta_goal.cell(),
            row.domain_size.trailing_zeros(),
            pct(row.fill)
        );
    }
    let _ = writeln!(
        s,
        "\nα: constraints of one more slot per parameter; β: the rest per parameter (constraints = n·m·α + m·β). Closed form checked against synthesis at n = {}, m = {}: {} = {}.\n",
        c.check.slots,
        c.check.chunk,
        int(c.check.closed_form),
        int(c.check.synthesized)
    );

    let p = &r.prover;
    let _ = writeln!(
        s,
        "### Prover: one chunk, n = {} slots, {} thread(s), median of {}\n",
        p.main.slots, p.main.threads, plan.reps
    );
    let _ = writeln!(s, "| m | constraints | domain | fill | goal | prove | prove, ark-ec MSMs | speedup | goal | H-query MSM | QAP FFTs | prove / (MSM + FFTs) | goal | constraints/s | client-params/s |");
    let _ = writeln!(
        s,
        "|---:|---:|---:|---:|:-:|---:|---:|---:|:-:|---:|---:|---:|:-:|---:|---:|"
    );
    prover_row(&mut s, &p.main);
    if let Some(a) = &p.auto_tuned {
        prover_row(&mut s, a);
    }
    let _ = writeln!(
        s,
        "\nThe prove column is the steady state per chunk (`ProvingContext::prove`, zkfl-msm's MSMs); \"prove, ark-ec MSMs\" is the same chunk through ark-groth16's own prover, alternated with it on the same threads. The irreducible part is zkfl-msm's G1 MSM over the proving key's H query (domain − 1 points, random full-size scalars) plus the 7 size-domain FFTs of ark-groth16's R1CS-to-QAP reduction on random vectors, timed alternately with the proofs. Building the context's R1CS matrices and MSM bases, once per process, took {}. Setup took {}{}.\n",
        secs(p.main.context_s),
        secs(p.main.setup_s),
        p.auto_tuned
            .as_ref()
            .map_or_else(String::new, |a| format!(" (m = {}: {})", a.chunk, secs(a.setup_s)))
    );
    let _ = writeln!(
        s,
        "Chunk size that fills a domain (`max_chunk_for_domain`, n = {}):\n",
        p.main.slots
    );
    let _ = writeln!(s, "| domain | m | constraints | fill |");
    let _ = writeln!(s, "|---:|---:|---:|---:|");
    for a in &p.auto_chunks {
        let _ = writeln!(
            s,
            "| 2^{} | {} | {} | {} |",
            a.log_domain,
            a.chunk,
            int(a.constraints),
            pct(a.fill)
        );
    }

    let m = &r.msm;
    let _ = writeln!(
        s,
        "### MSM: zkfl-msm against ark-ec, {} thread(s), median of {}\n",
        p.main.threads, plan.reps
    );
    let _ = writeln!(s, "| MSM | points | ark-ec | zkfl-msm | speedup | goal |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|:-:|");
    for row in &m.rows {
        let c = &row.comparison;
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {:.2}× | {} |",
            row.what,
            int(row.points),
            secs(c.arkworks_ms / 1e3),
            secs(c.ours_ms / 1e3),
            c.speedup,
            goal(&row.goal)
        );
    }
    let _ = writeln!(
        s,
        "\nSame bases and scalars for both, repetitions alternated, results checked equal. Memory beside the proving key: {} for all five queries (aligned copies of P and φ(P)); the H query alone {} by default, {} with window tables (built in {}).\n",
        mib(Some(m.key_extra_bytes as u64)),
        mib(Some(m.h_extra_bytes as u64)),
        mib(Some(m.h_tables_extra_bytes as u64)),
        secs(m.h_tables_build_s)
    );

    let sc = &r.scaling;
    let _ = writeln!(
        s,
        "\n### Parallel scaling: rounds of K chunks, n = {}, m = {}\n",
        sc.slots, sc.chunk
    );
    let _ = writeln!(
        s,
        "| K | jobs × threads per job | wall | per chunk | speedup vs 1 thread |"
    );
    let _ = writeln!(s, "|---:|:-:|---:|---:|---:|");
    for row in &sc.rows {
        let _ = writeln!(
            s,
            "| {} | {} × {} | {} | {} | {:.2}× |",
            row.chunks,
            row.jobs,
            row.threads_per_job,
            secs(row.wall_s),
            secs(row.per_chunk_s),
            row.speedup
        );
    }

    let v = &r.verifier;
    let _ = writeln!(
        s,
        "\n### Verifier: k single checks vs one batch (l = {} inputs, {} distinct honest proofs repeated)\n",
        v.public_inputs, v.distinct_proofs
    );
    let _ = writeln!(
        s,
        "| proofs | k × verify_single | verify_batch | ratio | goal |"
    );
    let _ = writeln!(s, "|---:|---:|---:|---:|:-:|");
    for row in &v.rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.2}× | {} |",
            row.proofs,
            secs(row.singles_s),
            secs(row.batch_s),
            row.ratio,
            goal(&row.goal)
        );
    }

    let _ = writeln!(s, "\n### Gas\n");
    match (&r.gas, &r.gas_error) {
        (Some(g), _) => {
            let _ = writeln!(s, "{}", g.markdown);
        }
        (None, e) => {
            let _ = writeln!(
                s,
                "**Not measured**: {}\n",
                e.as_deref().unwrap_or("unknown")
            );
        }
    }

    let (mc, rd) = (&r.memory_chunk, &r.round);
    let _ = writeln!(
        s,
        "### Memory: peak RSS from the kernel (VmHWM of a child process)\n"
    );
    let _ = writeln!(s, "| work | peak while loading pk | resident after pk | peak of the work (pk resident) | process peak |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|");
    rss_row(
        &mut s,
        &format!(
            "one chunk (n = {}, m = {}, {} thread(s))",
            mc.slots, mc.chunk, mc.threads
        ),
        &mc.rss,
    );
    rss_row(
        &mut s,
        &format!(
            "round of {} params, {} clients ({} jobs)",
            int(rd.params),
            rd.slots,
            rd.jobs
        ),
        &rd.rss,
    );

    let _ = writeln!(s, "\n### One full round\n");
    let _ = writeln!(s, "| params | clients | m | proofs | total constraints | wall | native round | proving | bundle | bundle size | verify_round | constraints/s | client-params/s |");
    let _ = writeln!(
        s,
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    let _ = writeln!(
        s,
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} B | {} | {:.0} | {:.0} |",
        int(rd.params),
        rd.slots,
        rd.chunk,
        rd.proofs,
        int(rd.total_constraints),
        secs(rd.wall_s),
        secs(rd.build_s),
        secs(rd.prove_s),
        secs(rd.bundle_s),
        int(rd.bundle_bytes),
        secs(rd.verify_s),
        rd.constraints_per_s,
        rd.client_params_per_s
    );
    let _ = writeln!(
        s,
        "\nWall time excludes reading the proving key ({}); {} jobs over {} threads.",
        secs(rd.key_load_s),
        rd.jobs,
        rd.threads
    );
    s
}
