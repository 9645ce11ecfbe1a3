//! Vietnamese text helpers: Unicode normalisation, diacritic folding, slugs.
//!
//! Vietnamese text reaches us precomposed (NFC) from most keyboards and
//! decomposed (NFD) from some editors and from macOS file names, so anything
//! that compares or derives identifiers from text goes through here.
//! Here, beside the parsers that need it, so core and the server's search fold and normalise text the same way.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Combining diacritical marks (U+0300..=U+036F): every Vietnamese tone mark
/// and the breve, circumflex and horn of ă â ê ô ơ ư.
const COMBINING_MARKS: std::ops::RangeInclusive<char> = '\u{0300}'..='\u{036F}';

/// The slug used when a text has no ASCII letter or digit at all ("mục" = section).
const EMPTY_SLUG: &str = "muc";

/// NFC-normalise (Vietnamese text arrives in NFC or NFD from different
/// editors/keyboards).
pub fn nfc(s: &str) -> String {
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => s.to_owned(),
        IsNormalized::No | IsNormalized::Maybe => s.nfc().collect(),
    }
}

/// Map every Vietnamese letter to its ASCII base: all tone marks,
/// ă â ê ô ơ ư -> a a e o o u, đ/Đ -> d/D; works for NFC and NFD input
/// (decompose, drop combining marks U+0300..U+036F, map đ/Đ). Other characters
/// are unchanged.
///
/// Only characters whose canonical decomposition contains such a mark are
/// decomposed, so text in other scripts (Hangul, CJK compatibility
/// ideographs, ...) comes out exactly as it went in.
pub fn fold_diacritics(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut parts = Vec::with_capacity(4);
    for c in s.chars() {
        match c {
            'đ' => out.push('d'),
            'Đ' => out.push('D'),
            c if COMBINING_MARKS.contains(&c) => {}
            c if c.is_ascii() => out.push(c),
            c => {
                parts.clear();
                unicode_normalization::char::decompose_canonical(c, |p| parts.push(p));
                if parts.iter().any(|p| COMBINING_MARKS.contains(p)) {
                    out.extend(parts.iter().filter(|&p| !COMBINING_MARKS.contains(p)));
                } else {
                    out.push(c);
                }
            }
        }
    }
    out
}

