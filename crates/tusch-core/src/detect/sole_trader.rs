//! The VAT number of a sole trader, which holds the owner's personnummer.
//!
//! # What it finds
//!
//! A Swedish VAT number (momsregistreringsnummer) is `SE`, the ten-digit organisationsnummer
//! and `01`. A sole trader (enskild firma) has no organisationsnummer of its own: the
//! owner's personnummer stands in for it, so the VAT number `SE850317238201` carries the
//! personnummer `850317-2382` and is personal data (category personnummer, rule
//! `momsregnr_personnummer`). Written `SE850317238201`, `SE 850317-2382 01`,
//! `SE8503172382-01`. The organisationsnummer on its own ("Org.nr 850317-2382") is found by
//! [`super::personnummer`] (rule `organisationsnummer_enskild_firma`); a Nordea personkonto
//! (clearing 3300 and a personnummer) by [`super::bank`].
//!
//! # How it validates
//!
//! The ten digits must pass the personnummer checks (a real date, or a samordningsnummer's
//! day plus 60, and the Luhn digit): 0.99. A company's VAT number, whose organisationsnummer
//! has 20 or more in the month place (`SE556036079301`), is no one's personal data and is
//! not reported; nor are ten digits that fail the checks.
//!
//! # Known false positives
//!
//! - None known: a VAT number whose ten digits pass the date and Luhn checks is a sole
//!   trader's.
//!
//! # Examples
//!
//! ```text
//! Momsreg.nr SE850317238201         → SE850317238201 (date+luhn, 0.99)
//! VAT SE 850317-2382 01             → SE 850317-2382 01
//! Momsreg.nr SE556036079301         → not reported (a company)
//! ```

use std::sync::LazyLock;

use regex::Regex;

use super::personnummer::is_valid_personnummer;
use super::util::{digits_of, has_context, is_digit_bounded, DASH, HS};
use super::{explain, Detector};
use crate::finding::{Category, Finding, Validation};

const NAME: &str = "sole_trader";

static VAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?-u:\b)SE{HS}?(?P<nr>[0-9]{{6}}{DASH}?[0-9]{{4}}){HS}?{DASH}?{HS}?01"
    ))
    .expect("vat pattern compiles")
});

const CONTEXT: &[&str] = &[
    "momsreg.nr",
    "momsregistreringsnummer",
    "momsnr",
    "moms",
    "vat",
    "vat-nummer",
    "vat no",
    "vat number",
    "enskild firma",
];

/// Finds sole traders' VAT numbers; see the module documentation.
#[derive(Debug, Default, Clone, Copy)]
pub struct SoleTraderDetector;

impl Detector for SoleTraderDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn reads_numbers(&self) -> bool {
        true
    }

    fn detect(&self, text: &str, out: &mut Vec<Finding>) {
        for caps in VAT.captures_iter(text) {
            let (Some(m), Some(nr)) = (caps.get(0), caps.name("nr")) else {
                continue;
            };
            let span = m.range();
            if !is_digit_bounded(text, &span) || !is_valid_personnummer(&digits_of(nr.as_str())) {
                continue;
            }
            let context = has_context(text, &span, CONTEXT, 40);
            out.push(Finding::new(
                span,
                Category::Personnummer,
                0.99,
                explain(
                    NAME,
                    "momsregnr_personnummer",
                    Validation::Passed("date+luhn".into()),
                )
                .with_context(context),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&str, f32, String)> {
        crate::detect::testing::found(&SoleTraderDetector, text)
    }

    #[test]
    fn vat_numbers_holding_a_personnummer() {
        for (t, want) in [
            ("Momsreg.nr SE850317238201", "SE850317238201"),
            ("VAT: SE 850317-2382 01.", "SE 850317-2382 01"),
            ("SE8503172382-01", "SE8503172382-01"),
            // A samordningsnummer: the day plus 60.
            ("Momsnr SE811278123501", "SE811278123501"),
        ] {
            let f = found(t);
            assert_eq!(f.len(), 1, "{t}");
            assert_eq!(f[0].0, want, "{t}");
            assert_eq!(f[0].2, "momsregnr_personnummer");
            assert!(f[0].1 >= 0.99);
        }
    }

    #[test]
    fn company_vat_numbers_and_other_numbers_are_not_flagged() {
        for t in [
            // A company: 20 or more in the month place.
            "Momsreg.nr SE556036079301",
            "VAT SE212000135501",
            // The Luhn digit fails.
            "Momsreg.nr SE850317238301",
            // Not a VAT number: no 01, or a longer run.
            "SE8503172382",
            "SE85031723820199",
            "SE850317238202",
            "BASE850317238201",
        ] {
            assert!(found(t).is_empty(), "{t}: {:?}", found(t));
        }
    }
}
