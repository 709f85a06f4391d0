//! Pure parsers for the official files: they take bytes or text and return
//! values, with no I/O. Every error says which file, row (1-based line in the
//! file, header = 1) and column (header name) it is about.

use std::fmt::Write as _;

/// A problem found while reading one of the official files.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}{}: {message}", location(.row, .column))]
pub struct ParseError {
    pub file: String,
    /// 1-based line number in the file; the header is line 1.
    pub row: Option<usize>,
    /// Header name of the column.
    pub column: Option<String>,
    pub message: String,
}

fn location(row: &Option<usize>, column: &Option<String>) -> String {
    let mut out = String::new();
    if let Some(row) = row {
        let _ = write!(out, ", row {row}");
    }
    if let Some(column) = column {
        let _ = write!(out, ", column \"{column}\"");
    }
    out
}

impl ParseError {
    fn new(file: &str, message: impl Into<String>) -> Self {
        Self {
            file: file.to_owned(),
            row: None,
            column: None,
            message: message.into(),
        }
    }

    fn at_row(mut self, line: usize) -> Self {
        self.row = Some(line);
        self
    }

    fn in_column(mut self, header: &str) -> Self {
        self.column = Some(header.to_owned());
        self
    }
}

/// How numbers are written in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberFormat {
    /// Welfare TSVs: `0,078`, `26073`; no thousands separator.
    DecimalComma,
    /// Population CSVs: `27.652`, `1.500.877`, `482`; integers only.
    ThousandsDot,
}

/// Parses one cell. Empty or whitespace-only means "not reported": `Ok(None)`,
/// never zero. Surrounding whitespace is ignored (`"4 "` is 4).
///
/// - `DecimalComma`: optional sign, digits, optional `,` and digits. A `.` is
///   an error (it would be ambiguous with a thousands separator).
/// - `ThousandsDot`: optional sign, then digits grouped by `.` in threes
///   (`27.652`, `482`). `27.65`, `27,652`, `0.078` and ungrouped `27652` are
///   errors: each means the file is not in the format we think it is.
///
/// The error is a message saying what was found and what was expected.
pub fn parse_number(cell: &str, format: NumberFormat) -> Result<Option<f64>, String> {
    let trimmed = cell.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let (sign, body) = match trimmed.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let normalized = match format {
        NumberFormat::DecimalComma => {
            let (int, frac) = match body.split_once(',') {
                Some((int, frac)) => (int, Some(frac)),
                None => (body, None),
            };
            if !all_digits(int) || frac.is_some_and(|f| !all_digits(f)) {
                return Err(not_a_number(cell, format));
            }
            match frac {
                Some(frac) => format!("{sign}{int}.{frac}"),
                None => format!("{sign}{int}"),
            }
        }
        NumberFormat::ThousandsDot => {
            let mut groups = body.split('.');
            let first = groups.next().unwrap_or_default();
            let rest: Vec<&str> = groups.collect();
            let first_ok = all_digits(first)
                && first.len() <= 3
                // "0.078" must not silently become 78.
                && (rest.is_empty() || !first.starts_with('0'));
            if !first_ok || rest.iter().any(|g| g.len() != 3 || !all_digits(g)) {
                return Err(not_a_number(cell, format));
            }
            format!("{sign}{first}{}", rest.concat())
        }
    };
    normalized
        .parse::<f64>()
        .map(Some)
        .map_err(|_| not_a_number(cell, format))
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn not_a_number(cell: &str, format: NumberFormat) -> String {
    match format {
        NumberFormat::DecimalComma => {
            format!("{cell:?} is not a number (expected decimal comma, e.g. 0,078)")
        }
        NumberFormat::ThousandsDot => format!(
            "{cell:?} is not a number (expected a whole number with \".\" between groups of three digits, e.g. 27.652 or 482)"
        ),
    }
}

/// Character encoding of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// ISO-8859-1, decoded as windows-1252 (its WHATWG superset).
    Latin1,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes a whole file. UTF-8: a leading BOM is stripped; invalid UTF-8 is an
/// error naming the byte offset (and line). Latin-1 cannot fail, except that a
/// file starting with a UTF-8 BOM is refused: it is UTF-8, and decoding it as
/// Latin-1 would silently garble every accented letter.
pub fn decode(bytes: &[u8], encoding: TextEncoding, file: &str) -> Result<String, ParseError> {
    match encoding {
        TextEncoding::Utf8 => {
            let (body, skipped) = match bytes.strip_prefix(UTF8_BOM) {
                Some(body) => (body, UTF8_BOM.len()),
                None => (bytes, 0),
            };
            std::str::from_utf8(body).map(str::to_owned).map_err(|e| {
                let offset = skipped + e.valid_up_to();
                let before = bytes.get(..offset).unwrap_or(bytes);
                let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
                let found = match (e.error_len(), bytes.get(offset)) {
                    (Some(_), Some(byte)) => format!("byte 0x{byte:02X}"),
                    _ => "a truncated character at the end of the file".to_owned(),
                };
                ParseError::new(
                    file,
                    format!(
                        "invalid UTF-8 at byte offset {offset}: {found} (is the file Latin-1?)"
                    ),
                )
                .at_row(line)
            })
        }
        TextEncoding::Latin1 => {
            if bytes.starts_with(UTF8_BOM) {
                return Err(ParseError::new(
                    file,
                    "starts with a UTF-8 byte-order mark, so it is UTF-8, not Latin-1",
                )
                .at_row(1));
            }
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            Ok(text.into_owned())
        }
    }
}

/// A delimited table with one header row.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub file: String,
    /// 1-based line of the header row (1 unless the file starts with blank lines).
    pub header_line: usize,
    /// Header cells, trimmed.
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// One data row. `cells` has exactly one entry per header; cells are kept as
/// published (untrimmed), and cells missing at the end of a short row are "".
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based line in the file.
    pub line: usize,
    pub cells: Vec<String>,
}

