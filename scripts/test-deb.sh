#!/usr/bin/env bash
# The Debian packages, installed and used on this machine (`make deb-test`, part of
# `make test`). Needs Debian 12 and root (or password-less sudo); otherwise it says loudly
# that it was skipped and exits 0.
#
#   1. apt-get install ./target/debian/tusch_*.deb ./target/debian/tusch-desktop_*.deb
#      (Depends resolved by apt), dpkg -V (md5sums), no missing shared library;
#   2. with the checkout out of reach — a private mount namespace with an empty tmpfs over
#      the checkout and over the source folder compiled into the binaries, the command run
#      from a temporary folder with `env -i PATH=/usr/bin:/bin HOME=<temp>` — redact
#      fixtures/documents/beslut-bistand.pdf with /usr/bin/tusch and verify the result with
#      /usr/bin/tusch verify; the dynamic loader must load pdfium and ONNX Runtime from
#      /usr/lib/tusch;
#   3. start /usr/bin/tusch-desktop with the document under xvfb-run, check that it is still
#      running after a few seconds, stop it;
#   4. upgrade path: reinstall the same version; an edit of /etc/tusch/tusch.toml, review
#      state in ~/.local/share/tusch, the audit log in ~/.local/state/tusch and
#      /var/log/tusch survive;
#   5. apt-get remove both: the same survive; dpkg --purge: only the conffile goes.
#
# It leaves the machine as it found it: both packages purged, its temporary folder and its
# own marker in /var/log/tusch removed. The /etc/tusch/tusch.toml edit is a comment, so
# other test runs on the machine meanwhile see the defaults.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
VERSION=$(awk -F'"' '/^\[workspace.package\]/{p=1} p && /^version *=/{print $2; exit}' Cargo.toml)
DEBS=("$ROOT/target/debian/tusch_${VERSION}_amd64.deb" "$ROOT/target/debian/tusch-desktop_${VERSION}_amd64.deb")
FIXTURE=fixtures/documents/beslut-bistand.pdf

log() { printf 'deb-test: %s\n' "$*" >&2; }
fail() {
    log "FEL: $*"
    exit 1
}
skip() {
    printf '\n%s\n%s\n%s\n\n' \
        '################################################################################' \
        "deb-test: HOPPADES ÖVER (SKIPPED): $*" \
        '################################################################################' >&2
    exit 0
}

if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        exec sudo -n --preserve-env=PATH bash "$0" "$@"
    fi
    skip "installing packages needs root or password-less sudo (id -u = $(id -u))"
fi
[[ -f /etc/debian_version ]] || skip "not a Debian system"
for d in "${DEBS[@]}"; do
    [[ -f $d ]] || fail "$d is missing: run make deb"
done
command -v xvfb-run >/dev/null || fail "xvfb-run is missing (make setup installs it)"

export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -y -q -o Dpkg::Use-Pty=0)
WORK=$(mktemp -d /tmp/tusch-deb-test.XXXXXX)
chmod 755 "$WORK"
HOME_DIR=$WORK/home
mkdir -p "$HOME_DIR"
MADE_VAR_LOG=0
started=$SECONDS

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
purge_all() {
    local p
    for p in tusch-desktop tusch; do
        if dpkg-query -W -f='${Status}' "$p" >/dev/null 2>&1; then
            dpkg --purge "$p" >/dev/null 2>&1 || true
        fi
    done
}
cleanup() {
    local rc=$?
    [[ -n ${DESKTOP_PGID:-} ]] && kill -TERM -- "-$DESKTOP_PGID" 2>/dev/null || true
    purge_all
    rm -f /var/log/tusch/deb-test-marker
    ((MADE_VAR_LOG)) && rmdir /var/log/tusch 2>/dev/null || true
    rm -rf "$WORK"
    if ((rc == 0)); then
        log "OK: paketen installerade, använda, uppgraderade och borttagna ($((SECONDS - started)) s)"
    fi
}
trap cleanup EXIT

