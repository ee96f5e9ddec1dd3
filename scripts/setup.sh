#!/usr/bin/env bash
# Installs what Tusch needs to build, run and test on Debian 12, idempotently:
#   - Debian packages (Tesseract with Swedish, English and orientation data for OCR of
#     scanned pages, poppler-utils for the tests, build-essential and pkg-config for the build);
#   - the native libraries pdfium and ONNX Runtime, taken from pinned PyPI wheels whose
#     sha256 is checked, into native/lib/ (git-ignored).
# Nothing is downloaded from anywhere but Debian's archive and PyPI.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LIB="$ROOT/native/lib"

PDFIUM_WHEEL_VERSION=5.15.2   # pypdfium2: pdfium build 8149
PDFIUM_WHEEL=pypdfium2-5.15.2-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
PDFIUM_SHA256=dc31aea5b0fb9fefc9b537a65f4113980b2c40798445736a7e6565bc85161e37
ORT_WHEEL_VERSION=1.31.1      # onnxruntime: matches ort's api-31
ORT_WHEEL=onnxruntime-1.31.1-cp311-cp311-manylinux_2_28_x86_64.whl
ORT_SHA256=5752bd508126ae7c49894d3b9d2e83f0c3d487319246d04c444b393308d7ad7f

APT_PACKAGES=(build-essential pkg-config poppler-utils qpdf time tesseract-ocr tesseract-ocr-swe tesseract-ocr-eng tesseract-ocr-osd
  # the desktop app (Tauri 2 on WebKitGTK) and its end-to-end test (WebKitWebDriver, Xvfb);
  # Node.js and npm for its front end come with the machine
  libwebkit2gtk-4.1-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  webkit2gtk-driver xvfb xauth)
TAURI_DRIVER_VERSION=2.1.0
# cargo-deny checks in `make lint` that no network client crate is in any binary (deny.toml).
CARGO_DENY_VERSION=0.20.2

log() { printf 'setup: %s\n' "$*" >&2; }

install_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  local sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  log "installing Debian packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# fetch_wheel NAME VERSION FILE SHA256 MEMBER DEST
fetch_wheel() {
  local name=$1 version=$2 file=$3 sha=$4 member=$5 dest=$6
  if [[ -f "$LIB/$dest" && -f "$LIB/.$dest.sha256" && $(cat "$LIB/.$dest.sha256") == "$sha" ]]; then
    return 0
  fi
  local tmp
  tmp=$(mktemp -d)
  log "downloading $name==$version from PyPI"
  python3 -m pip download --quiet --no-deps --only-binary=:all: \
    --python-version 3.11 --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 -d "$tmp" "$name==$version"
  [[ -f "$tmp/$file" ]] || { log "expected $file, got: $(ls "$tmp")"; exit 1; }
  echo "$sha  $tmp/$file" | sha256sum --check --quiet - || { log "sha256 mismatch for $file"; exit 1; }
  mkdir -p "$LIB"
  python3 - "$tmp/$file" "$member" "$LIB/$dest" <<'PY'
import shutil, sys, zipfile
wheel, member, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(dest + ".part", "wb") as out:
    shutil.copyfileobj(src, out)
import os
os.replace(dest + ".part", dest)
PY
  echo "$sha" > "$LIB/.$dest.sha256"
  rm -rf "$tmp"
}

# tauri-driver bridges WebDriver to WebKitWebDriver for the desktop app's end-to-end test.
install_tauri_driver() {
  if cargo install --list | grep -q "^tauri-driver v$TAURI_DRIVER_VERSION:"; then
    return 0
  fi
  log "building tauri-driver $TAURI_DRIVER_VERSION (about a minute)"
  cargo install tauri-driver --locked --version "=$TAURI_DRIVER_VERSION" --quiet
}

# cargo-deny: `make lint` runs `cargo deny check bans licenses` (deny.toml).
install_cargo_deny() {
  if cargo install --list | grep -q "^cargo-deny v$CARGO_DENY_VERSION:"; then
    return 0
  fi
  log "building cargo-deny $CARGO_DENY_VERSION (a few minutes)"
  cargo install cargo-deny --locked --version "=$CARGO_DENY_VERSION" --quiet
}

install_apt
install_tauri_driver
install_cargo_deny
fetch_wheel pypdfium2 "$PDFIUM_WHEEL_VERSION" "$PDFIUM_WHEEL" "$PDFIUM_SHA256" \
  pypdfium2_raw/libpdfium.so libpdfium.so
fetch_wheel onnxruntime "$ORT_WHEEL_VERSION" "$ORT_WHEEL" "$ORT_SHA256" \
  "onnxruntime/capi/libonnxruntime.so.$ORT_WHEEL_VERSION" "libonnxruntime.so.$ORT_WHEEL_VERSION"
ln -sf "libonnxruntime.so.$ORT_WHEEL_VERSION" "$LIB/libonnxruntime.so"
log "native libraries in $LIB: $(cd "$LIB" && ls | tr '\n' ' ')"
