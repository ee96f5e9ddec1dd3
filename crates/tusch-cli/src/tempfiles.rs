//! Removing Tusch's temporary `.part` files: those of a worker that was killed, those of
//! this run when it is interrupted, and stale ones left by a run that was killed outright
//! (SIGKILL, power loss). Only files named as `tusch_engine::tempname` names them, and only
//! under the folder given (the output folder): nothing else is ever touched.

use std::path::Path;
use std::time::Duration;

use tusch_engine::tempname::{self, TempOwner};

/// Removes the temporary files under `root` (recursively) that `stale` says to, returning
/// how many.
fn remove_where(
    root: &Path,
    recursive: bool,
    stale: &dyn Fn(&TempOwner, &std::fs::Metadata) -> bool,
) -> usize {
    let Ok(entries) = std::fs::read_dir(root) else {
        return 0;
    };
    let mut removed = 0;
    for e in entries.flatten() {
        let Ok(meta) = e.metadata() else { continue };
        let path = e.path();
        if meta.is_dir() {
            // `DirEntry::metadata` does not follow links: a linked folder is not entered.
            if recursive {
                removed += remove_where(&path, true, stale);
            }
            continue;
        }
        if !meta.is_file() {
            continue;
        }
        let name = e.file_name();
        let Some(owner) = name.to_str().and_then(tempname::parse) else {
            continue;
        };
        if stale(&owner, &meta) && std::fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Removes the temporary files of process `pid` of this machine under `root`.
pub fn remove_of_process(root: &Path, pid: u32, recursive: bool) -> usize {
    let host = tempname::host_tag();
    remove_where(
        root,
        recursive,
        &|owner, _| matches!(owner, TempOwner::Process { host: h, pid: p } if *h == host && *p == pid),
    )
}

/// Removes leftovers of runs that are over: on this machine, files whose process is gone;
/// files without an owner in their name (older versions); and files from other machines
/// (a shared output folder) not written to for `foreign_age` — no live document takes that
/// long, so their writer is gone too.
pub fn remove_stale(root: &Path, recursive: bool, foreign_age: Duration) -> usize {
    let host = tempname::host_tag();
    let me = std::process::id();
    remove_where(root, recursive, &|owner, meta| match owner {
        TempOwner::Unknown => true,
        TempOwner::Process { host: h, pid } if *h == host => *pid != me && !alive(*pid),
        TempOwner::Process { .. } => meta
            .modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > foreign_age),
    })
}

/// Whether process `pid` exists on this machine (signal 0; a process of another user
/// counts as alive).
fn alive(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    match rustix::process::test_kill_process(pid) {
        Ok(()) => true,
        Err(e) => e != rustix::io::Errno::SRCH,
    }
}
