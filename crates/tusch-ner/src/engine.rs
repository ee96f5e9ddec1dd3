//! The one place the default analyzer is built: the rule detectors plus the NER model, as
//! the configuration says. The CLI, the batch runner, the benches and the gold test all
//! call [`build_engine`], so they run the same detectors.

use std::sync::Arc;

use tusch_core::{Analyzer, Config};

use crate::detector::NerDetector;
use crate::error::NerError;
use crate::locate::model_candidates;
use crate::model::{ModelInfo, NerModel, RunOptions};

/// The analyzer and, when NER runs, what model it runs.
#[derive(Debug)]
pub struct Engine {
    pub analyzer: Analyzer,
    pub model: Option<ModelInfo>,
}

impl Engine {
    /// The engine description for a redaction plan: `"tusch 0.1.0; tusch-ner-sv 0.1.0
    /// (sha256 …)"`, or the rule engine alone when NER is off.
    pub fn description(&self) -> String {
        let base = format!("tusch {}", tusch_core::VERSION);
        match &self.model {
            Some(m) => format!("{base}; {}", m.label()),
            None => format!("{base}; NER avstängd"),
        }
    }
}

/// Loads the model named by the configuration (or found by [`model_candidates`]).
pub fn load_model(config: &Config) -> Result<NerModel, NerError> {
    let dir = model_candidates(config.ner.model_dir.as_deref())
        .into_iter()
        .next()
        .ok_or(NerError::ModelNotFound)?;
    NerModel::load(
        &dir,
        RunOptions {
            threads: config.ner.threads,
            batch_size: config.ner.batch_size,
            sessions: 0,
        },
    )
}

/// The rule detectors with the configuration's policy, plus the NER detector when
/// `[ner] enabled` (the default). A model that cannot be loaded is an error, never a silent
/// fallback to rules alone.
pub fn build_engine(config: &Config) -> Result<Engine, NerError> {
    let mut analyzer = Analyzer::new(config.detection.clone());
    if !config.ner.enabled {
        return Ok(Engine {
            analyzer,
            model: None,
        });
    }
    let model = Arc::new(load_model(config)?);
    let info = model.info().clone();
    analyzer.push_detector(Box::new(NerDetector::new(
        model,
        config.ner.categories.clone(),
    )));
    Ok(Engine {
        analyzer,
        model: Some(info),
    })
}
