//! The names of Tusch's temporary files, so a later run can tell its own leftovers from
//! anyone else's files, and a live writer's file from a dead one's.
//!
//! Every output is written to a temporary file beside it and renamed into place only after
//! it verifies. A process killed with SIGKILL, or a power loss, leaves that file behind:
//! a readable, *unverified* PDF. The name says who wrote it:
//!
//! ```text
//! .tusch-<host>-<pid>-<random>.pdf.part     (output PDFs, apply_plan)
//! .tusch-<host>-<pid>-<random>.part         (reports)
//! ```
//!
//! `<host>` is the machine's name with only ASCII letters and digits kept (at most 24),
//! `<pid>` the writing process. A cleaner on the same machine removes a file whose process
//! is gone; a file from another machine sharing the folder (sharded batch runs on a network
//! share) is only removed once it is older than any live document can be.

/// The prefix every temporary file of this process starts with:
/// `.tusch-<host>-<pid>-`.
pub fn prefix() -> String {
    format!(".tusch-{}-{}-", host_tag(), std::process::id())
}

/// This machine's tag in temporary names: its host name, letters and digits only.
pub fn host_tag() -> String {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .unwrap_or_default();
    let tag: String = raw
        .trim()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(24)
        .collect();
    if tag.is_empty() {
        "host".to_owned()
    } else {
        tag
    }
}

/// Who wrote a temporary file, read from its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TempOwner {
    /// A name of this module's form.
    Process { host: String, pid: u32 },
    /// `.tusch-*.part` without host and process (older versions): nobody can still be
    /// writing it after a restart, but its owner is unknown.
    Unknown,
}

/// Whether `name` is one of Tusch's temporary files (`.tusch-*.part`), and whose.
pub fn parse(name: &str) -> Option<TempOwner> {
    let rest = name.strip_prefix(".tusch-")?;
    if !rest.ends_with(".part") {
        return None;
    }
    let mut parts = rest.splitn(3, '-');
    let (host, pid, random) = (parts.next(), parts.next(), parts.next());
    match (host, pid.and_then(|p| p.parse::<u32>().ok()), random) {
        (Some(host), Some(pid), Some(_)) if !host.is_empty() => Some(TempOwner::Process {
            host: host.to_owned(),
            pid,
        }),
        _ => Some(TempOwner::Unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_foreign_files_are_not_ours() {
        let name = format!("{}abc123.pdf.part", prefix());
        assert_eq!(
            parse(&name),
            Some(TempOwner::Process {
                host: host_tag(),
                pid: std::process::id()
            })
        );
        assert_eq!(parse(".tusch-Xa81kq.pdf.part"), Some(TempOwner::Unknown));
        assert_eq!(parse(".tusch-export-Xa81kq.part"), Some(TempOwner::Unknown));
        assert_eq!(parse("beslut.pdf"), None);
        assert_eq!(parse(".tusch-abc.pdf"), None);
        assert_eq!(parse("tusch-a-1-b.part"), None);
        assert!(!host_tag().contains('-'));
    }
}
