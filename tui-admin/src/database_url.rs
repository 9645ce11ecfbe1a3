//! A database URL as it may be shown on screen or printed: with any password
//! replaced by `***` (`postgres://daotao:secret@db/daotao` is shown as
//! `postgres://daotao:***@db/daotao`), so a status line, `status` output or an
//! error message pasted into a ticket never gives the database away.

/// What is shown instead of a password.
const HIDDEN: &str = "***";

/// `url` with the password of its user part (`user:password@`) and any `password=` query
/// parameter (which PostgreSQL URLs also accept) replaced by `***`; anything else unchanged.
pub fn redacted(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else { return url.to_string() };
    let (head, rest) = url.split_at(scheme_end + 3);
    let (before_query, query) = match rest.find('?') {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let mut out = head.to_string();
    // The user part ends at the last `@` (a password typed without percent-encoding may hold `@` or `/`).
    match before_query.rfind('@').map(|at| before_query.split_at(at)) {
        Some((userinfo, host_and_path)) => {
            match userinfo.split_once(':') {
                Some((user, _password)) => {
                    out.push_str(user);
                    out.push(':');
                    out.push_str(HIDDEN);
                }
                None => out.push_str(userinfo),
            }
            out.push_str(host_and_path);
        }
        None => out.push_str(before_query),
    }
    if let Some(query) = query {
        out.push('?');
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}={HIDDEN}"),
                _ => pair.to_string(),
            })
            .collect();
        out.push_str(&pairs.join("&"));
    }
    out
}

/// `text` (an error message, say) with every occurrence of `url` shown [`redacted`].
pub fn redact_in(text: &str, url: &str) -> String {
    if url.is_empty() { text.to_string() } else { text.replace(url, &redacted(url)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_and_nothing_else_changes() {
        assert_eq!(
            redacted("postgres://daotao:Mat-khau!2026@db.tinh.gov.vn:5432/daotao"),
            "postgres://daotao:***@db.tinh.gov.vn:5432/daotao"
        );
        assert_eq!(
            redacted("postgresql://daotao:p%40ss@127.0.0.1/daotao?sslmode=require"),
            "postgresql://daotao:***@127.0.0.1/daotao?sslmode=require"
        );
        // Typed without percent-encoding: everything up to the last `@` is the user part.
        assert_eq!(redacted("postgres://daotao:a@b/c@db/daotao"), "postgres://daotao:***@db/daotao");
        assert_eq!(
            redacted("postgres://db/daotao?user=daotao&Password=secret&sslmode=require"),
            "postgres://db/daotao?user=daotao&Password=***&sslmode=require"
        );
        assert_eq!(redacted("postgres://:secret@db/daotao"), "postgres://:***@db/daotao");
        // Nothing to hide.
        for url in [
            "postgres://postgres@127.0.0.1:5432/test",
            "postgres://db/daotao",
            "sqlite://data/daotao.sqlite",
            "sqlite:///var/lib/daotao/daotao.sqlite?mode=rwc",
            "not a url",
            "",
        ] {
            assert_eq!(redacted(url), url);
        }
    }

    #[test]
    fn a_message_naming_the_url_hides_its_password() {
        let url = "postgre://daotao:secret@db/daotao";
        let message = format!("unsupported database URL `{url}`: use sqlite://... or postgres://...");
        let shown = redact_in(&message, url);
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("`postgre://daotao:***@db/daotao`"), "{shown}");
    }
}
