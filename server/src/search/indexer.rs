//! Builds the index and keeps it in step with the library: whole at start-up (and when something every
//! course depends on changes), then course by course. Editing one lesson of a 10,000-lesson library
//! re-indexes that lesson's course only: its documents are deleted by their course term, its new ones
//! added and committed, and the vocabulary (document counts of every term, for prefixes and typos) is
//! changed by the terms of those documents alone. A rebuild of the whole index took seconds; this takes
//! milliseconds (`benches/search/README.md`).
//!
//! Ranking after an update: tantivy counts a deleted document in its term statistics until a merge
//! removes it, so scores may differ a little from a fresh build's until then; which documents match
//! does not.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use daotao_content::course::{Course, Library};
use daotao_content::text::nfc;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::analyzer::{EXACT, FOLDED, PAIRS, PairTokenizer, VietnameseTokenizer};
use super::index::{
    Fields, IndexedCourse, SearchIndex, Section, Terms, Vocabulary, entry_value, sections, tie_breaker,
};

/// Lesson text beyond this many bytes per section is not indexed (a lesson is at most 1 MB).
const MAX_SECTION_BYTES: usize = 256 * 1024;
/// The writer's memory budget for updates (one thread; tantivy's least): a course of hundreds of lessons.
const UPDATE_BUDGET: usize = 20_000_000;

/// The index with its writer, owned by the search thread; [`Indexer::snapshot`] gives what searches use.
pub struct Indexer {
    index: Index,
    fields: Fields,
    reader: IndexReader,
    /// Made at the first update: the build's writer, with its larger budget, is gone by then.
    writer: Option<IndexWriter>,
    /// By slot: see [`IndexedCourse`].
    courses: HashMap<u32, Arc<IndexedCourse>>,
    /// The slot of each course id.
    slots: HashMap<String, u32>,
    next_slot: u32,
    documents: usize,
    vocabulary: Arc<Vocabulary>,
}

/// What an update did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Update {
    /// Documents deleted (the changed courses' old versions).
    pub removed: usize,
    /// Documents added (their new versions).
    pub added: usize,
}

