//! The id rules of DESIGN.md: ids are permanent, so they are plain ASCII slugs
//! taken from folder and file names.

/// A course, lesson or quiz id: lowercase ASCII letters, digits and single
/// hyphens, starting with a letter or digit, at most 100 characters.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
}

/// The lesson id and order key of a lesson file name: `01-nhan-dien.md` -> (`01`, `nhan-dien`).
/// `None` when the name has no numeric order prefix or is not `.md`.
pub fn lesson_id(file_name: &str) -> Option<(&str, &str)> {
    let stem = file_name.strip_suffix(".md")?;
    let (order, id) = stem.split_once('-')?;
    (!order.is_empty() && order.bytes().all(|b| b.is_ascii_digit())).then_some((order, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_ids() {
        for id in ["an-toan-thong-tin", "a", "bai-1", "2025"] {
            assert!(is_valid_id(id), "{id}");
        }
        for id in ["", "An-toan", "an_toan", "an toàn", "-a", "a-", "a--b", "../x", "a/b"] {
            assert!(!is_valid_id(id), "{id}");
        }
        assert!(!is_valid_id(&"a".repeat(101)));
    }

    #[test]
    fn lesson_ids_drop_the_order_prefix() {
        assert_eq!(lesson_id("01-nhan-dien.md"), Some(("01", "nhan-dien")));
        assert_eq!(lesson_id("10-a-b.md"), Some(("10", "a-b")));
        assert_eq!(lesson_id("nhan-dien.md"), None);
        assert_eq!(lesson_id("01-nhan-dien.txt"), None);
        assert_eq!(lesson_id("1a-x.md"), None);
    }
}
