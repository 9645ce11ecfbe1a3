//! The quiz statistics of #19 as an export (`daotao-admin report items`): the quiz figures and one row per
//! question, from the same read model as the trainers' page (`admin_views::quiz_statistics`). XLSX gets two
//! sheets; CSV both tables in one file, the quiz figures first, a blank line, then the questions (one
//! byte-order mark for Excel, CRLF line ends).

use std::io::Write;

use crate::admin_views::quiz_statistics::{OptionView, QuizStatisticsView};
use crate::assessment::statistics::Flag;

use super::{Cell, Report, Table};

/// The export of `view`, for quiz `title`.
pub fn build(title: &str, view: &QuizStatisticsView) -> Report {
    let q = &view.quiz;
    let figure = |value: Option<f64>| value.map_or(Cell::Empty, Cell::Score);
    let summary = Table {
        name: "Toàn bài".into(),
        columns: vec!["Chỉ số".into(), "Giá trị".into()],
        rows: vec![
            vec![Cell::Text("Bài kiểm tra".into()), Cell::Text(title.to_owned())],
            vec![Cell::Text("Số lượt làm được tính".into()), Cell::Int(q.attempts as i64)],
            vec![Cell::Text("Điểm trung bình (%)".into()), figure(q.mean)],
            vec![Cell::Text("Trung vị (%)".into()), figure(q.median)],
            vec![Cell::Text("Độ lệch chuẩn (%)".into()), figure(q.sd)],
            vec![Cell::Text("Hệ số nhất quán nội tại, Cronbach α (%)".into()), figure(q.cronbach_alpha)],
            vec![Cell::Text("Tỉ lệ sai số (%)".into()), figure(q.error_ratio)],
            vec![Cell::Text("Sai số chuẩn (%)".into()), figure(q.standard_error)],
        ],
    };
    let columns = [
        "STT",
        "Mã câu hỏi",
        "Câu hỏi",
        "Loại",
        "Tệp",
        "Dòng",
        "Số lần hỏi",
        "Độ dễ (%)",
        "Độ lệch chuẩn (%)",
        "Chỉ số phân loại",
        "Hiệu quả phân loại (%)",
        "Cần xem lại",
        "Phương án: số lượt chọn",
    ]
    .map(String::from)
    .to_vec();
    let rows = view
        .questions
        .iter()
        .enumerate()
        .map(|(i, question)| {
            let f = &question.figures;
            let flags: Vec<String> = question
                .flags
                .iter()
                .map(|flag| match &flag.flag {
                    Flag::TooEasy => "Quá dễ".to_owned(),
                    Flag::TooHard => "Quá khó".to_owned(),
                    Flag::LowDiscrimination => "Phân loại kém".to_owned(),
                    Flag::LikelyWrongKey { option } => format!(
                        "Có thể sai đáp án: phương án «{}»",
                        flag.option.as_ref().map_or(option.clone(), option_text)
                    ),
                })
                .collect();
            let options: Vec<String> = question
                .options
                .iter()
                .map(|o| format!("{}{}: {}", if o.right { "(đúng) " } else { "" }, option_text(o), o.picked))
                .collect();
            vec![
                Cell::Int(i as i64 + 1),
                Cell::Text(question.id.clone()),
                Cell::Text(if question.stem.is_empty() {
                    "(không còn trong tệp)".into()
                } else {
                    question.stem.clone()
                }),
                Cell::Text(question.kind.unwrap_or_default().to_owned()),
                question.source.as_ref().map_or(Cell::Empty, |s| Cell::Text(format!("courses/{}", s.file))),
                question.source.as_ref().map_or(Cell::Empty, |s| Cell::Int(s.line as i64)),
                Cell::Int(f.asked as i64),
                figure(f.facility),
                figure(f.sd),
                figure(f.discrimination_index),
                figure(f.discriminative_efficiency),
                Cell::Text(flags.join("; ")),
                Cell::Text(options.join("; ")),
            ]
        })
        .collect();
    Report { summary, detail: Table { name: "Từng câu hỏi".into(), columns, rows } }
}

/// An option as a trainer reads it: its text, or `Đúng`/`Sai` for a true/false question's answers.
fn option_text(option: &OptionView) -> String {
    match (option.id.as_str(), &option.text) {
        (_, Some(text)) => text.clone(),
        ("true", None) => "Đúng".into(),
        ("false", None) => "Sai".into(),
        (id, None) => id.to_owned(),
    }
}

/// Both tables of `report` as one CSV: the summary, a blank line, the detail.
pub fn write_csv(report: &Report, out: impl Write) -> std::io::Result<()> {
    let mut out = out;
    out.write_all("\u{feff}".as_bytes())?;
    let mut writer =
        ::csv::WriterBuilder::new().flexible(true).terminator(::csv::Terminator::CRLF).from_writer(out);
    for (n, table) in [&report.summary, &report.detail].into_iter().enumerate() {
        if n > 0 {
            writer.write_record([""])?;
        }
        writer.write_record(&table.columns)?;
        for row in &table.rows {
            writer.write_record(row.iter().map(Cell::to_text))?;
        }
    }
    writer.flush()
}
