//! What a person typed, understood: words (all must match, the last one also
//! as a prefix while typing), "quoted phrases", one typo allowed in longer
//! words. Anything else (operators, stray quotes, control characters, a
//! pasted page of text) is handled here and never reaches tantivy as syntax:
//! the tantivy query is built from terms, not parsed from the text.

use daotao_content::text::nfc;
use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;

use super::analyzer::{pair_term, words};
use super::index::{Fields, Vocabulary};

/// Longer queries are cut here (in characters), with a notice.
pub const MAX_QUERY_CHARS: usize = 200;
/// At most this many words (counting those inside phrases) are used, with a notice beyond.
pub const MAX_TERMS: usize = 12;
/// Words of at least this many letters (after folding) match with one typo.
pub const FUZZY_MIN_CHARS: usize = 5;
/// The last word matches as a prefix from this many letters on.
pub const PREFIX_MIN_CHARS: usize = 2;

/// A word typed with its diacritics, found with the same diacritics ("mã", not "má").
const EXACT_BOOST: f32 = 1.5;
/// Words a typo or a prefix stands for score below the word itself.
const TYPO_BOOST: f32 = 0.5;
const PREFIX_BOOST: f32 = 0.7;
/// A prefix or a typo stands for at most this many words of the index (the most frequent).
const MAX_EXPANSIONS: usize = 16;
/// The words next to each other, in order (like an implicit phrase).
const ADJACENT_BOOST: f32 = 1.0;
/// When only some words need match, what each one found adds: more than any relevance score reaches.
const WORD_FOUND: f32 = 1000.0;

/// Something the searcher should tell the person about their query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum Notice {
    /// The query was longer than [`MAX_QUERY_CHARS`] characters (or [`MAX_TERMS`] words) and was cut.
    Truncated,
    /// A `"` was not closed: the rest of the query is taken as a phrase.
    UnclosedQuote,
    /// `AND`, `OR`, `NOT` were left out: every word must match anyway.
    OperatorsIgnored,
    /// The index is still being built (right after start-up): try again in a few seconds.
    Preparing,
    /// No section holds every word, so these results hold some of them (the most words first).
    SomeWords,
}

/// One word of the query: its folded and exact terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWord {
    pub folded: String,
    pub exact: String,
}

impl QueryWord {
    /// Typed with diacritics: exact matches rank first.
    pub fn has_diacritics(&self) -> bool {
        self.folded != self.exact
    }

    pub fn fuzzy(&self) -> bool {
        self.folded.chars().count() >= FUZZY_MIN_CHARS
    }
}

/// A query, understood.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Words outside quotes, each required.
    pub words: Vec<QueryWord>,
    /// Quoted phrases, each required; a one-word phrase is an exact word (no typo, no prefix).
    pub phrases: Vec<Vec<QueryWord>>,
    /// The last word of the query, outside quotes, also matches as a prefix.
    pub prefix_last: bool,
    /// At least one of `words` must match instead of every one: the second try when none holds them all.
    pub some_words: bool,
    pub notices: Vec<Notice>,
}

impl ParsedQuery {
    /// Understands `input`; never fails.
    pub fn parse(input: &str) -> ParsedQuery {
        let mut notices = Vec::new();
        let input: String = input.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        let mut input = nfc(&input);
        if let Some((cut, _)) = input.char_indices().nth(MAX_QUERY_CHARS) {
            input.truncate(cut);
            notices.push(Notice::Truncated);
        }
        let mut query = ParsedQuery::default();
        // Split at quotes: odd pieces are inside quotes.
        let pieces: Vec<&str> = input.split('"').collect();
        if pieces.len().is_multiple_of(2) {
            notices.push(Notice::UnclosedQuote);
        }
        let mut used = 0;
        let mut last_piece_is_words = false;
        for (i, piece) in pieces.iter().enumerate() {
            let quoted = i % 2 == 1;
            let mut found = Vec::new();
            for (folded, exact) in words(piece, true).into_iter().zip(words(piece, false)) {
                if !quoted && matches!(&piece[exact.from..exact.to], "AND" | "OR" | "NOT") {
                    if !notices.contains(&Notice::OperatorsIgnored) {
                        notices.push(Notice::OperatorsIgnored);
                    }
                    continue;
                }
                if used == MAX_TERMS {
                    if !notices.contains(&Notice::Truncated) {
                        notices.push(Notice::Truncated);
                    }
                    break;
                }
                used += 1;
                found.push(QueryWord { folded: folded.term, exact: exact.term });
            }
            if found.is_empty() {
                continue;
            }
            last_piece_is_words = !quoted;
            if quoted {
                query.phrases.push(found);
            } else {
                query.words.extend(found);
            }
        }
        query.prefix_last = last_piece_is_words
            && query.words.last().is_some_and(|w| w.folded.chars().count() >= PREFIX_MIN_CHARS);
        query.notices = notices;
        query
    }

