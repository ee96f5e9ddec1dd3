# Tusch — the two quick-start commands are `make run` and `make test`.
SHELL := /bin/bash
CARGO ?= cargo
TUSCH := target/release/tusch

.PHONY: setup build run test lint bench fixtures model clean

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
	rm -rf out target native
