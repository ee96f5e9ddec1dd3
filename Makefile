# Tusch — the two quick-start commands are `make run` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
TUSCH := target/release/tusch

.PHONY: setup build run test lint bench fixtures clean

## setup: Debian packages and the native libraries (pdfium, ONNX Runtime) from PyPI wheels
setup:
	@bash scripts/setup.sh

## build: the tusch command-line tool (release)
build: setup
	$(CARGO) build --release -p tusch-cli

## run: redact the bundled sample documents in fixtures/documents into out/
run: build
	rm -rf out
	$(TUSCH) batch fixtures/documents -o out
	@echo "Maskerade PDF:er och rapporter finns i out/ (kontrollera med: $(TUSCH) verify out/<fil>.pdf)"

## test: every test (unit, integration with pdfium and Tesseract, gold fixtures)
test: setup
	$(CARGO) test --workspace --release
	python3 fixtures/check_gold.py

## lint: formatting and clippy, as CI checks them
lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --release -- -D warnings

## bench: end-to-end pages per second against pdftoppm on a 60-page document; scanned pages per second with OCR
bench: setup
	$(CARGO) bench -p tusch-bench

## fixtures: regenerate the synthetic fixture PDFs and their simulated scans (reportlab, Pillow, numpy from PyPI)
fixtures:
	python3 -m pip install --quiet -r fixtures/requirements.txt
	python3 fixtures/generate.py
	python3 fixtures/scan.py

clean:
	rm -rf out target native
