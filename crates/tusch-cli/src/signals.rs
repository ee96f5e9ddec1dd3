//! SIGINT (Ctrl-C) and SIGTERM (`timeout`, systemd, Kubernetes) during `tusch redact` and
//! `tusch batch`: the temporary `.part` files are removed before the process exits, so an
//! interrupted run never leaves a readable, unverified PDF beside the outputs.
//!
//! The handler is `signal-hook`'s iterator: the signal only wakes a thread, and everything
//! else (removing files, stopping workers) runs on that ordinary thread — no code of ours
//! runs inside a signal handler, and no `unsafe`.

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// Calls `on_signal` with the signal number, once, on a thread of its own, when SIGINT
/// or SIGTERM arrives.
pub fn watch(on_signal: impl FnOnce(i32) + Send + 'static) -> anyhow::Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("tusch-signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                on_signal(sig);
            }
        })?;
    Ok(())
}

/// The exit code of a process ended by `sig`, as shells report it (130 for SIGINT, 143
/// for SIGTERM).
pub fn exit_code(sig: i32) -> u8 {
    u8::try_from(128 + sig).unwrap_or(1)
}

/// The signal's name, for the one line printed on the way out.
pub fn name(sig: i32) -> &'static str {
    match sig {
        SIGINT => "SIGINT",
        SIGTERM => "SIGTERM",
        _ => "signal",
    }
}