impl Indexer {
    /// Indexes every course and lesson of `library` (seconds for thousands of lessons: run off the async runtime).
    pub fn build(library: &Library) -> tantivy::Result<Indexer> {
        let (schema, fields) = Fields::schema();
        let index = Index::create_in_ram(schema);
        // Tokenizers are not stored in the index: registered on every index made or opened.
        index.tokenizers().register(FOLDED, VietnameseTokenizer::analyzer(true));
        index.tokenizers().register(EXACT, VietnameseTokenizer::analyzer(false));
        index.tokenizers().register(PAIRS, PairTokenizer::analyzer());

        let lessons: usize = library.courses.values().map(|c| c.lessons.len()).sum();
        let (threads, budget) = if lessons >= 500 { (2, 200_000_000) } else { (1, 20_000_000) };
        let mut writer: IndexWriter = index.writer_with_num_threads(threads, budget)?;
        let mut indexer = Indexer {
            reader: index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?,
            index,
            fields,
            writer: None,
            courses: HashMap::new(),
            slots: HashMap::new(),
            next_slot: 0,
            documents: 0,
            vocabulary: Arc::new(Vocabulary { folded: Terms::default(), exact: Terms::default() }),
        };
        for course in library.courses.values() {
            indexer.add(&writer, course, &documents(course))?;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        indexer.reader.reload()?;
        let searcher = indexer.reader.searcher();
        indexer.vocabulary = Arc::new(Vocabulary {
            folded: Terms::of(&searcher, fields.all)?,
            exact: Terms::of(&searcher, fields.exact)?,
        });
        Ok(indexer)
    }

    /// The index as it is now, for searches; cheap (the courses' table is copied, not their documents).
    pub fn snapshot(&self) -> SearchIndex {
        SearchIndex {
            searcher: self.reader.searcher(),
            fields: self.fields,
            courses: self.courses.clone(),
            documents: self.documents,
            vocabulary: self.vocabulary.clone(),
        }
    }

    /// How many documents the index holds.
    pub fn len(&self) -> usize {
        self.documents
    }

    pub fn is_empty(&self) -> bool {
        self.documents == 0
    }

    /// Re-indexes the courses `ids` as `library` has them now: a course it no longer has is taken out, a
    /// new one put in. On an error the indexer may be half updated: build a new one.
    pub fn update(&mut self, library: &Library, ids: &BTreeSet<String>) -> tantivy::Result<Update> {
        let mut writer = match self.writer.take() {
            Some(writer) => writer,
            None => self.index.writer_with_num_threads(1, UPDATE_BUDGET)?,
        };
        let mut folded = BTreeMap::new();
        let mut exact = BTreeMap::new();
        let mut analyzers = (VietnameseTokenizer::analyzer(true), VietnameseTokenizer::analyzer(false));
        let mut update = Update::default();
        for id in ids {
            if let Some(slot) = self.slots.remove(id)
                && let Some(old) = self.courses.remove(&slot)
            {
                writer.delete_term(Term::from_field_text(self.fields.course, id));
                let old_documents = documents(&old.course);
                count_terms(&mut analyzers, &old_documents, -1, (&mut folded, &mut exact));
                update.removed += old_documents.len();
                self.documents -= old_documents.len();
            }
            if let Some(course) = library.courses.get(id) {
                let new_documents = documents(course);
                count_terms(&mut analyzers, &new_documents, 1, (&mut folded, &mut exact));
                self.add(&writer, course, &new_documents)?;
                update.added += new_documents.len();
            }
        }
        writer.commit()?;
        self.writer = Some(writer);
        self.reader.reload()?;
        self.vocabulary = Arc::new(Vocabulary {
            folded: self.vocabulary.folded.updated(&folded),
            exact: self.vocabulary.exact.updated(&exact),
        });
        Ok(update)
    }

    /// Adds the documents of `course` under a new slot.
    fn add(
        &mut self,
        writer: &IndexWriter,
        course: &Arc<Course>,
        documents: &[(Option<Section>, String)],
    ) -> tantivy::Result<()> {
        let slot = self.next_slot;
        self.next_slot += 1;
        let fields = self.fields;
        for (local, (_, text)) in documents.iter().enumerate() {
            let mut doc = TantivyDocument::new();
            doc.add_text(fields.all, text);
            doc.add_text(fields.exact, text);
            doc.add_text(fields.pairs, text);
            doc.add_text(fields.course, &course.id);
            doc.add_u64(fields.entry, entry_value(slot, local));
            doc.add_u64(fields.tie, tie_breaker(&course.id, local));
            writer.add_document(doc)?;
        }
        let sections = documents.iter().map(|(section, _)| section.clone()).collect();
        self.courses.insert(slot, Arc::new(IndexedCourse { course: course.clone(), sections }));
        self.slots.insert(course.id.clone(), slot);
        self.documents += documents.len();
        Ok(())
    }
}

/// The documents of a course and their text: the course itself (title and summary), then each section of
/// each lesson. The title and heading are in the text twice, which ranks a match there higher at no cost
/// per query.
fn documents(course: &Course) -> Vec<(Option<Section>, String)> {
    let title = nfc(&course.meta.title);
    let summary = nfc(&course.meta.summary);
    let mut out = vec![(None, format!("{title}\n{title}\n{summary}"))];
    for (i, lesson) in course.lessons.iter().enumerate() {
        let lesson_title = nfc(&lesson.title);
        for section in sections(i, lesson) {
            let mut body = &lesson.text[section.body.clone()];
            if body.len() > MAX_SECTION_BYTES {
                let cut = (0..=MAX_SECTION_BYTES).rev().find(|&b| body.is_char_boundary(b)).unwrap_or(0);
                body = &body[..cut];
            }
            let heading = section.heading.map(|h| lesson.toc[h].text.as_str()).unwrap_or_default();
            // The lesson title belongs to its first section only, so it is one hit, not one per section.
            let title = if section.heading.is_none() { lesson_title.as_str() } else { "" };
            let text = format!("{title}\n{title}\n{heading}\n{heading}\n{body}");
            out.push((Some(section), text));
        }
    }
    out
}

/// Adds `sign` to the document count of every term (folded, and with diacritics) of each document, once
/// per document, as tantivy counts them.
fn count_terms(
    (folding, exact): &mut (TextAnalyzer, TextAnalyzer),
    documents: &[(Option<Section>, String)],
    sign: i64,
    (folded_counts, exact_counts): (&mut BTreeMap<String, i64>, &mut BTreeMap<String, i64>),
) {
    let mut seen = HashSet::new();
    for (analyzer, counts) in [(folding, folded_counts), (exact, exact_counts)] {
        for (_, text) in documents {
            seen.clear();
            let mut stream = analyzer.token_stream(text);
            while stream.advance() {
                let term = &stream.token().text;
                if !seen.contains(term) {
                    seen.insert(term.clone());
                }
            }
            for term in seen.drain() {
                *counts.entry(term).or_default() += sign;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::ParsedQuery;

    /// Writes a library of three courses whose lessons share many words; `edited` changes course `b`.
    fn library(dir: &std::path::Path, edited: bool) -> Library {
        let lessons: [(&str, &str); 3] = [
            ("a", "Chính quyền số vận hành dựa trên dữ liệu. Mật khẩu mạnh."),
            (
                "b",
                if edited {
                    "Dữ liệu cá nhân được bảo vệ. Hươu cao cổ."
                } else {
                    "Mật khẩu và dữ liệu số."
                },
            ),
            ("c", "Dịch vụ công trực tuyến cho người dân. Chính quyền điện tử."),
        ];
        for (id, text) in lessons {
            let course = dir.join(id);
            std::fs::create_dir_all(&course).unwrap();
            std::fs::write(
                course.join("course.toml"),
                format!("title = \"Khoá {id}\"\nsummary = \"{text}\"\n"),
            )
            .unwrap();
            std::fs::write(course.join("01-mot.md"), format!("# Một\n\n{text}\n\n## Hai\n\n{text} Thêm.\n"))
                .unwrap();
            std::fs::write(course.join("02-hai.md"), format!("# Hai\n\n{text}\n")).unwrap();
        }
        let library = daotao_content::course::load_library(dir);
        assert!(library.problems.is_empty(), "{:?}", library.problems);
        library
    }

    fn places(index: &SearchIndex, q: &str) -> Vec<String> {
        let (hits, _) = index.search(&ParsedQuery::parse(q), None, 50, 0).unwrap();
        let mut places: Vec<String> = hits.into_iter().map(|h| h.url).collect();
        places.sort();
        places
    }

    #[test]
    fn an_update_leaves_what_a_new_build_would_have() {
        let dir = tempfile::tempdir().unwrap();
        let mut indexer = Indexer::build(&library(dir.path(), false)).unwrap();
        let before = indexer.snapshot();
        let edited = library(dir.path(), true);
        let update = indexer.update(&edited, &["b".to_string()].into()).unwrap();
        // The course itself and its lessons' sections, not the library's.
        let of_b = documents(&edited.courses["b"]).len();
        assert_eq!(update, Update { removed: of_b, added: of_b });
        assert!(of_b > 3 && indexer.len() == 3 * of_b, "{of_b} of {}", indexer.len());
        let fresh = Indexer::build(&edited).unwrap();
        assert_eq!(indexer.len(), fresh.len());
        assert_eq!(indexer.vocabulary.folded, fresh.vocabulary.folded);
        assert_eq!(indexer.vocabulary.exact, fresh.vocabulary.exact);
        let (updated, fresh) = (indexer.snapshot(), fresh.snapshot());
        for q in [
            "du lieu",
            "mật khẩu",
            "huou cao",
            "chinh quyen so",
            "khoa b",
            "\"dữ liệu cá\"",
            "du lieu ca nh",
            "duu lieu",
        ] {
            assert_eq!(places(&updated, q), places(&fresh, q), "{q}");
        }
        assert!(places(&updated, "huou cao").iter().all(|p| p.starts_with("/courses/b")));
        // A search that started before the update answers from the index it started with.
        assert!(places(&before, "huou cao").is_empty());
        assert!(places(&before, "mat khau va").iter().any(|p| p.starts_with("/courses/b")));
    }

    /// Hits of equal score keep one order, whatever segment the index put them in: after a course is
    /// re-indexed (its documents move to a new segment), and so on every server, so that paging is stable.
    #[test]
    fn hits_of_equal_score_keep_their_order_across_updates_and_pages() {
        let dir = tempfile::tempdir().unwrap();
        let text = "Mật khẩu mạnh và dữ liệu số.";
        for id in ["a", "b", "c", "d", "e"] {
            let course = dir.path().join(id);
            std::fs::create_dir_all(&course).unwrap();
            std::fs::write(
                course.join("course.toml"),
                format!("title = \"Khoá {id}\"\nsummary = \"Tóm tắt.\"\n"),
            )
            .unwrap();
            std::fs::write(course.join("01-mot.md"), format!("# Bài một\n\n{text}\n")).unwrap();
        }
        let library = daotao_content::course::load_library(dir.path());
        assert!(library.problems.is_empty(), "{:?}", library.problems);
        let ordered = |index: &SearchIndex, limit: usize, offset: usize| -> Vec<(String, f32)> {
            let (hits, _) = index.search(&ParsedQuery::parse("mat khau"), None, limit, offset).unwrap();
            hits.into_iter().map(|h| (h.url, h.score)).collect()
        };
        let mut indexer = Indexer::build(&library).unwrap();
        let built = ordered(&indexer.snapshot(), 50, 0);
        assert_eq!(built.len(), 5, "{built:?}");
        assert!(built.iter().all(|(_, score)| *score == built[0].1), "all five score the same: {built:?}");
        for first in ["a", "c"] {
            indexer.update(&library, &[first.to_string()].into()).unwrap();
            assert_eq!(ordered(&indexer.snapshot(), 50, 0), built, "after re-indexing course {first}");
        }
        let paged: Vec<_> =
            [0, 2, 4].iter().flat_map(|&offset| ordered(&indexer.snapshot(), 2, offset)).collect();
        assert_eq!(paged, built, "pages of two");
    }
}
