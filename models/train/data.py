"""Step 2: build the training and validation sets.

Every example is raw text plus character spans, `{"text", "spans": [[start, end, label]],
"source"}`, so training tokenises exactly as the Rust engine does (tokenizer.json on the raw
text, offsets to labels) instead of feeding pre-split words.

Sources (each split by sentence, 10 % held out for validation, chosen by a seeded shuffle):
  suc      SUC 3.0 dev sentences (IO tags; PER/LOC/ORG kept, TME/MSR/WRK/EVN/OBJ -> O)
  sucrem   SUC 3.0 "removed" sentences (fine tags person/place/inst), minus those in suc
  klintan  Webbnyheter 2012 (PER/ORG/LOC kept, MISC -> O)
  synth    synthetic kommun documents (letters, decisions, e-mails, minutes, notes) with
           names from the SCB lists; the validation part draws its names from a 10 % slice of
           the name lists that the training part never sees.
"""
from __future__ import annotations

import csv
import hashlib
import itertools
import json
import random
import re
import shutil
from pathlib import Path

from common import BUILD, DATA_DIR, SEED, SHARED_DATA, die, sha256_file, write_json, write_jsonl

# Files copied into models/data/ (the training data lives in the repo, with its licences).
DATA_FILES = {
    "ner/sucx3/sucx3_dev.jsonl": "SUC 3.0 (SUCX 3.0 NER, KBLab) dev split",
    "ner/sucx3/removed_sents_fine_and_simple.txt": "SUC 3.0 (SUCX 3.0 NER, KBLab) removed sentences",
    "ner/klintan/train_corpus.txt": "Swedish NER corpus (klintan), Webbnyheter 2012",
    "ner/klintan/LICENSE": None,
    "gazetteers/names/scb_fornamn-kvinnor.csv": "SCB first names (women)",
    "gazetteers/names/scb_fornamn-man.csv": "SCB first names (men)",
    "gazetteers/names/scb_efternamn_top1000.csv": "SCB surnames, top 1000",
    "gazetteers/geo/sjbrg_municipality_county.csv": "Swedish municipalities and counties",
    "gazetteers/geo/sjbrg_postal_to_municipality.csv": "Swedish postal codes and postorter",
    "gazetteers/geo/sphrak_svenska-stader.csv": "Swedish localities",
    "gazetteers/geo/LICENSE-sjbrg-swedish-geodata": None,
    "gazetteers/geo/LICENSE-sphrak-svenska-stader": None,
}


def data_path(rel: str) -> Path:
    """models/data/<rel>, copied from ../shared/data on first use."""
    dst = DATA_DIR / rel
    if not dst.exists():
        src = SHARED_DATA / rel
        if not src.exists():
            die(f"{dst} is missing and so is {src}: copy the training data into models/data/")
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    return dst


# ----------------------------------------------------------------------------- corpora

NO_SPACE_BEFORE = {",", ".", ":", ";", "!", "?", ")", "]", "}", "%", "...", "…"}
NO_SPACE_AFTER = {"(", "[", "{"}


def detokenize(tokens, tags):
    """Join corpus tokens into natural text; returns text and entity spans from IO/BIO tags."""
    text = ""
    starts = []
    prev = None
    for tok in tokens:
        tok = tok.replace("\u00ad", "")  # soft hyphens in klintan
        if not tok:
            tok = "-"
        if text and tok not in NO_SPACE_BEFORE and prev not in NO_SPACE_AFTER:
            text += " "
        starts.append(len(text))
        text += tok
        prev = tok
    spans = []
    cur = None  # [start, end, label]
    for i, (tok, tag) in enumerate(zip(tokens, tags)):
        if tag == "O":
            cur = None
            continue
        bio, label = tag.split("-", 1) if "-" in tag else ("I", tag)
        s, e = starts[i], starts[i] + len(tok.replace("\u00ad", "") or "-")
        if cur is not None and cur[2] == label and bio == "I":
            cur[1] = e
        else:
            cur = [s, e, label]
            spans.append(cur)
    return text, spans


def load_suc():
    out = []
    for row in map(json.loads, open(data_path("ner/sucx3/sucx3_dev.jsonl"), encoding="utf-8")):
        tags = [t if t in ("PER", "LOC", "ORG") else "O" for t in row["ner_tags"]]
        out.append((row["tokens"], tags))
    return out


def load_suc_removed(seen):
    fine = {"person": "PER", "place": "LOC", "inst": "ORG"}
    out, toks, tags = [], [], []
    dup = 0

    def flush():
        nonlocal dup, toks, tags
        if toks:
            if tuple(toks) in seen:
                dup += 1
            else:
                out.append((toks, tags))
        toks, tags = [], []

    for line in open(data_path("ner/sucx3/removed_sents_fine_and_simple.txt"), encoding="utf-8"):
        parts = line.split()
        if len(parts) < 3:
            flush()
            continue
        tok, tag = parts[0], parts[1]
        if tag != "O":
            bio, kind = tag.split("-", 1)
            tag = f"{bio}-{fine[kind]}" if kind in fine else "O"
        toks.append(tok)
        tags.append(tag)
    flush()
    return out, dup


