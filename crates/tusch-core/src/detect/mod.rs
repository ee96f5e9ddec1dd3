//! Detectors: each finds one kind of personal data in a page's text.
//!
//! A detector is a pattern plus a validation step plus context words, in the manner of
//! Presidio's pattern recognisers: a passed checksum lifts the score to near certainty, a
//! failed one drops it, and a context word nearby ("personnummer", "tel", "konto") raises the
//! score of an unvalidated near-miss. Every finding carries an [`Explanation`].
//!
//! Each detector lives in a file of its own with a doc comment (what it finds, how it
//! validates, known false positives, examples) and unit tests with positive and negative
//! cases; `tests/detector_snapshots.rs` runs them all over kommun-style texts.
//!
//! | detector | category | validation |
//! | --- | --- | --- |
//! | [`personnummer`] | personnummer, samordningsnummer | date + Luhn |
//! | [`phone`] | phone | digit count + leading digits |
//! | [`email`] | e-mail | structure |
//! | [`ip`] | IP address | octets / IPv6 parse |
//! | [`ip_hostname`] | IP address (host name spelling it out) | octets + host name shape |
//! | [`url`] | URL with personal data | host + path / query keys |
//! | [`address`] | street address, c/o, Box, lgh | street suffixes |
//! | [`postal_code`] | postnummer + postort | postal code and postort lists |
//! | [`bank`] | bankgiro, plusgiro, account, IBAN, Nordea personkonto | Luhn / mod 97 / personnummer + context |
//! | [`sole_trader`] | personnummer (a sole trader's VAT number) | personnummer date + Luhn |
//! | [`payment_card`] | card number | Luhn + issuer prefix |
//! | [`vehicle_plate`] | registration number | letters + deny-list |
//! | [`property`] | fastighetsbeteckning | deny-list of non-trakt words |
//! | [`property_block`] | fastighetsbeteckning in a town (kvarter + number) | property word nearby + deny-list |
//! | [`date_of_birth`] | date of birth | calendar, after a birth word |
//! | [`names`] | person | first-name and surname lists + context |
//! | [`unexplained`] | other (safety net) | none: a label before it and no keep rule explaining it |
//! | [`ocr_doubt`] | other (fail visible) | none: OCR unsure of the word, and it is shaped like an identifier or follows a label |
//!
//! Detectors that find numbers ([`Detector::reads_numbers`]) also read the page a second
//! time with the letters OCR reads for digits written back ([`ocr_digits`]).
//!
//! Number detectors bound a number by digits, not by words ([`util::is_digit_bounded`]): a
//! number must not touch another digit (directly or over `-`, `/`, `.`), but a letter may
//! touch it, since text layers and OCR glue a number to the word beside it ("070-174 06
//! 67kl", "850317-2382x").
//!
//! Detectors see the page text exactly as the text layer holds it: lines are separated by
//! `"\r\n"`, and non-breaking spaces (U+00A0) and other Unicode spaces may occur where a
//! document has a space; patterns treat them as spaces.

use crate::finding::{Explanation, Finding};

pub mod address;
pub mod bank;
pub mod date_of_birth;
pub mod email;
pub mod ip;
pub mod ip_hostname;
pub mod names;
pub mod ocr_digits;
pub mod ocr_doubt;
pub mod payment_card;
pub mod personnummer;
pub mod phone;
pub mod postal_code;
pub mod property;
pub mod property_block;
pub mod sole_trader;
pub mod unexplained;
pub mod url;
pub mod util;
pub mod vehicle_plate;

/// Finds personal data in text.
///
/// Implementations must be deterministic and must not log or keep the text they see.
pub trait Detector: Send + Sync {
    /// A stable name, used in explanations and reports.
    fn name(&self) -> &'static str;

    /// Appends findings for one page's text. Spans are byte ranges into `text`.
    fn detect(&self, text: &str, out: &mut Vec<Finding>);

    /// Whether the detector finds numbers and should also read the text with OCR's letters
    /// for digits written back ([`ocr_digits`]). Only cheap, validating detectors do.
    fn reads_numbers(&self) -> bool {
        false
    }

    /// Detects on several pages at once. The default runs [`Detector::detect`] per page; a
    /// model-backed detector overrides it to batch its inference.
    fn detect_pages(&self, pages: &[&str]) -> Vec<Vec<Finding>> {
        pages
            .iter()
            .map(|t| {
                let mut out = Vec::new();
                self.detect(t, &mut out);
                out
            })
            .collect()
    }
}

/// The rule-based detectors, in a fixed order.
///
/// The order only affects the order of findings before they are merged; each detector sees
/// the whole page on its own.
pub fn default_detectors() -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(personnummer::PersonnummerDetector),
        Box::new(phone::PhoneDetector),
        Box::new(email::EmailDetector),
        Box::new(ip::IpDetector),
        Box::new(ip_hostname::IpHostnameDetector),
        Box::new(url::UrlDetector),
        Box::new(address::AddressDetector),
        Box::new(postal_code::PostalCodeDetector),
        Box::new(bank::BankDetector),
        Box::new(sole_trader::SoleTraderDetector),
        Box::new(payment_card::PaymentCardDetector),
        Box::new(vehicle_plate::VehiclePlateDetector),
        Box::new(property::PropertyDetector),
        Box::new(property_block::PropertyBlockDetector),
        Box::new(date_of_birth::DateOfBirthDetector),
        Box::new(names::NamesDetector),
        Box::new(unexplained::UnexplainedDetector),
    ]
}

/// Shorthand for detectors building explanations.
pub(crate) fn explain(
    detector: &str,
    rule: &str,
    validation: crate::finding::Validation,
) -> Explanation {
    Explanation::new(detector, rule, validation)
}

/// Helpers shared by the detectors' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::Detector;

    /// Every finding as (matched text, score, rule).
    pub fn found<'t>(d: &dyn Detector, text: &'t str) -> Vec<(&'t str, f32, String)> {
        let mut out = Vec::new();
        d.detect(text, &mut out);
        out.iter()
            .map(|f| (&text[f.span.clone()], f.score, f.explanation.rule.clone()))
            .collect()
    }

    /// The matched texts the default threshold (0.5) keeps.
    pub fn masked<'t>(d: &dyn Detector, text: &'t str) -> Vec<&'t str> {
        found(d, text)
            .into_iter()
            .filter(|(_, s, _)| *s >= 0.5)
            .map(|(t, _, _)| t)
            .collect()
    }
}
