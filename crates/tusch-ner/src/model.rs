//! The loaded model: tokenizer + classifier + labels + windowing, from page texts to entity
//! spans.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use tokenizers::Tokenizer;

use crate::classifier::{OrtClassifier, TokenClassifier};
use crate::decode::{decode, join_overlaps, softmax, word_span, LabelSet};
use crate::error::NerError;
use crate::manifest::Manifest;
use crate::windows;

/// Pages whose windows are batched together: enough windows to keep every core busy with
/// well-filled batches, few enough that a 1,000-page document's token ids and logits are
/// never all held at once.
pub const PAGE_GROUP: usize = 48;

/// What model is running, for reports (never document text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelInfo {
    pub name: String,
    pub version: String,
    pub model_sha256: String,
    pub dir: PathBuf,
}

impl ModelInfo {
    /// `"tusch-ner-sv 0.1.0 (sha256 0123456789ab…)"`, as recorded in plans and reports.
    pub fn label(&self) -> String {
        let short: String = self.model_sha256.chars().take(12).collect();
        format!("{} {} (sha256 {short})", self.name, self.version)
    }
}

/// How the model runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// ONNX Runtime threads in all (0: one per available core).
    pub threads: usize,
    /// Windows per inference call.
    pub batch_size: usize,
    /// Sessions sharing the threads, each running its own windows (0: one per thread).
    pub sessions: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            threads: 0,
            batch_size: 1,
            sessions: 0,
        }
    }
}

/// One entity found in a page: a byte range of the page text, its type and confidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    pub span: Range<usize>,
    /// The model's type name, e.g. `"PER"`.
    pub kind: String,
    pub score: f32,
}

/// A token classifier with its tokenizer and labels; shareable across threads and reused
/// for every page and document.
pub struct NerModel {
    tokenizer: Tokenizer,
    classifier: Box<dyn TokenClassifier>,
    labels: LabelSet,
    prefix: Vec<i64>,
    suffix: Vec<i64>,
    max_length: usize,
    stride: usize,
    batch_size: usize,
    info: ModelInfo,
    load_time: std::time::Duration,
}

impl std::fmt::Debug for NerModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NerModel")
            .field("info", &self.info)
            .field("max_length", &self.max_length)
            .field("stride", &self.stride)
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

impl NerModel {
    /// Loads the model in `dir`: reads the manifest, checks both files' sha256, loads the
    /// tokenizer and the ONNX session, and runs one tiny inference to check the shapes.
    pub fn load(dir: &Path, options: RunOptions) -> Result<Self, NerError> {
        let started = Instant::now();
        let manifest = Manifest::load(dir)?;
        let (model_path, tokenizer_path) = manifest.verify_files(dir)?;
        let tokenizer = load_tokenizer(&tokenizer_path)?;
        let pad_id = tokenizer.token_to_id("<pad>").map_or(1, i64::from);
        let classifier = OrtClassifier::load(
            &model_path,
            &manifest,
            pad_id,
            options.threads,
            options.sessions,
        )?;
        let info = ModelInfo {
            name: manifest.name.clone(),
            version: manifest.version.clone(),
            model_sha256: manifest.model_sha256.to_ascii_lowercase(),
            dir: dir.to_owned(),
        };
        let mut model = Self::from_parts(
            tokenizer,
            Box::new(classifier),
            &manifest,
            options.batch_size,
            info,
        )?;
        model.entities(&["Tusch"])?;
        model.load_time = started.elapsed();
        Ok(model)
    }

    /// A model from its parts; the manifest supplies labels, `max_length` and `stride`.
    /// Tests pass a fake classifier and a small tokenizer.
    pub fn from_parts(
        mut tokenizer: Tokenizer,
        classifier: Box<dyn TokenClassifier>,
        manifest: &Manifest,
        batch_size: usize,
        info: ModelInfo,
    ) -> Result<Self, NerError> {
        if classifier.num_labels() != manifest.labels.len() {
            return Err(NerError::Shape {
                detail: format!(
                    "the classifier has {} classes, the manifest {} labels",
                    classifier.num_labels(),
                    manifest.labels.len()
                ),
            });
        }
        // Windows are cut here, never by the tokenizer.
        tokenizer
            .with_truncation(None)
            .map_err(|e| NerError::Shape {
                detail: e.to_string(),
            })?;
        tokenizer.with_padding(None);
        let (prefix, suffix) = special_tokens(&tokenizer)?;
        if prefix.len() + suffix.len() + 1 >= manifest.max_length {
            return Err(NerError::Shape {
                detail: "max_length leaves no room for text".into(),
            });
        }
        Ok(Self {
            tokenizer,
            classifier,
            labels: LabelSet::new(&manifest.labels),
            prefix,
            suffix,
            max_length: manifest.max_length,
            stride: manifest.stride,
            batch_size: batch_size.max(1),
            info,
            load_time: std::time::Duration::ZERO,
        })
    }

    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// How long [`NerModel::load`] took (hash checks, tokenizer, session, warm-up).
    pub fn load_time(&self) -> std::time::Duration {
        self.load_time
    }

