fn main() {
    // The window's front end is embedded at compile time (tauri.conf.json: frontendDist), so
    // ui/dist must exist before this crate compiles — even for `cargo test` and clippy.
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/dist/index.html");
    if !dist.is_file() {
        panic!(
            "ui/dist is missing: build the front end first with `make ui` \
             (npm install && npm run build in ui/); `make test`, `make lint` and \
             `make desktop` do this themselves"
        );
    }
    println!("cargo:rerun-if-changed=../ui/dist");
    tauri_build::build()
}
