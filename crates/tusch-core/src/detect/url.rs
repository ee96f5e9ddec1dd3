//! URLs that carry personal data.
//!
//! # What it finds
//!
//! Only web addresses that identify a person — an ordinary link to a kommun page must stay
//! readable:
//!
//! - a profile path on a social network: `facebook.com/…`, `instagram.com/…`,
//!   `linkedin.com/in/…`, `x.com/…`, `twitter.com/…`, `tiktok.com/@…`, `youtube.com/@…`,
//!   `github.com/…`, `threads.net/@…` (rule `social_profile`);
//! - a query parameter that names a person or an identifier, with a value: `email=`, `pnr=`,
//!   `personnummer=`, `name=`, `namn=`, `user=`, `id=`, … (rule `personal_query`);
//! - an e-mail address inside the URL, including `mailto:` links and `%40` (rule
//!   `email_in_url`).
//!
//! URLs start with a scheme (`https://`, `http://`, `ftp://` — or what OCR makes of
//! `https://` on a scan, such as `nttps://`) or `www.`; the social networks' domains are
//! also found without either (`facebook.com/anna.berg`).
//!
//! # How it validates
//!
//! The host and path are parsed from the match: the host must be a known social network (any
//! subdomain, e.g. `sv-se.facebook.com`), and the first path segment must not be one of the
//! site's own pages (`/sharer`, `/help`, `/login`, `/policies`, …). Query keys are compared
//! case-insensitively. Trailing punctuation (`.`, `,`, `)`, …) is not part of the span.
//!
//! Scores: `email_in_url` 0.9, explicit personal query keys 0.9, `social_profile` 0.8, the
//! generic `id=`/`uid=` 0.65.
//!
//! # Known false positives
//!
//! - An organisation's own social-media page (`facebook.com/ankebykommun`) is a profile path
//!   like any other and is masked.
//! - `id=` also numbers articles and documents; it scores 0.65.
//!
//! # Examples
//!
//! ```text
//! https://www.facebook.com/anna.berg.123     → the whole URL (social_profile)
//! https://e.ankeby.se/form?pnr=8112189876    → the whole URL (personal_query)
//! https://www.ankeby.se/bygglov              → not reported
//! ```

use std::sync::LazyLock;

use regex::Regex;

use super::util::is_standalone;
use super::{explain, Detector};
use crate::finding::{Category, Finding, Validation};

const NAME: &str = "url";

static PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?:(?:[a-z][a-z0-9+.-]{0,9}://|www\.)[^\s<>"'\x{00A0}]+|mailto:[^\s<>"'\x{00A0}]+|(?:[a-z0-9-]+\.)*(?:facebook\.com|fb\.com|instagram\.com|linkedin\.com|twitter\.com|x\.com|tiktok\.com|youtube\.com|github\.com|threads\.net|snapchat\.com)/[^\s<>"'\x{00A0}]+)"#,
    )
    .expect("url pattern compiles")
});

/// Social networks, and the first path segments that are the site's own pages.
const SOCIAL: &[(&str, &[&str])] = &[
    (
        "facebook.com",
        &[
            "sharer",
            "sharer.php",
            "share",
            "help",
            "login",
            "login.php",
            "policies",
            "privacy",
            "about",
            "pages",
            "groups",
            "events",
            "watch",
            "marketplace",
            "gaming",
            "business",
            "legal",
            "terms",
            "hashtag",
            "dialog",
            "plugins",
            "tr",
        ],
    ),
    ("fb.com", &["help", "login"]),
    ("linkedin.com", &[]),
    (
        "instagram.com",
        &[
            "p", "explore", "accounts", "about", "legal", "reel", "reels", "stories", "direct",
        ],
    ),
    (
        "twitter.com",
        &[
            "intent", "share", "home", "search", "hashtag", "i", "explore", "tos", "privacy",
            "login",
        ],
    ),
    (
        "x.com",
        &[
            "intent", "share", "home", "search", "hashtag", "i", "explore", "tos", "privacy",
            "login",
        ],
    ),
    (
        "tiktok.com",
        &["tag", "discover", "legal", "about", "music", "foryou"],
    ),
    (
        "youtube.com",
        &[
            "watch", "embed", "results", "playlist", "feed", "shorts", "about", "t",
        ],
    ),
    (
        "github.com",
        &[
            "about",
            "features",
            "pricing",
            "login",
            "join",
            "orgs",
            "topics",
            "explore",
            "marketplace",
            "sponsors",
            "settings",
        ],
    ),
    ("threads.net", &["about", "login"]),
    ("snapchat.com", &["about", "legal"]),
];

