//! Findings: what a detector reports, and how it explains itself.

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

/// The kind of personal or secret data a finding is.
///
/// The serialised names are part of the report format and the configuration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Category {
    /// Personnummer, samordningsnummer, a sole trader's organisationsnummer.
    Personnummer,
    Phone,
    Email,
    IpAddress,
    /// A URL that carries personal data (a profile path, an e-mail or id in the query).
    Url,
    /// Street address, c/o, Box, lägenhetsnummer.
    Address,
    /// Postnummer together with postort.
    PostalCode,
    /// Bankgiro, plusgiro, clearing + account number, IBAN.
    BankAccount,
    PaymentCard,
    VehiclePlate,
    /// Fastighetsbeteckning, e.g. "Ekeby 3:14".
    PropertyDesignation,
    DateOfBirth,
    /// A person's name.
    Person,
    Location,
    Organisation,
    /// Masked because the registrar or the configuration said so (deny-list, manual box).
    Other,
}

impl Category {
    pub const ALL: [Category; 16] = [
        Category::Personnummer,
        Category::Phone,
        Category::Email,
        Category::IpAddress,
        Category::Url,
        Category::Address,
        Category::PostalCode,
        Category::BankAccount,
        Category::PaymentCard,
        Category::VehiclePlate,
        Category::PropertyDesignation,
        Category::DateOfBirth,
        Category::Person,
        Category::Location,
        Category::Organisation,
        Category::Other,
    ];

    /// The stable machine name (as in reports and configuration).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Personnummer => "personnummer",
            Category::Phone => "phone",
            Category::Email => "email",
            Category::IpAddress => "ip_address",
            Category::Url => "url",
            Category::Address => "address",
            Category::PostalCode => "postal_code",
            Category::BankAccount => "bank_account",
            Category::PaymentCard => "payment_card",
            Category::VehiclePlate => "vehicle_plate",
            Category::PropertyDesignation => "property_designation",
            Category::DateOfBirth => "date_of_birth",
            Category::Person => "person",
            Category::Location => "location",
            Category::Organisation => "organisation",
            Category::Other => "other",
        }
    }

    /// The Swedish name shown to registrars.
    pub fn label_sv(self) -> &'static str {
        match self {
            Category::Personnummer => "Personnummer",
            Category::Phone => "Telefonnummer",
            Category::Email => "E-postadress",
            Category::IpAddress => "IP-adress",
            Category::Url => "Webbadress",
            Category::Address => "Adress",
            Category::PostalCode => "Postnummer och ort",
            Category::BankAccount => "Kontonummer",
            Category::PaymentCard => "Kortnummer",
            Category::VehiclePlate => "Registreringsnummer",
            Category::PropertyDesignation => "Fastighetsbeteckning",
            Category::DateOfBirth => "Födelsedatum",
            Category::Person => "Namn",
            Category::Location => "Plats",
            Category::Organisation => "Organisation",
            Category::Other => "Övrigt",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of a detector's validation step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "result", content = "check")]
pub enum Validation {
    /// A checksum or lookup confirmed the match (e.g. "luhn", "mod97", "postnummer-list").
    Passed(String),
    /// The check failed; the finding survives only with a lowered score (e.g. near-misses
    /// next to a context word).
    Failed(String),
    /// The pattern has no validation step.
    NotApplicable,
}

/// Why a finding was made. Never contains document text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The detector's name, e.g. "personnummer".
    pub detector: String,
    /// The rule or pattern within the detector, e.g. "yyyymmdd-nnnn".
    pub rule: String,
    pub validation: Validation,
    /// Whether a context word (e.g. "personnummer", "tel") near the match raised the score.
    #[serde(default)]
    pub context: bool,
}

impl Explanation {
    pub fn new(detector: &str, rule: &str, validation: Validation) -> Self {
        Self {
            detector: detector.to_owned(),
            rule: rule.to_owned(),
            validation,
            context: false,
        }
    }

    pub fn with_context(mut self, context: bool) -> Self {
        self.context = context;
        self
    }
}

/// The detector name of findings from the kommun's list of protected identities
/// (`tusch-keyed`): never dropped by the allow-list, the threshold, a disabled category or
/// the learned list, and never rejected in review without a deliberate override.
pub const PROTECTED_DETECTOR: &str = "skyddad_identitet";

/// The detector name of suggestions from the learned list (`tusch-keyed`).
pub const LEARNED_DETECTOR: &str = "inlärd";

/// A span of a page's text that a detector believes should be masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Byte range into the page's [`crate::TextLayer::text`].
    pub span: Range<usize>,
    pub category: Category,
    /// Confidence in `[0, 1]`.
    pub score: f32,
    pub explanation: Explanation,
}

impl Finding {
    pub fn new(
        span: Range<usize>,
        category: Category,
        score: f32,
        explanation: Explanation,
    ) -> Self {
        Self {
            span,
            category,
            score: score.clamp(0.0, 1.0),
            explanation,
        }
    }

    /// Whether the finding comes from the list of protected identities.
    pub fn is_protected(&self) -> bool {
        self.explanation.detector == PROTECTED_DETECTOR
    }

    /// Whether the finding is an identifier a checksum confirmed (a personnummer passing
    /// date and Luhn checks, an account or card number passing its check): such findings
    /// are never suppressed by what was learned.
    pub fn is_validated_identifier(&self) -> bool {
        matches!(self.explanation.validation, Validation::Passed(_))
            && matches!(
                self.category,
                Category::Personnummer | Category::BankAccount | Category::PaymentCard
            )
    }
}

/// Overlapping findings become one, spanning both, with the category and
/// explanation of the higher-scoring one.
pub fn merge_overlaps(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by(|a, b| {
        a.span
            .start
            .cmp(&b.span.start)
            .then(b.span.end.cmp(&a.span.end))
    });
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    for f in findings {
        match out.last_mut() {
            Some(last) if f.span.start < last.span.end => {
                let end = last.span.end.max(f.span.end);
                // A protected identity keeps its explanation, so it stays flagged.
                let wins = f.score > last.score
                    || (f.is_protected() && !last.is_protected() && f.score >= last.score);
                if wins {
                    let start = last.span.start;
                    *last = f;
                    last.span = start..end;
                } else {
                    last.span.end = end;
                }
            }
            _ => out.push(f),
        }
    }
    out
}
