//! The model's `manifest.json`: what the files are, their checksums, the labels and how the
//! text is windowed. The loader refuses a model whose files do not match their checksums.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::NerError;

/// The fields the engine uses. Informational fields (training data, metrics, speed, …) are
/// ignored here; the model card shows them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Manifest {
    pub name: String,
    pub version: String,
    pub model_file: String,
    pub model_sha256: String,
    pub tokenizer_file: String,
    pub tokenizer_sha256: String,
    /// Output classes in logit order, e.g. `["O", "B-PER", "I-PER", …]`.
    pub labels: Vec<String>,
    /// `"BIO"` or `"IO"`.
    pub scheme: String,
    /// Tokens per window, the special tokens (`<s>`, `</s>`) included.
    pub max_length: usize,
    /// Tokens shared by consecutive windows.
    pub stride: usize,
    pub inputs: ManifestInputs,
    /// The name of the logits output.
    pub output: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ManifestInputs {
    pub input_ids: String,
    pub attention_mask: String,
}

impl Manifest {
    /// Reads and checks `dir/manifest.json` (not the file checksums: see
    /// [`Manifest::verify_files`]).
    pub fn load(dir: &Path) -> Result<Self, NerError> {
        let path = dir.join("manifest.json");
        let bytes = std::fs::read(&path).map_err(|source| NerError::Read {
            path: path.clone(),
            source,
        })?;
        let m: Manifest = serde_json::from_slice(&bytes).map_err(|e| NerError::Manifest {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        m.check()
            .map_err(|detail| NerError::Manifest { path, detail })?;
        Ok(m)
    }

    fn check(&self) -> Result<(), String> {
        if self.labels.first().map(String::as_str) != Some("O") {
            return Err("labels must start with \"O\"".into());
        }
        for l in &self.labels[1..] {
            let ok = matches!(l.split_once('-'), Some(("B" | "I", t)) if !t.is_empty());
            if !ok {
                return Err(format!("label {l:?} is not B-X or I-X"));
            }
        }
        if self.scheme != "BIO" && self.scheme != "IO" {
            return Err(format!("scheme {:?} is not BIO or IO", self.scheme));
        }
        if self.max_length < 8 || self.max_length > 4096 {
            return Err("max_length must be between 8 and 4096".into());
        }
        // The windows must advance: at least a quarter of each is new text.
        if self.stride * 4 > (self.max_length - 2) * 3 {
            return Err("stride is too large for max_length".into());
        }
        for f in [&self.model_file, &self.tokenizer_file] {
            if f.contains('/') || f.contains('\\') || f.starts_with('.') {
                return Err(format!(
                    "file name {f:?} must be a plain name in the folder"
                ));
            }
        }
        Ok(())
    }

    /// Checks the sha256 of the model and the tokenizer against the manifest.
    pub fn verify_files(&self, dir: &Path) -> Result<(PathBuf, PathBuf), NerError> {
        let model = dir.join(&self.model_file);
        let tokenizer = dir.join(&self.tokenizer_file);
        for (path, expected) in [
            (&model, &self.model_sha256),
            (&tokenizer, &self.tokenizer_sha256),
        ] {
            if !sha256_file(path)?.eq_ignore_ascii_case(expected.trim()) {
                return Err(NerError::Checksum { path: path.clone() });
            }
        }
        Ok((model, tokenizer))
    }

    /// Entity types in first-seen order (`["PER", "LOC", "ORG"]`).
    pub fn entity_types(&self) -> Vec<String> {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for l in &self.labels[1..] {
            if let Some((_, t)) = l.split_once('-') {
                let n = seen.len();
                seen.entry(t).or_insert(n);
            }
        }
        let mut v: Vec<(&str, usize)> = seen.into_iter().collect();
        v.sort_by_key(|(_, i)| *i);
        v.into_iter().map(|(t, _)| t.to_owned()).collect()
    }
}

/// The lower-case hex sha256 of a file.
pub fn sha256_file(path: &Path) -> Result<String, NerError> {
    let read_err = |source| NerError::Read {
        path: path.to_owned(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(read_err)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(read_err)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    pub(crate) fn manifest_json(model_sha: &str, tok_sha: &str) -> String {
        format!(
            r#"{{"name":"tusch-ner-sv","version":"0.1.0","model_file":"model.onnx",
            "model_sha256":"{model_sha}","tokenizer_file":"tokenizer.json",
            "tokenizer_sha256":"{tok_sha}",
            "labels":["O","B-PER","I-PER","B-LOC","I-LOC","B-ORG","I-ORG"],"scheme":"BIO",
            "label_all_tokens":true,"max_length":256,"stride":64,
            "inputs":{{"input_ids":"input_ids","attention_mask":"attention_mask"}},
            "output":"logits","metrics":{{"per_f1":0.95}},"training_data":[{{"name":"x"}}]}}"#
        )
    }

    #[test]
    fn parses_ignoring_informational_fields_and_checks_hashes() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_owned();
        std::fs::write(dir.join("model.onnx"), b"model").unwrap();
        std::fs::write(dir.join("tokenizer.json"), b"tok").unwrap();
        let m_sha = sha256_file(&dir.join("model.onnx")).unwrap();
        let t_sha = sha256_file(&dir.join("tokenizer.json")).unwrap();
        // sha256("model"), so the hex formatting is checked too.
        assert_eq!(
            m_sha,
            "9372c470eeadd5ecd9c3c74c2b3cb633f8e2f2fad799250a0f70d652b6b825e4"
        );
        std::fs::write(dir.join("manifest.json"), manifest_json(&m_sha, &t_sha)).unwrap();
        let m = Manifest::load(&dir).unwrap();
        assert_eq!(m.entity_types(), vec!["PER", "LOC", "ORG"]);
        assert_eq!(m.max_length, 256);
        m.verify_files(&dir).unwrap();

        std::fs::write(dir.join("model.onnx"), b"other model").unwrap();
        let e = m.verify_files(&dir).unwrap_err();
        assert!(matches!(e, NerError::Checksum { .. }), "{e}");
        assert!(e.to_string().contains("kontrollsumman"));
    }

    #[test]
    fn bad_manifests_are_typed_errors() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_owned();
        std::fs::write(dir.join("manifest.json"), "{").unwrap();
        assert!(matches!(
            Manifest::load(&dir),
            Err(NerError::Manifest { .. })
        ));
        let bad = manifest_json("a", "b").replace("\"B-LOC\"", "\"LOC\"");
        std::fs::write(dir.join("manifest.json"), bad).unwrap();
        assert!(matches!(
            Manifest::load(&dir),
            Err(NerError::Manifest { .. })
        ));
        let bad = manifest_json("a", "b").replace("model.onnx", "../model.onnx");
        std::fs::write(dir.join("manifest.json"), bad).unwrap();
        assert!(Manifest::load(&dir).is_err());
        drop(tmp);
        assert!(matches!(Manifest::load(&dir), Err(NerError::Read { .. })));
    }
}
