//! The search benchmark's two halves (see `benches/search/README.md`):
//!
//! ```text
//! search-bench generate DIR LESSONS [SOURCE]   write a synthetic library of LESSONS lessons into DIR,
//!                                              from the sentences and headings of SOURCE (default `courses`)
//! search-bench measure DIR [ROUNDS]            load DIR, build the search index, run the mixed query set
//!                                              ROUNDS times (default 25); print times, latencies and memory
//! search-bench http BASE [ROUNDS] [OUT]         the same query set against a running server at BASE
//!                                              (`http://127.0.0.1:PORT`), one keep-alive connection per
//!                                              kind of request; OUT: write the uncompressed API answers there
//! search-bench edit BASE DIR [EDITS]            edit EDITS lessons (default 10) of the library DIR the server
//!                                              at BASE serves, one at a time; time from the file written to
//!                                              its page and a search for a new word both showing it
//! ```
//!
//! Run it in release mode (`cargo run --release -p daotao-server --example search-bench`); `run.sh`
//! beside the README does the whole benchmark, including the real server's start-up.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
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
        ["http", base, rest @ ..] => {
            let rounds = rest.first().map_or(Ok(25), |r| r.parse())?;
            http(base, rounds, rest.get(1).map(Path::new))
        }
        ["edit", base, dir, rest @ ..] => {
            let edits = rest.first().map_or(Ok(10), |r| r.parse())?;
            edit(base, Path::new(dir), edits)
        }
        _ => anyhow::bail!(
            "usage: search-bench generate DIR LESSONS [SOURCE] | measure DIR [ROUNDS] | http BASE [ROUNDS] [OUT] \
             | edit BASE DIR [EDITS]"
        ),
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

/// One HTTP/1.1 connection kept alive, as a browser keeps one to the site: no connection set-up per request.
struct Connection {
    host: String,
    stream: BufReader<TcpStream>,
}

impl Connection {
    fn open(base: &str) -> anyhow::Result<Connection> {
        let host = base.trim_start_matches("http://").trim_end_matches('/').to_string();
        let stream = TcpStream::connect(&host)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Connection { host, stream: BufReader::new(stream) })
    }

    /// `GET path`: the status and the body as sent (compressed if `accept_encoding` asked for it).
    fn get(&mut self, path: &str, accept_encoding: Option<&str>) -> anyhow::Result<(u16, Vec<u8>)> {
        let encoding = accept_encoding.map(|e| format!("Accept-Encoding: {e}\r\n")).unwrap_or_default();
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: {}\r\nAccept-Language: vi\r\n{encoding}\r\n", self.host);
        self.stream.get_mut().write_all(request.as_bytes())?;
        let mut line = String::new();
        self.stream.read_line(&mut line)?;
        let status: u16 = line.split_whitespace().nth(1).unwrap_or_default().parse()?;
        let (mut length, mut chunked) = (None, false);
        loop {
            line.clear();
            anyhow::ensure!(self.stream.read_line(&mut line)? > 0, "the server closed the connection");
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap_or((header, ""));
            let (name, value) = (name.to_ascii_lowercase(), value.trim());
            if name == "content-length" {
                length = Some(value.parse::<usize>()?);
            } else if name == "transfer-encoding" && value.eq_ignore_ascii_case("chunked") {
                chunked = true;
            } else if name == "connection" && value.eq_ignore_ascii_case("close") {
                anyhow::bail!("the server does not keep the connection alive");
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.stream.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or_default(), 16)?;
                if size == 0 {
                    // Trailers, then the empty line.
                    loop {
                        line.clear();
                        self.stream.read_line(&mut line)?;
                        if line.trim_end().is_empty() {
                            break;
                        }
                    }
                    break;
                }
                let start = body.len();
                body.resize(start + size + 2, 0);
                self.stream.read_exact(&mut body[start..])?;
                body.truncate(start + size);
            }
        } else {
            body.resize(length.unwrap_or(0), 0);
            self.stream.read_exact(&mut body)?;
        }
        Ok((status, body))
    }
}

/// `value` for a URL's query string.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The kinds of request timed over HTTP: (what, path before the query, `Accept-Encoding`).
const HTTP_KINDS: &[(&str, &str, Option<&str>)] = &[
    (
        "API, Accept-Encoding as browsers send it",
        "/api/v1/search?limit=20&q=",
        Some("gzip, deflate, br, zstd"),
    ),
    ("API, uncompressed", "/api/v1/search?limit=20&q=", None),
    ("page /search, Accept-Encoding as browsers send it", "/search?q=", Some("gzip, deflate, br, zstd")),
];

