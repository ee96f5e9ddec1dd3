//! The OSL provisions a mask can be made under: a data file bundled with the program
//! (`data/provisions.toml`), which a kommun overrides with its own copy in the config
//! folder. Parsing checks that every default names a provision in the list.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tusch_core::Category;

use crate::error::ReviewError;

/// The bundled catalogue.
pub const BUNDLED: &str = include_str!("../data/provisions.toml");

/// One provision, e.g. `26 kap. 1 § OSL`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provision {
    pub id: String,
    pub title: String,
    pub description: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    provision: Vec<Provision>,
    #[serde(default)]
    defaults: BTreeMap<String, String>,
}

/// The provisions and the default provision per category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Catalogue {
    pub provisions: Vec<Provision>,
    pub defaults: BTreeMap<Category, String>,
}

impl Catalogue {
    /// Parses a catalogue file's text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Self, ReviewError> {
        let bad = |reason: String| ReviewError::Catalogue {
            path: origin.to_owned(),
            reason,
        };
        let file: File = toml::from_str(text).map_err(|e| bad(e.message().to_owned()))?;
        if file.provision.is_empty() {
            return Err(bad("listan är tom".into()));
        }
        let mut defaults = BTreeMap::new();
        for (key, id) in file.defaults {
            let category =
                Category::parse(&key).ok_or_else(|| bad(format!("okänd kategori «{key}»")))?;
            if !file.provision.iter().any(|p| p.id == id) {
                return Err(bad(format!("standardvalet «{id}» finns inte i listan")));
            }
            defaults.insert(category, id);
        }
        Ok(Self {
            provisions: file.provision,
            defaults,
        })
    }

    /// The bundled catalogue.
    pub fn bundled() -> Self {
        // The bundled file is tested below; a failure here is a build defect.
        Self::parse(BUNDLED, Path::new("provisions.toml")).unwrap_or(Self {
            provisions: Vec::new(),
            defaults: BTreeMap::new(),
        })
    }

    /// The kommun's own catalogue in `config_dir/provisions.toml` when there is one, else
    /// the bundled one.
    pub fn load(config_dir: Option<&Path>) -> Result<Self, ReviewError> {
        let Some(path) = config_dir.map(|d| d.join("provisions.toml")) else {
            return Ok(Self::bundled());
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::bundled()),
            Err(e) => Err(ReviewError::Catalogue {
                path,
                reason: e.to_string(),
            }),
        }
    }

    /// The provision a mask of `category` gets unless the registrar chooses one.
    pub fn default_for(&self, category: Category) -> Option<&str> {
        self.defaults.get(&category).map(String::as_str)
    }
}

/// `$XDG_CONFIG_HOME/tusch` or `~/.config/tusch`.
pub fn config_dir() -> Option<PathBuf> {
    xdg_dir("XDG_CONFIG_HOME", ".config")
}

pub(crate) fn xdg_dir(var: &str, home_rel: &str) -> Option<PathBuf> {
    match std::env::var_os(var) {
        Some(d) if !d.is_empty() => Some(PathBuf::from(d).join("tusch")),
        _ => std::env::var_os("HOME").map(|h| PathBuf::from(h).join(home_rel).join("tusch")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn bundled_catalogue_parses_with_a_default_for_every_category() {
        let c = Catalogue::parse(BUNDLED, Path::new("provisions.toml")).unwrap();
        for id in [
            "21 kap. 1 § OSL",
            "21 kap. 3 § OSL",
            "21 kap. 7 § OSL",
            "25 kap. 1 § OSL",
        ] {
            assert!(c.provisions.iter().any(|p| p.id == id), "{id}");
        }
        for cat in Category::ALL {
            assert!(c.default_for(cat).is_some(), "{cat}");
        }
    }

    #[test]
    fn a_default_must_name_a_listed_provision() {
        let text = "[[provision]]\nid = \"A\"\ntitle = \"t\"\ndescription = \"d\"\n[defaults]\nperson = \"B\"\n";
        let err = Catalogue::parse(text, Path::new("x.toml")).unwrap_err();
        assert!(err.to_string().contains("finns inte i listan"), "{err}");
    }

    #[test]
    fn the_kommuns_file_overrides_the_bundled_one() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Catalogue::load(Some(dir.path())).unwrap(),
            Catalogue::bundled()
        );
        std::fs::write(
            dir.path().join("provisions.toml"),
            "[[provision]]\nid = \"26 kap. 1 § OSL\"\ntitle = \"Socialtjänst\"\ndescription = \"d\"\n[defaults]\nperson = \"26 kap. 1 § OSL\"\n",
        )
        .unwrap();
        let c = Catalogue::load(Some(dir.path())).unwrap();
        assert_eq!(c.provisions.len(), 1);
        assert_eq!(c.default_for(Category::Person), Some("26 kap. 1 § OSL"));
    }
}
