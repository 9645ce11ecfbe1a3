//! The index itself: one document per lesson section (the text under one
//! heading, linked by the heading's anchor) and one per course (title and
//! summary), in memory, built from a [`Library`] and updated course by course
//! by [`super::indexer`]. Quizzes are never indexed: their questions, answers
//! and explanations are not lesson content.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hasher;
use std::ops::Range;
use std::sync::Arc;

use daotao_content::course::{Course, Lesson, Library};
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader};

use super::Hit;
use super::analyzer::{EXACT, FOLDED, PAIRS};
use super::indexer::Indexer;
use super::query::ParsedQuery;
use super::snippet::snippet_html;

/// The fields queries use.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Title, heading and text, folded: what a document must match. No positions: phrases use `pairs`.
    /// The title and heading are in it twice, which ranks a match there higher at no cost per query.
    pub all: Field,
    /// The same, with diacritics kept: ranks "mã" above "má" when "mã" was typed.
    pub exact: Field,
    /// Each two neighbouring folded words as one term, without positions: a quoted phrase must have
    /// every pair of its neighbouring words ([`super::analyzer::PairTokenizer`]).
    pub pairs: Field,
    /// The course id, as is: to narrow a search to one course.
    pub course: Field,
    /// Which [`Entry`] a document is.
    pub entry: Field,
    /// Orders documents of equal score: see [`tie_breaker`].
    pub tie: Field,
}

const ENTRY_FIELD: &str = "entry";
const TIE_FIELD: &str = "tie";

impl Fields {
    pub(super) fn schema() -> (Schema, Fields) {
        let mut builder = Schema::builder();
        let text = |tokenizer: &str, record| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default().set_tokenizer(tokenizer).set_index_option(record),
            )
        };
        let fields = Fields {
            all: builder.add_text_field("all", text(FOLDED, IndexRecordOption::WithFreqs)),
            exact: builder.add_text_field("exact", text(EXACT, IndexRecordOption::WithFreqs)),
            pairs: builder.add_text_field("pairs", text(PAIRS, IndexRecordOption::WithFreqs)),
            course: builder.add_text_field("course", STRING),
            entry: builder.add_u64_field(ENTRY_FIELD, FAST | INDEXED),
            tie: builder.add_u64_field(TIE_FIELD, FAST),
        };
        (builder.build(), fields)
    }
}

/// The documents of one course as indexed: what each stands for, by the low 32 bits of its `entry` value
/// (the high 32 bits are the course's slot, new each time the course is indexed, so the documents of a
/// course's older version, deleted but not yet merged away, never point at the new one's sections).
pub(super) struct IndexedCourse {
    pub(super) course: Arc<Course>,
    /// `None` for the course itself (title and summary), then one per lesson section.
    pub(super) sections: Vec<Option<Section>>,
}

/// The `entry` value of a course's document number `local`.
pub(super) fn entry_value(slot: u32, local: usize) -> u64 {
    (u64::from(slot) << 32) | local as u64
}

/// The order of documents that score the same: a fixed function of the course id and the document's place in
/// its course. Without it tantivy orders ties by where a document sits in the index, which differs between
/// two servers (threads), and on one server after a course is re-indexed (its documents move to a new
/// segment), so page 2 of a search served by another server, or after an edit, could repeat or skip hits.
pub(super) fn tie_breaker(course_id: &str, local: usize) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    hasher.write(course_id.as_bytes());
    hasher.write_usize(local);
    hasher.finish()
}

/// A part of a lesson: the text under one heading, or before the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub lesson: usize,
    /// Index in the lesson's `toc`; `None` for the text before the first heading.
    pub heading: Option<usize>,
    /// Byte range of the section's text in the lesson's `text`.
    pub body: Range<usize>,
}

/// The index as it was at one moment, never changed: a search keeps the snapshot it started with while
/// the index is updated (see [`super::indexer::Indexer`]).
pub struct SearchIndex {
    pub(super) searcher: Searcher,
    pub(super) fields: Fields,
    /// By slot (see [`IndexedCourse`]).
    pub(super) courses: HashMap<u32, Arc<IndexedCourse>>,
    pub(super) documents: usize,
    pub(super) vocabulary: Arc<Vocabulary>,
}

