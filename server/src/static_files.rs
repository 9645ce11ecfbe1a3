//! The site's own CSS and icon, embedded in the binary (intranets may have no
//! Internet, and a single file is easy to deploy). URLs carry a content hash,
//! so browsers may cache them for a year.

use std::sync::LazyLock;

use poem::error::NotFoundError;
use poem::http::header;
use poem::web::Path;
use poem::{Response, handler};

struct StaticFile {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const FILES: &[StaticFile] = &[
    StaticFile {
        name: "site.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../static/site.css"),
    },
    StaticFile {
        name: "quiz.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../static/quiz.js"),
    },
    StaticFile {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        bytes: include_bytes!("../static/favicon.svg"),
    },
];

/// FNV-1a: enough to tell one build's file from another's.
fn version(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:08x}", hash as u32)
}

fn url_of(name: &str) -> String {
    let file = FILES.iter().find(|f| f.name == name).expect("embedded file");
    format!("/static/{}?v={}", file.name, version(file.bytes))
}

static CSS_URL: LazyLock<String> = LazyLock::new(|| url_of("site.css"));
static FAVICON_URL: LazyLock<String> = LazyLock::new(|| url_of("favicon.svg"));
static QUIZ_JS_URL: LazyLock<String> = LazyLock::new(|| url_of("quiz.js"));

pub fn css_url() -> &'static str {
    &CSS_URL
}

pub fn favicon_url() -> &'static str {
    &FAVICON_URL
}

/// The attempt page's countdown and autosave (the page works without it).
pub fn quiz_js_url() -> &'static str {
    &QUIZ_JS_URL
}

/// `GET /static/{file}`.
#[handler]
pub fn serve(Path(name): Path<String>) -> poem::Result<Response> {
    let file = FILES.iter().find(|f| f.name == name).ok_or(NotFoundError)?;
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, file.content_type)
        .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
        .body(file.bytes))
}
