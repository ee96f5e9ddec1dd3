//! The CSV export for the diarium: one row per record.
//!
//! RFC 4180: comma-separated, CRLF line ends, UTF-8 without a byte-order mark; a field
//! with a comma, a quote or a line break is quoted and its quotes doubled. A field that
//! begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so a
//! spreadsheet never runs an input's file name as a formula (CSV injection); the input is
//! identified by its sha256 in any case.

use std::borrow::Cow;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde::de::IgnoredAny;

use crate::error::AuditError;
use crate::log::{each_line, Envelope, Parsed};
use crate::record::AuditRecord;

/// The header row, in Swedish for the registrar.
pub const CSV_HEADER: [&str; 16] = [
    "löpnummer",
    "tid",
    "användare",
    "dator",
    "händelse",
    "indatafil",
    "indata_sha256",
    "utdata_sha256",
    "sidor",
    "maskeringar",
    "per_kategori",
    "per_lagrum",
    "manuella_rutor",
    "version",
    "modell",
    "modell_sha256",
];

/// How masks without a provision are named in the `per_lagrum` column.
pub const NO_PROVISION: &str = "utan lagrum";

/// Writes the log at `path` as CSV to `out`: the header, then one row per record, and
/// returns the number of rows. Masks per category are `kategori=antal;…`, per provision
/// `lagrum=antal;…`, both sorted by name, masks without a provision last
/// ([`NO_PROVISION`]).
///
/// The chain is not checked here (that is [`crate::verify()`]'s job; `tusch audit export`
/// runs it first and warns): a record is exported as it stands. A torn last line is not a
/// record and is skipped; any other line that is not a record is an error.
pub fn export_csv(path: impl AsRef<Path>, out: impl Write) -> Result<u64, AuditError> {
    let path = path.as_ref();
    let mut out = BufWriter::new(out);
    write_row(&mut out, CSV_HEADER.iter().map(|h| Cow::Borrowed(*h))).map_err(AuditError::Csv)?;
    let mut rows = 0;
    each_line(path, |l| {
        if let Parsed::Torn = l.parse::<IgnoredAny>(path)? {
            return Ok(());
        }
        let env: Envelope<AuditRecord> =
            serde_json::from_slice(l.bytes).map_err(|source| AuditError::Unreadable {
                path: path.to_owned(),
                line: l.no,
                source,
            })?;
        let r = &env.record;
        let categories = r
            .masks_by_category()
            .iter()
            .map(|(c, n)| format!("{c}={n}"))
            .collect::<Vec<_>>()
            .join(";");
        // Named provisions in order, then the masks without one.
        let by_provision = r.masks_by_provision();
        let provisions = by_provision
            .iter()
            .filter(|(p, _)| p.is_some())
            .chain(by_provision.get_key_value(&None))
            .map(|(p, n)| format!("{}={n}", p.unwrap_or(NO_PROVISION)))
            .collect::<Vec<_>>()
            .join(";");
        let row: [Cow<str>; 16] = [
            env.seq.to_string().into(),
            r.time.as_str().into(),
            r.user.as_str().into(),
            r.host.as_str().into(),
            r.event.as_str().into(),
            r.input_name.as_str().into(),
            r.input_sha256.as_str().into(),
            r.output_sha256.as_str().into(),
            r.pages.to_string().into(),
            r.total_masks().to_string().into(),
            categories.into(),
            provisions.into(),
            r.manual_boxes.to_string().into(),
            r.tool_version.as_str().into(),
            r.model_name.as_deref().unwrap_or("").into(),
            r.model_sha256.as_deref().unwrap_or("").into(),
        ];
        write_row(&mut out, row.into_iter()).map_err(AuditError::Csv)?;
        rows += 1;
        Ok(())
    })?;
    out.flush().map_err(AuditError::Csv)?;
    Ok(rows)
}

fn write_row<'a>(
    out: &mut impl Write,
    fields: impl Iterator<Item = Cow<'a, str>>,
) -> std::io::Result<()> {
    for (i, f) in fields.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        out.write_all(csv_field(&f).as_bytes())?;
    }
    out.write_all(b"\r\n")
}

/// One field, quoted if it must be, with a formula-looking start defused.
pub fn csv_field(s: &str) -> Cow<'_, str> {
    let s: Cow<str> = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("beslut.pdf"), "beslut.pdf");
        assert_eq!(csv_field(""), "");
        assert_eq!(csv_field("a,b.pdf"), "\"a,b.pdf\"");
        assert_eq!(csv_field("sa \"hej\".pdf"), "\"sa \"\"hej\"\".pdf\"");
        assert_eq!(csv_field("rad1\nrad2"), "\"rad1\nrad2\"");
        assert_eq!(csv_field("person=2;phone=1"), "person=2;phone=1");
        assert_eq!(csv_field("26 kap. 1 § OSL=3"), "26 kap. 1 § OSL=3");
    }

    #[test]
    fn formula_starts_are_defused() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+46 70.pdf"), "'+46 70.pdf");
        assert_eq!(csv_field("-x.pdf"), "'-x.pdf");
        assert_eq!(csv_field("@a"), "'@a");
    }
}