    /// Text tokens per window (special tokens excluded).
    fn width(&self) -> usize {
        self.max_length - self.prefix.len() - self.suffix.len()
    }

    /// The number of text tokens (special tokens excluded), for throughput measurements.
    pub fn count_tokens(&self, text: &str) -> Result<usize, NerError> {
        Ok(self.encode(text)?.0.len())
    }

    fn encode(&self, text: &str) -> Result<(Vec<i64>, Vec<Range<usize>>), NerError> {
        if text.trim().is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        // The text layer separates lines with "\r\n"; the model was trained on running text
        // with spaces. Same-length replacement keeps every byte offset valid.
        let spaced: String = text
            .chars()
            .map(|c| {
                if matches!(c, '\r' | '\n' | '\t' | '\x0b' | '\x0c') {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        // The tokenizer's own message is not passed on: it could quote the text.
        let enc =
            self.tokenizer
                .encode(spaced.as_str(), false)
                .map_err(|_| NerError::Inference {
                    detail: "tokeniseringen misslyckades".into(),
                })?;
        let ids = enc.get_ids().iter().map(|&i| i64::from(i)).collect();
        let offsets = enc.get_offsets().iter().map(|&(s, e)| s..e).collect();
        Ok((ids, offsets))
    }

    /// Entities on each page, in page order. Pages go through in groups of
    /// [`PAGE_GROUP`]: within a group all windows are batched together (longest first, so a
    /// batch pads little); between groups the token ids and logits are freed, so memory
    /// does not grow with the document (a page's entities depend only on its own windows).
    pub fn entities(&self, pages: &[&str]) -> Result<Vec<Vec<Entity>>, NerError> {
        let mut out = Vec::with_capacity(pages.len());
        for group in pages.chunks(PAGE_GROUP) {
            out.extend(self.entities_of_group(group)?);
        }
        Ok(out)
    }

    fn entities_of_group(&self, pages: &[&str]) -> Result<Vec<Vec<Entity>>, NerError> {
        let encoded: Vec<(Vec<i64>, Vec<Range<usize>>)> = pages
            .iter()
            .map(|t| self.encode(t))
            .collect::<Result<_, _>>()?;
        let width = self.width();
        let plans: Vec<Vec<Range<usize>>> = encoded
            .iter()
            .map(|(ids, _)| windows::plan(ids.len(), width, self.stride))
            .collect();
        // Every (page, window) as one model input.
        let mut jobs: Vec<(usize, usize)> = Vec::new();
        for (p, plan) in plans.iter().enumerate() {
            jobs.extend((0..plan.len()).map(|w| (p, w)));
        }
        let mut order: Vec<usize> = (0..jobs.len()).collect();
        order.sort_by_key(|&j| std::cmp::Reverse(plans[jobs[j].0][jobs[j].1].len()));
        let mut logits: Vec<Vec<Vec<f32>>> = vec![Vec::new(); jobs.len()];
        // Batches run in parallel on rayon's pool; the classifier hands each to a free
        // session. Each window's result depends only on the window, so the order of
        // completion does not matter.
        let run = |chunk: &[usize]| -> Result<Vec<Vec<Vec<f32>>>, NerError> {
            let batch: Vec<Vec<i64>> = chunk
                .iter()
                .map(|&j| {
                    let (p, w) = jobs[j];
                    let mut seq = self.prefix.clone();
                    seq.extend_from_slice(&encoded[p].0[plans[p][w].clone()]);
                    seq.extend_from_slice(&self.suffix);
                    seq
                })
                .collect();
            let out = self.classifier.classify(&batch)?;
            if out.len() != batch.len() || out.iter().zip(&batch).any(|(o, b)| o.len() != b.len()) {
                return Err(NerError::Shape {
                    detail: "the classifier returned a different number of tokens".into(),
                });
            }
            Ok(out)
        };
        let chunks: Vec<&[usize]> = order.chunks(self.batch_size).collect();
        let results: Vec<Vec<Vec<Vec<f32>>>> = if self.classifier.parallel() > 1 {
            chunks
                .par_iter()
                .map(|c| run(c))
                .collect::<Result<_, _>>()?
        } else {
            chunks.iter().map(|c| run(c)).collect::<Result<_, _>>()?
        };
        for (chunk, out) in chunks.iter().zip(results) {
            for (&j, l) in chunk.iter().zip(out) {
                logits[j] = l;
            }
        }
        let mut next_job = 0;
        let mut result = Vec::with_capacity(pages.len());
        for (p, text) in pages.iter().enumerate() {
            let (ids, offsets) = &encoded[p];
            let plan = &plans[p];
            let first_job = next_job;
            next_job += plan.len();
            let owner = windows::assign(ids.len(), plan);
            let probs: Vec<Vec<f32>> = (0..ids.len())
                .map(|t| {
                    let w = owner[t];
                    let row = &logits[first_job + w][self.prefix.len() + t - plan[w].start];
                    softmax(row)
                })
                .collect();
            result.push(self.spans(text, offsets, &probs));
        }
        Ok(result)
    }

    /// Token entities to word-aligned byte spans of `text`.
    fn spans(&self, text: &str, offsets: &[Range<usize>], probs: &[Vec<f32>]) -> Vec<Entity> {
        // A piece that is only whitespace (a bare "▁") neither starts nor ends an entity:
        // decoding skips it, as training's evaluation does.
        let kept: Vec<usize> = (0..offsets.len())
            .filter(|&t| {
                text.get(offsets[t].clone())
                    .is_some_and(|s| !s.trim().is_empty())
            })
            .collect();
        let kept_probs: Vec<Vec<f32>> = kept.iter().map(|&t| probs[t].clone()).collect();
        let mut spans = Vec::new();
        for e in decode(&kept_probs, &self.labels) {
            let first = kept[e.tokens.start];
            let last = kept[e.tokens.end - 1];
            let raw = offsets[first].start..offsets[last].end;
            if let Some(span) = word_span(text, raw) {
                spans.push((span, e.kind, e.score));
            }
        }
        join_overlaps(spans)
            .into_iter()
            .map(|(span, kind, score)| {
                let kind = self.labels.types[kind].clone();
                let span = if kind == "PER" {
                    strip_genitive_piece(text, offsets, span)
                } else {
                    span
                };
                Entity { span, kind, score }
            })
            .collect()
    }
}

/// Drops a genitive "s" from the end of a name when the tokenizer made it a piece of its own
/// ("Kerstin" + "s"): the name without it seeds "every occurrence" propagation, which finds
/// both "Kerstin" and "Kerstins" (and masks the "s" again there). A name whose "s" is part
/// of a vocabulary piece ("Lars", "Hans") is left alone.
fn strip_genitive_piece(text: &str, offsets: &[Range<usize>], span: Range<usize>) -> Range<usize> {
    let bytes = text.as_bytes();
    let end = span.end;
    if end < span.start + 3 || !matches!(bytes[end - 1], b's' | b'S') {
        return span;
    }
    let own_piece = offsets
        .binary_search_by(|o| o.end.cmp(&end))
        .ok()
        .is_some_and(|i| offsets[i].start == end - 1);
    let letter_before = text[..end - 1]
        .chars()
        .next_back()
        .is_some_and(char::is_alphabetic);
    if own_piece && letter_before {
        span.start..end - 1
    } else {
        span
    }
}

fn load_tokenizer(path: &Path) -> Result<Tokenizer, NerError> {
    Tokenizer::from_file(path).map_err(|e| NerError::Tokenizer {
        path: path.to_owned(),
        detail: e.to_string(),
    })
}

/// The special tokens the post-processor puts before and after a text (`<s>`, `</s>`).
fn special_tokens(tokenizer: &Tokenizer) -> Result<(Vec<i64>, Vec<i64>), NerError> {
    let enc = tokenizer.encode("a", true).map_err(|e| NerError::Shape {
        detail: format!("the tokenizer cannot encode: {e}"),
    })?;
    let ids = enc.get_ids();
    let special = enc.get_special_tokens_mask();
    let lead = special.iter().take_while(|&&m| m == 1).count();
    let trail = special.iter().rev().take_while(|&&m| m == 1).count();
    if lead + trail >= ids.len() {
        return Err(NerError::Shape {
            detail: "the tokenizer's post-processor adds only special tokens".into(),
        });
    }
    let to_i64 = |s: &[u32]| s.iter().map(|&i| i64::from(i)).collect::<Vec<_>>();
    Ok((to_i64(&ids[..lead]), to_i64(&ids[ids.len() - trail..])))
}