def load_klintan():
    out, toks, tags = [], [], []
    for line in open(data_path("ner/klintan/train_corpus.txt"), encoding="utf-8"):
        parts = line.split()
        if len(parts) < 2:
            if toks:
                out.append((toks, tags))
            toks, tags = [], []
            continue
        tok, tag = " ".join(parts[:-1]), parts[-1]
        toks.append(tok.replace(" ", ""))
        tags.append(tag if tag in ("PER", "LOC", "ORG") else "O")
    if toks:
        out.append((toks, tags))
    return out


def split(rows, rng, frac=0.1):
    idx = list(range(len(rows)))
    rng.shuffle(idx)
    n_val = int(round(len(rows) * frac))
    val = set(idx[:n_val])
    return [rows[i] for i in range(len(rows)) if i not in val], [rows[i] for i in sorted(val)]


# ----------------------------------------------------------------------------- gazetteers

NAME_RE = re.compile(r"^[A-ZÅÄÖÉÈÜÆØ][a-zåäöéèüæøáíóúñçëïâêîôû]+(-[A-ZÅÄÖÉ][a-zåäöéèüæøáíóúñçëï]+)?$")


def held_out(name: str) -> bool:
    """A fixed 10 % of all names is reserved for the synthetic validation set."""
    return hashlib.sha256(name.encode()).digest()[0] < 26


