# Tusch — the two quick-start commands are `make run` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
TUSCH := target/release/tusch

.PHONY: setup build run test lint bench fixtures model clean desktop gui ui e2e deb deb-test
DESKTOP := target/release/tusch-desktop
# The desktop shell serves the embedded ui/dist (not a dev server) with this feature; the
# tests build with it too, so `make test` and `make desktop` share one build of Tauri.
DESKTOP_FEATURES := --features tusch-desktop/custom-protocol

## setup: Debian packages and the native libraries (pdfium, ONNX Runtime) from PyPI wheels
setup:
	@bash scripts/setup.sh

## build: the tusch command-line tool (release)
build: setup
	$(CARGO) build --release -p tusch-cli

## run: redact the bundled sample documents (fixtures/documents into out/, the scans into
## out/skannade/, the documents from real office software into out/kontorsprogram/)
run: build
	rm -rf out
	$(TUSCH) batch fixtures/documents -o out
	$(TUSCH) batch fixtures/scans -o out/skannade
	$(TUSCH) batch fixtures/realworld -o out/kontorsprogram
	@echo "Maskerade PDF:er och rapporter finns i out/, out/skannade/ och out/kontorsprogram/ (kontrollera med: $(TUSCH) verify out/<fil>.pdf)"

## test: every test (unit, integration with pdfium and Tesseract, gold fixtures, the
## desktop app's front end, and the end-to-end test of the real app under Xvfb)
test: setup ui
	$(CARGO) test --workspace --release $(DESKTOP_FEATURES)
	python3 fixtures/check_gold.py
	cd ui && npm run --silent test
	$(MAKE) --no-print-directory e2e
	$(MAKE) --no-print-directory deb-test

## ui: the desktop app's front end (npm install, type check, Vite build into ui/dist, which
## the Tauri crate embeds at compile time — so cargo needs it even for tests and clippy)
ui:
	cd ui && npm install --no-audit --no-fund --loglevel=error && npm run --silent build

## desktop: build the desktop review app (target/release/tusch-desktop)
desktop: setup ui
	$(CARGO) build --release -p tusch-desktop $(DESKTOP_FEATURES)

## gui: build and start the desktop app (FILES="a.pdf b.pdf" opens documents)
gui: desktop
	$(DESKTOP) $(FILES)

## e2e: drive the real app under Xvfb through tauri-driver and WebKitWebDriver
e2e: setup
	$(CARGO) build --release -p tusch-cli -p tusch-desktop $(DESKTOP_FEATURES)
	xvfb-run -a -s "-screen 0 1366x768x24" node ui/e2e/run.mjs

## deb: the Debian packages tusch and tusch-desktop in target/debian/ (scripts/build-deb.sh),
## from the same release build as e2e (cargo only rebuilds what changed)
deb: setup
	$(CARGO) build --release -p tusch-cli -p tusch-desktop $(DESKTOP_FEATURES)
	bash scripts/build-deb.sh

## deb-test: install both packages on this machine (Debian 12, root or sudo; skipped
## otherwise), redact and verify with /usr/bin/tusch with the checkout out of reach, start
## tusch-desktop under Xvfb, upgrade, remove (scripts/test-deb.sh)
deb-test: deb
	bash scripts/test-deb.sh

## lint: formatting, clippy, cargo-deny (no network client crate in any binary; licences) and
## the crate dependency shape (scripts/check-shape.sh), as CI checks them
lint: ui
	$(CARGO) fmt --all --check
	$(CARGO) deny check bans licenses
	bash scripts/check-shape.sh
	$(CARGO) clippy --workspace --all-targets --release $(DESKTOP_FEATURES) -- -D warnings
	cd ui && npm run --silent typecheck

## bench: end-to-end pages per second against pdftoppm on a 60-page document; NER tokens/s and
## load time; scanned pages per second with OCR
bench: setup
	$(CARGO) bench -p tusch-bench

## fixtures: regenerate the synthetic fixture PDFs and their simulated scans (reportlab, Pillow, numpy from PyPI)
fixtures:
	python3 -m pip install --quiet -r fixtures/requirements.txt
	python3 fixtures/generate.py
	python3 fixtures/scan.py

## model: retrain models/tusch-ner-sv from models/data (CPU, about an hour on 2 cores; needs ~6 GB for
## the training venv, which lives outside the repo in NER_VENV). Not part of test or CI.
NER_VENV ?= $(abspath ../venv-ner)
model:
	test -x $(NER_VENV)/bin/python || python3 -m venv $(NER_VENV)
	$(NER_VENV)/bin/pip install --quiet -r models/requirements.txt
	$(NER_VENV)/bin/python models/train/pipeline.py

clean:
	rm -rf out target native ui/dist ui/node_modules