    /// Nothing to search for (only punctuation, operators or spaces).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty()
    }

    /// The same query needing only some of its words, for when nothing holds them all (a person who types
    /// four words wants the sections with three of them, not an empty page); `None` for fewer than two words.
    pub fn with_some_words(&self) -> Option<ParsedQuery> {
        (self.words.len() >= 2 && !self.some_words).then(|| ParsedQuery {
            some_words: true,
            notices: [self.notices.as_slice(), &[Notice::SomeWords]].concat(),
            ..self.clone()
        })
    }

    /// The tantivy query: every word (or, with `some_words`, at least one) and every phrase required; exact
    /// diacritics and words standing next to each other, in order, add to the score. Typos and prefixes become
    /// the real words of `vocabulary` they stand for.
    pub fn to_query(&self, fields: &Fields, vocabulary: &Vocabulary, course: Option<&str>) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut any_word: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let last = self.words.len().saturating_sub(1);
        for (i, word) in self.words.iter().enumerate() {
            let prefix = self.prefix_last && i == last;
            let matched = word_match(fields, vocabulary, word, prefix);
            if self.some_words {
                // Each word found adds a fixed amount far above any relevance score, so sections with more of
                // the words rank first; among those with as many, relevance decides.
                any_word
                    .push((Occur::Should, Box::new(ConstScoreQuery::new(matched.box_clone(), WORD_FOUND))));
                any_word.push((Occur::Should, matched));
            } else {
                clauses.push((Occur::Must, matched));
            }
            clauses.extend(exact_boost(fields, word));
        }
        if !any_word.is_empty() {
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any_word))));
        }
        // Words typed next to each other rank higher where they stand next to each other (an implicit phrase).
        for pair in self.words.windows(2) {
            clauses.push((Occur::Should, boost(pair_match(fields, pair), ADJACENT_BOOST)));
        }
        for phrase in &self.phrases {
            // Every pair of neighbouring words, each one term: no positions to read, which made a phrase of
            // common words the slowest query. Two words must be next to each other, in order; a longer
            // phrase matches where each of its pairs does, which in running text is where the phrase is.
            if let [word] = phrase.as_slice() {
                clauses.push((Occur::Must, term(fields.all, &word.folded)));
            }
            for pair in phrase.windows(2) {
                clauses.push((Occur::Must, pair_match(fields, pair)));
            }
            for word in phrase {
                clauses.extend(exact_boost(fields, word));
            }
        }
        if let Some(course) = course {
            let term = Term::from_field_text(fields.course, course);
            clauses.push((Occur::Must, Box::new(TermQuery::new(term, IndexRecordOption::Basic))));
        }
        Box::new(BooleanQuery::new(clauses))
    }
}

fn term(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
}

/// Documents where the two words of `pair` stand next to each other, in order.
fn pair_match(fields: &Fields, pair: &[QueryWord]) -> Box<dyn Query> {
    term(fields.pairs, &pair_term(&pair[0].folded, &pair[1].folded))
}

fn boost(query: Box<dyn Query>, by: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, by))
}

/// What makes a document match `word`: the word itself; if the index does not have it and it is
/// long enough, the words one typo away; for the last word, the words it starts.
fn word_match(fields: &Fields, vocabulary: &Vocabulary, word: &QueryWord, prefix: bool) -> Box<dyn Query> {
    let mut any: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, term(fields.all, &word.folded))];
    if word.fuzzy() && vocabulary.folded.doc_freq(&word.folded) == 0 {
        for near in vocabulary.folded.within_one_edit(&word.folded, MAX_EXPANSIONS) {
            any.push((Occur::Should, boost(term(fields.all, near), TYPO_BOOST)));
        }
    }
    if prefix {
        // Typed with diacritics, the prefix keeps them ("quyề" is on its way to "quyền", not "quyết").
        let (field, terms) = if word.has_diacritics() {
            (fields.exact, vocabulary.exact.with_prefix(&word.exact, MAX_EXPANSIONS))
        } else {
            (fields.all, vocabulary.folded.with_prefix(&word.folded, MAX_EXPANSIONS))
        };
        for longer in terms {
            any.push((Occur::Should, boost(term(field, longer), PREFIX_BOOST)));
        }
    }
    if any.len() == 1 { any.pop().expect("one clause").1 } else { Box::new(BooleanQuery::new(any)) }
}

/// An optional clause that ranks a word typed with diacritics higher where it has the same ones.
fn exact_boost(fields: &Fields, word: &QueryWord) -> Option<(Occur, Box<dyn Query>)> {
    word.has_diacritics().then(|| (Occur::Should, boost(term(fields.exact, &word.exact), EXACT_BOOST)))
}

