//! Seeds a small demo province (issue #3).