/// Reads a delimited table whose first non-blank line is the header. Short
/// rows are padded with "" to the header width; a row longer than the header
/// is an error. Lines whose cells are all blank (including `;;;;` spreadsheet
/// leftovers) are skipped. CRLF and a leading BOM are handled. Quotes are
/// ordinary characters: the official files have none, and treating `"` as
/// quoting could swallow delimiters and newlines unnoticed.
pub fn read_table(text: &str, delimiter: u8, file: &str) -> Result<Table, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .quoting(false)
        .from_reader(text.as_bytes());

    // csv's record position is where the previous record ended, before the
    // `\n` of a CRLF and any blank lines it skipped; so lines are counted here.
    let mut lines = LineCounter::new(text);
    let mut header: Option<(usize, Vec<String>)> = None;
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let mut err = ParseError::new(file, e.to_string());
                if let Some(pos) = e.position() {
                    err = err.at_row(lines.line_at(pos.byte()));
                }
                return Err(err);
            }
        }
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let line = record.position().map_or(0, |pos| lines.line_at(pos.byte()));
        match &header {
            None => {
                let headers = record.iter().map(|h| h.trim().to_owned()).collect();
                header = Some((line, headers));
            }
            Some((_, headers)) => {
                if record.len() > headers.len() {
                    return Err(ParseError::new(
                        file,
                        format!(
                            "this row has {} cells but the header has {}",
                            record.len(),
                            headers.len()
                        ),
                    )
                    .at_row(line));
                }
                let mut cells: Vec<String> = record.iter().map(str::to_owned).collect();
                cells.resize(headers.len(), String::new());
                rows.push(Row { line, cells });
            }
        }
    }
    let Some((header_line, headers)) = header else {
        return Err(ParseError::new(file, "the file is empty: no header row"));
    };
    Ok(Table {
        file: file.to_owned(),
        header_line,
        headers,
        rows,
    })
}

/// 1-based line of a byte offset; offsets must not decrease between calls.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            bytes: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// Line of the first non-terminator byte at or after `byte`.
    fn line_at(&mut self, byte: u64) -> usize {
        let mut target =
            usize::try_from(byte).map_or(self.bytes.len(), |b| b.min(self.bytes.len()));
        while matches!(self.bytes.get(target), Some(b'\r' | b'\n')) {
            target += 1;
        }
        if target > self.offset {
            let skipped = self.bytes.get(self.offset..target).unwrap_or_default();
            self.line += skipped.iter().filter(|&&b| b == b'\n').count();
            self.offset = target;
        }
        self.line
    }
}

