//! A table as CSV that Excel opens right: UTF-8 with a byte-order mark (without it Excel reads Vietnamese as
//! mojibake), one header row, CRLF line ends, columns in the report's fixed order.

use std::io::Write;

use super::Table;

/// Writes `table` as CSV to `out`.
pub fn write(table: &Table, out: impl Write) -> std::io::Result<()> {
    let mut out = out;
    out.write_all("\u{feff}".as_bytes())?;
    let mut writer = ::csv::WriterBuilder::new().terminator(::csv::Terminator::CRLF).from_writer(out);
    writer.write_record(&table.columns)?;
    for row in &table.rows {
        writer.write_record(row.iter().map(|c| c.to_text()))?;
    }
    writer.flush()
}