fn http(base: &str, rounds: usize, answers: Option<&Path>) -> anyhow::Result<()> {
    for (what, path, encoding) in HTTP_KINDS {
        let mut connection = Connection::open(base)?;
        let urls: Vec<String> = QUERIES.iter().map(|q| format!("{path}{}", encode(q))).collect();
        // One warm-up round, which also keeps the uncompressed answers to compare builds by.
        let mut kept = String::new();
        for (url, q) in urls.iter().zip(QUERIES) {
            let (status, body) = connection.get(url, *encoding)?;
            anyhow::ensure!(status == 200, "{url}: {status}");
            if encoding.is_none() {
                kept.push_str(&format!("{q}\t{}\n", String::from_utf8_lossy(&body)));
            }
        }
        if let (Some(out), false) = (answers, kept.is_empty()) {
            std::fs::write(out, kept)?;
        }
        let mut times = Vec::with_capacity(rounds * urls.len());
        let mut per_query = vec![Duration::ZERO; urls.len()];
        let mut bytes = 0;
        for _ in 0..rounds {
            for (i, url) in urls.iter().enumerate() {
                let t = Instant::now();
                let (status, body) = connection.get(url, *encoding)?;
                let took = t.elapsed();
                anyhow::ensure!(status == 200, "{url}: {status}");
                times.push(took);
                per_query[i] += took;
                bytes += body.len();
            }
        }
        times.sort();
        let mut slowest: Vec<(Duration, &str)> =
            per_query.iter().copied().zip(QUERIES.iter().copied()).collect();
        slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
        let slowest: Vec<String> =
            slowest.iter().take(3).map(|(t, q)| format!("{q:?} {:.2} ms", ms(*t) / rounds as f64)).collect();
        println!(
            "{what}: {} requests, {} bytes each on average; p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms; slowest: {}",
            times.len(),
            bytes / times.len().max(1),
            ms(percentile(&times, 0.50)),
            ms(percentile(&times, 0.99)),
            ms(times[times.len() - 1]),
            slowest.join(", ")
        );
    }
    Ok(())
}

/// A word no lesson has, different for each edit and three letters from any other edit's (one typo away, a
/// search for it would find an earlier edit's word).
fn new_word(edit: usize) -> String {
    let mut word = String::from("huoumoi");
    let mut n = edit;
    loop {
        let letter = (b'a' + (n % 26) as u8) as char;
        word.extend([letter; 3]);
        n /= 26;
        if n == 0 {
            return word;
        }
    }
}

fn edit(base: &str, dir: &Path, edits: usize) -> anyhow::Result<()> {
    let courses = std::fs::read_dir(dir)?.filter_map(Result::ok).filter(|e| e.path().is_dir()).count();
    anyhow::ensure!(courses > 0, "no course in {}", dir.display());
    let mut connection = Connection::open(base)?;
    let mut page_times = Vec::new();
    let mut search_times = Vec::new();
    let mut originals = Vec::new();
    for e in 0..edits {
        let course = (e * 37 + 11) % courses;
        let lesson = (e * 17 + 3) % LESSONS_PER_COURSE;
        let file = dir.join(format!("khoa-{course:03}/{lesson:03}-bai-{lesson}.md"));
        let page = format!("/courses/khoa-{course:03}/bai-{lesson}");
        let word = new_word(e);
        let search = format!("/api/v1/search?limit=1&q={word}");
        let original = std::fs::read_to_string(&file)?;
        let (status, before) = connection.get(&page, None)?;
        anyhow::ensure!(status == 200, "{page}: {status}");
        anyhow::ensure!(!String::from_utf8_lossy(&before).contains(&word), "{word} is on {page} already");
        let written = Instant::now();
        std::fs::write(&file, format!("{original}\nCon hươu {word} nhắc mọi người đổi mật khẩu.\n"))?;
        originals.push((file, original));
        let (mut page_at, mut search_at) = (None, None);
        while page_at.is_none() || search_at.is_none() {
            anyhow::ensure!(written.elapsed() < Duration::from_secs(60), "edit {e} not visible after 60 s");
            if page_at.is_none() && String::from_utf8_lossy(&connection.get(&page, None)?.1).contains(&word) {
                page_at = Some(written.elapsed());
            }
            if search_at.is_none()
                && String::from_utf8_lossy(&connection.get(&search, None)?.1)
                    .contains(&format!("\"url\":\"{page}"))
            {
                search_at = Some(written.elapsed());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let (page_at, search_at) = (page_at.unwrap_or_default(), search_at.unwrap_or_default());
        println!(
            "edit {e}: khoa-{course:03}/bai-{lesson}: page {:.0} ms, search {:.0} ms",
            ms(page_at),
            ms(search_at)
        );
        page_times.push(page_at);
        search_times.push(search_at);
        // Apart from the next edit, so that the two are not one burst of changes.
        std::thread::sleep(Duration::from_millis(1500));
    }
    for (file, original) in originals.into_iter().rev() {
        std::fs::write(file, original)?;
    }
    let both: Vec<Duration> = page_times.iter().zip(&search_times).map(|(p, s)| *p.max(s)).collect();
    for (what, mut times) in [("page", page_times), ("search", search_times), ("both", both)] {
        times.sort();
        println!(
            "edit to visible, {what}: {} edits, median {:.0} ms, max {:.0} ms",
            times.len(),
            ms(percentile(&times, 0.5)),
            ms(times[times.len() - 1])
        );
    }
    Ok(())
}