/// The terms of the index with their document counts, to expand a prefix or a typo into the
/// few real words it stands for (scored like any word) instead of scanning every posting list.
pub struct Vocabulary {
    /// Folded terms, sorted.
    pub folded: Terms,
    /// Terms with diacritics, sorted.
    pub exact: Terms,
}

/// Sorted `(term, documents)` pairs of one field.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Terms(Vec<(String, u32)>);

impl Terms {
    pub(super) fn of(searcher: &Searcher, field: Field) -> tantivy::Result<Terms> {
        let mut counts = BTreeMap::<String, u32>::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(field)?;
            let mut stream = inverted.terms().stream()?;
            while stream.advance() {
                if let Ok(term) = std::str::from_utf8(stream.key()) {
                    *counts.entry(term.to_string()).or_default() += stream.value().doc_freq;
                }
            }
        }
        Ok(Terms(counts.into_iter().collect()))
    }

    /// These terms with `changes` (documents added, negative for removed) applied, in one pass over both.
    pub(super) fn updated(&self, changes: &BTreeMap<String, i64>) -> Terms {
        let mut out = Vec::with_capacity(self.0.len() + changes.len());
        let mut old = self.0.iter().peekable();
        for (term, change) in changes {
            while let Some(before) = old.next_if(|(t, _)| t < term) {
                out.push(before.clone());
            }
            let count = old.next_if(|(t, _)| t == term).map_or(0, |(_, n)| i64::from(*n)) + change;
            if count > 0 {
                out.push((term.clone(), u32::try_from(count).unwrap_or(u32::MAX)));
            }
        }
        out.extend(old.cloned());
        Terms(out)
    }

    /// In how many documents `term` is.
    pub fn doc_freq(&self, term: &str) -> u32 {
        self.0.binary_search_by(|(t, _)| t.as_str().cmp(term)).map_or(0, |i| self.0[i].1)
    }

    /// The `max` most frequent longer terms that start with `prefix`.
    pub fn with_prefix(&self, prefix: &str, max: usize) -> Vec<&str> {
        let start = self.0.partition_point(|(t, _)| t.as_str() <= prefix);
        let mut found: Vec<&(String, u32)> =
            self.0[start..].iter().take_while(|(t, _)| t.starts_with(prefix)).collect();
        found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        found.into_iter().take(max).map(|(t, _)| t.as_str()).collect()
    }

    /// The `max` most frequent terms one edit away from `word`.
    pub fn within_one_edit(&self, word: &str, max: usize) -> Vec<&str> {
        let chars = word.chars().count();
        let mut found: Vec<&(String, u32)> = self
            .0
            .iter()
            .filter(|(t, _)| t.len().abs_diff(word.len()) <= 2 && t.chars().count().abs_diff(chars) <= 1)
            .filter(|(t, _)| t != word && super::query::within_one_edit(t, word))
            .collect();
        found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        found.into_iter().take(max).map(|(t, _)| t.as_str()).collect()
    }
}

/// Splits a lesson's plain text at the headings of its table of contents.
///
/// The renderer puts each heading on a line of its own, with the same text
/// as its toc entry (whitespace collapsed); headings are matched in order.
pub fn sections(lesson_index: usize, lesson: &Lesson) -> Vec<Section> {
    let text = &lesson.text;
    let mut out = Vec::new();
    let mut current = Section { lesson: lesson_index, heading: None, body: 0..0 };
    let mut next_toc = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let line_start = at;
        at += line.len();
        let collapsed = line.split_whitespace().collect::<Vec<_>>().join(" ");
        let matched = lesson.toc[next_toc.min(lesson.toc.len())..]
            .iter()
            .position(|t| !t.text.is_empty() && t.text == collapsed);
        if let Some(offset) = matched {
            current.body.end = line_start;
            out.push(current);
            next_toc += offset;
            current = Section { lesson: lesson_index, heading: Some(next_toc), body: at..at };
            next_toc += 1;
        }
    }
    current.body.end = text.len();
    out.push(current);
    // The text before the first heading is kept even when empty: it carries the lesson title.
    out.into_iter().enumerate().filter(|(i, s)| *i == 0 || s.heading.is_some()).map(|(_, s)| s).collect()
}

