//! `tusch protected …` and `tusch learned …`: the two lists of `tusch-keyed`, managed from
//! the command line. Nothing here prints a name, a personnummer or a hash of one: `list`
//! and `stats` print counts and dates only.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use tusch_core::{Category, Config};
use tusch_engine::tusch_keyed::{KeyedStore, Kind};

use crate::usage;

/// `tusch protected`.
#[derive(Subcommand, Debug)]
pub enum ProtectedCommand {
    /// Lägg till en person med skyddad identitet (lagras som nyckelad hash, aldrig som text).
    Add(Identity),
    /// Ta bort en person från listan.
    Remove(Identity),
    /// Visa hur många som finns på listan (aldrig namnen).
    List {
        /// Skriv bara antalet (krävs: listan visar aldrig namn).
        #[arg(long)]
        count: bool,
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

/// A name or a personnummer, and the configuration.
#[derive(Args, Debug)]
pub struct Identity {
    #[command(flatten)]
    who: Who,
    #[arg(long)]
    config: Option<PathBuf>,
}

/// Exactly one of a name and a personnummer.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
struct Who {
    /// Namnet, t.ex. "Förnamn Efternamn" (1–4 ord).
    #[arg(long)]
    name: Option<String>,
    /// Personnumret, 10 eller 12 siffror, med eller utan - eller +.
    #[arg(long)]
    pnr: Option<String>,
}

/// `tusch learned`.
#[derive(Subcommand, Debug)]
pub enum LearnedCommand {
    /// Skriv en kopia av den inlärda listan till FIL (för att dela den mellan datorer).
    Export {
        file: PathBuf,
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Slå ihop en exporterad lista med den här (antalen läggs ihop). Kräver samma
    /// nyckelfil som listan skapades med.
    Import {
        file: PathBuf,
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Visa antal poster och beslut per slag, och datum (aldrig texter).
    Stats {
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Lägg in ett beslut som om en registrator fattat det.
    Add {
        /// En text som alltid ska föreslås för maskering.
        #[arg(long, group = "what")]
        mask: Option<String>,
        /// En text som inte är en personuppgift (undertrycks efter suppress_after beslut).
        #[arg(long, group = "what")]
        not_personal: Option<String>,
        /// Kategori för --mask (t.ex. person); standard: other.
        #[arg(long)]
        category: Option<String>,
        /// Antal beslut att lägga in (standard 1).
        #[arg(long, default_value_t = 1)]
        times: u32,
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Töm den inlärda listan (nyckelfilen behålls).
    Reset {
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

fn open(path: Option<&Path>, secret: Option<&Path>, section: &str) -> anyhow::Result<KeyedStore> {
    let path = path.ok_or_else(|| {
        usage(format!(
            "ingen lista är konfigurerad: sätt [{section}] path i konfigurationen"
        ))
    })?;
    KeyedStore::open(path, secret).with_context(|| path.display().to_string())
}

fn open_protected(config: &Config) -> anyhow::Result<KeyedStore> {
    let p = &config.protected;
    open(p.path.as_deref(), p.secret.as_deref(), "protected")
}

fn open_learned(config: &Config) -> anyhow::Result<KeyedStore> {
    let l = &config.learned;
    open(l.path.as_deref(), l.secret.as_deref(), "learned")
}

fn identity(id: &Identity) -> (&str, Kind) {
    match (&id.who.name, &id.who.pnr) {
        (Some(n), _) => (n.as_str(), Kind::ProtectedName),
        (None, Some(p)) => (p.as_str(), Kind::ProtectedPnr),
        // clap's group makes one of them required.
        (None, None) => ("", Kind::ProtectedName),
    }
}

pub fn protected(command: ProtectedCommand) -> anyhow::Result<ExitCode> {
    match command {
        ProtectedCommand::Add(id) => {
            let config = crate::load_config(id.config.as_deref(), None)?;
            let mut store = open_protected(&config)?;
            let (text, kind) = identity(&id);
            store.record(text, kind, None).map_err(usage)?;
            store.save()?;
            println!("tillagd; {} på listan", listed(&store));
        }
        ProtectedCommand::Remove(id) => {
            let config = crate::load_config(id.config.as_deref(), None)?;
            let mut store = open_protected(&config)?;
            let (text, kind) = identity(&id);
            if store.remove(text, kind).map_err(usage)? {
                store.save()?;
                println!("borttagen; {} på listan", listed(&store));
            } else {
                println!("fanns inte på listan; {} på listan", listed(&store));
                return Ok(ExitCode::FAILURE);
            }
        }
        ProtectedCommand::List { count, config } => {
            if !count {
                return Err(usage(
                    "listan visar aldrig namn eller personnummer; använd --count",
                ));
            }
            let config = crate::load_config(config.as_deref(), None)?;
            let store = open_protected(&config)?;
            println!(
                "{}",
                store.count(Kind::ProtectedName) + store.count(Kind::ProtectedPnr)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn listed(store: &KeyedStore) -> String {
    format!(
        "{} namn och {} personnummer",
        store.count(Kind::ProtectedName),
        store.count(Kind::ProtectedPnr)
    )
}

pub fn learned(command: LearnedCommand) -> anyhow::Result<ExitCode> {
    match command {
        LearnedCommand::Export { file, config } => {
            let config = crate::load_config(config.as_deref(), None)?;
            let store = open_learned(&config)?;
            store.save_to(&file)?;
            println!(
                "{} poster skrivna till {}",
                store.entries().count(),
                file.display()
            );
        }
        LearnedCommand::Import { file, config } => {
            let config = crate::load_config(config.as_deref(), None)?;
            let mut store = open_learned(&config)?;
            let n = store
                .import(&file)
                .with_context(|| file.display().to_string())?;
            store.save()?;
            println!("{n} poster från {} sammanslagna", file.display());
        }
        LearnedCommand::Stats { config } => {
            let config = crate::load_config(config.as_deref(), None)?;
            let store = open_learned(&config)?;
            for (kind, s) in store.stats() {
                if kind.starts_with("protected") {
                    continue;
                }
                let label = match kind {
                    "mask" => "maskerat för hand",
                    _ => "inte personuppgift",
                };
                println!(
                    "{label:<20} {:>6} poster {:>7} beslut  första {}  senaste {}",
                    s.entries,
                    s.decisions,
                    s.first.as_deref().unwrap_or("–"),
                    s.last.as_deref().unwrap_or("–")
                );
            }
            println!(
                "undertrycks efter {} avvisanden",
                config.learned.suppress_after
            );
        }
        LearnedCommand::Add {
            mask,
            not_personal,
            category,
            times,
            config,
        } => {
            let config = crate::load_config(config.as_deref(), None)?;
            let mut store = open_learned(&config)?;
            let category = match category {
                Some(c) => {
                    Some(Category::parse(&c).ok_or_else(|| usage(format!("okänd kategori {c}")))?)
                }
                None => None,
            };
            let (text, kind) = match (&mask, &not_personal) {
                (Some(m), _) => (m.as_str(), Kind::Mask),
                (None, Some(n)) => (n.as_str(), Kind::NotPersonal),
                (None, None) => return Err(usage("ange --mask eller --not-personal")),
            };
            let mut n = 0;
            for _ in 0..times.max(1) {
                n = store.record(text, kind, category).map_err(usage)?;
            }
            store.save()?;
            println!("inlagd; {n} beslut för den texten");
        }
        LearnedCommand::Reset { config } => {
            let config = crate::load_config(config.as_deref(), None)?;
            let mut store = open_learned(&config)?;
            store.clear();
            store.save()?;
            println!("den inlärda listan är tömd");
        }
    }
    Ok(ExitCode::SUCCESS)
}
