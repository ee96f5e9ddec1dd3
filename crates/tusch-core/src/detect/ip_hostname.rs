//! Host names that carry an IPv4 address.
//!
//! # What it finds
//!
//! Reverse-DNS names that internet providers give their customers' addresses, which spell
//! the address out: `c-203-0-113-45.bredband.example.se`, `203-0-113-45.static.isp.se`,
//! `h-203-0-113-45.A123.priv.bahnhof.se`, `host203-0-113-45.example.net`, the dotted
//! `203.0.113.45.static.example.net` and the reversed `45.113.0.203.in-addr.arpa`. They turn
//! up in the `Received:` headers of a printed e-mail and in log extracts, and identify a
//! subscriber as well as the bare address does, so the whole host name is masked (category
//! IP address). A bare address is [`super::ip`]'s business.
//!
//! # How it validates
//!
//! Four numbers joined all by `-` (or all by `.`) must each be 0–255; leading zeros only in
//! the zero-padded form where all four have three digits (`203-000-113-045`); not all below
//! 10 (`v1-2-3-4` reads like a version). The numbers must not continue a longer run of
//! numbers (`1-203-0-113-45`, a date `2024-03-12-…`). Around them the host name must go on
//! past the numbers' label to a domain and a top-level domain of letters (`.example.se`,
//! `.in-addr.arpa`).
//! Either order of the octets counts (providers use both). Score 0.9; a context word
//! (received, from, host, ip, inloggning …) gives 0.95.
//!
//! # Known false positives
//!
//! - A host name with four small numbers in it that are not an address
//!   (`build-12-3-4-56.ci.example.com`).
//!
//! # Examples
//!
//! ```text
//! Received: from c-203-0-113-45.bredband.example.se   → the whole host name (0.95)
//! 45.113.0.203.in-addr.arpa                          → the whole name (in_addr_arpa)
//! 2024-03-12, version 1.2.3, 070-174 06 05, v1-2-3-4.example.com → not reported
//! ```

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::util::has_context;
use super::{explain, Detector};
use crate::finding::{Category, Finding, Validation};

const NAME: &str = "ip_hostname";

/// Four numbers of one to three digits with a dash or a dot between them; that the
/// separators agree is checked in code (the regex crate has no back-references).
static CORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}[-.][0-9]{1,3}")
        .expect("ip hostname pattern compiles")
});

const CONTEXT: &[&str] = &[
    "received",
    "from",
    "by",
    "host",
    "hostname",
    "värd",
    "ip",
    "ip-adress",
    "x-originating-ip",
    "inloggning",
    "loggad",
    "server",
    "ptr",
];

/// Finds host names that embed an IPv4 address; see the module documentation.
#[derive(Debug, Default, Clone, Copy)]
pub struct IpHostnameDetector;

impl Detector for IpHostnameDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, text: &str, out: &mut Vec<Finding>) {
        for m in CORE.find_iter(text) {
            let core = m.as_str();
            let sep = if core.contains('-') { '-' } else { '.' };
            if core.contains('-') && core.contains('.') {
                continue;
            }
            if !octets_ok(core, sep) || !core_bounded(text, &m.range(), sep) {
                continue;
            }
            let Some((host, rule)) = host_around(text, m.range(), sep) else {
                continue;
            };
            let context = has_context(text, &host, CONTEXT, 40);
            out.push(Finding::new(
                host,
                Category::IpAddress,
                if context { 0.95 } else { 0.9 },
                explain(NAME, rule, Validation::Passed("octets+hostname".into()))
                    .with_context(context),
            ));
        }
    }
}

/// Each part 0–255, zero-padded only as a whole, not all below 10.
fn octets_ok(core: &str, sep: char) -> bool {
    let parts: Vec<&str> = core.split(sep).collect();
    if parts.len() != 4 {
        return false;
    }
    let padded = parts.iter().all(|p| p.len() == 3);
    let mut all_small = true;
    for p in &parts {
        if p.len() > 1 && p.starts_with('0') && !padded {
            return false;
        }
        match p.parse::<u16>() {
            Ok(v) if v <= 255 => all_small &= v < 10,
            _ => return false,
        }
    }
    !all_small
}

/// The four numbers are not part of a longer run of numbers.
fn core_bounded(text: &str, core: &Range<usize>, sep: char) -> bool {
    let mut before = text[..core.start].chars().rev();
    let b = (before.next(), before.next());
    let mut after = text[core.end..].chars();
    let a = (after.next(), after.next());
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    !(digit(b.0)
        || (b.0 == Some(sep) && digit(b.1))
        || digit(a.0)
        || (a.0 == Some(sep) && digit(a.1)))
}