def read_counts(rel, col_name, col_count):
    out = []
    with open(data_path(rel), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = row[col_name].strip()
            if NAME_RE.match(name):
                out.append((name, int(row[col_count])))
    return out


class Names:
    """Weighted samplers over the SCB lists, restricted to the train or validation slice."""

    SWEDISH_PARTS = ["Berg", "Lund", "Ström", "Holm", "Dahl", "Gren", "Sjö", "Ek", "Björk", "Lind",
                     "Häll", "Sand", "Fors", "Ås", "Nord", "Sund", "Hed", "Mal", "Åker", "Wall"]
    SWEDISH_SUFFIX = ["berg", "lund", "ström", "holm", "dahl", "gren", "qvist", "kvist", "ling",
                      "man", "blad", "stedt", "sten", "vall", "fors", "mark", "näs", "by", "ö", "bäck"]
    FOREIGN = ["Nguyen", "Yilmaz", "Kowalski", "Nowak", "Hussein", "Ahmadi", "Rahimi", "Novak",
               "Popescu", "Müller", "García", "Rodríguez", "Kaya", "Demir", "Öztürk", "Haddad",
               "Mansour", "Jovanović", "Petrović", "Horvat", "Kovač", "Osman", "Abdi", "Warsame",
               "Farah", "Hassan", "Mohamud", "Tesfaye", "Haile", "Wang", "Li", "Zhang", "Kim",
               "Park", "Singh", "Kumar", "Patel", "Sharma", "Rossi", "Russo", "Schmidt", "Schneider",
               "Fischer", "Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Hansen", "Jensen",
               "Nielsen", "Larsen", "Olsen", "Wiśniewski", "Wójcik", "Kowalczyk", "Ivanov",
               "Smirnov", "Petrov", "Hosseini", "Karimi", "Mohammadi", "Jafari", "Rezaei",
               "Al-Hassan", "Al-Sayed", "El-Amin", "Ben Ali", "da Silva", "dos Santos", "Pereira",
               "Ferreira", "Okafor", "Mensah", "Diallo", "Traoré", "Nkosi", "Öberg", "Rashid"]
    PARTICLES = ["von", "af", "de", "van", "von der", "de la", "af"]

    def __init__(self, val: bool, rng: random.Random):
        self.rng = rng
        keep = (lambda n: held_out(n)) if val else (lambda n: not held_out(n))
        women = read_counts("gazetteers/names/scb_fornamn-kvinnor.csv", "name", "persons")
        men = read_counts("gazetteers/names/scb_fornamn-man.csv", "name", "persons")
        sur = read_counts("gazetteers/names/scb_efternamn_top1000.csv", "lastname", "frequency")
        self.first = [(n, c) for n, c in women + men if keep(n)]
        self.sur = [(n, c) for n, c in sur if keep(n)]
        self.foreign = [n for n in self.FOREIGN if keep(n)]
        self._fw = list(itertools.accumulate(c for _, c in self.first))
        self._sw = list(itertools.accumulate(c for _, c in self.sur))

    def first_name(self):
        r = self.rng.random()
        if r < 0.55:
            return self.rng.choices(self.first, cum_weights=self._fw)[0][0]
        return self.rng.choice(self.first)[0]  # uniform: mostly rare and foreign-origin names

    def given_names(self):
        r = self.rng.random()
        if r < 0.08:
            return f"{self.first_name()}-{self.first_name()}"
        if r < 0.14:
            return f"{self.first_name()} {self.first_name()}"
        return self.first_name()

    def surname(self):
        r = self.rng.random()
        if r < 0.5:
            s = self.rng.choices(self.sur, cum_weights=self._sw)[0][0]
        elif r < 0.62:
            s = self.rng.choice(self.sur)[0]
        elif r < 0.76:
            s = self.rng.choice(self.SWEDISH_PARTS) + self.rng.choice(self.SWEDISH_SUFFIX)
        elif r < 0.88:
            s = self.rng.choice(self.foreign) if self.foreign else self.rng.choice(self.sur)[0]
        else:
            s = self.rng.choice(self.first)[0]  # a first name used as a surname (Abdi, Ali...)
        if self.rng.random() < 0.06:
            s = f"{s}-{self.surname()}"
        if self.rng.random() < 0.04:
            s = f"{self.rng.choice(self.PARTICLES)} {s}"
        return s


class Places:
    def __init__(self, val: bool, rng: random.Random):
        self.rng = rng
        keep = (lambda n: held_out(n)) if val else (lambda n: not held_out(n))
        rows = list(csv.DictReader(open(data_path("gazetteers/geo/sjbrg_municipality_county.csv"),
                                        encoding="utf-8")))
        self.kommuner = sorted({r["municipality_name_short"] for r in rows})
        self.lan = sorted({r["county_name"] for r in rows})
        post = list(csv.DictReader(open(data_path("gazetteers/geo/sjbrg_postal_to_municipality.csv"),
                                        encoding="utf-8")))
        self.postal = [(r["postal_code"], r["locality"].title() if r["locality"].isupper()
                        else r["locality"]) for r in post if keep(r["locality"])]
        loc = list(csv.DictReader(open(data_path("gazetteers/geo/sphrak_svenska-stader.csv"),
                                       encoding="utf-8")))
        self.orter = sorted({r["Locality"] for r in loc if keep(r["Locality"])})
        self.kommuner_keep = [k for k in self.kommuner if keep(k)] or self.kommuner

    def place(self):
        r = self.rng.random()
        if r < 0.4:
            return self.rng.choice(self.orter)
        if r < 0.8:
            return self.rng.choice(self.kommuner_keep)
        return self.rng.choice(self.postal)[1]

    def kommun(self):
        return self.rng.choice(self.kommuner_keep)

    def genitive(self, name):
        return name if name[-1] in "sxzSXZ" else name + "s"


STREET_FIRST = ["Stor", "Kyrk", "Skol", "Järnvägs", "Ström", "Park", "Tall", "Björk", "Ek", "Lind",
                "Sjö", "Berg", "Ängs", "Hag", "Mölle", "Kvarn", "Tegel", "Smed", "Gärdes", "Norra ",
                "Södra ", "Västra ", "Östra ", "Drottning", "Kungs", "Prästgårds", "Fabriks", "Hamn",
                "Idrotts", "Skogs", "Rosen", "Lilje", "Sol", "Vinter", "Sommar", "Höstvete"]
STREET_END = ["gatan", "vägen", "gränd", "stigen", "allé", "backe", "torget", "gången", "leden",
              "plan", "slingan"]

ORG_KIND = ["AB", "Bygg AB", "Fastigheter AB", "Transport AB", "Städ & Service AB", "Konsult AB",
            "& Partners AB", "Advokatbyrå", "Redovisning AB", "El AB", "Måleri AB", "HB"]
ORG_FIXED = ["Försäkringskassan", "Skatteverket", "Arbetsförmedlingen", "Polismyndigheten",
             "Kronofogden", "Migrationsverket", "Socialstyrelsen", "Länsstyrelsen", "Lantmäteriet",
             "Region Skåne", "Västra Götalandsregionen", "Region Stockholm", "Region Uppsala",
             "Trafikverket", "Transportstyrelsen", "Inspektionen för vård och omsorg", "IVO",
             "Förvaltningsrätten", "Kammarrätten i Göteborg", "Hyresgästföreningen", "Riksbyggen",
             "HSB", "Vattenfall", "Telia", "ICA", "Coop", "Postnord", "Svenska kyrkan",
             "Röda korset", "Stadsmissionen", "Attendo", "Humana", "Frösunda", "Academedia",
             "Elevhälsan Norr AB", "Folktandvården", "Akademiska sjukhuset", "Sahlgrenska",
             "Karolinska universitetssjukhuset", "Barn- och ungdomspsykiatrin", "BUP",
             "Kommunal", "Vision", "Lärarförbundet", "Sveriges Kommuner och Regioner", "SKR",
             "Diskrimineringsombudsmannen", "JO", "Justitieombudsmannen", "Bris"]
ORG_FORENING = ["IFK", "IK", "BK", "FF", "Idrottsförening", "Hembygdsförening", "Pensionärsförening",
                "Scoutkår", "Föräldraförening", "Fiskevårdsförening", "Ryttarförening",
                "Bostadsrättsförening"]
SCHOOL_END = ["skolan", "förskolan", "gymnasiet", "hemmet", "gården"]  # Björkskolan, Ekgården

# Capitalised words that are not names, to be learnt as O.
FUNCTIONS = ["Socialnämnden", "Kommunstyrelsen", "Kommunfullmäktige", "Barn- och utbildningsnämnden",
             "Socialförvaltningen", "Miljö- och byggnämnden", "Tekniska förvaltningen",
             "Kultur- och fritidsnämnden", "Vård- och omsorgsförvaltningen", "Arbetsutskottet",
             "Individ- och familjeomsorgen", "Överförmyndarnämnden", "Bygglovsenheten",
             "Kommunledningskontoret", "Ekonomiavdelningen", "Kundtjänst", "Medborgarkontoret",
             "Gatuenheten", "Registratorn", "Kontaktcenter"]
TITLES = ["Handläggare", "Socialsekreterare", "Enhetschef", "Biståndshandläggare", "Registrator",
          "Nämndsekreterare", "Ordförande", "Kommundirektör", "Bygglovshandläggare", "Rektor",
          "Skolsköterska", "Kurator", "Förvaltningschef", "Utredare", "Sekreterare", "Justerare",
          "Avdelningschef", "Familjebehandlare", "Boendestödjare", "Jurist"]
HEADINGS = ["BESLUT", "PROTOKOLL", "TJÄNSTEANTECKNING", "UTREDNING", "DELGIVNING", "YTTRANDE",
            "Beslut", "Ärende", "Bakgrund", "Bedömning", "Motivering", "Information", "Överklagande",
            "Bilaga", "Sammanfattning", "Beslutsunderlag", "Justering", "Närvarande", "Ersättare",
            "Protokollsutdrag", "Anteckning", "Hur man överklagar", "Kopia till", "Expedieras"]
MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
          "oktober", "november", "december"]
