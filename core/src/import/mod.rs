//! CSV imports (issue #3).
