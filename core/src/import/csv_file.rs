//! Reading an import file: encoding, delimiter, header, one value per column,
//! each trimmed and NFC-normalised, with the line each row starts on.

use daotao_content::text::nfc;

use super::{RowError, both};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A data row, its values in the order of the columns asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The line of the file the row starts on (the header is line 1).
    pub line: u64,
    values: Vec<String>,
}

impl Row {
    /// The value of the `index`-th column asked for (trimmed, NFC; empty if blank).
    pub fn get(&self, index: usize) -> &str {
        &self.values[index]
    }
}

/// The rows of a file whose header is right, and the problems of rows that
/// could not be read (they are not among `rows`) or hold control characters.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub rows: Vec<Row>,
    pub problems: Vec<RowError>,
}

/// Reads `source` expecting exactly `columns` (in any order) in its header.
/// `Err` when the file as a whole cannot be used (not UTF-8, empty, wrong header).
pub fn read(source: &[u8], columns: &[&str]) -> Result<Table, Vec<RowError>> {
    let source = source.strip_prefix(BOM).unwrap_or(source);
    let text = std::str::from_utf8(source).map_err(|e| {
        let line = 1 + source[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() as u64;
        vec![RowError::new(
            line,
            None,
            both(
                "tệp không phải văn bản UTF-8, hãy lưu lại dưới dạng \"CSV UTF-8\"",
                "the file is not UTF-8 text: save it as \"CSV UTF-8\"",
            ),
        )]
    })?;
    let expected = columns.join(",");
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
    let delimiter = if !first_line.contains(',') && first_line.contains(';') { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut records = reader.records();

    let header = loop {
        match records.next() {
            None => {
                return Err(vec![RowError::new(
                    1,
                    None,
                    both(
                        &format!("tệp rỗng, dòng đầu phải là tiêu đề {expected}"),
                        &format!("the file is empty: the first line must be the header {expected}"),
                    ),
                )]);
            }
            Some(Err(e)) => return Err(vec![csv_error(&e)]),
            Some(Ok(record)) if record.iter().all(|v| v.trim().is_empty()) => continue,
            Some(Ok(record)) => break record,
        }
    };
    let header_line = line_of(text, &header);
    let names: Vec<String> = header.iter().map(|n| nfc(n.trim())).collect();
    let mut problems = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if !columns.contains(&name.as_str()) {
            problems.push(RowError::new(
                header_line,
                Some(name),
                both(
                    &format!("cột không được biết đến, tiêu đề phải là {expected}"),
                    &format!("unknown column: the header must be {expected}"),
                ),
            ));
        } else if names[..i].contains(name) {
            problems.push(RowError::new(header_line, Some(name), both("cột bị lặp", "column given twice")));
        }
    }
    let mut positions = Vec::with_capacity(columns.len());
    for column in columns {
        match names.iter().position(|n| n == column) {
            Some(p) => positions.push(p),
            None => problems.push(RowError::new(
                header_line,
                Some(column),
                both(
                    &format!("thiếu cột này, tiêu đề phải là {expected}"),
                    &format!("missing column: the header must be {expected}"),
                ),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut table = Table::default();
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                table.problems.push(csv_error(&e));
                continue;
            }
        };
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let line = line_of(text, &record);
        if record.len() != names.len() {
            table.problems.push(RowError::new(
                line,
                None,
                both(
                    &format!("có {} giá trị, cần {} (mỗi cột một giá trị)", record.len(), names.len()),
                    &format!("{} values, expected {} (one per column)", record.len(), names.len()),
                ),
            ));
            continue;
        }
        let values: Vec<String> = positions.iter().map(|&p| nfc(record[p].trim())).collect();
        for (column, value) in columns.iter().zip(&values) {
            if value.chars().any(char::is_control) {
                table.problems.push(RowError::new(
                    line,
                    Some(column),
                    both(
                        "chứa ký tự điều khiển (xuống dòng, tab...)",
                        "contains a control character (line break, tab...)",
                    ),
                ));
            }
        }
        table.rows.push(Row { line, values });
    }
    Ok(table)
}

/// The line a record starts on. The reader's own line count lags behind
/// after `\r\n` and blank lines, so it is counted from the byte offset,
/// past the line breaks the reader had not consumed yet.
fn line_of(text: &str, record: &csv::StringRecord) -> u64 {
    let start = record.position().map_or(0, |p| p.byte() as usize);
    let bytes = text.as_bytes();
    let mut at = start.min(bytes.len());
    while at < bytes.len() && (bytes[at] == b'\r' || bytes[at] == b'\n') {
        at += 1;
    }
    1 + bytes[..at].iter().filter(|&&b| b == b'\n').count() as u64
}

fn csv_error(e: &csv::Error) -> RowError {
    let line = e.position().map_or(0, csv::Position::line);
    RowError::new(line, None, both("không đọc được dòng này", &format!("cannot read this line: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[&str] = &["code", "name", "parent_code"];

    fn values(table: &Table) -> Vec<(u64, Vec<&str>)> {
        table.rows.iter().map(|r| (r.line, (0..COLUMNS.len()).map(|i| r.get(i)).collect())).collect()
    }

    #[test]
    fn header_in_any_order_bom_blank_rows_and_quoted_line_breaks() {
        let source =
            "\u{FEFF}name, parent_code ,code\r\n\"Sở\nNội vụ\",TINH,SO-NV\r\n,,\r\n\r\n  Tỉnh Mẫu ,,TINH\r\n";
        let table = read(source.as_bytes(), COLUMNS).unwrap();
        assert_eq!(
            values(&table),
            vec![(2, vec!["SO-NV", "Sở\nNội vụ", "TINH"]), (6, vec!["TINH", "Tỉnh Mẫu", ""])]
        );
        assert_eq!(table.problems.len(), 1);
        assert_eq!(
            table.problems[0].to_string().split(" / ").next().unwrap(),
            "line 2, column name: chứa ký tự điều khiển (xuống dòng, tab...)"
        );
    }

    #[test]
    fn semicolons_when_the_header_has_no_comma() {
        let table = read("code;name;parent_code\nA;Một, hai;\n".as_bytes(), COLUMNS).unwrap();
        assert_eq!(values(&table), vec![(2, vec!["A", "Một, hai", ""])]);
    }

    #[test]
    fn header_problems_are_all_reported() {
        let problems = read(b"code,ten,code\nA,B,C\n", COLUMNS).unwrap_err();
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(text.len(), 4, "{text:?}");
        assert!(text[0].starts_with("line 1, column ten: cột không được biết đến"), "{text:?}");
        assert!(text[1].starts_with("line 1, column code: cột bị lặp"), "{text:?}");
        assert!(text[2].starts_with("line 1, column name: thiếu cột"), "{text:?}");
        assert!(text[3].starts_with("line 1, column parent_code: thiếu cột"), "{text:?}");
    }

    #[test]
    fn wrong_number_of_values_encoding_and_empty_files() {
        let table = read(b"code,name,parent_code\nA,B\nC,D,\n", COLUMNS).unwrap();
        assert_eq!(values(&table), vec![(3, vec!["C", "D", ""])]);
        assert!(table.problems[0].to_string().starts_with("line 2: có 2 giá trị, cần 3"));
        let problems = read(b"code,name,parent_code\nA,\xC0\xE9,\n", COLUMNS).unwrap_err();
        assert!(problems[0].to_string().starts_with("line 2: tệp không phải văn bản UTF-8"), "{problems:?}");
        for empty in [&b""[..], b"\xEF\xBB\xBF", b"\n\n ,\n"] {
            let problems = read(empty, COLUMNS).unwrap_err();
            assert!(problems[0].to_string().starts_with("line 1: tệp rỗng"), "{problems:?}");
        }
    }
}