/// A URL/anchor slug: fold diacritics, lowercase, runs of non-alphanumeric
/// ASCII become one '-', trimmed of '-'. "Mật khẩu mạnh!" -> "mat-khau-manh";
/// "Đăng nhập 2 bước" -> "dang-nhap-2-buoc". Empty result -> "muc".
///
/// Characters that are still not ASCII after folding (other scripts, emoji)
/// count as separators.
pub fn slugify(s: &str) -> String {
    let mut slug = String::with_capacity(s.len());
    let mut pending_dash = false;
    for c in fold_diacritics(s).chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !slug.is_empty() {
                slug.push('-');
            }
            pending_dash = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    if slug.is_empty() { EMPTY_SLUG.to_owned() } else { slug }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    /// The twelve Vietnamese vowels, as base letter + optional vowel mark
    /// (breve U+0306, circumflex U+0302, horn U+031B), and their ASCII base.
    const VOWELS: [(&str, char); 12] = [
        ("a", 'a'),
        ("a\u{0306}", 'a'), // ă
        ("a\u{0302}", 'a'), // â
        ("e", 'e'),
        ("e\u{0302}", 'e'), // ê
        ("i", 'i'),
        ("o", 'o'),
        ("o\u{0302}", 'o'), // ô
        ("o\u{031B}", 'o'), // ơ
        ("u", 'u'),
        ("u\u{031B}", 'u'), // ư
        ("y", 'y'),
    ];

    /// No tone (ngang), huyền, sắc, ngã, hỏi, nặng.
    const TONES: [&str; 6] = ["", "\u{0300}", "\u{0301}", "\u{0303}", "\u{0309}", "\u{0323}"];

    /// (NFC letter, NFD letter, expected fold) for every Vietnamese letter
    /// with a diacritic, both cases.
    fn alphabet() -> Vec<(String, String, String)> {
        let mut letters = Vec::new();
        for (vowel, base) in VOWELS {
            for tone in TONES {
                for upper in [false, true] {
                    let decomposed = if upper {
                        format!("{}{}", vowel.to_uppercase(), tone)
                    } else {
                        format!("{vowel}{tone}")
                    };
                    let expected = if upper { base.to_ascii_uppercase() } else { base };
                    let composed: String = decomposed.nfc().collect();
                    let canonical_nfd: String = decomposed.nfd().collect();
                    letters.push((composed, canonical_nfd, expected.to_string()));
                }
            }
        }
        letters.push(("đ".into(), "đ".into(), "d".into()));
        letters.push(("Đ".into(), "Đ".into(), "D".into()));
        letters
    }

    #[test]
    fn alphabet_is_complete_and_precomposed() {
        let letters = alphabet();
        // 12 vowels x 6 tones x 2 cases + đ Đ.
        assert_eq!(letters.len(), 146);
        let with_marks = letters.iter().filter(|(nfc, _, expected)| nfc != expected).count();
        // Everything except the bare vowels a e i o u y in both cases (12)
        // carries a diacritic: 132 accented vowels + đ Đ = 134 letters.
        assert_eq!(with_marks, 134);
        for (composed, _, _) in &letters {
            assert_eq!(composed.chars().count(), 1, "{composed:?} should be one precomposed code point");
        }
    }

    #[test]
    fn fold_diacritics_covers_the_whole_alphabet_in_nfc_and_nfd() {
        for (composed, decomposed, expected) in alphabet() {
            assert_eq!(fold_diacritics(&composed), expected, "NFC {composed:?}");
            assert_eq!(fold_diacritics(&decomposed), expected, "NFD {decomposed:?}");
        }
    }

    #[test]
    fn fold_diacritics_of_phrases() {
        assert_eq!(fold_diacritics("chính quyền số"), "chinh quyen so");
        assert_eq!(fold_diacritics("ĐÁNH CẮP MÃ OTP"), "DANH CAP MA OTP");
        let nfd: String = "Nghị định 13/2023/NĐ-CP".nfd().collect();
        assert_eq!(fold_diacritics(&nfd), "Nghi dinh 13/2023/ND-CP");
    }

    #[test]
    fn fold_diacritics_leaves_other_characters_alone() {
        for s in ["", "abc 123 -_/", "한국어", "日本語", "😀 → «»", "\u{F900}"] {
            assert_eq!(fold_diacritics(s), s);
        }
    }

    #[test]
    fn nfc_composes_decomposed_text() {
        let composed = "Tiếng Việt có dấu: đặng, ước, ỹ";
        let decomposed: String = composed.nfd().collect();
        assert_ne!(decomposed, composed);
        assert_eq!(nfc(&decomposed), composed);
        assert_eq!(nfc(composed), composed);
    }

    #[test]
    fn slugify_cases() {
        assert_eq!(slugify("Mật khẩu mạnh!"), "mat-khau-manh");
        assert_eq!(slugify("Đăng nhập 2 bước"), "dang-nhap-2-buoc");
        assert_eq!(slugify("  --Xác thực   hai   lớp--  "), "xac-thuc-hai-lop");
        assert_eq!(slugify("Bài 1: Lừa đảo qua mạng (phần 2)"), "bai-1-lua-dao-qua-mang-phan-2");
        assert_eq!(slugify("snake_case.and.dots"), "snake-case-and-dots");
        assert_eq!(slugify("Phím tắt 😀 tiện lợi"), "phim-tat-tien-loi");
        assert_eq!(slugify(""), "muc");
        assert_eq!(slugify("!!! ???"), "muc");
        assert_eq!(slugify("日本語"), "muc");
    }

    #[test]
    fn slugify_is_the_same_for_nfc_and_nfd() {
        let composed = "Phòng chống lừa đảo trực tuyến";
        let decomposed: String = composed.nfd().collect();
        assert_eq!(slugify(&decomposed), slugify(composed));
        assert_eq!(slugify(composed), "phong-chong-lua-dao-truc-tuyen");
    }
}
