//! The inference seam: a token classifier maps token ids to per-token logits.
//!
//! Everything before (tokenising, windowing, batching) and after (softmax, BIO decoding,
//! mapping tokens back to the text) is ordinary code in this crate and is unit-tested with
//! [`crate::fake::FakeClassifier`], in the manner of ocrs's `Model` trait. The real backend,
//! [`OrtClassifier`], runs the ONNX model through ONNX Runtime.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ort::environment::Environment;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use ort::value::Tensor;

use crate::error::NerError;
use crate::locate::runtime_candidates;
use crate::manifest::Manifest;

/// Per-token logits for a batch of token sequences.
pub trait TokenClassifier: Send + Sync {
    /// Number of output classes (the manifest's labels).
    fn num_labels(&self) -> usize;

    /// Logits `[sequence][token][label]` for each sequence of token ids (special tokens
    /// included). Sequences may differ in length; the result has each one's own length.
    fn classify(&self, batch: &[Vec<i64>]) -> Result<Vec<Vec<Vec<f32>>>, NerError>;

    /// How many calls to [`Self::classify`] can usefully run at once (default 1).
    fn parallel(&self) -> usize {
        1
    }
}

/// ONNX Runtime, loaded once per process from [`runtime_candidates`].
static ENVIRONMENT: OnceLock<Result<Environment, (Option<PathBuf>, String)>> = OnceLock::new();

/// The process-wide ONNX Runtime environment, loaded on first use.
pub fn environment() -> Result<&'static Environment, NerError> {
    ENVIRONMENT
        .get_or_init(|| {
            let Some(path) = runtime_candidates().into_iter().next() else {
                return Err((None, String::new()));
            };
            let fail = |e: &dyn std::fmt::Display| (Some(path.clone()), e.to_string());
            ort::init_from(&path)
                .map_err(|e| fail(&e))?
                .with_name("tusch")
                .build()
                .map_err(|e| fail(&e))
        })
        .as_ref()
        .map_err(|(path, detail)| match path {
            None => NerError::RuntimeNotFound,
            Some(path) => NerError::RuntimeLoad {
                path: path.clone(),
                detail: detail.clone(),
            },
        })
}

/// The ONNX model as a small pool of sessions, each behind a mutex (`Session::run` takes
/// `&mut self`). Several single-threaded sessions running different windows at once keep
/// the cores busier than one session splitting each window's small matrices across
/// threads, which waits at every operator (measured in `benches/benches/ner.rs`).
pub struct OrtClassifier {
    sessions: Vec<Mutex<Session>>,
    next: std::sync::atomic::AtomicUsize,
    input_ids: String,
    attention_mask: String,
    output: String,
    num_labels: usize,
    pad_id: i64,
}

impl std::fmt::Debug for OrtClassifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrtClassifier")
            .field("num_labels", &self.num_labels)
            .finish_non_exhaustive()
    }
}