# The source folders compiled into the binaries (`concat!(env!("CARGO_MANIFEST_DIR"),
# "/../../native/lib")`): the checkout they were built in, whichever it was.
compiled_in_roots() {
    local m root
    grep -aoE '/[[:alnum:]_.+/-]+/crates/tusch-(pdf|ner)/\.\./\.\./(native/lib|models)' "$@" |
        sed -E 's#/crates/tusch-(pdf|ner)/\.\./\.\./.*##' | sort -u |
        while IFS= read -r m; do
            # Strings lie packed without separators in the binary, so the match may start
            # inside the string before: take the longest suffix that is a checkout.
            root=$m
            while [[ -n $root ]]; do
                if [[ -d $root/crates ]]; then
                    echo "$root"
                    break
                fi
                [[ $root == /*/* ]] || break
                root=/${root#/*/}
            done
        done | sort -u
}

NAMESPACE=0
if unshare -m --propagation private true 2>/dev/null; then
    NAMESPACE=1
else
    log "varning: kan inte skapa ett mount-namnrum (unshare -m); utcheckningen göms inte, bara miljön töms och biblioteken kontrolleras med LD_DEBUG"
fi

# isolated CMD ARGS...: runs CMD from $WORK with only PATH and HOME set (plus what is given
# as VAR=value before CMD), with the checkout and the compiled-in source folders hidden.
isolated() {
    local hide
    hide=$(printf '%s\n' "$ROOT" "${COMPILED_IN[@]}" | sort -u)
    if ((NAMESPACE)); then
        unshare -m --propagation private -- bash -c '
            set -e
            hide=$1 work=$2 home=$3
            shift 3
            while IFS= read -r d; do
                [ -n "$d" ] && [ -d "$d" ] && mount -t tmpfs -o ro,size=4k tusch-test-hidden "$d"
            done <<<"$hide"
            cd "$work"
            exec env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 "$@"
        ' isolated "$hide" "$WORK" "$HOME_DIR" "$@"
    else
        (cd "$WORK" && exec env -i PATH=/usr/bin:/bin HOME="$HOME_DIR" LANG=C.UTF-8 "$@")
    fi
}

# ---- 1. install ------------------------------------------------------------------------
if installed tusch || installed tusch-desktop; then
    log "tar bort en tidigare installation av tusch först"
fi
purge_all
log "apt-get install ${DEBS[*]##*/}"
"${APT[@]}" install "${DEBS[@]}" >"$WORK/apt-install.log" 2>&1 ||
    { cat "$WORK/apt-install.log" >&2; fail "apt-get install misslyckades"; }
installed tusch && installed tusch-desktop || fail "paketen är inte installerade"
dpkg -V tusch tusch-desktop || fail "dpkg -V: installerade filer stämmer inte med md5sums"
for f in /usr/bin/tusch /usr/bin/tusch-desktop /usr/lib/tusch/libpdfium.so /usr/lib/tusch/libonnxruntime.so \
    /usr/share/tusch/models/tusch-ner-sv/model.onnx /usr/share/tusch/models/tusch-ner-sv/tokenizer.json \
    /usr/share/tusch/models/tusch-ner-sv/manifest.json /etc/tusch/tusch.toml \
    /usr/share/doc/tusch/copyright /usr/share/doc/tusch-desktop/copyright \
    /usr/share/applications/tusch-desktop.desktop /usr/share/icons/hicolor/128x128/apps/tusch-desktop.png; do
    [[ -e $f ]] || fail "$f saknas efter installationen"
done
grep -qx '/etc/tusch/tusch.toml' /var/lib/dpkg/info/tusch.conffiles || fail "/etc/tusch/tusch.toml är ingen konffil"
grep -q '^MimeType=application/pdf;image/png;image/jpeg;image/tiff;$' /usr/share/applications/tusch-desktop.desktop ||
    fail "fel MimeType i .desktop-filen"
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate /usr/share/applications/tusch-desktop.desktop || fail ".desktop-filen är ogiltig"
fi
missing=$(ldd /usr/bin/tusch /usr/bin/tusch-desktop /usr/lib/tusch/libpdfium.so /usr/lib/tusch/libonnxruntime.so | grep 'not found' || true)
[[ -z $missing ]] || fail "delade bibliotek saknas: $missing"

mapfile -t COMPILED_IN < <(compiled_in_roots /usr/bin/tusch /usr/bin/tusch-desktop)
log "gömmer utcheckningen: $(printf '%s\n' "$ROOT" "${COMPILED_IN[@]}" | sort -u | tr '\n' ' ')"
cp "$FIXTURE" "$WORK/beslut.pdf"

# ---- 2. redact and verify with the installed tusch ------------------------------------
if ((NAMESPACE)); then
    isolated /bin/sh -c "test ! -e '$ROOT/Cargo.toml'" || fail "utcheckningen syns fortfarande i namnrummet"
fi
isolated /usr/bin/tusch config >"$WORK/config.txt" || fail "tusch config misslyckades"
grep -q '^# .*/etc/tusch/tusch.toml (kommunens policy)$' "$WORK/config.txt" ||
    fail "tusch config nämner inte /etc/tusch/tusch.toml: $(head -5 "$WORK/config.txt")"
env_dump=$(isolated /usr/bin/env)
if grep -F "$ROOT" <<<"$env_dump"; then fail "en miljövariabel pekar in i utcheckningen"; fi
isolated LD_DEBUG=files /usr/bin/tusch redact beslut.pdf -o maskerad.pdf --report maskerad.json \
    >"$WORK/redact.out" 2>"$WORK/redact.err" ||
    { grep -v '^ *[0-9]*:' "$WORK/redact.err" >&2; fail "tusch redact misslyckades"; }
cat "$WORK/redact.out" >&2
for lib in libpdfium.so libonnxruntime.so; do
    # The program asks for /usr/bin/../lib/tusch/… (beside itself), not normalised.
    grep -qE "file=/usr/(bin/\.\./)?lib/tusch/$lib \[0\]; +dynamically loaded" "$WORK/redact.err" ||
        fail "$lib laddades inte från /usr/lib/tusch"
done
for d in "$ROOT" "${COMPILED_IN[@]}"; do
    if grep -F "file=$d/" "$WORK/redact.err"; then fail "något laddades från $d"; fi
done
isolated /usr/bin/tusch verify maskerad.pdf --report maskerad.json >"$WORK/verify.out" ||
    { cat "$WORK/verify.out" >&2; fail "tusch verify underkände resultatet"; }
grep -q 'godkänd' "$WORK/verify.out" || fail "tusch verify: $(cat "$WORK/verify.out")"
cat "$WORK/verify.out" >&2
masks=$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["plan"]["pages"]; print(sum(len(x["masks"]) for x in p))' "$WORK/maskerad.json" 2>/dev/null || echo "?")
[[ $masks == "?" || $masks -gt 0 ]] || fail "inga maskeringar i rapporten"

# ---- 3. the desktop app starts and stays up -------------------------------------------
log "startar /usr/bin/tusch-desktop under xvfb-run"
# The app runs in its own session, so it and everything it started are stopped together.
export -f isolated
export ROOT WORK HOME_DIR NAMESPACE
COMPILED_IN_LIST=$(printf '%s\n' "${COMPILED_IN[@]}")
export COMPILED_IN_LIST
setsid bash -c 'mapfile -t COMPILED_IN <<<"$COMPILED_IN_LIST"; isolated xvfb-run -a -s "-screen 0 1366x768x24" /usr/bin/tusch-desktop beslut.pdf' \
    >"$WORK/desktop.log" 2>&1 </dev/null &
DESKTOP_PGID=$!
up=0
for _ in $(seq 1 40); do
    sleep 0.25
    kill -0 "$DESKTOP_PGID" 2>/dev/null || break
    if pgrep -g "$DESKTOP_PGID" -x tusch-desktop >/dev/null; then
        up=1
        break
    fi
done
((up)) || { cat "$WORK/desktop.log" >&2; fail "tusch-desktop startade inte"; }
sleep 5
pgrep -g "$DESKTOP_PGID" -x tusch-desktop >/dev/null ||
    { cat "$WORK/desktop.log" >&2; fail "tusch-desktop avslutades inom några sekunder"; }
log "tusch-desktop kör; stoppar den"
kill -TERM -- "-$DESKTOP_PGID" 2>/dev/null || true
for _ in $(seq 1 20); do
    pgrep -g "$DESKTOP_PGID" >/dev/null || break
    sleep 0.25
done
kill -KILL -- "-$DESKTOP_PGID" 2>/dev/null || true
wait "$DESKTOP_PGID" 2>/dev/null || true
DESKTOP_PGID=

# ---- 4. users' state and the kommun's edits survive an upgrade --------------------------
mkdir -p "$HOME_DIR/.local/share/tusch/granskningar" "$HOME_DIR/.local/state/tusch"
echo '{"deb-test": "granskning"}' >"$HOME_DIR/.local/share/tusch/granskningar/deb-test.json"
echo '{"deb-test": "logg"}' >>"$HOME_DIR/.local/state/tusch/audit.jsonl"
if [[ ! -d /var/log/tusch ]]; then
    mkdir -p /var/log/tusch
    MADE_VAR_LOG=1
fi
echo deb-test >/var/log/tusch/deb-test-marker
EDIT="# kommunens ändring (deb-test $$)"
echo "$EDIT" >>/etc/tusch/tusch.toml
state_kept() {
    grep -qxF "$EDIT" /etc/tusch/tusch.toml || fail "$1: ändringen i /etc/tusch/tusch.toml försvann"
    [[ -f $HOME_DIR/.local/share/tusch/granskningar/deb-test.json ]] || fail "$1: granskningen i ~/.local/share/tusch försvann"
    grep -q deb-test "$HOME_DIR/.local/state/tusch/audit.jsonl" || fail "$1: granskningsloggen i ~/.local/state/tusch försvann"
    [[ -f /var/log/tusch/deb-test-marker ]] || fail "$1: /var/log/tusch försvann"
}
log "installerar samma version igen (uppgradering)"
"${APT[@]}" install --reinstall "${DEBS[@]}" </dev/null >"$WORK/apt-reinstall.log" 2>&1 ||
    { cat "$WORK/apt-reinstall.log" >&2; fail "ominstallationen misslyckades"; }
state_kept "uppgradering"
isolated /usr/bin/tusch verify maskerad.pdf >/dev/null || fail "tusch fungerar inte efter uppgraderingen"

# ---- 5. removal ---------------------------------------------------------------------------
log "apt-get remove tusch-desktop tusch"
"${APT[@]}" remove tusch-desktop tusch >"$WORK/apt-remove.log" 2>&1 ||
    { cat "$WORK/apt-remove.log" >&2; fail "apt-get remove misslyckades"; }
[[ ! -e /usr/bin/tusch && ! -e /usr/bin/tusch-desktop && ! -e /usr/lib/tusch ]] ||
    fail "programfiler finns kvar efter apt-get remove"
state_kept "borttagning"
log "dpkg --purge tusch-desktop tusch"
dpkg --purge tusch-desktop tusch >"$WORK/purge.log" 2>&1 || { cat "$WORK/purge.log" >&2; fail "dpkg --purge misslyckades"; }
[[ ! -e /etc/tusch/tusch.toml ]] || fail "konffilen finns kvar efter purge"
[[ -f /var/log/tusch/deb-test-marker ]] || fail "purge tog bort /var/log/tusch"
[[ -f $HOME_DIR/.local/share/tusch/granskningar/deb-test.json ]] || fail "purge tog bort användarens granskningar"
