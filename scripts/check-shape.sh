#!/usr/bin/env bash
# The dependency shape of issue 10, checked rather than claimed:
#   tusch-core ← {tusch-pdf, tusch-ocr, tusch-ner} ← tusch-engine ← {tusch-cli, tusch-review}
#   ← src-tauri;  tusch-core ← tusch-keyed (the keyed-hash store) ← tusch-engine
# (the "no network client crate" half of the guarantee is `cargo deny check bans`).
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0

# What crate $2 pulls into crate $1's normal (non-test) dependencies, if anything.
depends_on() {
    cargo tree -p "$1" -i "$2" -e normal --offline 2>/dev/null | grep -q "$2" 
}
direct_deps() {
    cargo tree -p "$1" --depth 1 -e normal --prefix none --offline 2>/dev/null | tail -n +2 | awk '{print $1}'
}

for forbidden in tusch-ocr tusch-ner tusch-engine; do
    if depends_on tusch-pdf "$forbidden"; then
        echo "shape: tusch-pdf must link pdfium only, but depends on $forbidden" >&2
        fail=1
    fi
done
for c in tusch-ocr tusch-ner; do
    for forbidden in tusch-pdf tusch-engine; do
        if depends_on "$c" "$forbidden"; then
            echo "shape: $c must not depend on $forbidden" >&2
            fail=1
        fi
    done
done
if depends_on tusch-core tusch-pdf || depends_on tusch-core tusch-engine; then
    echo "shape: tusch-core must depend on no other tusch crate" >&2
    fail=1
fi
keyed=$(direct_deps tusch-keyed | grep '^tusch-' || true)
if [ "$keyed" != "tusch-core" ]; then
    echo "shape: tusch-keyed must depend on tusch-core only, has: $(echo $keyed)" >&2
    fail=1
fi
desktop=$(direct_deps tusch-desktop | grep '^tusch-' || true)
if [ "$desktop" != "tusch-review" ]; then
    echo "shape: src-tauri must depend on tusch-review only, has: $(echo $desktop)" >&2
    fail=1
fi
for c in tusch-cli tusch-review; do
    if direct_deps "$c" | grep -qx 'tusch-ner\|tusch-ocr'; then
        echo "shape: $c must reach the model and OCR through tusch-engine" >&2
        fail=1
    fi
done
if [ "$fail" = 0 ]; then
    echo "shape: ok (core ← pdf/ocr/ner ← engine ← cli/review ← src-tauri)"
fi
exit "$fail"
