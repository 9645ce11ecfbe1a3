//! The search benchmark's two halves (see `benches/search/README.md`):
//!
//! ```text
//! search-bench generate DIR LESSONS [SOURCE]   write a synthetic library of LESSONS lessons into DIR,
//!                                              from the sentences and headings of SOURCE (default `courses`)
//! search-bench measure DIR [ROUNDS]            load DIR, build the search index, run the mixed query set
//!                                              ROUNDS times (default 25); print times, latencies and memory
//! ```
//!
//! Run it in release mode (`cargo run --release -p daotao-server --example search-bench`); `run.sh`
//! beside the README does the whole benchmark, including the real server's start-up.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use daotao_content::course::load_library;
use daotao_server::search::{ParsedQuery, SearchIndex};

/// Lessons per synthetic course.
const LESSONS_PER_COURSE: usize = 100;
/// Sections per synthetic lesson, and sentences per section (about 90 words).
const SECTIONS: usize = 4;
const SENTENCES: usize = 5;

/// The mixed query set: with and without diacritics, phrases, typos, prefixes.
const QUERIES: &[&str] = &[
    // With diacritics.
    "chính quyền số",
    "mật khẩu",
    "dịch vụ công trực tuyến",
    "dữ liệu cá nhân",
    "chữ ký số",
    "mã độc",
    "sao lưu",
    "hồ sơ",
    "an toàn thông tin",
    "người dân",
    // Without.
    "chinh quyen so",
    "mat khau manh",
    "dich vu cong",
    "du lieu ca nhan",
    "chu ky so",
    "ma doc",
    "DANH CAP MA OTP",
    "sao luu du lieu",
    "thu dien tu",
    "bao cao su co",
    // Phrases.
    "\"chính quyền số\"",
    "\"dịch vụ công\"",
    "\"mật khẩu\"",
    "\"dữ liệu cá nhân\"",
    "\"cổng dịch vụ công quốc gia\"",
    // One typo in a longer word.
    "chinh quyeen",
    "mat khaau",
    "thoong tin",
    "truwc tuyen",
    "nguoii dan",
    // The last word still being typed.
    "chinh quy",
    "mat kh",
    "dich vu c",
    "an toan th",
    "sao l",
    "ho so tr",
    // Odd input.
    "\"",
    "AND OR",
    "kỳ lân xanh",
    "của",
];

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["generate", dir, lessons, rest @ ..] => {
            let source = rest.first().map_or_else(|| PathBuf::from("courses"), PathBuf::from);
            generate(Path::new(dir), lessons.parse()?, &source)
        }
        ["measure", dir, rest @ ..] => {
            let rounds = rest.first().map_or(Ok(25), |r| r.parse())?;
            measure(Path::new(dir), rounds)
        }
        _ => anyhow::bail!("usage: search-bench generate DIR LESSONS [SOURCE] | measure DIR [ROUNDS]"),
    }
}

/// A small deterministic generator (xorshift), so every run indexes the same library.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<'a>(&mut self, from: &'a [String]) -> &'a str {
        &from[self.below(from.len())]
    }
}

