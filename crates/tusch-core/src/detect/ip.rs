//! IP addresses.
//!
//! # What it finds
//!
//! IPv4 addresses in dotted-quad form (optionally with a `/prefix`), and IPv6 addresses in
//! full, compressed (`::`) and IPv4-embedded forms. An IP address in a log extract or a
//! complaint identifies a subscriber, so it is personal data.
//!
//! # How it validates
//!
//! IPv4: exactly four octets, each 0–255 without leading zeros, and not part of a longer
//! dotted number (`1.2.3.4.5`) — version numbers `1.2.3`, dates `2024.03.15` and
//! `15.03.2024` have three parts and never match. An address whose octets are all below 10
//! (`1.2.3.4`) reads like a section number and scores 0.45 unless a context word (ip,
//! ip-adress, adress, server, host) is near; other addresses score 0.85, 0.95 with context.
//! IPv6: the candidate must parse as [`std::net::Ipv6Addr`] and contain at least two colons;
//! times such as `13:30:00` never parse. Score 0.9.
//!
//! # Known false positives
//!
//! - Four-level section numbers with a large part (`10.2.3.40`) score like an address.
//!
//! # Examples
//!
//! ```text
//! IP-adress 192.168.10.23       → 192.168.10.23 (0.95)
//! 2001:db8::8a2e:370:7334       → the whole address (0.9)
//! version 1.2.3, 2024.03.15, 256.1.1.1, 1.2.3.4.5 → not reported
//! ```

use std::net::Ipv6Addr;
use std::sync::LazyLock;

use regex::Regex;

use super::util::{has_context, is_digit_bounded};
use super::{explain, Detector};
use crate::finding::{Category, Finding, Validation};

const NAME: &str = "ip";

static V4: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?:/[0-9]{1,2})?").expect("ipv4 pattern compiles")
});

static V6: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:[0-9a-f]{0,4}:){2,7}(?:(?:[0-9]{1,3}\.){3}[0-9]{1,3}|[0-9a-f]{1,4})?")
        .expect("ipv6 pattern compiles")
});

const CONTEXT: &[&str] = &[
    "ip",
    "ip-adress",
    "ip-adressen",
    "ipadress",
    "ip-nummer",
    "adress",
    "address",
    "server",
    "host",
    "inloggning",
    "loggad",
];

/// Finds IPv4 and IPv6 addresses; see the module documentation.
#[derive(Debug, Default, Clone, Copy)]
pub struct IpDetector;

