//! Paging a long list a screen at a time: which rows a requested page is, and the page handed back.
//!
//! Every paged query asks for a page number that may be past the end (the list shrank since the screen last
//! looked, or the user held Page Down); it gets the last page instead, so a screen never shows an empty page
//! of a non-empty list.

/// The rows one page covers, once the requested page number is clamped to the list's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// The page number (from 0), at most the last page.
    pub page: u64,
    /// Rows per page, at least 1.
    pub per_page: u64,
}

impl Paging {
    /// Page `page` (from 0) of a list of `total` rows, `per_page` at a time; past the end means the last page,
    /// and `per_page` 0 means 1.
    pub fn clamped(page: u64, per_page: u64, total: u64) -> Self {
        let per_page = per_page.max(1);
        Self { page: page.min(total.saturating_sub(1) / per_page), per_page }
    }

    /// How many rows come before this page (SQL `OFFSET`).
    pub fn offset(self) -> u64 {
        self.page * self.per_page
    }

    /// How many rows this page holds at most (SQL `LIMIT`).
    pub fn limit(self) -> u64 {
        self.per_page
    }

    /// This page's `lines`, out of `total` in all.
    pub fn page_of<T>(self, lines: Vec<T>, total: u64) -> Page<T> {
        Page { lines, total, page: self.page, per_page: self.per_page }
    }
}

/// How many pages `total` rows fill at `per_page` a time: at least one, so an empty list still has a page to
/// show.
pub fn page_count(total: u64, per_page: u64) -> u64 {
    total.div_ceil(per_page.max(1)).max(1)
}

/// A page of lines and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub lines: Vec<T>,
    pub total: u64,
    /// The page number (from 0) this is.
    pub page: u64,
    pub per_page: u64,
}

/// An empty first page (what a screen shows before the answer comes).
impl<T> Default for Page<T> {
    fn default() -> Self {
        Self { lines: Vec::new(), total: 0, page: 0, per_page: 1 }
    }
}

impl<T> Page<T> {
    /// How many pages the lines fill (at least one).
    pub fn pages(&self) -> u64 {
        page_count(self.total, self.per_page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_past_the_end_is_the_last_page() {
        assert_eq!(Paging::clamped(9, 5, 12), Paging { page: 2, per_page: 5 });
        assert_eq!(Paging::clamped(2, 5, 10), Paging { page: 1, per_page: 5 });
        assert_eq!(Paging::clamped(1, 5, 12), Paging { page: 1, per_page: 5 });
    }

    #[test]
    fn an_empty_list_has_one_empty_first_page() {
        let paging = Paging::clamped(3, 5, 0);
        assert_eq!((paging.page, paging.offset(), paging.limit()), (0, 0, 5));
        assert_eq!(page_count(0, 5), 1);
        assert_eq!(Page::<u8>::default().pages(), 1);
    }

    #[test]
    fn zero_per_page_means_one() {
        assert_eq!(Paging::clamped(4, 0, 3), Paging { page: 2, per_page: 1 });
        assert_eq!(page_count(3, 0), 3);
    }

    #[test]
    fn offset_and_limit_select_the_page_rows() {
        let paging = Paging::clamped(2, 50, 1000);
        assert_eq!((paging.offset(), paging.limit()), (100, 50));
    }

    #[test]
    fn pages_round_up() {
        assert_eq!(page_count(10, 5), 2);
        assert_eq!(page_count(11, 5), 3);
        assert_eq!(page_count(1, 100), 1);
        let page = Paging::clamped(0, 4, 10).page_of(vec!['a', 'b', 'c', 'd'], 10);
        assert_eq!((page.total, page.page, page.per_page, page.pages()), (10, 0, 4, 3));
    }
}