impl SearchIndex {
    /// Indexes every course and lesson of `library` (seconds for thousands of lessons: run off the async runtime).
    pub fn build(library: &Library) -> tantivy::Result<SearchIndex> {
        Ok(Indexer::build(library)?.snapshot())
    }

    /// How many documents (course entries and lesson sections) the index holds.
    pub fn len(&self) -> usize {
        self.documents
    }

    pub fn is_empty(&self) -> bool {
        self.documents == 0
    }

    /// The hits `offset..offset + limit` for `query`, best first, and how many documents match in all.
    pub fn search(
        &self,
        query: &ParsedQuery,
        course: Option<&str>,
        limit: usize,
        offset: usize,
    ) -> tantivy::Result<(Vec<Hit>, usize)> {
        if query.is_empty() || limit == 0 {
            return Ok((Vec::new(), 0));
        }
        let searcher = &self.searcher;
        let tantivy_query = query.to_query(&self.fields, &self.vocabulary, course);
        let wanted = offset.saturating_add(limit);
        let by_score_then_tie = TopDocs::with_limit(wanted).tweak_score(|segment: &SegmentReader| {
            let tie = segment.fast_fields().u64(TIE_FIELD).map(|c| c.first_or_default_col(0));
            move |doc: DocId, score: Score| (score, Reverse(tie.as_ref().map_or(0, |t| t.get_val(doc))))
        });
        let (top, total) = searcher.search(&tantivy_query, &(by_score_then_tie, Count))?;
        let mut hits = Vec::with_capacity(limit.min(top.len()));
        for ((score, _), address) in top.into_iter().skip(offset).take(limit) {
            let (course, section) = self.entry(searcher, address)?;
            hits.push(hit(course, section, query, score));
        }
        Ok((hits, total))
    }

    /// The course and section (`None`: the course itself) a document stands for.
    fn entry(
        &self,
        searcher: &Searcher,
        address: DocAddress,
    ) -> tantivy::Result<(&Arc<Course>, Option<&Section>)> {
        let column = searcher.segment_reader(address.segment_ord).fast_fields().u64(ENTRY_FIELD)?;
        column
            .first(address.doc_id)
            .and_then(|value| {
                let indexed = self.courses.get(&u32::try_from(value >> 32).ok()?)?;
                let section = indexed.sections.get(usize::try_from(value & u64::from(u32::MAX)).ok()?)?;
                Some((&indexed.course, section.as_ref()))
            })
            .ok_or_else(|| tantivy::TantivyError::InternalError(format!("no entry for {address:?}")))
    }
}