/// Query keys naming a person or an identifier of one, scored high.
const PERSONAL_KEYS: &[&str] = &[
    "email",
    "e-mail",
    "mail",
    "epost",
    "e-post",
    "pnr",
    "personnummer",
    "persnr",
    "ssn",
    "name",
    "namn",
    "fornamn",
    "förnamn",
    "efternamn",
    "firstname",
    "first_name",
    "lastname",
    "last_name",
    "fullname",
    "user",
    "username",
    "user_name",
    "anvandare",
    "användare",
    "login",
    "phone",
    "tel",
    "telefon",
    "mobil",
    "mobile",
    "adress",
    "address",
    "kund",
    "elev",
    "patient",
];

/// Generic identifier keys, scored lower: they also number articles and documents.
const ID_KEYS: &[&str] = &[
    "id",
    "uid",
    "userid",
    "user_id",
    "personid",
    "person_id",
    "kundid",
    "kundnr",
    "elevid",
];

/// Finds URLs carrying personal data; see the module documentation.
#[derive(Debug, Default, Clone, Copy)]
pub struct UrlDetector;

impl Detector for UrlDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn detect(&self, text: &str, out: &mut Vec<Finding>) {
        for m in PATTERN.find_iter(text) {
            let raw = m.as_str();
            let trimmed = raw.trim_end_matches([
                '.', ',', ';', ':', '!', '?', ')', ']', '}', '\'', '"', '»', '”',
            ]);
            // Keep a closing parenthesis that closes one inside the URL (Wikipedia style).
            let trimmed = if raw.len() > trimmed.len()
                && raw[trimmed.len()..].starts_with(')')
                && trimmed.contains('(')
            {
                &raw[..trimmed.len() + 1]
            } else {
                trimmed
            };
            let span = m.start()..m.start() + trimmed.len();
            if span.is_empty() || !is_standalone(text, &span) {
                continue;
            }
            if let Some((rule, score)) = classify(trimmed) {
                out.push(Finding::new(
                    span,
                    Category::Url,
                    score,
                    explain(NAME, rule, Validation::NotApplicable),
                ));
            }
        }
    }
}

