//! What a step cost, as GNU `time -v` reports it for the process that ran it.

use anyhow::Context;

/// Wall time, CPU time and peak resident memory of one process.
pub struct Usage {
    pub wall: f64,
    pub cpu: f64,
    pub rss_mib: f64,
}

/// Reads the output of `/usr/bin/time -v`.
pub fn parse_time(text: &str) -> anyhow::Result<Usage> {
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(name).map(|v| v.trim_start_matches(':').trim().to_string()))
            .with_context(|| format!("no `{name}` in the output of time -v:\n{text}"))
    };
    // h:mm:ss or m:ss.cc
    let wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")?
        .split(':')
        .try_fold(0.0, |acc, part| part.parse::<f64>().map(|v| acc * 60.0 + v))
        .context("wall clock time")?;
    let user: f64 = field("User time (seconds)")?.parse()?;
    let system: f64 = field("System time (seconds)")?.parse()?;
    let rss_kib: f64 = field("Maximum resident set size (kbytes)")?.parse()?;
    Ok(Usage { wall, cpu: user + system, rss_mib: rss_kib / 1024.0 })
}

/// The machine's load average, printed beside each figure (another process busy skews it).
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}