/// A hit for `course`, or its `section`, with its snippet.
fn hit(course: &Course, section: Option<&Section>, query: &ParsedQuery, score: f32) -> Hit {
    let Some(section) = section else {
        return Hit {
            course: course.id.clone(),
            course_title: course.meta.title.clone(),
            lesson: None,
            title: course.meta.title.clone(),
            heading: None,
            anchor: None,
            url: format!("/courses/{}", course.id),
            snippet_html: snippet_html(&course.meta.summary, query),
            score,
        };
    };
    let lesson = &course.lessons[section.lesson];
    let toc = section.heading.map(|h| &lesson.toc[h]);
    let mut snippet = snippet_html(&lesson.text[section.body.clone()], query);
    if snippet.is_empty() {
        // A heading with no text under it, or a lesson that starts with a heading.
        snippet = snippet_html(&lesson.text, query);
    }
    let page = format!("/courses/{}/{}", course.id, lesson.id);
    Hit {
        course: course.id.clone(),
        course_title: course.meta.title.clone(),
        lesson: Some(lesson.id.clone()),
        title: lesson.title.clone(),
        heading: toc.map(|t| t.text.clone()),
        anchor: toc.map(|t| t.id.clone()),
        url: match toc {
            Some(t) => format!("{page}#{}", t.id),
            None => page,
        },
        snippet_html: snippet,
        score,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::LazyLock;

    use super::*;

    /// The fixture library of `tests/fixtures/search`, indexed once for all tests.
    static INDEX: LazyLock<SearchIndex> = LazyLock::new(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/search");
        let library = daotao_content::course::load_library(&root);
        assert!(library.problems.is_empty(), "{:?}", library.problems);
        SearchIndex::build(&library).unwrap()
    });

    fn search_in(q: &str, course: Option<&str>) -> (Vec<Hit>, usize) {
        INDEX.search(&ParsedQuery::parse(q), course, 20, 0).unwrap()
    }

    fn search(q: &str) -> Vec<Hit> {
        search_in(q, None).0
    }

    /// `course/lesson#anchor` of a hit, `course` for a course.
    fn place(hit: &Hit) -> String {
        match (&hit.lesson, &hit.anchor) {
            (Some(l), Some(a)) => format!("{}/{l}#{a}", hit.course),
            (Some(l), None) => format!("{}/{l}", hit.course),
            _ => hit.course.clone(),
        }
    }

    fn places(q: &str) -> Vec<String> {
        search(q).iter().map(place).collect()
    }

    fn first(q: &str) -> String {
        places(q).into_iter().next().unwrap_or_else(|| panic!("no hit for {q:?}"))
    }

    #[test]
    fn without_diacritics_finds_text_with_them() {
        assert_eq!(first("chinh quyen so"), "chinh-quyen-so/khai-niem#chinh-quyen-so-la-gi");
        assert_eq!(first("chính quyền số"), "chinh-quyen-so/khai-niem#chinh-quyen-so-la-gi");
        assert_eq!(first("DANH CAP MA OTP"), "an-toan/mat-khau#khong-chia-se-ma-otp");
        assert_eq!(first("đánh cắp mã OTP"), "an-toan/mat-khau#khong-chia-se-ma-otp");
    }

    #[test]
    fn decomposed_queries_work_like_composed_ones() {
        use unicode_normalization::UnicodeNormalization;
        let nfd: String = "Chính quyền số".nfd().collect();
        assert_eq!(first(&nfd), "chinh-quyen-so/khai-niem#chinh-quyen-so-la-gi");
    }

    #[test]
    fn words_next_to_each_other_rank_above_scattered_ones() {
        let found = places("chinh quyen so");
        let together = found.iter().position(|p| p == "chinh-quyen-so/khai-niem#chinh-quyen-so-la-gi");
        let scattered = found.iter().position(|p| p == "chinh-quyen-so/nen-tang#cap-quyen-su-dung");
        assert!(together.unwrap() < scattered.expect("every word is there, apart"), "{found:?}");
    }

    #[test]
    fn the_right_diacritics_rank_first() {
        assert_eq!(first("mã"), "an-toan/mat-khau#khong-chia-se-ma-otp");
        assert_eq!(first("má"), "an-toan/lua-dao#cuoc-goi-gia-danh");
        // Without diacritics all three match.
        let found = places("ma");
        for place in [
            "an-toan/mat-khau#khong-chia-se-ma-otp",
            "an-toan/lua-dao#cuoc-goi-gia-danh",
            "an-toan/phan-quyen#ma-tran-phan-quyen",
        ] {
            assert!(found.contains(&place.to_string()), "{place} in {found:?}");
        }
    }

    #[test]
    fn phrases_need_the_words_in_order() {
        assert_eq!(places("\"xác thực nhiều yếu tố\""), ["an-toan/mat-khau#mat-khau-manh"]);
        assert_eq!(places("\"xac thuc nhieu\""), ["an-toan/mat-khau#mat-khau-manh"]);
        assert!(places("\"yếu tố xác thực\"").is_empty());
        // Unclosed: the rest is a phrase.
        assert_eq!(places("\"xác thực nhiều"), ["an-toan/mat-khau#mat-khau-manh"]);
    }

    #[test]
    fn every_word_must_match() {
        assert!(places("mật khẩu kỳ diệu").is_empty());
        assert_eq!(first("mat khau manh"), "an-toan/mat-khau#mat-khau-manh");
    }

    #[test]
    fn with_some_words_more_words_rank_first_however_rare_one_is() {
        let dir = tempfile::tempdir().unwrap();
        let course = dir.path().join("k");
        std::fs::create_dir_all(&course).unwrap();
        std::fs::write(course.join("course.toml"), "title = \"Khoá\"\n").unwrap();
        // One short section full of a rare word; one long section with two common words once each.
        std::fs::write(course.join("01-a.md"), "# Hươu\n\n## Hươu\n\nHươu hươu hươu.\n").unwrap();
        let filler = "Cơ quan làm việc theo kế hoạch năm. ".repeat(40);
        let text = format!("# Bài hai\n\n## Chuyển đổi\n\n{filler} Chuyển đổi số. {filler}\n");
        std::fs::write(course.join("02-b.md"), text).unwrap();
        // Lessons that make both common words commoner still, each holding one of them.
        for n in 3..9 {
            let text =
                if n % 2 == 0 { "# Khác\n\nChuyển tiếp.\n" } else { "# Khác\n\nĐổi mới.\n" };
            std::fs::write(course.join(format!("0{n}-c{n}.md")), text).unwrap();
        }
        let library = daotao_content::course::load_library(dir.path());
        assert!(library.problems.is_empty(), "{:?}", library.problems);
        let index = SearchIndex::build(&library).unwrap();
        let query = ParsedQuery::parse("hươu chuyển đổi quokka");
        assert_eq!(index.search(&query, None, 20, 0).unwrap().1, 0, "no section has every word");
        let some = query.with_some_words().unwrap();
        let (hits, _) = index.search(&some, None, 20, 0).unwrap();
        let order: Vec<String> = hits.iter().map(place).collect();
        assert_eq!(order.first().map(String::as_str), Some("k/b#chuyen-doi"), "{order:?}");
        assert!(order.iter().any(|p| p.starts_with("k/a")), "one word is enough: {order:?}");
        assert!(hits.iter().all(|h| !h.snippet_html.contains("quokka")));
    }

    #[test]
    fn one_typo_in_a_longer_word() {
        assert_eq!(first("phan quyeen"), "an-toan/phan-quyen");
        assert_eq!(first("phan quyne"), "an-toan/phan-quyen");
        assert!(places("phan quyeeen").is_empty(), "two typos");
    }

    #[test]
    fn the_last_word_is_a_prefix_while_typing() {
        assert_eq!(first("nen tan"), "chinh-quyen-so/nen-tang");
        assert_eq!(first("cuộc gọi giả da"), "an-toan/lua-dao#cuoc-goi-gia-danh");
        assert!(places("tan nen").is_empty(), "only the last word");
    }

    #[test]
    fn titles_and_course_summaries_are_found() {
        assert_eq!(first("lừa đảo điện thoại"), "an-toan/lua-dao");
        let hits = search("dien tu");
        assert_eq!(hits[0].lesson, None);
        assert_eq!(hits[0].url, "/courses/chinh-quyen-so");
        assert_eq!(hits[0].title, "Chuyển đổi số trong cơ quan nhà nước");
    }

    #[test]
    fn hits_carry_titles_heading_anchor_and_url() {
        let hit = &search("đánh cắp")[0];
        assert_eq!(hit.course_title, "An toàn thông tin cho cán bộ");
        assert_eq!(hit.title, "Mật khẩu và xác thực");
        assert_eq!(hit.heading.as_deref(), Some("Không chia sẻ mã OTP"));
        assert_eq!(hit.url, "/courses/an-toan/mat-khau#khong-chia-se-ma-otp");
        assert!(hit.snippet_html.contains("<mark>đánh</mark> <mark>cắp</mark>"), "{}", hit.snippet_html);
        assert!(hit.score > 0.0);
    }

    #[test]
    fn a_search_can_be_narrowed_to_one_course() {
        let (all, total) = search_in("quyen", None);
        assert!(
            all.iter().any(|h| h.course == "an-toan") && all.iter().any(|h| h.course == "chinh-quyen-so")
        );
        assert_eq!(total, all.len());
        let (narrowed, total) = search_in("quyen", Some("an-toan"));
        assert!(!narrowed.is_empty() && narrowed.iter().all(|h| h.course == "an-toan"));
        assert_eq!(total, narrowed.len());
        assert!(search_in("quyen", Some("khong-co")).0.is_empty());
    }

    #[test]
    fn pages_of_results() {
        let (all, total) = search_in("quyen", None);
        let (second, same_total) = INDEX.search(&ParsedQuery::parse("quyen"), None, 1, 1).unwrap();
        assert_eq!(total, same_total);
        assert_eq!(place(&second[0]), place(&all[1]));
    }

    #[test]
    fn quizzes_are_never_indexed() {
        // Question, answers and explanation of the fixture quiz.
        for q in
            ["kỳ lân", "ky lan tim", "đáp án", "kỳ lân vàng", "giải thích", "xanh lục", "kiem tra cuoi khoa"]
        {
            assert!(places(q).is_empty(), "{q}: {:?}", places(q));
        }
    }

    #[test]
    fn lesson_text_that_looks_like_markup_is_escaped_in_snippets() {
        let hits = search("script alert");
        assert_eq!(place(&hits[0]), "an-toan/mat-khau#the-script-trong-thu-la");
        let html = &hits[0].snippet_html;
        assert!(html.contains("&lt;<mark>script</mark>&gt;<mark>alert</mark>(&quot;mật&quot;)"), "{html}");
        assert!(html.contains("&amp;"), "{html}");
        assert!(!html.contains("<script") && !html.contains("\""), "{html}");
    }

    #[test]
    fn hostile_queries_answer_without_error() {
        let long = "chính quyền số ".repeat(700);
        for q in
            ["\"", "((", "AND OR", "*", "\u{0}", "title:x", "-", "+++", "ma~2", "\\", "'", &long, "\"\"\"\""]
        {
            INDEX.search(&ParsedQuery::parse(q), None, 20, 0).unwrap_or_else(|e| panic!("{q:?}: {e}"));
        }
        assert!(long.len() > 10_000);
        assert!(!places(&long).is_empty(), "cut to its first words, which match");
        assert_eq!(places("AND OR"), Vec::<String>::new());
    }

    #[test]
    fn the_vocabulary_expands_prefixes_and_typos_into_real_words() {
        let words = &INDEX.vocabulary.folded;
        assert!(words.doc_freq("quyen") >= 3);
        assert_eq!(words.doc_freq("quyeen"), 0);
        assert!(words.with_prefix("qu", 16).contains(&"quyen"));
        assert!(!words.with_prefix("quyen", 16).contains(&"quyen"), "longer words only");
        assert_eq!(words.within_one_edit("quyeen", 16), ["quyen"]);
        assert!(INDEX.vocabulary.exact.with_prefix("quyề", 16).contains(&"quyền"));
    }

    #[test]
    fn lessons_split_at_their_headings() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/search");
        let library = daotao_content::course::load_library(&root);
        let lesson = &library.courses["chinh-quyen-so"].lessons[0];
        let parts = sections(0, lesson);
        let texts: Vec<(Option<&str>, &str)> = parts
            .iter()
            .map(|s| (s.heading.map(|h| lesson.toc[h].id.as_str()), lesson.text[s.body.clone()].trim()))
            .collect();
        assert_eq!(
            texts,
            [
                (None, "Khái niệm cơ bản\nBài này giới thiệu các khái niệm."),
                (Some("chinh-quyen-so-la-gi"), "Chính quyền số vận hành dựa trên dữ liệu và nền tảng số."),
                (
                    Some("du-lieu-la-tai-san"),
                    "Dữ liệu được chia sẻ giữa các cơ quan thay vì hỏi lại người dân."
                ),
            ]
        );
    }
}
