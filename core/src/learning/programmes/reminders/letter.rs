//! A reminder's text, written once as paragraphs and lists and rendered twice: plain text for every mail
//! client, and simple HTML (no images, no styles a client could strip into nonsense) with real links.

use chrono::NaiveDate;
use daotao_content::html::escape_into;

/// One line of a list: text, and a link when there is a page to go to.
pub struct Item {
    pub text: String,
    pub link: Option<String>,
}

enum Block {
    Paragraph(String),
    List(Vec<Item>),
}

/// A letter to one person, in Vietnamese.
pub struct Letter {
    blocks: Vec<Block>,
}

/// The date as people in Viet Nam write it.
pub fn date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

impl Letter {
    /// Opens with the greeting the civil service uses.
    pub fn to(name: &str) -> Letter {
        Letter { blocks: vec![Block::Paragraph(format!("Kính gửi {name},"))] }
    }

    pub fn paragraph(mut self, text: impl Into<String>) -> Letter {
        self.blocks.push(Block::Paragraph(text.into()));
        self
    }

    pub fn list(mut self, items: Vec<Item>) -> Letter {
        self.blocks.push(Block::List(items));
        self
    }

    /// The plain-text body, with the sign-off and the note that nobody reads replies.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            match block {
                Block::Paragraph(p) => out.push_str(p),
                Block::List(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push('\n');
                        }
                        out.push_str("- ");
                        out.push_str(&item.text);
                        if let Some(link) = &item.link {
                            out.push_str(": ");
                            out.push_str(link);
                        }
                    }
                }
            }
            out.push_str("\n\n");
        }
        out.push_str(SIGN_OFF);
        out.push_str("\n\n");
        out.push_str(AUTOMATIC);
        out.push('\n');
        out
    }

    /// The HTML body: the same words, every value escaped.
    pub fn html(&self) -> String {
        let mut out =
            String::from("<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"></head><body>\n");
        for block in &self.blocks {
            match block {
                Block::Paragraph(p) => {
                    out.push_str("<p>");
                    escape_into(&mut out, p);
                    out.push_str("</p>\n");
                }
                Block::List(items) => {
                    out.push_str("<ul>\n");
                    for item in items {
                        out.push_str("<li>");
                        match &item.link {
                            Some(link) => {
                                out.push_str("<a href=\"");
                                escape_into(&mut out, link);
                                out.push_str("\">");
                                escape_into(&mut out, &item.text);
                                out.push_str("</a>");
                            }
                            None => escape_into(&mut out, &item.text),
                        }
                        out.push_str("</li>\n");
                    }
                    out.push_str("</ul>\n");
                }
            }
        }
        out.push_str("<p>");
        escape_into(&mut out, SIGN_OFF);
        out.push_str("</p>\n<p><small>");
        escape_into(&mut out, AUTOMATIC);
        out.push_str("</small></p>\n</body></html>\n");
        out
    }
}

const SIGN_OFF: &str = "Trân trọng,\nHệ thống Đào tạo số";
const AUTOMATIC: &str = "Thư này được gửi tự động, xin vui lòng không trả lời thư này.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_bodies_say_the_same_and_html_is_escaped() {
        let letter = Letter::to("Nguyễn Văn <A>").paragraph("Hạn: 05/01/2027.").list(vec![
            Item {
                text: "An toàn thông tin".into(),
                link: Some("https://daotao.example/courses/attt?a=1&b=2".into()),
            },
            Item { text: "Đã hoàn thành".into(), link: None },
        ]);
        let text = letter.text();
        assert!(
            text.starts_with("Kính gửi Nguyễn Văn <A>,\n\nHạn: 05/01/2027.\n\n- An toàn thông tin: https://"),
            "{text}"
        );
        assert!(text.contains("- Đã hoàn thành\n\nTrân trọng,"), "{text}");
        let html = letter.html();
        assert!(html.contains("<p>Kính gửi Nguyễn Văn &lt;A&gt;,</p>"), "{html}");
        assert!(
            html.contains(
                "<a href=\"https://daotao.example/courses/attt?a=1&amp;b=2\">An toàn thông tin</a>"
            ),
            "{html}"
        );
        assert_eq!(date(NaiveDate::from_ymd_opt(2027, 1, 5).unwrap()), "05/01/2027");
    }
}
