//! The server's tests through the whole app, in one binary (one compile and link, as mdBook's
//! `tests/testsuite` and zero2prod's `tests/api`): each module tests one area over a [`helpers::TestApp`].

mod api;
mod auth;
mod feedback;
mod helpers;
mod pages;
mod programmes;
mod quiz;
mod quiz_statistics;
mod search;
mod sso;