WEEKDAYS = ["Måndag", "Tisdag", "Onsdag", "Torsdag", "Fredag", "Lördag", "Söndag"]
LAWS = ["SoL", "LSS", "LVU", "LVM", "PBL", "OSL", "GDPR", "Förvaltningslagen", "Kommunallagen",
        "Socialtjänstlagen", "Skollagen", "Offentlighets- och sekretesslagen", "Plan- och bygglagen"]


# Form field labels: on forms and in tables they stand alone on a line, capitalised, next to
# the value. They are O; the values are entities only when they are names or places.
FIELD_LABELS = ["Namn", "Förnamn", "Efternamn", "Namnförtydligande", "Underskrift", "Roll", "Antal",
                "Längd", "Vikt", "Fordon", "Registreringsnummer", "Datum", "Ort och datum", "Telefon",
                "E-post", "Adress", "Postadress", "Fält", "Belopp", "Bankgiro", "Nummer", "Ange",
                "Intyg", "Delegat", "Diarieförd", "Handläggare", "Ärende", "Kommentar", "Sekretess",
                "SEKRETESS", "Bilaga", "Sida", "Kund", "Kundnummer", "Fakturanummer", "Förfallodag",
                "Att betala", "Referens", "Vår referens", "Er referens", "Innehavare", "Giltig till",
                "Status", "Insats", "Omfattning", "Åtgärd", "Kostnad", "Sökande", "Kontaktperson",
                "Vårdnadshavare", "Elev", "Klass", "Mentor", "Fastighet", "Organisationsnummer",
                "Mottagare", "Avsändare", "Beskrivning", "Antal timmar", "Tid", "Plats", "NAMN",
                "ADRESS", "PERSONNUMMER", "Personnummer", "Ansökan avser", "Härmed intygas"]
FIELD_WORDS = ["Snöröjning", "Sandning", "Hemtjänst", "Ja", "Nej", "Beviljad", "Avslag", "Pågår",
               "Avslutad", "Toyota Corolla", "Volvo V70", "Volkswagen Golf", "Kia Niro", "Skolskjuts",
               "Tillsvidare", "Vårdnadshavare", "Modern", "Fadern", "Sökanden", "Eleven", "Brukaren",
               "Grannen", "Ombud", "God man", "Förvaltare", "Personlig assistans", "Ledsagning"]
# Capitalised common words that start sentences in case files.
SENTENCE_STARTS = ["Grannen", "Fadern", "Modern", "Handlingen", "Blanketten", "Åtgärden", "Berörda",
                   "Härmed", "Du", "Ni", "Innehavaren", "Sökanden", "Eleven", "Brukaren", "Beslutet",
                   "Utredningen", "Nämnden", "Förvaltningen", "Hyresvärden", "Föreningen", "Barnet",
                   "Mamman", "Pappan", "Kuratorn", "Skolan", "Polisen", "Läkaren", "Tolken"]


class Doc:
    """Accumulates text and entity spans."""

    def __init__(self):
        self.text = ""
        self.spans = []

    def add(self, s: str, label: str | None = None):
        if label:
            self.spans.append([len(self.text), len(self.text) + len(s), label])
        self.text += s
        return self