impl Table {
    /// Index of a header (exact match after trimming). Missing or ambiguous
    /// (repeated) headers are errors naming the file and the column.
    pub fn column(&self, header: &str) -> Result<usize, ParseError> {
        let wanted = header.trim();
        let mut found = self
            .headers
            .iter()
            .enumerate()
            .filter(|(_, h)| h.as_str() == wanted)
            .map(|(i, _)| i);
        let err = |message: String| {
            ParseError::new(&self.file, message)
                .at_row(self.header_line)
                .in_column(wanted)
        };
        match (found.next(), found.next()) {
            (Some(index), None) => Ok(index),
            (Some(_), Some(_)) => Err(err(
                "this column appears more than once in the header".into()
            )),
            (None, _) => Err(err(format!(
                "no such column; the header has: {}",
                self.headers
                    .iter()
                    .map(|h| format!("{h:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }

    /// Parses cell (`row`, `col`) as a number; `Ok(None)` means not reported.
    pub fn number(
        &self,
        row: &Row,
        col: usize,
        format: NumberFormat,
    ) -> Result<Option<f64>, ParseError> {
        let Some(header) = self.headers.get(col) else {
            return Err(ParseError::new(
                &self.file,
                format!(
                    "column index {col} is out of range: the header has {} columns",
                    self.headers.len()
                ),
            )
            .at_row(row.line));
        };
        let cell = row.cells.get(col).map_or("", String::as_str);
        parse_number(cell, format).map_err(|message| {
            ParseError::new(&self.file, message)
                .at_row(row.line)
                .in_column(header)
        })
    }
}

/// What a row of the population files (PopRes*.csv) is about.
#[derive(Debug, Clone, PartialEq)]
pub enum PopulationArea {
    /// `2. Navile`
    Quartiere { number: u8, name: String },
    /// `     21. Bolognina`. `implied` zone are not in the file: quartieri 1
    /// and 5 are a single zona each (11 and 51), with the quartiere's name and
    /// values.
    Zona {
        number: u8,
        name: String,
        quartiere: u8,
        implied: bool,
    },
    /// `ZZ. Senza fissa dimora`: residents with no fixed abode, not an area.
    NoFixedAbode,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PopulationRow {
    /// 1-based line in the file (an implied zona has its quartiere's line).
    pub line: usize,
    pub area: PopulationArea,
    /// (year, residents) in column order; `None` = not reported.
    pub values: Vec<(i32, Option<f64>)>,
}

/// Quartieri made of one zona only (numbered `quartiere * 10 + 1`); the files
/// list no zona rows for them.
const SINGLE_ZONA_QUARTIERI: [u8; 2] = [1, 5];

enum Label<'a> {
    Quartiere(u8, &'a str),
    Zona(u8, &'a str),
    NoFixedAbode,
}

fn classify(label: &str) -> Option<Label<'_>> {
    let (head, name) = label.trim().split_once('.')?;
    let (head, name) = (head.trim(), name.trim());
    if head == "ZZ" {
        return Some(Label::NoFixedAbode);
    }
    if name.is_empty() || !all_digits(head) {
        return None;
    }
    // Digit count, not indentation, tells quartiere from zona.
    let number = head.parse().ok()?;
    match head.len() {
        1 => Some(Label::Quartiere(number, name)),
        2 => Some(Label::Zona(number, name)),
        _ => None,
    }
}

/// A header's year: it must start with 4 digits, optionally followed by a
/// note (`1991 (a)`).
fn header_year(header: &str) -> Option<i32> {
    let (digits, note) = (header.get(..4)?, header.get(4..)?);
    if !all_digits(digits) || note.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

struct OpenQuartiere {
    number: u8,
    name: String,
    line: usize,
    values: Vec<(i32, Option<f64>)>,
    zone: usize,
}

/// Parses a whole population file (already decoded; `;` separated): first
/// column a label, then one column per year. Columns with an empty header are
/// skipped (their cells must be empty too). Returns quartieri, zone (including
/// the implied zone 11 and 51, right after their quartiere) and the
/// no-fixed-abode row, in file order. A zona must belong to the quartiere
/// above it (first digit); quartiere and zona numbers must not repeat.
pub fn parse_population(text: &str, file: &str) -> Result<Vec<PopulationRow>, ParseError> {
    let table = read_table(text, b';', file)?;
    let label_header = table.headers.first().map_or("", String::as_str);

    let mut years: Vec<(usize, i32)> = Vec::new();
    let mut unnamed: Vec<usize> = Vec::new();
    for (col, header) in table.headers.iter().enumerate().skip(1) {
        if header.is_empty() {
            unnamed.push(col);
            continue;
        }
        let header_err = |message: String| {
            ParseError::new(file, message)
                .at_row(table.header_line)
                .in_column(header)
        };
        let year = header_year(header).ok_or_else(|| {
            header_err(format!(
                "header {header:?} is not a year (expected e.g. 1991 or \"1991 (a)\")"
            ))
        })?;
        if years.iter().any(|&(_, y)| y == year) {
            return Err(header_err(format!(
                "year {year} appears twice in the header"
            )));
        }
        years.push((col, year));
    }
    if years.is_empty() {
        return Err(
            ParseError::new(file, "the header has no year columns").at_row(table.header_line)
        );
    }

    let mut out: Vec<PopulationRow> = Vec::new();
    let mut open: Option<OpenQuartiere> = None;
    let mut quartieri_seen: Vec<u8> = Vec::new();
    let mut zone_seen: Vec<u8> = Vec::new();
    let mut no_fixed_abode_seen = false;

    for row in &table.rows {
        let row_err = |message: String| {
            ParseError::new(file, message)
                .at_row(row.line)
                .in_column(label_header)
        };
        let label = row.cells.first().map_or("", String::as_str);
        let Some(kind) = classify(label) else {
            return Err(row_err(format!(
                "{label:?} is not a quartiere, zona or no-fixed-abode label (expected e.g. \"2. Navile\", \"     21. Bolognina\" or \"ZZ. Senza fissa dimora\")"
            )));
        };

        for &col in &unnamed {
            let cell = row.cells.get(col).map_or("", String::as_str);
            if !cell.trim().is_empty() {
                return Err(ParseError::new(
                    file,
                    format!(
                        "column {} has no header, but this row has {cell:?} in it",
                        col + 1
                    ),
                )
                .at_row(row.line));
            }
        }
        let values = years
            .iter()
            .map(|&(col, year)| {
                table
                    .number(row, col, NumberFormat::ThousandsDot)
                    .map(|v| (year, v))
            })
            .collect::<Result<Vec<_>, _>>()?;

        let area = match kind {
            Label::NoFixedAbode => {
                close_quartiere(open.take(), &mut out, &mut zone_seen, file)?;
                if no_fixed_abode_seen {
                    return Err(row_err("a second no-fixed-abode (ZZ) row".into()));
                }
                no_fixed_abode_seen = true;
                PopulationArea::NoFixedAbode
            }
            Label::Quartiere(number, name) => {
                close_quartiere(open.take(), &mut out, &mut zone_seen, file)?;
                if !(1..=9).contains(&number) {
                    return Err(row_err(format!(
                        "quartiere {number} is not between 1 and 9"
                    )));
                }
                if quartieri_seen.contains(&number) {
                    return Err(row_err(format!("quartiere {number} appears twice")));
                }
                quartieri_seen.push(number);
                open = Some(OpenQuartiere {
                    number,
                    name: name.to_owned(),
                    line: row.line,
                    values: values.clone(),
                    zone: 0,
                });
                PopulationArea::Quartiere {
                    number,
                    name: name.to_owned(),
                }
            }
            Label::Zona(number, name) => {
                let Some(quartiere) = open.as_mut() else {
                    return Err(row_err(format!(
                        "zona {number} is not under a quartiere row"
                    )));
                };
                if number / 10 != quartiere.number {
                    return Err(row_err(format!(
                        "zona {number} belongs to quartiere {} (its first digit), but it is listed under quartiere {} ({})",
                        number / 10,
                        quartiere.number,
                        quartiere.name
                    )));
                }
                if zone_seen.contains(&number) {
                    return Err(row_err(format!("zona {number} appears twice")));
                }
                zone_seen.push(number);
                quartiere.zone += 1;
                PopulationArea::Zona {
                    number,
                    name: name.to_owned(),
                    quartiere: quartiere.number,
                    implied: false,
                }
            }
        };
        out.push(PopulationRow {
            line: row.line,
            area,
            values,
        });
    }
    close_quartiere(open, &mut out, &mut zone_seen, file)?;
    Ok(out)
}

/// Ends a quartiere's block: adds its implied zona if it is a single-zona
/// quartiere; any other quartiere without zona rows means a broken layout.
fn close_quartiere(
    open: Option<OpenQuartiere>,
    out: &mut Vec<PopulationRow>,
    zone_seen: &mut Vec<u8>,
    file: &str,
) -> Result<(), ParseError> {
    let Some(q) = open else { return Ok(()) };
    if q.zone > 0 {
        return Ok(());
    }
    if !SINGLE_ZONA_QUARTIERI.contains(&q.number) {
        return Err(ParseError::new(
            file,
            format!(
                "quartiere {} ({}) has no zona rows; only quartieri 1 and 5 are a single zona",
                q.number, q.name
            ),
        )
        .at_row(q.line));
    }
    let number = q.number * 10 + 1;
    zone_seen.push(number);
    out.push(PopulationRow {
        line: q.line,
        area: PopulationArea::Zona {
            number,
            name: q.name,
            quartiere: q.number,
            implied: true,
        },
        values: q.values,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data");

    fn read_data(relative: &str) -> Vec<u8> {
        let path = format!("{DATA}/{relative}");
        std::fs::read(&path).unwrap_or_else(|e| {
            panic!("cannot read {path}: {e}; these tests need the official data mirror (see shared/data/README.md)")
        })
    }

    const INTERVENTI: &str = "WelfareBO-Interventi2014 - Quartieri dei servizi.tsv";
    const PAI: &str =
        "WelfareBO-Programma-Assistenziale-Individualizzato-PAI2014 - Quartieri dei servizi.tsv";
    const SPORTELLI: &str = "WelfareBO-Sportelli-sociali-2014 - Quartiere del nodo.tsv";
    const POP: &str = "PopRes1986a2011.csv";
    const POP_0_24: &str = "PopRes0_24_1986a2011.csv";

    fn welfare(name: &str) -> Table {
        let bytes = read_data(&format!("open-welfare-2014/data/{name}"));
        let text = decode(&bytes, TextEncoding::Utf8, name).unwrap();
        read_table(&text, b'\t', name).unwrap()
    }

    fn population(name: &str) -> Vec<PopulationRow> {
        let bytes = read_data(&format!("comune-bologna-2012/file/dataset/{name}"));
        let text = decode(&bytes, TextEncoding::Utf8, name).unwrap();
        parse_population(&text, name).unwrap()
    }

    /// Every row has Ids 1..9 in order and every cell from `Popolazione` on
    /// parses with a decimal comma.
    fn check_welfare_shape(table: &Table) {
        assert_eq!(table.rows.len(), 9, "{}", table.file);
        let id = table.column("Id").unwrap();
        let ids: Vec<&str> = table.rows.iter().map(|r| r.cells[id].trim()).collect();
        assert_eq!(ids, ["1", "2", "3", "4", "5", "6", "7", "8", "9"]);
        let first = table.column("Popolazione").unwrap();
        for row in &table.rows {
            assert_eq!(row.cells.len(), table.headers.len());
            for col in first..table.headers.len() {
                table.number(row, col, NumberFormat::DecimalComma).unwrap();
            }
        }
    }

    fn row_with_id<'a>(table: &'a Table, id: &str) -> &'a Row {
        let col = table.column("Id").unwrap();
        table
            .rows
            .iter()
            .find(|r| r.cells[col].trim() == id)
            .unwrap_or_else(|| panic!("no row with Id {id}"))
    }

    fn value(table: &Table, row: &Row, header: &str) -> Option<f64> {
        let col = table.column(header).unwrap();
        table.number(row, col, NumberFormat::DecimalComma).unwrap()
    }

    #[test]
    fn parse_number_table() {
        use NumberFormat::{DecimalComma as Dc, ThousandsDot as Td};
        let good: &[(&str, NumberFormat, Option<f64>)] = &[
            ("4 ", Dc, Some(4.0)),
            ("", Dc, None),
            ("  ", Dc, None),
            ("\t", Td, None),
            ("0,078", Dc, Some(0.078)),
            ("-1,5", Dc, Some(-1.5)),
            ("+2", Dc, Some(2.0)),
            ("26073", Dc, Some(26073.0)),
            (" 0,106 ", Dc, Some(0.106)),
            ("27.652", Td, Some(27652.0)),
            ("1.500.877", Td, Some(1_500_877.0)),
            ("482", Td, Some(482.0)),
            ("0", Td, Some(0.0)),
            ("", Td, None),
            ("  ", Td, None),
            ("27.652 ", Td, Some(27652.0)),
        ];
        for &(cell, format, expected) in good {
            assert_eq!(
                parse_number(cell, format),
                Ok(expected),
                "{cell:?} {format:?}"
            );
        }
        let bad: &[(&str, NumberFormat)] = &[
            ("27.65", Td),
            ("27,652", Td),
            ("0.078", Td),
            ("27652", Td),
            ("27..652", Td),
            (".652", Td),
            ("27.652.", Td),
            ("12x", Td),
            ("0.078", Dc),
            ("27.652", Dc),
            ("12x", Dc),
            ("1,2,3", Dc),
            (",5", Dc),
            ("5,", Dc),
            ("-", Dc),
            ("1 000", Dc),
            ("n.d.", Dc),
        ];
        for &(cell, format) in bad {
            let err = parse_number(cell, format).expect_err(cell);
            assert!(err.contains(&format!("{cell:?}")), "{err}");
        }
        assert_eq!(
            parse_number("12x", Dc).unwrap_err(),
            "\"12x\" is not a number (expected decimal comma, e.g. 0,078)"
        );
    }

    #[test]
    fn interventi_real_file() {
        let table = welfare(INTERVENTI);
        check_welfare_shape(&table);
        let navile = row_with_id(&table, "2");
        assert_eq!(navile.cells[table.column("Nome").unwrap()], "Navile");
        assert_eq!(
            value(&table, navile, "Numero interventi totale"),
            Some(7974.0)
        );
        assert_eq!(value(&table, navile, "Popolazione"), Some(67800.0));
        assert_eq!(
            value(&table, navile, "Interventi per residente"),
            Some(0.106)
        );
        let savena = row_with_id(&table, "9");
        assert_eq!(savena.line, 10);
        let last = table.headers.len() - 1;
        assert_eq!(table.headers[last], "Pronto intervento sociale");
        assert_eq!(savena.cells[last], "");
        assert_eq!(
            table.number(savena, last, NumberFormat::DecimalComma),
            Ok(None)
        );
    }

    #[test]
    fn short_row_is_padded() {
        // The real files have no short rows; cut the Savena row's empty last
        // cell off (as the README says can happen) and expect the same table.
        let bytes = read_data(&format!("open-welfare-2014/data/{INTERVENTI}"));
        let text = decode(&bytes, TextEncoding::Utf8, INTERVENTI).unwrap();
        let cut = text.replace("\t58\t\n", "\t58\n");
        assert_ne!(cut, text, "the Savena row no longer ends with \"\\t58\\t\"");
        let full = read_table(&text, b'\t', INTERVENTI).unwrap();
        let short = read_table(&cut, b'\t', INTERVENTI).unwrap();
        assert_eq!(short, full);

        let table = read_table("a\tb\tc\n1\n\n\n2\t3\n", b'\t', "t.tsv").unwrap();
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0].cells, ["1", "", ""]);
        assert_eq!(table.rows[1].line, 5);
        assert_eq!(table.rows[1].cells, ["2", "3", ""]);
    }

    #[test]
    fn pai_real_file() {
        let table = welfare(PAI);
        check_welfare_shape(&table);
        let borgo = row_with_id(&table, "1");
        let last = table.headers.len() - 1;
        assert_eq!(table.headers[last], "Sconosciuto");
        assert_eq!(borgo.cells[last], "4 ");
        assert_eq!(value(&table, borgo, "Sconosciuto"), Some(4.0));
        for empty in ["Interrotto", "In corso fase esterna", "Sospeso"] {
            assert_eq!(borgo.cells[table.column(empty).unwrap()], "");
            assert_eq!(value(&table, borgo, empty), None, "{empty}");
        }
        assert_eq!(value(&table, borgo, "Avviato"), Some(23.0));
    }

    #[test]
    fn sportelli_real_file() {
        let table = welfare(SPORTELLI);
        check_welfare_shape(&table);
        let reno = row_with_id(&table, "4");
        assert_eq!(value(&table, reno, "Prevenzione"), None);
        assert_eq!(value(&table, reno, "Numero contatti totale"), Some(2903.0));
        assert_eq!(value(&table, reno, "Lettera"), Some(7.0));
    }

    fn years_of(row: &PopulationRow) -> Vec<i32> {
        row.values.iter().map(|&(y, _)| y).collect()
    }

    fn zona(rows: &[PopulationRow], wanted: u8) -> &PopulationRow {
        rows.iter()
            .find(|r| matches!(r.area, PopulationArea::Zona { number, .. } if number == wanted))
            .unwrap_or_else(|| panic!("no zona {wanted}"))
    }

    /// 9 quartieri, 18 zone (11 and 51 implied), 1 no-fixed-abode row, 26 years each.
    fn check_population_shape(rows: &[PopulationRow]) {
        let all_years: Vec<i32> = (1986..=2011).collect();
        let mut quartieri = Vec::new();
        let mut zone = Vec::new();
        let mut implied = Vec::new();
        let mut no_fixed_abode = 0;
        for row in rows {
            assert_eq!(years_of(row), all_years, "line {}", row.line);
            match &row.area {
                PopulationArea::Quartiere { number, .. } => quartieri.push(*number),
                PopulationArea::Zona {
                    number, implied: i, ..
                } => {
                    zone.push(*number);
                    if *i {
                        implied.push(*number);
                    }
                }
                PopulationArea::NoFixedAbode => no_fixed_abode += 1,
            }
        }
        assert_eq!(quartieri, (1..=9).collect::<Vec<u8>>());
        assert_eq!(
            zone,
            [11, 21, 22, 23, 31, 32, 41, 42, 51, 61, 62, 63, 71, 72, 81, 82, 91, 92]
        );
        assert_eq!(implied, [11, 51]);
        assert_eq!(no_fixed_abode, 1);
        assert_eq!(
            rows.last().map(|r| &r.area),
            Some(&PopulationArea::NoFixedAbode)
        );

        // Implied zone sit right after their quartiere and copy it.
        for (q, z) in [(1u8, 11u8), (5, 51)] {
            let at = rows
                .iter()
                .position(
                    |r| matches!(r.area, PopulationArea::Quartiere { number, .. } if number == q),
                )
                .unwrap();
            let PopulationArea::Quartiere { name, .. } = &rows[at].area else {
                unreachable!()
            };
            let next = &rows[at + 1];
            assert_eq!(
                next.area,
                PopulationArea::Zona {
                    number: z,
                    name: name.clone(),
                    quartiere: q,
                    implied: true
                }
            );
            assert_eq!(next.values, rows[at].values);
            assert_eq!(next.line, rows[at].line);
        }
    }

    /// Zone add up to their quartiere, year by year.
    fn check_zone_sum_to_quartieri(rows: &[PopulationRow]) {
        for q in rows {
            let PopulationArea::Quartiere { number, .. } = q.area else {
                continue;
            };
            for (i, &(year, total)) in q.values.iter().enumerate() {
                let sum: f64 = rows
                    .iter()
                    .filter(|r| matches!(r.area, PopulationArea::Zona { quartiere, .. } if quartiere == number))
                    .map(|r| r.values[i].1.unwrap())
                    .sum();
                assert_eq!(Some(sum), total, "quartiere {number}, {year}");
            }
        }
    }

    #[test]
    fn population_real_file() {
        let rows = population(POP);
        check_population_shape(&rows);
        check_zone_sum_to_quartieri(&rows);
        assert_eq!(rows.len(), 9 + 18 + 1);
        let borgo = &rows[0];
        assert_eq!(
            borgo.area,
            PopulationArea::Quartiere {
                number: 1,
                name: "Borgo Panigale".into()
            }
        );
        assert_eq!(borgo.line, 2);
        assert_eq!(borgo.values[0], (1986, Some(27652.0)));
        let bolognina = zona(&rows, 21);
        assert_eq!(
            bolognina.area,
            PopulationArea::Zona {
                number: 21,
                name: "Bolognina".into(),
                quartiere: 2,
                implied: false
            }
        );
        assert_eq!(bolognina.values.last(), Some(&(2011, Some(34524.0))));
        assert_eq!(zona(&rows, 51).values[0], (1986, Some(37578.0)));
        let sfd = rows.last().unwrap();
        assert_eq!(sfd.values[0], (1986, Some(482.0)));
        assert!(sfd.values.iter().all(|(_, v)| v.is_some()));
    }

    #[test]
    fn population_0_24_real_file() {
        let rows = population(POP_0_24);
        check_population_shape(&rows);
        check_zone_sum_to_quartieri(&rows);
        let borgo = &rows[0];
        assert_eq!(borgo.values[3], (1989, Some(6046.0)));
        assert_eq!(borgo.values[4], (1990, Some(5760.0)));
        let sfd = rows.last().unwrap();
        assert_eq!(sfd.area, PopulationArea::NoFixedAbode);
        assert_eq!(sfd.values[7], (1993, None));
        assert_eq!(sfd.values[8], (1994, Some(1.0)));
        assert_eq!(sfd.values.iter().filter(|(_, v)| v.is_none()).count(), 1);
    }

    #[test]
    fn bad_number_in_tsv_names_file_row_column() {
        let err = read_table("Id\tDonne\n1\t5\n2\t\n3\t12x\n", b'\t', INTERVENTI)
            .and_then(|t| {
                let col = t.column("Donne")?;
                t.rows
                    .iter()
                    .map(|r| t.number(r, col, NumberFormat::DecimalComma))
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "WelfareBO-Interventi2014 - Quartieri dei servizi.tsv, row 4, column \"Donne\": \"12x\" is not a number (expected decimal comma, e.g. 0,078)"
        );
    }

    #[test]
    fn missing_column_names_file_and_column() {
        let table = read_table("Id\tNome\n1\tBorgo Panigale\n", b'\t', "w.tsv").unwrap();
        let err = table.column("Donne").unwrap_err();
        assert_eq!(err.column.as_deref(), Some("Donne"));
        assert_eq!(
            err.to_string(),
            "w.tsv, row 1, column \"Donne\": no such column; the header has: \"Id\", \"Nome\""
        );
        let dup = read_table("a\ta\n", b'\t', "w.tsv").unwrap();
        assert!(dup
            .column("a")
            .unwrap_err()
            .message
            .contains("more than once"));
    }

    #[test]
    fn row_longer_than_header_is_an_error() {
        let err =
            read_table("Id\tNome\r\n1\tA\r\n\r\n2\tB\textra\r\n", b'\t', "w.tsv").unwrap_err();
        assert_eq!(err.row, Some(4));
        assert_eq!(
            err.to_string(),
            "w.tsv, row 4: this row has 3 cells but the header has 2"
        );
    }

    #[test]
    fn empty_file_is_an_error() {
        let err = read_table("\n\n", b';', "e.csv").unwrap_err();
        assert!(err.to_string().starts_with("e.csv: "), "{err}");
    }

    #[test]
    fn population_zona_under_wrong_quartiere() {
        let text = "Quartieri e zone;1986\r\n2. Navile;1\r\n     31. X;1\r\n";
        let err = parse_population(text, "p.csv").unwrap_err();
        assert_eq!(err.row, Some(3));
        assert_eq!(
            err.to_string(),
            "p.csv, row 3, column \"Quartieri e zone\": zona 31 belongs to quartiere 3 (its first digit), but it is listed under quartiere 2 (Navile)"
        );
        let err = parse_population("Q;1986\n     21. Bolognina;1\n", "p.csv").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("p.csv, row 2, column \"Q\": zona 21"),
            "{err}"
        );
        // After the ZZ row there is no current quartiere.
        let err = parse_population(
            "Q;1986\n1. B;1\nZZ. Senza fissa dimora;1\n  12. X;1\n",
            "p.csv",
        )
        .unwrap_err();
        assert_eq!(err.row, Some(4));
    }

    #[test]
    fn population_bad_number() {
        let text = "Quartieri e zone;1986;1987\n1. Borgo Panigale;27.652;27.65\n";
        let err = parse_population(text, "p.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "p.csv, row 2, column \"1987\": \"27.65\" is not a number (expected a whole number with \".\" between groups of three digits, e.g. 27.652 or 482)"
        );
    }

    #[test]
    fn population_non_year_header() {
        let err = parse_population("Q;1986;Totale\n1. B;1;2\n", "p.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "p.csv, row 1, column \"Totale\": header \"Totale\" is not a year (expected e.g. 1991 or \"1991 (a)\")"
        );
        let err = parse_population("Q;19861\n1. B;1\n", "p.csv").unwrap_err();
        assert_eq!(err.column.as_deref(), Some("19861"));
        let err = parse_population("Q;1991;1991 (a)\n1. B;1;1\n", "p.csv").unwrap_err();
        assert!(err.message.contains("twice"), "{err}");
    }

    #[test]
    fn population_value_under_empty_header() {
        let ok = parse_population("Q;1989;;1990\n1. B;1;;2\n", "p.csv").unwrap();
        assert_eq!(ok[0].values, [(1989, Some(1.0)), (1990, Some(2.0))]);
        let err = parse_population("Q;1989;;1990\n1. B;1;7;2\n", "p.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "p.csv, row 2: column 3 has no header, but this row has \"7\" in it"
        );
    }

    #[test]
    fn population_layout_errors() {
        let err = parse_population("Q;1986\nTotale;1\n", "p.csv").unwrap_err();
        assert_eq!(err.row, Some(2));
        let err = parse_population("Q;1986\n3. Porto;1\n4. Reno;1\n  41. Barca;1\n", "p.csv")
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("p.csv, row 2: quartiere 3 (Porto) has no zona rows"),
            "{err}"
        );
        let err = parse_population("Q;1986\n1. B;1\n1. B;1\n", "p.csv").unwrap_err();
        assert_eq!(err.row, Some(3));
    }

    #[test]
    fn invalid_utf8_names_offset_and_row() {
        let err = decode(b"Id\tNome\n1\tCitt\xe0\n", TextEncoding::Utf8, "w.tsv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "w.tsv, row 2: invalid UTF-8 at byte offset 14: byte 0xE0 (is the file Latin-1?)"
        );
        let err = decode(b"\xEF\xBB\xBFab\xC3", TextEncoding::Utf8, "w.tsv").unwrap_err();
        assert_eq!(err.row, Some(1));
        assert!(err.message.contains("offset 5"), "{err}");
    }

    #[test]
    fn decode_utf8_strips_bom() {
        let text = decode(
            b"\xEF\xBB\xBFId\tCitt\xC3\xA0\n",
            TextEncoding::Utf8,
            "w.tsv",
        )
        .unwrap();
        assert_eq!(text, "Id\tCittà\n");
    }

    #[test]
    fn decode_latin1() {
        assert_eq!(
            decode(b"Citt\xe0", TextEncoding::Latin1, "r.csv"),
            Ok("Città".to_owned())
        );
        assert!(decode(b"\xEF\xBB\xBFCitt\xC3\xA0", TextEncoding::Latin1, "r.csv").is_err());
    }

    #[test]
    fn redditi_is_latin1() {
        let name = "Redditi_2009.csv";
        let bytes = read_data(&format!("comune-bologna-2012/file/dataset/{name}"));
        let err = decode(&bytes, TextEncoding::Utf8, name).unwrap_err();
        assert_eq!(err.row, Some(1));
        let text = decode(&bytes, TextEncoding::Latin1, name).unwrap();
        let table = read_table(&text, b';', name).unwrap();
        assert_eq!(table.headers[1], "N° contribuenti");
        let bargellino = table
            .rows
            .iter()
            .find(|r| r.cells[0] == "Bargellino")
            .unwrap();
        assert_eq!(
            table.number(bargellino, 2, NumberFormat::ThousandsDot),
            Ok(Some(1_500_877.0))
        );
    }

    /// A deterministic fuzz: the real files with random damage (separators,
    /// line breaks, digits, invalid UTF-8 dropped in, bytes deleted). The
    /// parsers must never panic, and every error must name the file.
    #[test]
    fn damaged_files_never_panic_and_errors_name_the_file() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(2014);
        const DAMAGE: &[u8] = b"\t;\n\r.,  -09x\xff\xc3\"";
        let files = [
            (
                INTERVENTI,
                read_data(&format!("open-welfare-2014/data/{INTERVENTI}")),
                true,
            ),
            (
                PAI,
                read_data(&format!("open-welfare-2014/data/{PAI}")),
                true,
            ),
            (
                POP,
                read_data(&format!("comune-bologna-2012/file/dataset/{POP}")),
                false,
            ),
            (
                POP_0_24,
                read_data(&format!("comune-bologna-2012/file/dataset/{POP_0_24}")),
                false,
            ),
        ];
        let (mut parsed, mut refused) = (0, 0);
        for (name, original, welfare) in &files {
            for _ in 0..300 {
                let mut bytes = original.clone();
                for _ in 0..rng.gen_range(1..6) {
                    let at = rng.gen_range(0..bytes.len());
                    if rng.gen_bool(0.2) {
                        bytes.remove(at);
                    } else {
                        bytes[at] = DAMAGE[rng.gen_range(0..DAMAGE.len())];
                    }
                }
                let named = |e: &ParseError| assert!(e.to_string().starts_with(name), "{e}");
                let text = match decode(&bytes, TextEncoding::Utf8, name) {
                    Ok(text) => text,
                    Err(e) => {
                        named(&e);
                        refused += 1;
                        continue;
                    }
                };
                let outcome = if *welfare {
                    read_table(&text, b'\t', name).and_then(|table| {
                        for row in &table.rows {
                            for column in 0..table.headers.len() {
                                table
                                    .number(row, column, NumberFormat::DecimalComma)
                                    .map(drop)
                                    .or_else(|e| {
                                        // Names and ids are text: only numbers matter here.
                                        if column < 3 {
                                            Ok(())
                                        } else {
                                            Err(e)
                                        }
                                    })?;
                            }
                        }
                        Ok(())
                    })
                } else {
                    parse_population(&text, name).map(drop)
                };
                match outcome {
                    Ok(()) => parsed += 1,
                    Err(e) => {
                        named(&e);
                        refused += 1;
                    }
                }
            }
        }
        // Both paths were exercised.
        assert!(
            parsed > 0 && refused > 0,
            "parsed {parsed}, refused {refused}"
        );
    }
}
