//! A report as an Excel workbook: the per-unit summary sheet and the per-learner detail sheet, each with a
//! styled, frozen header row, an autofilter, column widths fitted to their contents, shares as numbers formatted
//! as percentages and dates as dates.
//!
//! Sheets are written in rust_xlsxwriter's "low memory" mode: each row goes to a temporary file as soon as
//! the next one starts (only the shared strings stay in memory), so a sheet of a province's 300,000
//! enrollments does not hold a second copy of the report in memory.

use std::path::Path;

use chrono::Datelike;
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError};

use super::{Cell, Report, Table};

/// Widest column, in characters.
const MAX_WIDTH: usize = 50;

/// Writes `report` to `path`.
pub fn write(report: &Report, path: &Path) -> Result<(), XlsxError> {
    let mut workbook = Workbook::new();
    // Deflate level 3 instead of 6: a province's detail sheet is tens of megabytes of XML, and the lower
    // level writes it markedly faster for a somewhat larger file.
    workbook.set_zip_compression_level(3);
    for table in [&report.summary, &report.detail] {
        let sheet = workbook.add_worksheet_with_low_memory()?;
        sheet_from(table, sheet)?;
    }
    workbook.save(path)
}

/// The width of a cell's CSV text ([`Cell::to_text`]) in characters, without building the text for the
/// common cells.
fn text_width(cell: &Cell) -> usize {
    match cell {
        Cell::Text(s) => s.chars().count(),
        Cell::Empty => 0,
        other => other.to_text().chars().count(),
    }
}

fn sheet_from(table: &Table, sheet: &mut Worksheet) -> Result<(), XlsxError> {
    // Excel limits sheet names to 31 characters.
    sheet.set_name(table.name.chars().take(31).collect::<String>())?;
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_font_color(Color::White)
        .set_background_color(Color::RGB(0x1E3A8A))
        .set_border(FormatBorder::Thin);
    let percent = Format::new().set_num_format("0.0%");
    let score = Format::new().set_num_format("0.00");
    let date = Format::new().set_num_format("dd/mm/yyyy");
    // Widths first: in low memory mode a row can no longer be changed once the next one is written.
    let mut widths: Vec<usize> = table.columns.iter().map(|c| c.chars().count().min(24)).collect();
    for row in &table.rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(text_width(cell));
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, (*w).clamp(8, MAX_WIDTH) as f64 + 2.0)?;
    }
    for (col, name) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, name, &header)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            match cell {
                Cell::Text(s) => {
                    sheet.write_string(r, col, s)?;
                }
                Cell::Int(n) => {
                    sheet.write_number(r, col, *n as f64)?;
                }
                Cell::Percent(p) => {
                    sheet.write_number_with_format(r, col, *p, &percent)?;
                }
                Cell::Score(s) => {
                    sheet.write_number_with_format(r, col, *s, &score)?;
                }
                Cell::Date(d) => {
                    let value = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    sheet.write_date_with_format(r, col, &value, &date)?;
                }
                Cell::Empty => {}
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    if !table.columns.is_empty() {
        sheet.autofilter(0, 0, table.rows.len() as u32, table.columns.len() as u16 - 1)?;
    }
    Ok(())
}