class Synth:
    def __init__(self, val: bool, seed: int):
        self.rng = random.Random(seed)
        self.names = Names(val, self.rng)
        self.places = Places(val, self.rng)

    # --- entity pieces -------------------------------------------------------------------
    def person(self, d: Doc, genitive=False, form=None):
        rng = self.rng
        form = form or rng.choices(
            ["full", "first", "sur", "initial", "caps", "inverted", "initials2"],
            weights=[55, 14, 10, 7, 6, 5, 3])[0]
        if form == "full":
            s = f"{self.names.given_names()} {self.names.surname()}"
        elif form == "first":
            s = self.names.first_name()
        elif form == "sur":
            s = self.names.surname()
        elif form == "initial":
            s = f"{self.names.first_name()[0]}. {self.names.surname()}"
        elif form == "initials2":
            a, b = self.names.first_name()[0], self.names.first_name()[0]
            s = f"{a}.{b}. {self.names.surname()}" if rng.random() < 0.5 else f"{a} {b} {self.names.surname()}"
        elif form == "caps":
            s = f"{self.names.given_names()} {self.names.surname()}".upper()
        else:  # "Berg, Anna"
            s = f"{self.names.surname()}, {self.names.first_name()}"
        if genitive:
            s = s if s[-1] in "sxzSXZ" else s + ("S" if s.isupper() else "s")
        d.add(s, "PER")
        return s

    def place(self, d: Doc, genitive=False):
        s = self.places.place()
        d.add(self.places.genitive(s) if genitive else s, "LOC")

    def street(self, d: Doc):
        s = self.rng.choice(STREET_FIRST) + self.rng.choice(STREET_END)
        s = s[0].upper() + s[1:]
        d.add(s, "LOC").add(f" {self.rng.randint(1, 120)}{self.rng.choice(['', '', '', ' A', 'B'])}")

    def address(self, d: Doc):
        self.street(d)
        code, ort = self.rng.choice(self.places.postal)
        d.add(f", {code[:3]} {code[3:]} ")
        d.add(ort.upper() if self.rng.random() < 0.2 else ort, "LOC")

    def org(self, d: Doc, genitive=False):
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            s = f"{self.names.surname()} {rng.choice(ORG_KIND)}"
        elif r < 0.55:
            s = rng.choice(ORG_FIXED)
        elif r < 0.7:
            s = f"{rng.choice(ORG_FORENING)} {self.places.place()}"
        elif r < 0.82:
            s = f"{self.places.kommun()} kommun"
            if genitive:
                d.add(s + "s", "ORG")
                return
        elif r < 0.92:
            s = rng.choice(Names.SWEDISH_PARTS) + rng.choice(SCHOOL_END)
        else:
            s = f"{self.places.place()} {rng.choice(['Bil', 'Bygg', 'Fastighets', 'Vård', 'Taxi'])} AB"
        d.add(self.places.genitive(s) if genitive else s, "ORG")

    def date(self):
        rng = self.rng
        y, m, day = rng.randint(2015, 2026), rng.randint(1, 12), rng.randint(1, 28)
        if rng.random() < 0.6:
            return f"{y}-{m:02d}-{day:02d}"
        return f"den {day} {rng.choice(MONTHS)} {y}"

    def email(self, first, last):
        clean = lambda s: re.sub(r"[^a-z]", "", s.lower().replace("å", "a").replace("ä", "a").replace("ö", "o"))
        return f"{clean(first)}.{clean(last)}@{self.rng.choice(['example.com', 'example.se', 'kommun.example'])}"

    # --- document genres -----------------------------------------------------------------
    def letter(self, d: Doc):
        rng = self.rng
        d.add(f"{rng.choice(HEADINGS)}\n")
        d.add(f"{self.date()}\nDnr {rng.choice(['SN', 'KS', 'BUN', 'MBN'])} {rng.randint(2019, 2026)}/{rng.randint(10, 999)}\n")
        if rng.random() < 0.7:
            self.person(d, form="full")
            d.add("\n")
            self.address(d)
            d.add("\n")
        d.add(rng.choice(["Hej ", "Till ", "Angående ", ""]))
        self.person(d, form=rng.choice(["full", "first"]))
        d.add(rng.choice(["!\n", ",\n", "\n"]))
        d.add(rng.choice(FUNCTIONS) + " har " + rng.choice(["tagit emot din ansökan om ", "prövat ärendet om ",
              "beslutat i ärendet om "]) + rng.choice(["försörjningsstöd", "bostadsanpassning", "bygglov",
              "parkeringstillstånd", "färdtjänst", "hemtjänst", "skolskjuts"]) + " " + self.date() + ". ")
        if rng.random() < 0.6:
            d.add("Din handläggare är ")
            self.person(d)
            d.add(rng.choice([" på ", " vid ", ", "]))
            self.org(d) if rng.random() < 0.4 else d.add(rng.choice(FUNCTIONS))
            d.add(". ")
        if rng.random() < 0.4:
            d.add("Beslutet kan överklagas till ")
            d.add("Förvaltningsrätten", "ORG") if rng.random() < 0.5 else d.add("förvaltningsrätten")
            d.add(" i ")
            self.place(d)
            d.add(" inom tre veckor.")
        d.add(f"\nMed vänlig hälsning\n")
        self.person(d, form=rng.choice(["full", "full", "caps", "initial"]))
        d.add(f"\n{rng.choice(TITLES)}")

    def decision(self, d: Doc):
        rng = self.rng
        d.add(f"{rng.choice(['BESLUT', 'Beslut', 'Delegationsbeslut'])} {self.date()}\n")
        d.add(rng.choice(["Sökande: ", "Klient: ", "Den enskilde: ", "Vårdnadshavare: ", "Fastighetsägare: "]))
        self.person(d)
        if rng.random() < 0.5:
            d.add(", ")
            self.address(d)
        d.add("\n")
        d.add(rng.choice(FUNCTIONS) + " beslutar att ")
        d.add(rng.choice(["bevilja ", "avslå ansökan från ", "inte inleda utredning om ", "bevilja bistånd till "]))
        self.person(d, genitive=rng.random() < 0.3)
        d.add(rng.choice([" enligt 4 kap. 1 § SoL.", " ansökan.", " begäran om insats enligt LSS.", "."]))
        if rng.random() < 0.6:
            d.add(" Under utredningen har ")
            self.person(d, form=rng.choice(["first", "full", "sur"]))
            d.add(rng.choice([" uppgett att ", " berättat att ", " meddelat att "]))
            d.add(rng.choice(["hon", "han", "hen"]) + " flyttat från ")
            self.place(d)
            d.add(" till ")
            self.place(d)
            d.add(rng.choice([" i " + rng.choice(MONTHS) + ".", " förra året.", "."]))
        if rng.random() < 0.5:
            d.add(" Kontakt har tagits med ")
            self.org(d)
            d.add(" och med ")
            self.person(d, genitive=True)
            d.add(rng.choice([" god man", " mamma", " pappa", " kontaktperson", " syster"]) + ", ")
            self.person(d)
            d.add(".")
        d.add(f"\n{rng.choice(TITLES)}\n")
        self.person(d)

    def email_msg(self, d: Doc):
        rng = self.rng
        f1, l1 = self.names.first_name(), self.names.surname()
        f2, l2 = self.names.first_name(), self.names.surname()
        d.add("Från: ").add(f"{f1} {l1}", "PER").add(f" <{self.email(f1, l1)}>\n")
        d.add("Till: ").add(f"{f2} {l2}", "PER").add(f" <{self.email(f2, l2)}>\n")
        d.add(f"Skickat: {rng.choice(WEEKDAYS).lower()} {self.date()} {rng.randint(7, 18)}:{rng.randint(0, 59):02d}\n")
        d.add(f"Ämne: {rng.choice(['Sv: ', 'VB: ', ''])}{rng.choice(['Ansökan', 'Bygglov', 'Möte', 'Fråga om faktura', 'Hemtjänst'])}\n\n")
        d.add(rng.choice(["Hej ", "Hej ", "Hejsan ", "God morgon "])).add(f2, "PER").add("!\n")
        d.add(rng.choice(["Jag pratade med ", "Tack för samtalet med ", "Som jag nämnde har ", "Kan du ringa "]))
        self.person(d, form=rng.choice(["first", "full"]))
        d.add(rng.choice([" i går", " på telefon", " om ärendet", ""]) + ". ")
        if rng.random() < 0.6:
            d.add("Vi ses på ")
            self.org(d) if rng.random() < 0.5 else self.street(d)
            d.add(rng.choice([" i ", " utanför "]))
            self.place(d)
            d.add(f" {rng.choice(WEEKDAYS).lower()} kl. {rng.randint(8, 16)}.")
        if rng.random() < 0.4:
            d.add(" Hälsa ")
            self.person(d, form="first")
            d.add(" och ")
            self.person(d, form="first")
            d.add("!")
        d.add(f"\n\n{rng.choice(['Hälsningar', 'Mvh', 'MVH', 'Vänliga hälsningar', '/'])}\n")
        d.add(f1, "PER")
        if rng.random() < 0.5:
            d.add(" ").add(l1, "PER")
            d.spans[-2][1] = d.spans[-1][1]  # one span "First Last"
            d.spans.pop()

    def minutes(self, d: Doc):
        rng = self.rng
        d.add(f"PROTOKOLL\n{rng.choice(FUNCTIONS)}\nSammanträdesdatum {self.date()}\nPlats: ")
        d.add(rng.choice(["Kommunhuset, ", "Stadshuset, ", "Sessionssalen, ", ""]))
        self.place(d)
        d.add("\nBeslutande: ")
        for i in range(rng.randint(2, 5)):
            if i:
                d.add(", ")
            self.person(d, form="full")
            d.add(rng.choice([" (S)", " (M)", " (C)", " (V)", " (SD)", " (L)", " (KD)", " (MP)", ", ordförande", ""]))
        d.add("\n§ ").add(str(rng.randint(1, 250))).add(" ")
        d.add(rng.choice(["Medborgarförslag från ", "Motion från ", "Yttrande över skrivelse från ", "Begäran från "]))
        self.person(d)
        d.add(rng.choice([" om ", " angående "]) + rng.choice(["trafiksäkerhet på ", "belysning vid ", "gång- och cykelväg längs "]))
        self.street(d)
        d.add(" i ")
        self.place(d)
        d.add(". ")
        self.person(d, form=rng.choice(["full", "sur"]))
        d.add(rng.choice([" yrkar bifall till förvaltningens förslag.", " yrkar avslag.", " föredrar ärendet."]))
        if rng.random() < 0.5:
            d.add(" Ordföranden finner att nämnden beslutar enligt ")
            self.person(d, genitive=True, form=rng.choice(["full", "sur"]))
            d.add(" yrkande.")
        d.add("\nJusterare: ")
        self.person(d, form="full")

    def note(self, d: Doc):
        rng = self.rng
        d.add(f"{rng.choice(['Tjänsteanteckning', 'TJÄNSTEANTECKNING', 'Journalanteckning', 'Telefonsamtal'])} {self.date()}\n")
        d.add(rng.choice(["Samtal med ", "Hembesök hos ", "Möte med ", "Telefonsamtal från "]))
        self.person(d)
        d.add(rng.choice([" och ", " samt "]))
        self.person(d, form=rng.choice(["first", "full"]))
        d.add(". ")
        self.person(d, form=rng.choice(["first", "sur", "full"]))
        d.add(rng.choice([" berättar att ", " uppger att ", " oroar sig för att "]))
        self.person(d, form="first")
        d.add(rng.choice([" inte har gått till skolan", " har bott hos sin moster", " har fått plats på ",
                          " arbetar på "]))
        if d.text.endswith("på "):
            self.org(d)
        d.add(rng.choice([" sedan " + rng.choice(MONTHS) + ".", " i ", "."]))
        if d.text.endswith(" i "):
            self.place(d)
            d.add(".")
        if rng.random() < 0.5:
            d.add(" Enligt ")
            self.org(d, genitive=False)
            d.add(" finns ingen aktuell kontakt. ")
        if rng.random() < 0.4:
            d.add(f"\n{rng.choice(TITLES)} ")
            self.person(d, form=rng.choice(["full", "initial"]))
            d.add(" kontaktar ")
            self.org(d)
            d.add(f" {rng.choice(WEEKDAYS).lower()}.")
        d.add(f"\n{rng.choice(TITLES)}: ")
        self.person(d, form=rng.choice(["full", "initial", "caps"]))

    def sentence(self, d: Doc):
        """Short free sentences mixing every entity form with capitalised non-names."""
        rng = self.rng
        k = rng.randint(0, 9)
        if k == 0:
            d.add(f"{rng.choice(HEADINGS)}: {rng.choice(FUNCTIONS)} {rng.choice(['beslutade', 'sammanträdde'])} "
                  f"{rng.choice(WEEKDAYS).lower()} {self.date()} enligt {rng.choice(LAWS)}.")
        elif k == 1:
            d.add(f"{rng.choice(TITLES)} ")
            self.person(d)
            d.add(f" ({rng.choice(['S', 'M', 'C', 'V', 'L'])}) {rng.choice(['deltar inte', 'anmäler jäv', 'ersätter'])}")
            if d.text.endswith("ersätter"):
                d.add(" ")
                self.person(d)
            d.add(".")
        elif k == 2:
            self.person(d, genitive=True)
            d.add(rng.choice([" ansökan om bygglov för ", " klagomål på ", " överklagande av beslutet om "]))
            d.add(rng.choice(["fastigheten ", "tomten vid ", "bullret från "]))
            self.street(d)
            d.add(" har kommit in till ")
            self.org(d) if rng.random() < 0.5 else d.add(rng.choice(FUNCTIONS).lower())
            d.add(".")
        elif k == 3:
            d.add(f"{rng.choice(MONTHS).capitalize()} {rng.randint(2018, 2026)}: ")
            self.person(d, form="first")
            d.add(rng.choice([" flyttade till ", " började på ", " besökte "]))
            self.place(d) if rng.random() < 0.5 else self.org(d)
            d.add(".")
        elif k == 4:
            d.add("Närvarande: ")
            self.person(d)
            d.add(f", {rng.choice(TITLES).lower()}, ")
            self.person(d)
            d.add(f", {rng.choice(TITLES).lower()}, och ")
            self.person(d, form=rng.choice(["first", "full"]))
            d.add(f" ({rng.choice(['vårdnadshavare', 'sökande', 'anhörig', 'tolk'])}).")
        elif k == 5:
            d.add("Skicka handlingarna till ")
            self.org(d)
            d.add(", Box " + str(rng.randint(1, 999)) + ", ")
            code, ort = rng.choice(self.places.postal)
            d.add(f"{code[:3]} {code[3:]} ").add(ort, "LOC")
            d.add(", eller lämna dem i receptionen på ")
            self.street(d)
            d.add(".")
        elif k == 6:
            d.add(f"{self.places.genitive(self.places.kommun())}" if False else "")
            d.add("Vi har fått en anmälan från ")
            self.org(d)
            d.add(" om ")
            self.person(d, genitive=rng.random() < 0.3)
            if d.text.endswith("s") and d.spans and d.spans[-1][2] == "PER" and rng.random() < 0.5:
                d.add(" dotter ")
                self.person(d, form="first")
            d.add(f", född {rng.randint(1940, 2020)}, boende i ")
            self.place(d)
            d.add(".")
        elif k == 7:
            d.add(rng.choice(["Ring ", "Kontakta ", "Fråga "]))
            self.person(d, form=rng.choice(["first", "full", "sur"]))
            d.add(rng.choice([" på ", " hos "]))
            self.org(d)
            d.add(f" på telefon 0{rng.randint(10, 99)}-{rng.randint(100000, 999999)} {rng.choice(WEEKDAYS).lower()}ar.")
        elif k == 8:
            d.add(f"{rng.choice(['Kopia till', 'Expedieras', 'För kännedom'])}: ")
            self.person(d)
            d.add(", ")
            self.org(d)
            d.add(", ")
            d.add(rng.choice(FUNCTIONS))
        else:
            d.add("Resan gick från ")
            self.place(d)
            d.add(" via ")
            self.place(d)
            d.add(" till ")
            self.place(d, genitive=False)
            d.add(f" där {rng.choice(['hon', 'han'])} träffade ")
            self.person(d)
            d.add(rng.choice([".", " på " + rng.choice(['Centralstationen', 'stationen', 'torget']) + "."]))

    def form(self, d: Doc):
        """Form or table text as PDF text extraction gives it: labels and values on lines."""
        rng = self.rng
        sep = rng.choice(["\n", "\n\n", ": ", "\t"])
        d.add(rng.choice(HEADINGS + ["Ansökan", "Anmälan", "Intyg", "Faktura", "Blankett"]) + "\n")
        for _ in range(rng.randint(3, 8)):
            label = rng.choice(FIELD_LABELS)
            d.add(label + sep)
            r = rng.random()
            if label.lower() in ("namn", "förnamn", "efternamn", "namnförtydligande", "sökande",
                                 "kontaktperson", "vårdnadshavare", "elev", "mentor", "handläggare",
                                 "innehavare", "mottagare", "avsändare", "delegat") and r < 0.85:
                self.person(d, form=rng.choice(["full", "full", "caps", "first", "sur", "inverted"]))
            elif label.lower() in ("adress", "postadress", "fastighet") and r < 0.8:
                self.address(d)
            elif label.lower() in ("ort och datum", "plats") and r < 0.8:
                self.place(d)
                d.add(" " + self.date())
            elif r < 0.35:
                d.add(rng.choice(FIELD_WORDS))
            elif r < 0.55:
                d.add(self.date())
            elif r < 0.75:
                d.add(str(rng.randint(1, 99999)))
            elif r < 0.85:
                d.add(rng.choice(FIELD_LABELS))  # a label right after a label (empty field)
            else:
                self.org(d)
            d.add(rng.choice(["\n", "\n", "\n\n"]))
        if rng.random() < 0.5:
            d.add(rng.choice(SENTENCE_STARTS) + " ")
            d.add(rng.choice(["har tagit del av ", "intygar att uppgifterna om ", "meddelar att ",
                              "har kontaktat "]))
            self.person(d, form=rng.choice(["full", "first", "sur"]))
            d.add(rng.choice([" stämmer.", " är riktiga.", ".", " i ärendet."]))

    def starts(self, d: Doc):
        """Sentences that open with a capitalised common noun or pronoun, then a name."""
        rng = self.rng
        d.add(rng.choice(SENTENCE_STARTS) + " ")
        d.add(rng.choice(["berättar att ", "uppger att ", "har pratat med ", "kontaktade ",
                          "skriver att ", "har träffat ", "anser att "]))
        self.person(d, form=rng.choice(["first", "full", "sur", "full"]))
        d.add(rng.choice([" inte har svarat.", " flyttat till ", " var hemma.", " mår bra.", " ringde "]))
        if d.text.endswith("till "):
            self.place(d)
            d.add(".")
        elif d.text.endswith("ringde "):
            d.add(rng.choice(WEEKDAYS).lower() + ".")
        d.add(" " + rng.choice(SENTENCE_STARTS) + rng.choice([" har fått information.", " återkommer.",
                                                             " delges beslutet.", " är underrättad."]))

    def make(self):
        g = self.rng.choices([self.letter, self.decision, self.email_msg, self.minutes, self.note,
                              self.sentence, self.form, self.starts],
                             weights=[13, 13, 13, 10, 13, 22, 10, 6])[0]
        d = Doc()
        g(d)
        if g is self.sentence and self.rng.random() < 0.4:
            d.add(" ")
            self.sentence(d)
        if self.rng.random() < 0.05:  # whole document shouted, as in some scanned headers
            d.text = d.text.upper()
        return {"text": d.text, "spans": d.spans, "source": "synth"}


