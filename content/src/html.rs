//! Escaping plain text into HTML outside the templates (askama escapes its own): the one escaper of the
//! workspace, for text that is neither markdown nor a template value (a GIFT question in `[plain]` format, a
//! search snippet).
//!
//! Written here rather than taken from a crate: `html-escape`, `v_htmlescape` and `htmlescape` write `'` as
//! `&#x27;` (and `v_htmlescape` escapes `/` too), askama writes numeric entities for everything and
//! `pulldown-cmark-escape` leaves `'` alone; each would change the bytes of pages and of the quiz HTML stored with
//! attempts.

/// Appends `text` to `out` with `&`, `<`, `>`, `"` and `'` escaped, so it is safe in element content and in
/// quoted attribute values alike.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped_and_the_rest_kept() {
        let mut out = String::from("<p>");
        escape_into(&mut out, "<script>a && \"b\" 'c'</script> Đúng");
        assert_eq!(out, "<p>&lt;script&gt;a &amp;&amp; &quot;b&quot; &#39;c&#39;&lt;/script&gt; Đúng");
    }
}