/// The rule and score for a URL that carries personal data, or `None`.
fn classify(url: &str) -> Option<(&'static str, f32)> {
    let lower = url.to_lowercase();
    let has_email = lower.match_indices(['@']).any(|(i, _)| {
        lower[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '.' || c == '_')
    });
    if lower.starts_with("mailto:") || has_email || lower.contains("%40") {
        return Some(("email_in_url", 0.9));
    }
    // Any scheme: OCR reads "https://" as "nttps://" or "bttps://" often enough.
    let rest = match lower.find("://") {
        Some(i) if i <= 10 => &lower[i + 3..],
        _ => &lower,
    };
    let (host_port, after_host) = match rest.find(['/', '?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let host = host_port.split(':').next().unwrap_or("");
    let (path, query) = match after_host.find('?') {
        Some(i) => (&after_host[..i], &after_host[i + 1..]),
        None => (after_host, ""),
    };
    let path = path.split('#').next().unwrap_or("");
    let mut best: Option<(&'static str, f32)> = None;
    for pair in query.split(['&', ';']) {
        let mut kv = pair.splitn(2, '=');
        let (Some(k), Some(v)) = (kv.next(), kv.next()) else {
            continue;
        };
        let v = v.split('#').next().unwrap_or("");
        if v.is_empty() {
            continue;
        }
        if PERSONAL_KEYS.contains(&k) {
            return Some(("personal_query", 0.9));
        }
        if ID_KEYS.contains(&k) {
            best = Some(("id_query", 0.65));
        }
    }
    if let Some((site, reserved)) = SOCIAL
        .iter()
        .find(|(site, _)| host == *site || host.ends_with(&format!(".{site}")))
    {
        let mut segments = path.split('/').filter(|s| !s.is_empty());
        let first = segments.next().unwrap_or("");
        let profile = match *site {
            "linkedin.com" => first == "in" && segments.next().is_some(),
            _ => !first.is_empty() && !reserved.contains(&first),
        };
        let profile = profile
            || (*site == "facebook.com"
                && first == "profile.php"
                && query.split('&').any(|p| p.starts_with("id=")));
        if profile {
            return Some(("social_profile", 0.8));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&str, String)> {
        let mut out = Vec::new();
        UrlDetector.detect(text, &mut out);
        out.iter()
            .map(|f| (&text[f.span.clone()], f.explanation.rule.clone()))
            .collect()
    }

    #[test]
    fn social_profiles() {
        for u in [
            "https://www.facebook.com/anna.berg.123",
            "facebook.com/anna.berg",
            "https://sv-se.facebook.com/profile.php?id=100012345678",
            "https://www.instagram.com/annaberg_85/",
            "https://se.linkedin.com/in/anna-berg-1a2b3c",
            "https://x.com/annaberg",
            "twitter.com/annaberg",
            "https://www.tiktok.com/@annaberg",
        ] {
            let t = format!("Se ({u}).");
            assert_eq!(found(&t), vec![(u, "social_profile".to_owned())], "{u}");
        }
    }

    #[test]
    fn personal_query_and_email() {
        let t = "Länk: https://e.ankeby.se/form?pnr=8112189876&steg=2, klar.";
        assert_eq!(
            found(t),
            vec![(
                "https://e.ankeby.se/form?pnr=8112189876&steg=2",
                "personal_query".to_owned()
            )]
        );
        let t = "https://ankeby.se/unsub?u=anna.berg%40example.se";
        assert_eq!(found(t)[0].1, "email_in_url");
        assert_eq!(found("mailto:anna.berg@example.se")[0].1, "email_in_url");
        assert_eq!(found("http://ankeby.se/arende?id=4711")[0].1, "id_query");
    }

    /// OCR of fixtures/scans/klagomal-medborgare-skannad.pdf: the h of https read as n,
    /// the @ as e.
    #[test]
    fn a_scheme_misread_by_ocr_still_starts_a_url() {
        let t = "nttps://e-tjanst.ankeby.se/felanmalan?email=kerstin.raskeexample.com";
        assert_eq!(found(t), vec![(t, "personal_query".to_owned())]);
        assert_eq!(
            found("se bttps://www.facebook.com/anna.berg.123 nu")[0].0,
            "bttps://www.facebook.com/anna.berg.123"
        );
        assert!(found("nttps://www.ankeby.se/bygglov").is_empty());
    }

    #[test]
    fn ordinary_links_are_not_flagged() {
        for t in [
            "https://www.ankeby.se/bygglov",
            "www.ankeby.se/kontakt?sida=2",
            "https://www.facebook.com/",
            "https://www.facebook.com/sharer/sharer.php?u=https://ankeby.se",
            "https://www.linkedin.com/company/ankeby-kommun",
            "https://www.youtube.com/watch?v=abc",
            "https://ankeby.se/sok?q=&name=",
            "https://www.riksdagen.se/sv/dokument-och-lagar/dokument/svensk-forfattningssamling/offentlighets--och-sekretesslag-2009400_sfs-2009-400/",
        ] {
            assert!(found(t).is_empty(), "{t}");
        }
    }
}
