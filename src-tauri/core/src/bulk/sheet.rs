//! Spreadsheets as partner staff really save them: `.xlsx` (read with calamine, written with
//! rust_xlsxwriter) and CSV as Excel writes it — UTF-8 with or without a BOM, `,` `;` or tab as
//! the separator (detected, or named by Excel's `sep=` line), quoted cells with line breaks, CRLF.
//! Everything is text here; what a cell means is the caller's business.

use crate::error::{Error, ErrorCode, Result};
use calamine::{Data, Reader};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// The sheet's file type, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn of(path: &Path) -> Result<Format> {
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
        match extension.as_str() {
            "csv" | "txt" | "tsv" => Ok(Format::Csv),
            "xlsx" | "xlsm" => Ok(Format::Xlsx),
            _ => Err(Error::new(
                ErrorCode::InvalidInput,
                format!(
                    "\"{}\" is not a spreadsheet Switchboard reads: use an Excel workbook (.xlsx) or a CSV file (.csv).",
                    path.display()
                ),
            )),
        }
    }
}

/// One row of a sheet: its number as the spreadsheet shows it (the header is row 1) and its
/// cells as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetRow {
    pub number: u32,
    pub cells: Vec<String>,
}

/// A sheet's rows, header first, read as they are needed (CSV) or from the workbook's first
/// sheet (xlsx, which calamine reads whole).
pub struct SheetReader {
    rows: Box<dyn Iterator<Item = Result<SheetRow>> + Send>,
}

impl Iterator for SheetReader {
    type Item = Result<SheetRow>;
    fn next(&mut self) -> Option<Self::Item> {
        self.rows.next()
    }
}

/// Opens a sheet for reading.
pub fn open(path: &Path) -> Result<SheetReader> {
    let file = std::fs::File::open(path).map_err(|e| unreadable(path, &e.to_string()))?;
    match Format::of(path)? {
        Format::Csv => csv_rows(file),
        Format::Xlsx => xlsx_rows(path),
    }
}

fn unreadable(path: &Path, why: &str) -> Error {
    Error::new(ErrorCode::InvalidInput, format!("\"{}\" can't be read: {why}", path.display()))
}

/// Reads CSV text from `input`: the separator is detected from the first line.
pub fn csv_rows(input: impl Read + Send + 'static) -> Result<SheetReader> {
    let mut input = BufReader::with_capacity(64 * 1024, input);
    let start = input.fill_buf().map_err(|e| bad_csv(&e.to_string()))?;
    let bom = start.starts_with(b"\xEF\xBB\xBF");
    if bom {
        input.consume(3);
    }
    let start = input.fill_buf().map_err(|e| bad_csv(&e.to_string()))?;
    if start.starts_with(b"\xFF\xFE") || start.starts_with(b"\xFE\xFF") {
        return Err(bad_csv("it is saved as UTF-16. In Excel, save it as \"CSV UTF-8 (Comma delimited)\"."));
    }
    let first_line = start.split(|b| *b == b'\n').next().unwrap_or_default();
    let (separator, skip_hint) = match sep_hint(first_line) {
        Some(separator) => (separator, true),
        None => (detect_separator(first_line), false),
    };
    if skip_hint {
        let mut hint = Vec::new();
        input.read_until(b'\n', &mut hint).map_err(|e| bad_csv(&e.to_string()))?;
    }
    let reader = csv::ReaderBuilder::new().delimiter(separator).has_headers(false).flexible(true).from_reader(input);
    let first_number = if skip_hint { 2 } else { 1 };
    let rows = reader.into_byte_records().enumerate().map(move |(index, record)| {
        let number = first_number + index as u32;
        let record = record.map_err(|e| bad_csv(&format!("row {number}: {e}")))?;
        let cells = record
            .iter()
            .enumerate()
            .map(|(column, cell)| {
                String::from_utf8(cell.to_vec()).map_err(|_| {
                    bad_csv(&format!(
                        "row {number}, column {} is not UTF-8 text. In Excel, save the file as \"CSV UTF-8 (Comma delimited)\".",
                        column + 1
                    ))
                })
            })
            .collect::<Result<Vec<String>>>()?;
        Ok(SheetRow { number, cells })
    });
    Ok(SheetReader { rows: Box::new(rows) })
}

fn bad_csv(why: &str) -> Error {
    Error::new(ErrorCode::InvalidInput, format!("The CSV file can't be read: {why}"))
}

/// Excel's `sep=;` first line, which names the separator.
fn sep_hint(line: &[u8]) -> Option<u8> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    match line {
        [b's', b'e', b'p', b'=', separator] => Some(*separator),
        _ => None,
    }
}

/// The separator the header line uses most, outside quotes: `,` `;` or tab (`,` if none).
fn detect_separator(line: &[u8]) -> u8 {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for byte in line {
        if *byte == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(count) = counts.iter_mut().find(|(separator, _)| separator == byte) {
                count.1 += 1;
            }
        }
    }
    // The first of the most used wins, so a tie keeps the comma.
    counts.iter().fold((b',', 0), |best, &(separator, count)| if count > best.1 { (separator, count) } else { best }).0
}

