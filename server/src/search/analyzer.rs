//! The Vietnamese analyzer: how text (lessons and queries alike) becomes
//! search terms.
//!
//! Words are runs of letters and digits; combining marks count as part of a
//! word, so text that arrives decomposed (NFD) is not cut at every tone mark
//! as tantivy's `SimpleTokenizer` would cut it. Each word is lower-cased and
//! brought to NFC; the folded variant also maps every Vietnamese letter to its
//! base letter (all tone marks, ă â ê ô ơ ư, đ) with
//! [`daotao_content::text::fold_diacritics`], so "chinh quyen so" finds "chính
//! quyền số". Offsets always point into the text as given, for highlighting.

use daotao_content::text::{fold_diacritics, nfc};
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

/// Name of the folded analyzer in the index's tokenizer manager.
pub const FOLDED: &str = "vi_folded";
/// Name of the analyzer that keeps diacritics (NFC, lower case).
pub const EXACT: &str = "vi_exact";

/// Name of the analyzer that makes a term of each two neighbouring folded words ("du lieu"), so a quoted
/// phrase is matched from posting lists alone instead of reading word positions in every section.
pub const PAIRS: &str = "vi_pairs";

/// Longer "words" (base64 blobs, URLs without separators) are not terms anyone searches for.
const MAX_TOKEN_BYTES: usize = 60;

/// Splits text into lower-cased words, folded or not.
#[derive(Debug, Clone, Copy)]
pub struct VietnameseTokenizer {
    /// Map every letter to its base letter ("quyền" -> "quyen").
    pub fold: bool,
}

impl VietnameseTokenizer {
    /// The analyzer to register under [`FOLDED`] or [`EXACT`].
    pub fn analyzer(fold: bool) -> TextAnalyzer {
        TextAnalyzer::from(VietnameseTokenizer { fold })
    }
}

/// Turns folded words into the pairs of neighbours: "dữ liệu cá nhân" gives "du lieu", "lieu ca", "ca nhan".
#[derive(Debug, Clone, Copy, Default)]
pub struct PairTokenizer;

impl PairTokenizer {
    /// The analyzer to register under [`PAIRS`].
    pub fn analyzer() -> TextAnalyzer {
        TextAnalyzer::from(PairTokenizer)
    }
}

/// The term for two neighbouring folded words, as [`PairTokenizer`] indexes it.
pub fn pair_term(first: &str, second: &str) -> String {
    format!("{first} {second}")
}

/// Combining marks (U+0300..U+036F) belong to the letter before them.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || ('\u{0300}'..='\u{036F}').contains(&c)
}

/// One word's term: lower case, NFC, and folded when asked.
pub fn term_text(word: &str, fold: bool) -> String {
    // Most words of a lesson (and of any query typed without diacritics) are ASCII: lower case is all there
    // is to do (folding and NFC leave ASCII as it is), without the allocations of the general case.
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    let lower = word.to_lowercase();
    if fold { fold_diacritics(&lower) } else { nfc(&lower) }
}

pub struct VietnameseTokenStream<'a> {
    text: &'a str,
    /// Byte offset where the next word may start.
    at: usize,
    fold: bool,
    token: Token,
}

impl Tokenizer for VietnameseTokenizer {
    type TokenStream<'a> = VietnameseTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VietnameseTokenStream<'a> {
        VietnameseTokenStream { text, at: 0, fold: self.fold, token: Token::default() }
    }
}

impl TokenStream for VietnameseTokenStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            let rest = &self.text[self.at..];
            let Some(start) = rest.find(is_word_char) else {
                self.at = self.text.len();
                return false;
            };
            let start = self.at + start;
            let end = self.text[start..].find(|c| !is_word_char(c)).map_or(self.text.len(), |e| start + e);
            self.at = end;
            let word = &self.text[start..end];
            // A word of combining marks alone (a stray accent) is no term.
            if word.len() > MAX_TOKEN_BYTES || !word.chars().any(char::is_alphanumeric) {
                continue;
            }
            self.token.offset_from = start;
            self.token.offset_to = end;
            self.token.position = self.token.position.wrapping_add(1);
            self.token.text = term_text(word, self.fold);
            return true;
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

