//! E-mail addresses.
//!
//! # What it finds
//!
//! `local@domain.tld` addresses (letters outside ASCII allowed, as OCR and careless typing
//! produce them), and the obfuscated forms `anna.berg[at]ankeby.se`, `anna.berg (at)
//! ankeby.se` and `anna.berg[snabel-a]ankeby.se`.
//!
//! # How it validates
//!
//! Structurally: a local part, one `@`, a domain of labels that neither start nor end with a
//! hyphen and a top-level domain of at least two letters. An address cannot be checked
//! further, so a plain address scores 0.95 and an obfuscated one 0.85. A trailing full stop
//! or comma is not part of the span.
//!
//! Role mailboxes of an organisation (`info@`, `registrator@`, `kontakt@`, `noreply@`, …)
//! name no person: they score 0.45, below the default threshold, so that a kommun's own
//! contact address stays readable.
//!
//! # Known false positives
//!
//! - A personal address with a role-like local part (`ekonomi@familjen-berg.se`) is not
//!   masked; the name detector still finds a name if one is written out nearby.
//!
//! # Examples
//!
//! ```text
//! Skicka till anna.berg@example.se.   → anna.berg@example.se (0.95)
//! anna.berg[at]example.se             → the whole obfuscated address (0.85)
//! registrator@ankeby.se               → 0.45 (role mailbox, not masked by default)
//! ```

use std::sync::LazyLock;

use regex::Regex;

use super::util::is_standalone;
use super::{explain, Detector};
use crate::finding::{Category, Finding, Validation};

const NAME: &str = "email";

static PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?P<local>[\p{L}\p{N}_%+'-]+(?:\.[\p{L}\p{N}_%+'-]+)*)(?P<at>@|[ \u{00A0}]?(?:\[at\]|\(at\)|\[snabel-a\]|\(snabel-a\))[ \u{00A0}]?)(?P<domain>(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,24})",
    )
    .expect("email pattern compiles")
});

/// Local parts of organisational mailboxes that name no person.
const ROLE_MAILBOXES: &[&str] = &[
    "info",
    "information",
    "registrator",
    "registratur",
    "diarium",
    "kommun",
    "kommunen",
    "kontakt",
    "kontaktcenter",
    "kundtjanst",
    "kundtjänst",
    "kundservice",
    "medborgarservice",
    "servicecenter",
    "support",
    "noreply",
    "no-reply",
    "donotreply",
    "postmaster",
    "webmaster",
    "post",
    "press",
    "media",
    "vaxel",
    "växel",
    "ekonomi",
    "faktura",
    "fakturor",
    "fakturering",
    "bygglov",
    "miljo",
    "miljö",
    "kansli",
    "dataskydd",
    "dataskyddsombud",
    "dpo",
    "gdpr",
    "socialtjansten",
    "socialtjänsten",
    "overformyndaren",
    "överförmyndaren",
    "hr",
    "lon",
    "lön",
    "reception",
    "sales",
    "admin",
];

/// Finds e-mail addresses; see the module documentation.
#[derive(Debug, Default, Clone, Copy)]
pub struct EmailDetector;

impl Detector for EmailDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, text: &str, out: &mut Vec<Finding>) {
        // An address never spans lines, and most lines hold none: run the pattern only on
        // lines with an "@" or an obfuscated one, which keeps a page well under a millisecond.
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let marked = line.contains('@') || {
                let l = line.to_lowercase();
                l.contains("(at)") || l.contains("[at]") || l.contains("snabel-a")
            };
            if marked {
                detect_line(text, start, line, out);
            }
        }
    }
}

fn detect_line(text: &str, offset: usize, line: &str, out: &mut Vec<Finding>) {
    for caps in PATTERN.captures_iter(line) {
        let (Some(m), Some(local), Some(at)) = (caps.get(0), caps.name("local"), caps.name("at"))
        else {
            continue;
        };
        let span = offset + m.start()..offset + m.end();
        if !is_standalone(text, &span) {
            continue;
        }
        let obfuscated = at.as_str() != "@";
        let role = ROLE_MAILBOXES.contains(&local.as_str().to_lowercase().as_str());
        let (rule, score) = match (obfuscated, role) {
            (_, true) => ("role_mailbox", 0.45),
            (true, false) => ("obfuscated", 0.85),
            (false, false) => ("address", 0.95),
        };
        out.push(Finding::new(
            span,
            Category::Email,
            score,
            explain(NAME, rule, Validation::NotApplicable),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&str, f32, String)> {
        crate::detect::testing::found(&EmailDetector, text)
    }

    #[test]
    fn addresses_with_exact_spans() {
        let t = "Skicka till anna.berg@example.se. Kopia: Åsa_Lind+x@sub.exempel.nu, tack";
        let f = found(t);
        assert_eq!(
            f.iter().map(|x| x.0).collect::<Vec<_>>(),
            vec!["anna.berg@example.se", "Åsa_Lind+x@sub.exempel.nu"]
        );
        assert!(f.iter().all(|x| x.1 >= 0.9));
        let t = "<anna.berg@example.se>";
        let mut out = Vec::new();
        EmailDetector.detect(t, &mut out);
        assert_eq!(out[0].span, 1..21);
    }

    #[test]
    fn obfuscated_forms() {
        let f = found("anna.berg[at]example.se och per (at) example.com");
        assert_eq!(
            f.iter().map(|x| x.0).collect::<Vec<_>>(),
            vec!["anna.berg[at]example.se", "per (at) example.com"]
        );
        assert_eq!(f[0].2, "obfuscated");
    }

    #[test]
    fn role_mailboxes_stay_below_threshold() {
        let f = found("registrator@ankeby.se");
        assert_eq!(f[0].2, "role_mailbox");
        assert!(f[0].1 < 0.5);
    }

    #[test]
    fn not_addresses() {
        for t in [
            "@ankeby",
            "anna@",
            "a@b",
            "kl. 13@15",
            "user@localhost",
            "anna @ example.se",
        ] {
            assert!(found(t).is_empty(), "{t}");
        }
    }
}
