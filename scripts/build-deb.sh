#!/usr/bin/env bash
# Builds the Debian packages into target/debian/ from the release build (`make deb` runs
# cargo first; this script never builds):
#
#   tusch_<version>_amd64.deb          /usr/bin/tusch, the NER model in
#                                      /usr/share/tusch/models/tusch-ner-sv/, pdfium and ONNX
#                                      Runtime in /usr/lib/tusch/, the commented example
#                                      /etc/tusch/tusch.toml (a conffile), docs and licences
#   tusch-desktop_<version>_amd64.deb  /usr/bin/tusch-desktop, its .desktop entry ("Öppna
#                                      med" for PDF, PNG, JPEG, TIFF) and icons
#
# The binaries find /usr/lib/tusch and /usr/share/tusch/models relative to /usr/bin (see
# crates/tusch-pdf/src/library.rs and crates/tusch-ner/src/locate.rs). Nothing is fetched
# at install or run time, and no maintainer script touches users' state or the audit log.
# Each package is staged in a tree and built with `dpkg-deb --build --root-owner-group`;
# no cargo-deb, no debhelper.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=target/debian
STAGE=$OUT/stage
VERSION=$(awk -F'"' '/^\[workspace.package\]/{p=1} p && /^version *=/{print $2; exit}' Cargo.toml)
ARCH=amd64
ORT_LIB=$(cd native/lib && ls libonnxruntime.so.*.*.* 2>/dev/null | head -n1 || true)
MODEL=models/tusch-ner-sv
MAINTAINER="Tusch <dev@tusch.invalid>"