impl Detector for IpDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn reads_numbers(&self) -> bool {
        true
    }

    fn detect(&self, text: &str, out: &mut Vec<Finding>) {
        for m in V4.find_iter(text) {
            let span = m.range();
            // An IPv4 inside an IPv6 address ("::ffff:192.0.2.128") belongs to that one.
            if !is_digit_bounded(text, &span) || text[..span.start].ends_with(':') {
                continue;
            }
            let addr = m.as_str().split('/').next().unwrap_or("");
            let mut octets = Vec::with_capacity(4);
            let valid = addr.split('.').all(|o| {
                let ok = !(o.len() > 1 && o.starts_with('0'));
                let v = o.parse::<u16>().unwrap_or(999);
                octets.push(v);
                ok && v <= 255
            });
            if !valid {
                continue;
            }
            let context = has_context(text, &span, CONTEXT, 40);
            let small = octets.iter().all(|&o| o < 10);
            let (rule, score) = match (small, context) {
                (_, true) => ("ipv4", 0.95),
                (true, false) => ("ipv4_section_like", 0.45),
                (false, false) => ("ipv4", 0.85),
            };
            out.push(Finding::new(
                span,
                Category::IpAddress,
                score,
                explain(NAME, rule, Validation::Passed("octets".into())).with_context(context),
            ));
        }
        for m in V6.find_iter(text) {
            let s = m.as_str();
            if s.matches(':').count() < 2 || s.len() < 3 {
                continue;
            }
            // A trailing single colon belongs to the sentence ("adress: …:"), not the address.
            let (s, span) = if s.ends_with(':') && !s.ends_with("::") {
                (&s[..s.len() - 1], m.start()..m.end() - 1)
            } else {
                (s, m.range())
            };
            // Mail headers write "[IPv6:2001:db8::1]": the pattern starts at the "6" of
            // the label, which is not part of the address.
            let labelled =
                s.starts_with("6:") && text[..span.start].to_ascii_lowercase().ends_with("ipv");
            let (s, span) = if labelled {
                (&s[2..], span.start + 2..span.end)
            } else {
                (s, span)
            };
            if s.parse::<Ipv6Addr>().is_err() {
                continue;
            }
            let before_ok = labelled
                || text[..span.start]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric() && c != ':' && c != '.');
            let mut after = text[span.end..].chars();
            let after_ok = match (after.next(), after.next()) {
                (Some(c), _) if c.is_alphanumeric() => false,
                (Some(':'), Some(d)) => !d.is_ascii_hexdigit() && d != ':',
                _ => true,
            };
            if !before_ok || !after_ok {
                continue;
            }
            let context = has_context(text, &span, CONTEXT, 40);
            out.push(Finding::new(
                span,
                Category::IpAddress,
                if context { 0.95 } else { 0.9 },
                explain(NAME, "ipv6", Validation::Passed("ipv6-parse".into()))
                    .with_context(context),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&str, f32, String)> {
        crate::detect::testing::found(&IpDetector, text)
    }

    fn masked(text: &str) -> Vec<&str> {
        crate::detect::testing::masked(&IpDetector, text)
    }

    #[test]
    fn ipv4_with_exact_spans() {
        let t = "Inloggning från 192.168.10.23, sedan 81.2.69.160/24.";
        assert_eq!(masked(t), vec!["192.168.10.23", "81.2.69.160/24"]);
        let mut out = Vec::new();
        IpDetector.detect("IP: 10.0.0.1", &mut out);
        assert_eq!(out[0].span, 4..12);
        assert!(out[0].explanation.context);
    }

    #[test]
    fn an_address_glued_to_letters_is_found() {
        assert_eq!(
            masked("inloggad från203.0.113.45kl 13"),
            vec!["203.0.113.45"]
        );
        assert!(masked("1203.0.113.45").is_empty());
        assert!(masked("203.0.113.451").is_empty());
    }

    /// The headers of a printed e-mail (fixture epost-trad).
    #[test]
    fn addresses_in_mail_headers() {
        let t = "Received: from mail.example.net ([203.0.113.45])\r\n\
                 \tby mx.ankeby.se with ESMTPS; Fri, 15 Mar 2024 07:58:12 +0100\r\n\
                 X-Originating-IP: [198.51.100.23]\r\n\
                 Received: from [2001:db8::25] (helo=laptop)";
        assert_eq!(
            masked(t),
            vec!["203.0.113.45", "198.51.100.23", "2001:db8::25"]
        );
        assert!(found(t).iter().all(|f| f.1 >= 0.85));
    }

    #[test]
    fn issue_11_ipv6_in_a_received_header() {
        let text = "Received: from [IPv6:2001:db8:7c2::45] (unknown)";
        let mut out = Vec::new();
        IpDetector.detect(text, &mut out);
        let got: Vec<&str> = out.iter().map(|f| &text[f.span.clone()]).collect();
        assert_eq!(got, vec!["2001:db8:7c2::45"]);
    }

    #[test]
    fn ipv6_forms() {
        for a in [
            "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
            "2001:db8::8a2e:370:7334",
            "fe80::1",
            "::1",
            "::ffff:192.0.2.128",
        ] {
            let t = format!("adress {a} loggades");
            assert_eq!(masked(&t), vec![a], "{a}");
        }
        assert_eq!(masked("Adress: fe80::1:"), vec!["fe80::1"]);
    }

    #[test]
    fn not_addresses() {
        for t in [
            "version 1.2.3",
            "2024.03.15",
            "15.03.2024",
            "256.1.1.1",
            "1.2.3.4.5",
            "01.02.03.04",
            "kl 13:30:00",
            "Mötet 10:00-12:00",
            "SFS 2001:453",
            "4 kap. 1 §",
            "avsnitt 1.2.3.4",
        ] {
            assert!(masked(t).is_empty(), "{t}: {:?}", found(t));
        }
    }
}