# ----------------------------------------------------------------------------- main


def rows_to_examples(rows, source):
    out = []
    for toks, tags in rows:
        text, spans = detokenize(toks, tags)
        out.append({"text": text, "spans": spans, "source": source})
    return out


def main(n_synth_train=6000, n_synth_val=1000):
    rng = random.Random(SEED)
    suc = load_suc()
    seen = {tuple(t) for t, _ in suc}
    rem, dup = load_suc_removed(seen)
    kl = load_klintan()
    print(f"suc {len(suc)}, suc-removed {len(rem)} (+{dup} duplicates of suc dropped), klintan {len(kl)}")
    train, val = [], []
    for rows, name in ((suc, "suc"), (rem, "sucrem"), (kl, "klintan")):
        tr, va = split(rows, rng)
        train += rows_to_examples(tr, name)
        val += rows_to_examples(va, name)
    st, sv = Synth(False, SEED + 1), Synth(True, SEED + 2)
    train += [st.make() for _ in range(n_synth_train)]
    val += [sv.make() for _ in range(n_synth_val)]
    for ex in train + val:  # spans must match the text they point into
        for s, e, _ in ex["spans"]:
            assert 0 <= s < e <= len(ex["text"]) and ex["text"][s:e].strip() == ex["text"][s:e], ex
    rng.shuffle(train)
    write_jsonl(BUILD / "train.jsonl", train)
    write_jsonl(BUILD / "val.jsonl", val)
    sources = []
    for rel, what in DATA_FILES.items():
        p = data_path(rel)
        sources.append({"file": f"models/data/{rel}", "what": what, "sha256": sha256_file(p)})
    write_json(BUILD / "data_sources.json", sources)
    from collections import Counter
    print("train", Counter(e["source"] for e in train), "val", Counter(e["source"] for e in val))
    print("train spans", Counter(s[2] for e in train for s in e["spans"]))


if __name__ == "__main__":
    main()