log() { printf 'deb: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

for f in target/release/tusch target/release/tusch-desktop native/lib/libpdfium.so \
    "native/lib/$ORT_LIB" "$MODEL/manifest.json" "$MODEL/model.onnx" "$MODEL/tokenizer.json"; do
    [[ -f $f ]] || die "$f is missing (run: make deb, which runs make setup and the release build)"
done
[[ -n $VERSION ]] || die "no version in Cargo.toml"

umask 022
rm -rf "$STAGE"
mkdir -p "$STAGE"

# put SRC DEST MODE: copy one file into the staged tree.
put() { install -D -m "$3" "$1" "$2"; }

# The licences of the Rust crates compiled into a binary, from the lock file (offline).
crate_licences() {
    cargo tree "$@" -e normal --prefix none --format '{p}: {l}' \
        --target x86_64-unknown-linux-gnu --offline |
        sed 's/ (\*)$//; s/ (proc-macro)//' | grep -v '^tusch' | sort -u | sed 's/^/ /'
}

# control PKGDIR NAME DEPENDS DESCRIPTION-LINES...
control() {
    local dir=$1 name=$2 depends=$3
    shift 3
    local size
    size=$(du -sk --exclude=DEBIAN "$dir" | cut -f1)
    mkdir -p "$dir/DEBIAN"
    {
        echo "Package: $name"
        echo "Version: $VERSION"
        echo "Architecture: $ARCH"
        echo "Maintainer: $MAINTAINER"
        echo "Installed-Size: $size"
        echo "Depends: $depends"
        echo "Section: utils"
        echo "Priority: optional"
        echo "Homepage: https://tusch.invalid/"
        printf 'Description: %s\n' "$1"
        shift
        for line in "$@"; do printf ' %s\n' "$line"; done
    } >"$dir/DEBIAN/control"
    (cd "$dir" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z |
        xargs -0 md5sum >DEBIAN/md5sums)
}

build() {
    local dir=$1 name=$2
    local deb="$OUT/${name}_${VERSION}_${ARCH}.deb"
    rm -f "$deb"
    # gzip: builds in seconds; xz would save a few MB of the model and libraries at a minute.
    dpkg-deb --root-owner-group -Zgzip -z6 --build "$dir" "$deb" >/dev/null
    log "$deb ($(du -h "$deb" | cut -f1))"
}

# ---- tusch ---------------------------------------------------------------------------
P=$STAGE/tusch
put target/release/tusch "$P/usr/bin/tusch" 755
strip --strip-unneeded "$P/usr/bin/tusch" 2>/dev/null || true
put native/lib/libpdfium.so "$P/usr/lib/tusch/libpdfium.so" 644
put "native/lib/$ORT_LIB" "$P/usr/lib/tusch/$ORT_LIB" 644
# The loader asks for libonnxruntime.so; the library's soname is libonnxruntime.so.1.
ln -s "$ORT_LIB" "$P/usr/lib/tusch/libonnxruntime.so"
ln -s "$ORT_LIB" "$P/usr/lib/tusch/$(objdump -p "native/lib/$ORT_LIB" | awk '/SONAME/{print $2}')"
for f in manifest.json model.onnx tokenizer.json README.md; do
    put "$MODEL/$f" "$P/usr/share/tusch/models/tusch-ner-sv/$f" 644
done
put packaging/tusch.toml "$P/etc/tusch/tusch.toml" 644
D=$P/usr/share/doc/tusch
for f in README.md docs/configuration.md docs/audit.md docs/drift.md docs/batch.md; do
    [[ -f $f ]] && put "$f" "$D/$(basename "$f")" 644
done
put crates/tusch-core/data/README.md "$D/data/README.md" 644
put crates/tusch-core/data/LICENSE-sjbrg-swedish-geodata "$D/data/LICENSE-sjbrg-swedish-geodata" 644
if [[ -f docs/man/tusch.1 ]]; then
    mkdir -p "$P/usr/share/man/man1"
    gzip -9n <docs/man/tusch.1 >"$P/usr/share/man/man1/tusch.1.gz"
    chmod 644 "$P/usr/share/man/man1/tusch.1.gz"
fi
{
    cat <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: tusch
Comment: Tusch bundles pdfium, ONNX Runtime and its own NER model so that it runs offline
 with nothing fetched at install or run time. Their licences are listed below; the word
 lists compiled into /usr/bin/tusch are described in data/README.md beside this file.

Files: etc/tusch/tusch.toml usr/share/doc/tusch/*
Copyright: Tusch contributors
License: EUPL-1.2

Files: usr/bin/tusch
Copyright: Tusch contributors; the parts compiled in: their authors, listed below
License: EUPL-1.2 AND CC0-1.0 AND CC-BY-4.0 AND the Rust crates' licences listed below
Comment: Compiled in besides Tusch's own code:
 - postal codes and postorter: sjbrg/swedish-geodata, CC0-1.0 (data/LICENSE-sjbrg-swedish-geodata);
 - first names and surnames: Statistiska centralbyrån (SCB), CC-BY-4.0;
 - common words: derived from SUC 3.0 (KBLab) and Webbnyheter 2012, CC-BY-4.0
   (data/README.md says how each list was made);
 - the Rust crates, name, version and licence (every licence allowed by deny.toml,
   checked by cargo deny check licenses):
EOF
    crate_licences -p tusch-cli
    cat <<EOF

Files: usr/lib/tusch/libpdfium.so
Copyright: 2014 The PDFium Authors
License: BSD-3-Clause AND Apache-2.0
Comment: PDFium as built by pdfium-binaries, taken from the PyPI wheel pypdfium2
 (see scripts/setup.sh for the version and sha256). PDFium bundles FreeType (FTL),
 libjpeg-turbo (IJG, BSD-3-Clause), OpenJPEG (BSD-2-Clause), Little CMS (MIT), libpng
 (libpng), zlib (Zlib), Anti-Grain Geometry and Abseil (Apache-2.0); their notices are in
 the PDFium sources, https://pdfium.googlesource.com/pdfium/+/refs/heads/main/third_party/.

Files: usr/lib/tusch/libonnxruntime.so*
Copyright: Microsoft Corporation
License: MIT
Comment: ONNX Runtime $ORT_LIB from the PyPI wheel onnxruntime (see scripts/setup.sh). Its
 third-party notices (protobuf, Abseil, Eigen, flatbuffers, …) are upstream in
 ThirdPartyNotices.txt, https://github.com/microsoft/onnxruntime.

Files: usr/share/tusch/models/tusch-ner-sv/*
Copyright: Tusch contributors; the base model: intfloat (multilingual-e5-small)
License: MIT
Comment: Trained on Swedish NER corpora under CC BY 4.0 and other licences listed, corpus by
 corpus, in usr/share/tusch/models/tusch-ner-sv/README.md.

License: EUPL-1.2
 European Union Public Licence v. 1.2, https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12
EOF
} >"$D/copyright"
chmod 644 "$D/copyright"
put packaging/postrm "$P/DEBIAN/postrm" 755
mkdir -p "$P/DEBIAN"
echo /etc/tusch/tusch.toml >"$P/DEBIAN/conffiles"
# tesseract-ocr-osd: the orientation check for pages scanned sideways (docs/architecture.md).
control "$P" tusch \
    "libc6 (>= 2.34), libgcc-s1, libstdc++6, tesseract-ocr, tesseract-ocr-swe, tesseract-ocr-eng, tesseract-ocr-osd" \
    "mask personal data in PDFs and scans, offline" \
    "Tusch finds personal data in PDF documents, scanned pages and images (personnummer," \
    "phone numbers, addresses, names with its own Swedish NER model, ...) and writes a" \
    "verified image-only PDF with the findings burnt out. Everything runs locally; the" \
    "package bundles pdfium, ONNX Runtime and the model, and nothing is fetched at run time."
build "$P" tusch

# ---- tusch-desktop -------------------------------------------------------------------
P=$STAGE/tusch-desktop
put target/release/tusch-desktop "$P/usr/bin/tusch-desktop" 755
strip --strip-unneeded "$P/usr/bin/tusch-desktop" 2>/dev/null || true
put packaging/tusch-desktop.desktop "$P/usr/share/applications/tusch-desktop.desktop" 644
for icon in 32x32 128x128; do
    put "src-tauri/icons/$icon.png" "$P/usr/share/icons/hicolor/$icon/apps/tusch-desktop.png" 644
done
put src-tauri/icons/icon.png "$P/usr/share/icons/hicolor/256x256/apps/tusch-desktop.png" 644
D=$P/usr/share/doc/tusch-desktop
put crates/tusch-review/data/provisions.toml "$D/examples/provisions.toml" 644
{
    cat <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: tusch-desktop
Comment: The libraries and the model it uses come with the package tusch
 (/usr/share/doc/tusch/copyright).

Files: *
Copyright: Tusch contributors
License: EUPL-1.2

Files: (compiled into usr/bin/tusch-desktop) Rust crates and the front end
Copyright: their authors
License: various, each listed below (checked by cargo deny check licenses)
Comment:
EOF
    crate_licences -p tusch-desktop --features tusch-desktop/custom-protocol
    cat <<'EOF'

License: EUPL-1.2
 European Union Public Licence v. 1.2, https://joinup.ec.europa.eu/collection/eupl/eupl-text-eupl-12
EOF
} >"$D/copyright"
chmod 644 "$D/copyright"
control "$P" tusch-desktop \
    "tusch (= $VERSION), libc6 (>= 2.34), libwebkit2gtk-4.1-0, libgtk-3-0" \
    "review app for Tusch: check and adjust masks before release" \
    "The desktop app of Tusch: open a PDF or a scan (also through \"Öppna med\"), review" \
    "every suggested mask, add boxes by hand, choose the provision (OSL) for each, and" \
    "export a verified image-only PDF. Review state is saved in the user's own folders."
build "$P" tusch-desktop