fn xlsx_rows(path: &Path) -> Result<SheetReader> {
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook(path).map_err(|e: calamine::XlsxError| unreadable(path, &e.to_string()))?;
    let range = match workbook.worksheet_range_at(0) {
        Some(range) => range.map_err(|e| unreadable(path, &e.to_string()))?,
        None => return Err(unreadable(path, "the workbook has no sheet.")),
    };
    // The range starts at the first cell in use; rows are numbered as Excel shows them.
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let rows: Vec<Result<SheetRow>> = range
        .rows()
        .enumerate()
        .map(|(index, cells)| {
            let number = first_row + index as u32 + 1;
            let mut text = vec![String::new(); first_column as usize];
            for (column, cell) in cells.iter().enumerate() {
                text.push(cell_text(cell).map_err(|why| {
                    Error::new(
                        ErrorCode::InvalidInput,
                        format!("Row {number}, column {}: {why}", first_column as usize + column + 1),
                    )
                })?);
            }
            Ok(SheetRow { number, cells: text })
        })
        .collect();
    Ok(SheetReader { rows: Box::new(rows.into_iter()) })
}

/// A cell as the text a person typed: whole numbers without `.0` (a postal code Excel stored as
/// a number), dates as `YYYY-MM-DDTHH:MM:SSZ`.
fn cell_text(cell: &Data) -> std::result::Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.clone(),
        Data::Int(number) => number.to_string(),
        Data::Float(number) if number.fract() == 0.0 && number.abs() < 1e15 => format!("{}", *number as i64),
        Data::Float(number) => number.to_string(),
        Data::Bool(value) => value.to_string(),
        Data::DateTime(date) => excel_date(date.as_f64()).ok_or("the date is out of range.")?,
        Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Error(error) => return Err(format!("the cell holds an Excel error ({error}).")),
    })
}

/// An Excel serial date (days since 1899-12-30, the fraction the time of day) as UTC text.
fn excel_date(serial: f64) -> Option<String> {
    let epoch = time::macros::datetime!(1899-12-30 00:00:00 UTC);
    let seconds = (serial * 86_400.0).round();
    if !seconds.is_finite() || seconds.abs() > 1e12 {
        return None;
    }
    let at = epoch.checked_add(time::Duration::seconds(seconds as i64))?;
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    at.format(&format).ok()
}

/// A sheet to save: a header and rows, and for a workbook, notes on a second sheet.
pub struct SheetOut<'a> {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Lines for a "Read me" sheet (xlsx only).
    pub notes: &'a [String],
}

/// Saves `sheet` to `path` (CSV or xlsx, by its name), written whole to a temporary file beside
/// it first so a failure never leaves half a file.
pub fn save(path: &Path, sheet: &SheetOut<'_>) -> Result<()> {
    let bytes = match Format::of(path)? {
        Format::Csv => csv_bytes(sheet)?,
        Format::Xlsx => xlsx_bytes(sheet)?,
    };
    crate::files::write_atomically(path, &bytes)
        .map_err(|e| Error::new(ErrorCode::InvalidInput, format!("\"{}\" could not be saved: {e}", path.display())))
}

/// CSV as Excel's "CSV UTF-8" writes it: a BOM, commas, CRLF; every cell quoted, so a `;` or a
/// tab in a heading can't make a reader (ours included) take it for the separator.
pub(crate) fn csv_bytes(sheet: &SheetOut<'_>) -> Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Always)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let failed = |e: csv::Error| Error::internal(format!("The CSV could not be written: {e}"));
    writer.write_record(&sheet.header).map_err(failed)?;
    for row in &sheet.rows {
        writer.write_record(row).map_err(failed)?;
    }
    writer.into_inner().map_err(|e| Error::internal(format!("The CSV could not be written: {e}")))
}

