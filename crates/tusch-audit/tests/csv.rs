//! The CSV export for the diarium, byte for byte.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;

use common::record;
use tusch_audit::{AuditError, AuditLog, AuditRecord, EventKind};

#[test]
fn export_quotes_commas_and_quotes_and_aggregates_per_category_and_provision() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let log = AuditLog::open(&path).unwrap();
    log.append(&record("/ärenden/svar till \"Anna\", bilaga.pdf"))
        .unwrap();
    let plain = AuditRecord::builder(
        EventKind::Export,
        "=cmd.pdf",
        "1".repeat(64),
        "2".repeat(64),
    )
    .pages(1)
    .tool_version("0.2.0")
    .time("2025-03-05T08:00:00Z")
    .user("registrator")
    .host("dator, rum 3")
    .build();
    log.append(&plain).unwrap();

    let mut out = Vec::new();
    let rows = tusch_audit::export_csv(&path, &mut out).unwrap();
    assert_eq!(rows, 2);
    let text = String::from_utf8(out).unwrap();
    let (a, b, c) = ("a".repeat(64), "b".repeat(64), "c".repeat(64));
    let (one, two) = ("1".repeat(64), "2".repeat(64));
    let expected = format!(
        "löpnummer,tid,användare,dator,händelse,indatafil,indata_sha256,utdata_sha256,sidor,maskeringar,per_kategori,per_lagrum,manuella_rutor,version,modell,modell_sha256\r\n\
         1,2025-03-04T12:34:56Z,handläggare,kommun-pc,batch,\"svar till \"\"Anna\"\", bilaga.pdf\",{a},{b},2,4,other=1;person=1;personnummer=2,21 kap. 3 § OSL=1;26 kap. 1 § OSL=1;utan lagrum=2,1,{v},tusch-ner-sv 1.0.0,{c}\r\n\
         2,2025-03-05T08:00:00Z,registrator,\"dator, rum 3\",export,'=cmd.pdf,{one},{two},1,0,,,0,0.2.0,,\r\n",
        v = env!("CARGO_PKG_VERSION"),
    );
    assert_eq!(text, expected);
}

#[test]
fn export_skips_a_torn_tail_and_fails_on_a_damaged_middle_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let log = AuditLog::open(&path).unwrap();
    for i in 0..3 {
        log.append(&record(&format!("{i}.pdf"))).unwrap();
    }
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(b"{\"seq\":4,")
        .unwrap();
    assert_eq!(tusch_audit::export_csv(&path, std::io::sink()).unwrap(), 3);

    let mut text = std::fs::read_to_string(&path).unwrap();
    text = text.replacen("\"record\":{", "\"record\":[", 1);
    std::fs::write(&path, text).unwrap();
    let e = tusch_audit::export_csv(&path, std::io::sink()).unwrap_err();
    assert!(matches!(e, AuditError::Unreadable { line: 1, .. }), "{e:?}");
}
