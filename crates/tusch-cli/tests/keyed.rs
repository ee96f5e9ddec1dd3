//! `tusch protected …` and `tusch learned …` (issues 14 and 16): the lists are managed from
//! the command line, and nothing the commands print or write holds a name.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

fn tusch(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tusch"))
        .args(args)
        .env("TUSCH_SYSTEM_CONFIG", home.join("ingen-system.toml"))
        .env("HOME", home)
        .env_remove("XDG_CONFIG_HOME")
        .output()
        .unwrap()
}

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn protected_and_learned_lists_are_managed_without_printing_or_storing_a_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = d.join("tusch.toml");
    std::fs::write(
        &config,
        format!(
            "[protected]\npath = {:?}\n[learned]\npath = {:?}\n",
            d.join("skyddade.json").display().to_string(),
            d.join("inlard.json").display().to_string()
        ),
    )
    .unwrap();
    let c = config.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut a = args.to_vec();
        a.extend(["--config", c]);
        tusch(d, &a)
    };
    let mut printed = String::new();
    for args in [
        &["protected", "add", "--name", "Vera Lindgrund"][..],
        &["protected", "add", "--pnr", "850317-2382"],
        &[
            "learned",
            "add",
            "--mask",
            "Lill-Bosse",
            "--category",
            "person",
        ],
        &[
            "learned",
            "add",
            "--not-personal",
            "Selma Lagerlöfs väg 4",
            "--times",
            "3",
        ],
    ] {
        let o = run(args);
        assert!(o.status.success(), "{args:?}: {}", out(&o));
        printed.push_str(&out(&o));
    }
    let o = run(&["protected", "list", "--count"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "2");
    let o = run(&["protected", "list"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "a list without --count is refused"
    );
    let o = run(&["learned", "stats"]);
    assert!(o.status.success());
    printed.push_str(&out(&o));
    let o = run(&["protected", "remove", "--name", "VERA LINDGRUNDS"]);
    assert!(o.status.success(), "{}", out(&o));
    assert_eq!(
        String::from_utf8_lossy(&run(&["protected", "list", "--count"]).stdout).trim(),
        "1"
    );
    let exported = d.join("export.json");
    assert!(run(&["learned", "export", exported.to_str().unwrap()])
        .status
        .success());
    assert!(run(&["learned", "import", exported.to_str().unwrap()])
        .status
        .success());

    let mut files = printed;
    for f in ["skyddade.json", "inlard.json", "export.json"] {
        files.push_str(&std::fs::read_to_string(d.join(f)).unwrap());
    }
    for s in [
        "Vera",
        "Lindgrund",
        "vera",
        "lindgrund",
        "2382",
        "Bosse",
        "bosse",
        "Selma",
        "selma",
        "Lagerlöf",
    ] {
        assert!(!files.contains(s), "a name or number was printed or stored");
    }
}
