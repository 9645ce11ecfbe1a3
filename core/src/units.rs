//! Units (issue #3).