/// Levenshtein distance at most 1, a swap of two neighbours counting as one edit.
pub fn within_one_edit(a: &str, b: &str) -> bool {
    // Folded words are ASCII: compared as bytes, without collecting their letters (a typo is checked against
    // every word of the vocabulary of about its length).
    if a.is_ascii() && b.is_ascii() {
        return within_one_edit_of(a.as_bytes(), b.as_bytes());
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    within_one_edit_of(&a, &b)
}

fn within_one_edit_of<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long.iter()).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        if prefix == short.len() {
            return true;
        }
        // One substitution, or a transposition of positions prefix and prefix + 1.
        let rest_equal = |from: usize| short[from..] == long[from..];
        rest_equal(prefix + 1)
            || (prefix + 1 < short.len()
                && short[prefix] == long[prefix + 1]
                && short[prefix + 1] == long[prefix]
                && rest_equal(prefix + 2))
    } else {
        // One insertion into `short`.
        short[prefix..] == long[prefix + 1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded_words(q: &ParsedQuery) -> Vec<&str> {
        q.words.iter().map(|w| w.folded.as_str()).collect()
    }

    #[test]
    fn words_fold_and_keep_their_diacritics() {
        let q = ParsedQuery::parse("Chính quyền SỐ");
        assert_eq!(folded_words(&q), ["chinh", "quyen", "so"]);
        assert_eq!(q.words[0].exact, "chính");
        assert!(q.words[2].has_diacritics());
        assert!(!ParsedQuery::parse("so").words[0].has_diacritics());
        assert!(q.prefix_last);
        assert!(q.notices.is_empty());
    }

    #[test]
    fn phrases_are_kept_together() {
        let q = ParsedQuery::parse("\"mã OTP\" điện thoại");
        assert_eq!(q.phrases.len(), 1);
        assert_eq!(q.phrases[0].iter().map(|w| w.folded.as_str()).collect::<Vec<_>>(), ["ma", "otp"]);
        assert_eq!(folded_words(&q), ["dien", "thoai"]);
        assert!(q.prefix_last);
        let q = ParsedQuery::parse("điện thoại \"mã OTP\"");
        assert!(!q.prefix_last, "a closed phrase at the end is not being typed");
    }

    #[test]
    fn an_unclosed_quote_makes_a_phrase_of_the_rest() {
        let q = ParsedQuery::parse("báo cáo \"sự cố an");
        assert_eq!(folded_words(&q), ["bao", "cao"]);
        assert_eq!(q.phrases.len(), 1);
        assert_eq!(q.notices, [Notice::UnclosedQuote]);
        let q = ParsedQuery::parse("\"");
        assert!(q.is_empty());
        assert_eq!(q.notices, [Notice::UnclosedQuote]);
    }

    #[test]
    fn operators_and_syntax_are_not_syntax() {
        let q = ParsedQuery::parse("mật AND khẩu OR NOT (otp) +x -y title:z* ~2 ^3");
        assert_eq!(folded_words(&q), ["mat", "khau", "otp", "x", "y", "title", "z", "2", "3"]);
        assert_eq!(q.notices, [Notice::OperatorsIgnored]);
        assert_eq!(folded_words(&ParsedQuery::parse("and or")), ["and", "or"], "lower case are words");
        for input in ["", "   ", "*", "((", "AND OR", "\u{0}", "\"\"", "?!"] {
            assert!(ParsedQuery::parse(input).is_empty(), "{input:?}");
        }
    }

    #[test]
    fn long_input_is_cut() {
        let q = ParsedQuery::parse(&"an toàn ".repeat(2000));
        assert_eq!(q.words.len(), MAX_TERMS);
        assert_eq!(q.notices, [Notice::Truncated]);
        let q = ParsedQuery::parse(&"ư".repeat(10_000));
        assert!(q.is_empty(), "one 10 000-letter word is no term");
        assert_eq!(q.notices, [Notice::Truncated]);
    }

    #[test]
    fn some_words_only_for_several_words() {
        let q = ParsedQuery::parse("đánh cắp mã OTP");
        let some = q.with_some_words().expect("four words");
        assert!(some.some_words && !q.some_words);
        assert_eq!(some.words, q.words);
        assert_eq!(some.notices, [Notice::SomeWords]);
        assert_eq!(some.with_some_words(), None, "asked once");
        assert_eq!(ParsedQuery::parse("otp").with_some_words(), None);
        assert_eq!(ParsedQuery::parse("\"mã OTP\"").with_some_words(), None, "a phrase stays whole");
    }

    #[test]
    fn prefix_only_for_a_last_word_long_enough() {
        assert!(!ParsedQuery::parse("mật k").prefix_last);
        assert!(ParsedQuery::parse("mật kh").prefix_last);
        assert!(!ParsedQuery::parse("").prefix_last);
    }

    #[test]
    fn typos_only_in_longer_words() {
        let q = ParsedQuery::parse("xác thực quyền");
        assert!(!q.words[0].fuzzy());
        assert!(!q.words[1].fuzzy(), "thuc: 4 letters");
        assert!(q.words[2].fuzzy(), "quyen: 5 letters");
    }

    #[test]
    fn one_edit() {
        for (a, b) in [
            ("quyen", "quyen"),
            ("quyen", "quyn"),
            ("quyen", "quyean"),
            ("quyen", "qyuen"),
            ("quyen", "quyem"),
        ] {
            assert!(within_one_edit(a, b), "{a} {b}");
        }
        for (a, b) in [("quyen", "qyuem"), ("quyen", "quy"), ("quyen", "uqyen1"), ("ab", "ba1")] {
            assert!(!within_one_edit(a, b), "{a} {b}");
        }
    }
}
