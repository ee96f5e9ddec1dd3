//! Errors of the NER crate. Messages are Swedish and tell the user what to do; none carries
//! document text (tokenizer and runtime messages are about files and shapes only).

use std::path::PathBuf;

/// The NER model could not be found, loaded or run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NerError {
    #[error(
        "ONNX Runtime (libonnxruntime.so) hittades inte i $TUSCH_ONNXRUNTIME, bredvid programmet \
         eller i projektets native/lib; kör `make setup`, eller stäng av namnmodellen med \
         --no-ner (namn hittas då bara av reglerna)"
    )]
    RuntimeNotFound,
    #[error("kunde inte ladda ONNX Runtime från {path}: {detail}")]
    RuntimeLoad { path: PathBuf, detail: String },
    #[error(
        "namnmodellen (models/tusch-ner-sv med manifest.json) hittades inte; ange [ner] \
         model_dir i konfigurationen eller $TUSCH_MODEL_DIR, eller stäng av namnmodellen med \
         --no-ner (namn hittas då bara av reglerna)"
    )]
    ModelNotFound,
    #[error("kunde inte läsa {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("namnmodellens manifest {path} är ogiltigt: {detail}")]
    Manifest { path: PathBuf, detail: String },
    #[error(
        "kontrollsumman för {path} stämmer inte med manifest.json (filen är skadad eller \
         utbytt); installera om modellen"
    )]
    Checksum { path: PathBuf },
    #[error("namnmodellens tokenizer {path} kunde inte läsas: {detail}")]
    Tokenizer { path: PathBuf, detail: String },
    #[error("namnmodellen {path} kunde inte startas: {detail}")]
    Session { path: PathBuf, detail: String },
    #[error("namnmodellen passar inte sitt manifest: {detail}")]
    Shape { detail: String },
    #[error("namnmodellen misslyckades: {detail}")]
    Inference { detail: String },
}