fn xlsx_bytes(sheet: &SheetOut<'_>) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format as CellFormat, Workbook};
    let failed = |e: rust_xlsxwriter::XlsxError| Error::internal(format!("The workbook could not be written: {e}"));
    let mut workbook = Workbook::new();
    let bold = CellFormat::new().set_bold();
    // Text cells throughout, so Excel keeps ids and postal codes as typed.
    let text = CellFormat::new().set_num_format("@");
    let worksheet = workbook.add_worksheet();
    worksheet.set_name("Changes").map_err(failed)?;
    for (column, title) in sheet.header.iter().enumerate() {
        let column = column as u16;
        worksheet.write_string_with_format(0, column, title, &bold).map_err(failed)?;
        worksheet.set_column_format(column, &text).map_err(failed)?;
        worksheet.set_column_width(column, (title.len() + 4).clamp(14, 40) as f64).map_err(failed)?;
    }
    for (index, row) in sheet.rows.iter().enumerate() {
        for (column, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                worksheet.write_string(index as u32 + 1, column as u16, cell).map_err(failed)?;
            }
        }
    }
    worksheet.set_freeze_panes(1, 0).map_err(failed)?;
    if !sheet.notes.is_empty() {
        let notes = workbook.add_worksheet();
        notes.set_name("Read me").map_err(failed)?;
        notes.set_column_width(0, 110).map_err(failed)?;
        for (row, line) in sheet.notes.iter().enumerate() {
            notes.write_string(row as u32, 0, line).map_err(failed)?;
        }
    }
    workbook.save_to_buffer().map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &[u8]) -> Vec<SheetRow> {
        csv_rows(std::io::Cursor::new(text.to_vec())).unwrap().collect::<Result<Vec<_>>>().unwrap()
    }

    #[test]
    fn csv_as_excel_writes_it_with_a_bom_semicolons_crlf_and_quoted_line_breaks() {
        let text = "\u{feff}user;address\r\nu1;\"1 Main Street\r\nFloor 2\"\r\nu2;\"Say \"\"hi\"\"; ok\"\r\n";
        let read = rows(text.as_bytes());
        assert_eq!(read.len(), 3);
        assert_eq!(read[0].cells, ["user", "address"]);
        assert_eq!(read[1].cells, ["u1", "1 Main Street\r\nFloor 2"]);
        assert_eq!(read[2], SheetRow { number: 3, cells: vec!["u2".into(), "Say \"hi\"; ok".into()] });
    }

    #[test]
    fn the_separator_is_detected_or_named_by_a_sep_line() {
        assert_eq!(rows(b"user,city\nu1,Oslo\n")[1].cells, ["u1", "Oslo"]);
        assert_eq!(rows(b"user\tcity\nu1\tOslo\n")[1].cells, ["u1", "Oslo"]);
        assert_eq!(rows(b"user;city\nu1;Oslo, Norway\n")[1].cells, ["u1", "Oslo, Norway"]);
        // A comma inside quotes in the header does not count.
        assert_eq!(rows(b"\"a,b\";c\n1;2\n")[0].cells, ["a,b", "c"]);
        let hinted = rows(b"sep=;\r\nuser;city\r\nu1;Oslo\r\n");
        assert_eq!(hinted[0], SheetRow { number: 2, cells: vec!["user".into(), "city".into()] });
        assert_eq!(hinted[1].number, 3);
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_with_the_way_to_fix_it() {
        let latin1 = b"user,city\nu1,M\xfcnchen\n";
        let error = csv_rows(std::io::Cursor::new(latin1.to_vec())).unwrap().nth(1).unwrap().unwrap_err();
        assert!(error.message.contains("row 2, column 2 is not UTF-8"), "{}", error.message);
        assert!(error.message.contains("CSV UTF-8"), "{}", error.message);
        let utf16 = csv_rows(std::io::Cursor::new(b"\xFF\xFEu\0".to_vec())).err().unwrap();
        assert!(utf16.message.contains("UTF-16"), "{}", utf16.message);
    }

    #[test]
    fn a_saved_sheet_reads_back_the_same_as_csv_and_as_xlsx() {
        let dir = tempfile::tempdir().unwrap();
        let sheet = SheetOut {
            header: vec!["user".into(), "city".into(), "note".into()],
            rows: vec![
                vec!["u1".into(), "Oslo".into(), "line one\nline two".into()],
                vec!["u2".into(), "".into(), "a, \"quoted\"; text".into()],
            ],
            notes: &["How to fill this in".to_string()],
        };
        for name in ["out.csv", "out.xlsx"] {
            let path = dir.path().join(name);
            save(&path, &sheet).unwrap();
            let read: Vec<SheetRow> = open(&path).unwrap().collect::<Result<_>>().unwrap();
            assert_eq!(read[0].cells, sheet.header, "{name}");
            assert_eq!(read[1].cells, sheet.rows[0], "{name}");
            // xlsx leaves empty cells unwritten; the row still has the later cells in place.
            assert_eq!(read[2].cells, sheet.rows[1], "{name}");
            assert_eq!(read[2].number, 3);
        }
    }

    #[test]
    fn numbers_and_dates_from_excel_read_as_people_typed_them() {
        assert_eq!(cell_text(&Data::Float(98052.0)).unwrap(), "98052");
        assert_eq!(cell_text(&Data::Float(1.5)).unwrap(), "1.5");
        assert_eq!(cell_text(&Data::Bool(true)).unwrap(), "true");
        assert_eq!(excel_date(45_992.5).unwrap(), "2025-12-01T12:00:00Z");
        assert!(cell_text(&Data::Error(calamine::CellErrorType::NA)).unwrap_err().contains("Excel error"));
    }

    #[test]
    fn only_spreadsheet_names_are_taken() {
        assert_eq!(Format::of(Path::new("a.CSV")).unwrap(), Format::Csv);
        assert_eq!(Format::of(Path::new("a.xlsx")).unwrap(), Format::Xlsx);
        assert!(Format::of(Path::new("a.xls")).unwrap_err().message.contains(".xlsx"));
    }
}