impl OrtClassifier {
    /// Loads `model` as `sessions` sessions sharing `threads` intra-op threads (0: one
    /// thread per available core; sessions 0: one per thread, each single-threaded).
    pub fn load(
        model: &Path,
        manifest: &Manifest,
        pad_id: i64,
        threads: usize,
        sessions: usize,
    ) -> Result<Self, NerError> {
        let threads = if threads == 0 {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            threads
        };
        let count = if sessions == 0 { threads } else { sessions }.clamp(1, threads);
        let per_session = (threads / count).max(1);
        let sessions = (0..count)
            .map(|_| Self::session(model, manifest, per_session).map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            sessions,
            next: std::sync::atomic::AtomicUsize::new(0),
            input_ids: manifest.inputs.input_ids.clone(),
            attention_mask: manifest.inputs.attention_mask.clone(),
            output: manifest.output.clone(),
            num_labels: manifest.labels.len(),
            pad_id,
        })
    }

    /// Number of sessions: how many windows can run at once.
    pub fn sessions(&self) -> usize {
        self.sessions.len()
    }

    fn session(model: &Path, manifest: &Manifest, threads: usize) -> Result<Session, NerError> {
        let env = environment()?;
        let fail = |e: &dyn std::fmt::Display| NerError::Session {
            path: model.to_owned(),
            detail: e.to_string(),
        };
        let session = Session::builder(env)
            .map_err(|e| fail(&e))?
            .with_optimization_level(GraphOptimizationLevel::All)
            .map_err(|e| fail(&e))?
            .with_intra_threads(threads)
            .map_err(|e| fail(&e))?
            .with_inter_threads(1)
            .map_err(|e| fail(&e))?
            // Spinning threads burn cores the other pages' rendering needs.
            .with_intra_op_spinning(false)
            .map_err(|e| fail(&e))?
            .commit_from_file(model)
            .map_err(|e| fail(&e))?;
        let names: Vec<&str> = session.inputs().iter().map(|i| i.name()).collect();
        for want in [&manifest.inputs.input_ids, &manifest.inputs.attention_mask] {
            if !names.contains(&want.as_str()) {
                return Err(NerError::Shape {
                    detail: format!("the model has no input {want:?}"),
                });
            }
        }
        if !session
            .outputs()
            .iter()
            .any(|o| o.name() == manifest.output)
        {
            return Err(NerError::Shape {
                detail: format!("the model has no output {:?}", manifest.output),
            });
        }
        Ok(session)
    }
}

impl TokenClassifier for OrtClassifier {
    fn num_labels(&self) -> usize {
        self.num_labels
    }

    fn parallel(&self) -> usize {
        self.sessions.len()
    }

    fn classify(&self, batch: &[Vec<i64>]) -> Result<Vec<Vec<Vec<f32>>>, NerError> {
        let b = batch.len();
        let s = batch.iter().map(Vec::len).max().unwrap_or(0);
        if b == 0 || s == 0 {
            return Ok(batch.iter().map(|_| Vec::new()).collect());
        }
        let mut ids = Vec::with_capacity(b * s);
        let mut mask = Vec::with_capacity(b * s);
        for seq in batch {
            ids.extend_from_slice(seq);
            ids.extend(std::iter::repeat_n(self.pad_id, s - seq.len()));
            mask.extend(std::iter::repeat_n(1i64, seq.len()));
            mask.extend(std::iter::repeat_n(0i64, s - seq.len()));
        }
        let fail = |e: &dyn std::fmt::Display| NerError::Inference {
            detail: e.to_string(),
        };
        let ids = Tensor::from_array(([b, s], ids)).map_err(|e| fail(&e))?;
        let mask = Tensor::from_array(([b, s], mask)).map_err(|e| fail(&e))?;
        // A free session if there is one, else wait for the next in turn.
        let start = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let n = self.sessions.len();
        let free = (0..n).find_map(|k| self.sessions[(start + k) % n].try_lock().ok());
        let mut session = match free {
            Some(s) => s,
            None => self.sessions[start % n]
                .lock()
                .map_err(|_| NerError::Inference {
                    detail: "an earlier inference panicked".into(),
                })?,
        };
        let outputs = session
            .run(ort::inputs![
                self.input_ids.as_str() => ids,
                self.attention_mask.as_str() => mask,
            ])
            .map_err(|e| fail(&e))?;
        let value = outputs.get(&self.output).ok_or_else(|| NerError::Shape {
            detail: format!("no output {:?}", self.output),
        })?;
        let (shape, data) = value.try_extract_tensor::<f32>().map_err(|e| fail(&e))?;
        let l = self.num_labels;
        if shape.len() != 3
            || shape[0] != b as i64
            || shape[1] != s as i64
            || shape[2] != l as i64
            || data.len() != b * s * l
        {
            return Err(NerError::Shape {
                detail: format!(
                    "logits have shape {:?}, expected [{b}, {s}, {l}]",
                    &shape[..]
                ),
            });
        }
        Ok(batch
            .iter()
            .enumerate()
            .map(|(i, seq)| {
                (0..seq.len())
                    .map(|t| data[(i * s + t) * l..(i * s + t + 1) * l].to_vec())
                    .collect()
            })
            .collect())
    }
}