fn is_host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_'
}

/// The host name around the numbers and its rule, when the name goes on past them to a
/// top-level domain of letters.
fn host_around(text: &str, core: Range<usize>, sep: char) -> Option<(Range<usize>, &'static str)> {
    let head = &text[..core.start];
    let start = head
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_host_char(c))
        .last()
        .map_or(core.start, |(i, _)| i);
    let start = start
        + (text[start..core.start].len()
            - text[start..core.start]
                .trim_start_matches(['.', '-', '_'])
                .len());
    let tail = &text[core.end..];
    let len = tail.find(|c: char| !is_host_char(c)).unwrap_or(tail.len());
    let end = core.end + tail[..len].trim_end_matches(['.', '-', '_']).len();
    // In the dotted form the numbers are whole labels; in the dashed form they sit inside a
    // label, so the host must go on past that label.
    let after = &text[core.end..end];
    if sep == '.' && !(text[start..core.start].is_empty() || text[start..core.start].ends_with('.'))
    {
        return None;
    }
    let rest = match sep {
        '.' => after.strip_prefix('.')?,
        _ => after.split_once('.')?.1,
    };
    // At least a domain and a top-level domain after the numbers' label: one word after
    // a dotted number is a sentence ("avsnitt 12.3.4.5.Bilaga"), not a host.
    let labels: Vec<&str> = rest.split('.').collect();
    if labels.len() < 2 {
        return None;
    }
    let tld = labels.last()?;
    if !(2..=24).contains(&tld.len()) || !tld.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    if labels.iter().any(|l| l.is_empty()) {
        return None;
    }
    let rule = if rest.eq_ignore_ascii_case("in-addr.arpa") {
        "in_addr_arpa"
    } else {
        "ipv4_in_hostname"
    };
    Some((start..end, rule))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&str, f32, String)> {
        crate::detect::testing::found(&IpHostnameDetector, text)
    }

    fn masked(text: &str) -> Vec<&str> {
        crate::detect::testing::masked(&IpHostnameDetector, text)
    }

    #[test]
    fn provider_host_names_are_found_whole() {
        for h in [
            "c-203-0-113-45.bredband.example.se",
            "203-0-113-45.static.isp.se",
            "h-203-0-113-45.A123.priv.bahnhof.se",
            "host203-0-113-45.example.net",
            "ip-198-51-100-23.eu-west-1.compute.example.com",
            "45-113-0-203.dyn.example.net",
            "203.0.113.45.static.example.net",
            "c-203-000-113-045.cust.example.se",
        ] {
            let t = format!("Received: from {h} (unknown)");
            assert_eq!(masked(&t), vec![h], "{h}");
        }
        let f = found("Received: from c-203-0-113-45.bredband.example.se");
        assert_eq!(f[0].2, "ipv4_in_hostname");
        assert!((f[0].1 - 0.95).abs() < 1e-6);
    }

    #[test]
    fn reverse_lookup_names() {
        let f = found("PTR 45.113.0.203.in-addr.arpa.");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].0, "45.113.0.203.in-addr.arpa");
        assert_eq!(f[0].2, "in_addr_arpa");
    }

    #[test]
    fn in_an_address_or_a_url_only_the_host() {
        assert_eq!(
            masked("anna@c-203-0-113-45.bredband.example.se"),
            vec!["c-203-0-113-45.bredband.example.se"]
        );
        assert_eq!(
            masked("https://203-0-113-45.static.isp.se/logg"),
            vec!["203-0-113-45.static.isp.se"]
        );
    }

    #[test]
    fn not_host_names_with_addresses() {
        for t in [
            "Beslut 2024-03-12",
            "2024-03-12.protokoll.se",
            "version 1.2.3",
            "v1-2-3-4.release.example.com",
            "070-174-06-05.example.se",
            "Tel 070-174 06 05",
            "203-0-113-45",
            "Från 203.0.113.45.",
            "203-0-113-256.example.se",
            "1-203-0-113-45.example.se",
            "203-0-113-45-7.example.se",
            "avsnitt 12.3.4.5.Bilaga",
            "203-0-113-45.example.123",
        ] {
            assert!(masked(t).is_empty(), "{t}: {:?}", found(t));
        }
    }
}
