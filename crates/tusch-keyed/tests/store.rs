//! The store on disk: round-trip, import, the secret, and that the file holds no string.
#![allow(clippy::unwrap_used)]

use tusch_core::Category;
use tusch_keyed::{KeyedError, KeyedStore, Kind};

/// Standard base64 (RFC 4648) with padding, for checking the file.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                s.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// Every encoding of `s` the file is checked against: plain, lower-case, normalised, and
/// base64 of each (at the three alignments a substring can have).
pub fn encodings(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    for form in [s.to_owned(), s.to_lowercase(), s.to_uppercase()] {
        out.push(form.clone());
        for skip in 0..3.min(form.len()) {
            let b = base64(&form.as_bytes()[skip..]);
            // Drop the padded tail: a substring of a longer base64 text ends differently.
            out.push(
                b.trim_end_matches('=')
                    .chars()
                    .take(b.len().saturating_sub(4))
                    .collect(),
            );
        }
    }
    out.retain(|e| e.len() >= 4);
    out
}

#[test]
fn base64_matches_rfc_4648() {
    assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    assert_eq!(base64(b"fooba"), "Zm9vYmE=");
    assert_eq!(base64(b"f"), "Zg==");
}

#[test]
fn a_store_round_trips_and_holds_no_string_in_any_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inlard.json");
    let added = [
        ("Åsa Pärlemo", Kind::Mask),
        ("Lill-Bosse", Kind::Mask),
        ("Selma Lagerlöfs väg", Kind::NotPersonal),
        ("Vera Lind", Kind::ProtectedName),
        ("19850317-2382", Kind::ProtectedPnr),
    ];
    let mut s = KeyedStore::open(&path, None).unwrap();
    for (text, kind) in added {
        s.record(text, kind, Some(Category::Person)).unwrap();
    }
    s.record("ÅSA PÄRLEMOS", Kind::Mask, None).unwrap();
    s.save().unwrap();

    let again = KeyedStore::open(&path, None).unwrap();
    assert_eq!(
        again.entries().collect::<Vec<_>>(),
        s.entries().collect::<Vec<_>>()
    );
    let h = again.hash_of("åsa  pärlemo", Kind::Mask).unwrap();
    let c = again.counts(&h);
    assert_eq!((c.mask, c.category), (2, Some(Category::Person)));
    assert_eq!(again.count(Kind::ProtectedName), 1);

    let file = std::fs::read_to_string(&path).unwrap();
    for (text, _) in added {
        let mut forms = encodings(text);
        forms.extend(
            text.split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() > 3)
                .flat_map(encodings),
        );
        forms.push("198503172382".into());
        forms.push("8503172382".into());
        for e in forms {
            assert!(
                !file.contains(&e),
                "the store holds an encoding of an added string"
            );
        }
    }
    // The secret was created beside the store, readable by its owner only.
    let secret = dir.path().join("secret.key");
    assert_eq!(std::fs::read(&secret).unwrap().len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // No temporary file is left.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn import_merges_counts_and_needs_the_same_secret() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    let secret = dir.path().join("secret.key");
    let mut sa = KeyedStore::open(&a, Some(&secret)).unwrap();
    sa.record("Lill-Bosse", Kind::Mask, None).unwrap();
    sa.save().unwrap();
    let mut sb = KeyedStore::open(&b, Some(&secret)).unwrap();
    sb.record("lill bosse", Kind::Mask, None).unwrap();
    sb.record("Blankett 7", Kind::NotPersonal, None).unwrap();
    sb.save().unwrap();
    assert_eq!(sa.import(&b).unwrap(), 2);
    let h = sa.hash_of("Lill-Bosse", Kind::Mask).unwrap();
    assert_eq!(sa.counts(&h).mask, 2);
    assert_eq!(sa.count(Kind::NotPersonal), 1);

    // Another installation's list is refused, not silently useless.
    let other = tempfile::tempdir().unwrap();
    let mut so = KeyedStore::open(&other.path().join("o.json"), None).unwrap();
    so.record("Lill-Bosse", Kind::Mask, None).unwrap();
    assert_ne!(so.hash_of("Lill-Bosse", Kind::Mask).unwrap(), h);
    so.save().unwrap();
    assert!(matches!(
        sa.import(&other.path().join("o.json")),
        Err(KeyedError::WrongSecret { .. })
    ));
}

#[test]
fn strings_too_long_or_empty_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = KeyedStore::open(&dir.path().join("x.json"), None).unwrap();
    assert!(s.record("ett två tre fyra fem", Kind::Mask, None).is_err());
    assert!(s.record("--", Kind::Mask, None).is_err());
    assert!(s.record("12345", Kind::ProtectedPnr, None).is_err());
    assert!(s.remove("Ingen", Kind::Mask).is_ok_and(|r| !r));
}