fn generate(dir: &Path, lessons: usize, source: &Path) -> anyhow::Result<()> {
    let library = load_library(source);
    anyhow::ensure!(!library.courses.is_empty(), "no course in {}", source.display());
    let mut sentences = Vec::new();
    let mut headings = Vec::new();
    for course in library.courses.values() {
        for lesson in &course.lessons {
            headings.extend(lesson.toc.iter().map(|t| t.text.clone()));
            for line in lesson.text.lines() {
                sentences.extend(
                    line.split_inclusive(['.', '?', '!'])
                        .map(str::trim)
                        .filter(|s| s.split_whitespace().count() >= 6)
                        .map(str::to_string),
                );
            }
        }
    }
    anyhow::ensure!(
        !sentences.is_empty() && !headings.is_empty(),
        "no text to sample in {}",
        source.display()
    );
    std::fs::create_dir_all(dir)?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut words = 0;
    for c in 0..lessons.div_ceil(LESSONS_PER_COURSE) {
        let course = dir.join(format!("khoa-{c:03}"));
        std::fs::create_dir_all(&course)?;
        let title = rng.pick(&headings).replace('"', "'");
        std::fs::write(
            course.join("course.toml"),
            format!(
                "title = \"Khoá {c}: {title}\"\nsummary = \"{}\"\n",
                rng.pick(&sentences).replace('"', "'")
            ),
        )?;
        for l in 0..LESSONS_PER_COURSE.min(lessons - c * LESSONS_PER_COURSE) {
            let mut md =
                format!("+++\ntitle = \"Bài {l}: {}\"\n+++\n\n", rng.pick(&headings).replace('"', "'"));
            for s in 0..SECTIONS {
                if s > 0 {
                    md.push_str(&format!("## {}\n\n", rng.pick(&headings)));
                }
                for _ in 0..SENTENCES {
                    let sentence = rng.pick(&sentences);
                    words += sentence.split_whitespace().count();
                    md.push_str(sentence);
                    md.push(' ');
                }
                md.push_str("\n\n");
            }
            std::fs::write(course.join(format!("{l:03}-bai-{l}.md")), md)?;
        }
    }
    println!(
        "generated {lessons} lessons in {} courses, {} words per lesson on average, from {} sentences and {} headings",
        lessons.div_ceil(LESSONS_PER_COURSE),
        words / lessons.max(1),
        sentences.len(),
        headings.len()
    );
    Ok(())
}

fn measure(dir: &Path, rounds: usize) -> anyhow::Result<()> {
    let started = Instant::now();
    let library = load_library(dir);
    let loaded = started.elapsed();
    anyhow::ensure!(library.problems.is_empty(), "the library has problems: {:?}", &library.problems[..1]);
    let lessons: usize = library.courses.values().map(|c| c.lessons.len()).sum();
    let started = Instant::now();
    let index = SearchIndex::build(&library)?;
    let built = started.elapsed();

    let queries: Vec<ParsedQuery> = QUERIES.iter().map(|q| ParsedQuery::parse(q)).collect();
    // One warm-up round, then the measured ones.
    for q in &queries {
        index.search(q, None, 20, 0)?;
    }
    let mut times = Vec::with_capacity(rounds * queries.len());
    let mut per_query = vec![Duration::ZERO; queries.len()];
    let mut hits = 0;
    for _ in 0..rounds {
        for (i, q) in queries.iter().enumerate() {
            let t = Instant::now();
            let (found, _) = index.search(q, None, 20, 0)?;
            let took = t.elapsed();
            times.push(took);
            per_query[i] += took;
            hits += found.len();
        }
    }
    times.sort();
    let mut slowest: Vec<(Duration, &str)> = per_query.iter().copied().zip(QUERIES.iter().copied()).collect();
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    let at =
        |p: f64| times[((times.len() as f64 * p).ceil() as usize).saturating_sub(1).min(times.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("lessons: {lessons} in {} courses; search documents: {}", library.courses.len(), index.len());
    println!("load and render the library: {:.2} s", loaded.as_secs_f64());
    println!("build the search index: {:.2} s", built.as_secs_f64());
    println!(
        "queries: {} ({} rounds of {}), hits returned: {hits}; latency p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        times.len(),
        rounds,
        queries.len(),
        ms(at(0.50)),
        ms(at(0.99)),
        ms(times[times.len() - 1])
    );
    let slowest: Vec<String> = slowest
        .iter()
        .take(5)
        .map(|(total, q)| format!("{q:?} {:.2} ms", ms(*total) / rounds as f64))
        .collect();
    println!("slowest queries on average: {}", slowest.join(", "));
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    for key in ["VmRSS", "VmHWM"] {
        if let Some(line) = status.lines().find(|l| l.starts_with(key)) {
            println!("{}", line.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    Ok(())
}
