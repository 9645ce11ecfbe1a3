//! Snippets: the part of a section where the query's words are, as HTML.
//!
//! The text is escaped first and only then are the matched words wrapped in
//! `<mark>`, so nothing from a lesson (a `<script>` written as text, an
//! ampersand) can become markup. Words are matched the way the index matches
//! them: folded, one typo in longer words, the last word as a prefix.

use super::analyzer::{Word, words};
use super::query::{ParsedQuery, QueryWord, within_one_edit};

/// Words shown in a snippet.
const SNIPPET_WORDS: usize = 30;
/// Words of context shown before the first match.
const LEAD_WORDS: usize = 4;

/// The snippet of `text` for `query`: escaped HTML with matches in `<mark>`.
pub fn snippet_html(text: &str, query: &ParsedQuery) -> String {
    let found = words(text, true);
    if found.is_empty() {
        return String::new();
    }
    // The words with their diacritics are needed only for a last word typed with them and matched as a
    // prefix; snippets are made for every hit of every search, so not otherwise.
    let exact_needed = query.prefix_last && query.words.last().is_some_and(QueryWord::has_diacritics);
    let exact = if exact_needed { words(text, false) } else { Vec::new() };
    // Words as typed that are in the text: marking every word they start ("ma" in "máy", "mật")
    // or are one typo away from would be noise.
    let present: Vec<bool> = query.words.iter().map(|q| found.iter().any(|w| w.term == q.folded)).collect();
    let matches: Vec<Option<usize>> = found
        .iter()
        .enumerate()
        .map(|(i, f)| matching_word(&f.term, exact.get(i).map_or("", |x| x.term.as_str()), query, &present))
        .collect();
    let start = best_window_start(&matches);
    let end = (start + SNIPPET_WORDS).min(found.len());
    render(text, &found[start..end], &matches[start..end], start > 0, end < found.len())
}

/// Which query word (an index into the query's words, then its phrases' words) a word of the text
/// matches, if any, given its `folded` and `exact` terms (`exact` only when the last word has diacritics and
/// is a prefix: nothing else reads it); `present[i]`: query word `i` is in the text as typed.
fn matching_word(term: &str, exact: &str, query: &ParsedQuery, present: &[bool]) -> Option<usize> {
    let last = query.words.len().saturating_sub(1);
    for (i, word) in query.words.iter().enumerate() {
        let prefix = query.prefix_last
            && i == last
            && !present[i]
            && if word.has_diacritics() {
                exact.starts_with(&word.exact)
            } else {
                term.starts_with(&word.folded)
            };
        let typo = word.fuzzy() && !present[i] && within_one_edit(term, &word.folded);
        if term == word.folded || prefix || typo {
            return Some(i);
        }
    }
    let phrase_words = query.phrases.iter().flatten();
    phrase_words.enumerate().find(|(_, w)| w.folded == term).map(|(i, _)| query.words.len() + i)
}

/// Where the window with the most different query words (then the most matches) starts.
fn best_window_start(matches: &[Option<usize>]) -> usize {
    let mut best = (0, 0, 0); // (distinct, total, start)
    for (i, m) in matches.iter().enumerate() {
        if m.is_none() {
            continue;
        }
        let start = i.saturating_sub(LEAD_WORDS);
        let window = &matches[start..(start + SNIPPET_WORDS).min(matches.len())];
        let mut seen: Vec<usize> = window.iter().flatten().copied().collect();
        let total = seen.len();
        seen.sort_unstable();
        seen.dedup();
        if (seen.len(), total) > (best.0, best.1) {
            best = (seen.len(), total, start);
        }
    }
    best.2
}

fn render(text: &str, shown: &[Word], matches: &[Option<usize>], before: bool, after: bool) -> String {
    let mut html = String::new();
    if before {
        html.push_str("… ");
    }
    let mut at = shown[0].from;
    for (word, m) in shown.iter().zip(matches) {
        escape_into(&mut html, &text[at..word.from]);
        if m.is_some() {
            html.push_str("<mark>");
            escape_into(&mut html, &text[word.from..word.to]);
            html.push_str("</mark>");
        } else {
            escape_into(&mut html, &text[word.from..word.to]);
        }
        at = word.to;
    }
    if after {
        html.push_str(" …");
    } else {
        // Closing punctuation of the last sentence.
        let rest = &text[at..];
        let tail = rest.find('\n').map_or(rest, |nl| &rest[..nl]);
        escape_into(&mut html, tail);
    }
    html
}

/// HTML-escapes `text` (newlines become spaces) onto `out`.
pub fn escape_into(out: &mut String, text: &str) {
    daotao_content::html::escape_into(out, &text.replace(['\n', '\r'], " "));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> ParsedQuery {
        ParsedQuery::parse(s)
    }

    #[test]
    fn matches_are_marked_with_their_diacritics_kept() {
        let html = snippet_html("Không chia sẻ mã OTP cho bất kỳ ai.", &q("ma otp"));
        assert_eq!(html, "Không chia sẻ <mark>mã</mark> <mark>OTP</mark> cho bất kỳ ai.");
    }

    #[test]
    fn markup_in_the_text_is_escaped_before_highlighting() {
        let text = "Đoạn <script>alert(\"mã\")</script> & <b>mã</b> 'x'";
        let html = snippet_html(text, &q("mã script"));
        assert_eq!(
            html,
            "Đoạn &lt;<mark>script</mark>&gt;alert(&quot;<mark>mã</mark>&quot;)&lt;/<mark>script</mark>&gt; \
             &amp; &lt;b&gt;<mark>mã</mark>&lt;/b&gt; &#39;x&#39;"
        );
        assert!(!html.contains("<script") && !html.contains("<b>"));
    }

    #[test]
    fn the_window_is_where_the_words_are() {
        let filler = "một hai ba bốn năm sáu bảy tám chín mười ".repeat(10);
        let text = format!("{filler}chính quyền số là mục tiêu. {filler}");
        let html = snippet_html(&text, &q("chinh quyen so"));
        assert!(html.starts_with("… "), "{html}");
        assert!(html.ends_with(" …"), "{html}");
        assert!(html.contains("<mark>chính</mark> <mark>quyền</mark> <mark>số</mark>"), "{html}");
        assert_eq!(html.matches(' ').count(), SNIPPET_WORDS + 1, "{html}");
    }

    #[test]
    fn typos_prefixes_and_phrases_are_marked() {
        assert_eq!(snippet_html("xác thực nhiều yếu tố", &q("nhieeu")), "xác thực <mark>nhiều</mark> yếu tố");
        assert_eq!(
            snippet_html("xác thực nhiều yếu tố", &q("xac thu")),
            "<mark>xác</mark> <mark>thực</mark> nhiều yếu tố"
        );
        assert_eq!(snippet_html("thực thứ", &q("thứ")), "thực <mark>thứ</mark>", "prefix with diacritics");
        assert_eq!(snippet_html("thứ thứa", &q("thứ")), "<mark>thứ</mark> thứa", "the word itself is there");
        assert_eq!(
            snippet_html("thu thực thứ", &q("th")),
            "<mark>thu</mark> <mark>thực</mark> <mark>thứ</mark>"
        );
        assert_eq!(
            snippet_html("xác thực nhiều yếu tố", &q("\"yếu tố\"")),
            "xác thực nhiều <mark>yếu</mark> <mark>tố</mark>"
        );
    }

    #[test]
    fn no_match_shows_the_beginning() {
        assert_eq!(snippet_html("Mở đầu.\nPhần hai.", &q("tiêu đề")), "Mở đầu. Phần hai.");
        assert_eq!(snippet_html("", &q("x")), "");
    }
}