pub struct PairTokenStream<'a> {
    words: VietnameseTokenStream<'a>,
    /// The word before (empty before the first word)...
    previous: String,
    /// ...and where it starts (`None` before the first word).
    previous_from: Option<usize>,
    token: Token,
}

impl Tokenizer for PairTokenizer {
    type TokenStream<'a> = PairTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PairTokenStream<'a> {
        let words = VietnameseTokenStream { text, at: 0, fold: true, token: Token::default() };
        PairTokenStream { words, previous: String::new(), previous_from: None, token: Token::default() }
    }
}

impl TokenStream for PairTokenStream<'_> {
    fn advance(&mut self) -> bool {
        while self.words.advance() {
            let word = self.words.token();
            let Some(from) = self.previous_from.replace(word.offset_from) else {
                self.previous.push_str(&word.text);
                continue;
            };
            // Buffers reused, not allocated per word: indexing makes a pair of every word of every lesson.
            self.token.text.clear();
            self.token.text.push_str(&self.previous);
            self.token.text.push(' ');
            self.token.text.push_str(&word.text);
            self.token.offset_from = from;
            self.previous.clear();
            self.previous.push_str(&word.text);
            self.token.offset_to = word.offset_to;
            self.token.position = self.token.position.wrapping_add(1);
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// A word of a text: its term and where it is in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub term: String,
    pub from: usize,
    pub to: usize,
}

/// The words of `text` (queries, snippets), exactly as the index sees them.
pub fn words(text: &str, fold: bool) -> Vec<Word> {
    let mut tokenizer = VietnameseTokenizer { fold };
    let mut stream = tokenizer.token_stream(text);
    let mut out = Vec::new();
    while let Some(t) = stream.next() {
        out.push(Word { term: t.text.clone(), from: t.offset_from, to: t.offset_to });
    }
    out
}

#[cfg(test)]
mod tests {
    use unicode_normalization::UnicodeNormalization;

    use super::*;

    /// The twelve Vietnamese vowels, as base letter + optional vowel mark
    /// (breve U+0306, circumflex U+0302, horn U+031B), and their base letter.
    const VOWELS: [(&str, char); 12] = [
        ("a", 'a'),
        ("a\u{0306}", 'a'),
        ("a\u{0302}", 'a'),
        ("e", 'e'),
        ("e\u{0302}", 'e'),
        ("i", 'i'),
        ("o", 'o'),
        ("o\u{0302}", 'o'),
        ("o\u{031B}", 'o'),
        ("u", 'u'),
        ("u\u{031B}", 'u'),
        ("y", 'y'),
    ];

    /// No tone (ngang), huyền, sắc, ngã, hỏi, nặng.
    const TONES: [&str; 6] = ["", "\u{0300}", "\u{0301}", "\u{0303}", "\u{0309}", "\u{0323}"];

    /// Every Vietnamese letter with its diacritics, in both cases, NFC and NFD,
    /// with its base letter: (NFC, NFD, exact term, folded term).
    fn alphabet() -> Vec<(String, String, String, String)> {
        let mut letters = Vec::new();
        for (vowel, base) in VOWELS {
            for tone in TONES {
                let lower: String = format!("{vowel}{tone}").nfc().collect();
                for upper in [false, true] {
                    let decomposed = if upper {
                        format!("{}{tone}", vowel.to_uppercase())
                    } else {
                        format!("{vowel}{tone}")
                    };
                    let composed: String = decomposed.nfc().collect();
                    let nfd: String = decomposed.nfd().collect();
                    letters.push((composed, nfd, lower.clone(), base.to_string()));
                }
            }
        }
        for (letter, lower) in [("đ", "đ"), ("Đ", "đ")] {
            letters.push((letter.into(), letter.into(), lower.into(), "d".into()));
        }
        letters
    }

    fn terms(text: &str, fold: bool) -> Vec<String> {
        words(text, fold).into_iter().map(|w| w.term).collect()
    }

    #[test]
    fn the_alphabet_is_complete() {
        let letters = alphabet();
        // 12 vowels x 6 tones x 2 cases + đ Đ.
        assert_eq!(letters.len(), 146);
        for (composed, _, _, _) in &letters {
            assert_eq!(composed.chars().count(), 1, "{composed:?} is one precomposed code point");
        }
    }

    #[test]
    fn every_letter_folds_to_its_base_in_nfc_and_nfd_upper_and_lower_case() {
        for (composed, decomposed, exact, base) in alphabet() {
            // Alone, and inside a word (where a split would show).
            for (form, text) in [("NFC", &composed), ("NFD", &decomposed)] {
                assert_eq!(terms(text, true), std::slice::from_ref(&base), "{form} {composed:?} folded");
                assert_eq!(terms(text, false), std::slice::from_ref(&exact), "{form} {composed:?} exact");
                let word = format!("x{text}x");
                assert_eq!(terms(&word, true), [format!("x{base}x")], "{form} {composed:?} inside a word");
                assert_eq!(terms(&word, false), [format!("x{exact}x")], "{form} {composed:?} inside a word");
            }
        }
    }

    #[test]
    fn phrases_fold_with_or_without_diacritics() {
        assert_eq!(terms("chính quyền số", true), ["chinh", "quyen", "so"]);
        assert_eq!(terms("chinh quyen so", true), ["chinh", "quyen", "so"]);
        assert_eq!(terms("ĐÁNH CẮP MÃ OTP", true), ["danh", "cap", "ma", "otp"]);
        assert_eq!(terms("DANH CAP MA OTP", true), ["danh", "cap", "ma", "otp"]);
        assert_eq!(terms("ĐÁNH CẮP MÃ OTP", false), ["đánh", "cắp", "mã", "otp"]);
        let nfd: String = "Nghị định 13/2023/NĐ-CP".nfd().collect();
        assert_eq!(terms(&nfd, true), ["nghi", "dinh", "13", "2023", "nd", "cp"]);
        assert_eq!(terms(&nfd, false), ["nghị", "định", "13", "2023", "nđ", "cp"]);
    }

    #[test]
    fn offsets_point_into_the_text_as_given() {
        let nfd: String = "Mật khẩu".nfd().collect();
        let found = words(&nfd, true);
        assert_eq!(found.len(), 2);
        assert_eq!(&nfd[found[0].from..found[0].to], "Mật".nfd().collect::<String>());
        assert_eq!(&nfd[found[1].from..found[1].to], "khẩu".nfd().collect::<String>());
    }

    #[test]
    fn separators_and_odd_input() {
        assert_eq!(terms("a\u{0}b", true), ["a", "b"]);
        assert_eq!(terms("\"((AND OR*", true), ["and", "or"]);
        assert!(terms("\u{0301}\u{0300} -- !!", true).is_empty());
        assert!(terms(&"x".repeat(MAX_TOKEN_BYTES + 1), true).is_empty());
        assert_eq!(terms("日本語 한국어", true), ["日本語", "한국어"]);
    }

    #[test]
    fn pairs_are_neighbouring_folded_words() {
        let text = "Dữ liệu, cá nhân!";
        let mut tokenizer = PairTokenizer;
        let mut stream = tokenizer.token_stream(text);
        let mut pairs = Vec::new();
        while let Some(t) = stream.next() {
            pairs.push((t.text.clone(), &text[t.offset_from..t.offset_to], t.position));
        }
        assert_eq!(
            pairs,
            [
                ("du lieu".to_string(), "Dữ liệu", 0),
                ("lieu ca".to_string(), "liệu, cá", 1),
                ("ca nhan".to_string(), "cá nhân", 2)
            ]
        );
        assert!(PairTokenizer.token_stream("một").next().is_none(), "one word makes no pair");
        assert_eq!(pair_term("ca", "nhan"), "ca nhan");
    }

    #[test]
    fn positions_count_words() {
        let mut tokenizer = VietnameseTokenizer { fold: true };
        let mut stream = tokenizer.token_stream("một, hai; ba");
        let mut positions = Vec::new();
        while let Some(t) = stream.next() {
            positions.push(t.position);
        }
        assert_eq!(positions, [0, 1, 2]);
    }
}
