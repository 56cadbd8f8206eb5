"""Build `audit/password/data/french_wordlist.txt`, the French list zxcvbn uses to score passwords.

zxcvbn ships English lists only: a French word, first name or keyboard walk looks random to it
("Doudou2024!" scores 4/4). This script merges, most guessable first:

1. a short hand-written list of French password habits and AZERTY keyboard walks (this file);
2. the most frequent French words of wordfreq (data CC BY-SA 4.0, code Apache 2.0);
3. the French first and last names of Faker's `fr_FR` person provider (MIT).

Words and names are ranked together by their wordfreq frequency; accented words are followed
by their unaccented spelling, which is how they are typed in passwords. The output is
deterministic for given source versions (only the date line changes).

Usage (installs the pinned sources into a temporary virtual environment, not into yours):

    python scripts/build_french_wordlist.py [--date AAAA-MM-JJ] [--output FICHIER]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

WORDFREQ_VERSION = "3.1.1"
FAKER_VERSION = "40.54.0"
TOP_WORDS = 40_000
MIN_LENGTH = 3
OUTPUT = (
    Path(__file__).resolve().parent.parent / "audit" / "password" / "data" / "french_wordlist.txt"
)

# Habits seen in French passwords: endearments, clichés, the practice's trade.
HABITS = [
    "azerty",
    "motdepasse",
    "doudou",
    "loulou",
    "chouchou",
    "bisous",
    "jetaime",
    "nounours",
    "soleil",
    "bonjour",
    "coucou",
    "chaton",
    "minou",
    "titou",
    "toto",
    "bebe",
    "cherie",
    "amour",
    "marseille",
    "paris",
    "lyon",
    "toulouse",
    "nantes",
    "bordeaux",
    "lille",
    "psg",
    "allezlesbleus",
    "vacances",
    "liberte",
    "chocolat",
    "princesse",
    "doctolib",
    "cabinet",
    "medecin",
    "docteur",
    "secretariat",
    "secretaire",
    "patient",
    "patients",
    "sante",
    "consultation",
    "kine",
    "infirmier",
    "infirmiere",
    "dentiste",
    "pharmacie",
    "ordonnance",
    "cpsmedecin",
    "admin",
    "administrateur",
    "utilisateur",
    "bienvenue",
]

# AZERTY rows (French layout, unshifted and as typed with the digits row shifted).
AZERTY_ROWS = [
    "&é\"'(-è_çà)=",
    "1234567890°+",
    "azertyuiop^$",
    "qsdfghjklmù*",
    "<wxcvbn,;:!",
]
AZERTY_COLUMNS = ["aqw", "zsx", "edc", "rfv", "tgb", "yhn", "uj,", "ik;", "ol:", "pm!"]


def keyboard_walks() -> list[str]:
    """Runs of at least 4 adjacent keys on an AZERTY keyboard, both directions."""
    walks: list[str] = []
    for row in AZERTY_ROWS:
        for length in range(len(row), 3, -1):
            for start in range(len(row) - length + 1):
                run = row[start : start + length]
                walks += [run, run[::-1]]
    columns = "".join(AZERTY_COLUMNS)
    walks += [columns[: 3 * n] for n in range(2, len(AZERTY_COLUMNS) + 1)]
    return walks


SCRIPT_IN_VENV = r"""
import json, sys
import wordfreq
from faker.providers.person.fr_FR import Provider

top = int(sys.argv[1])
words = wordfreq.top_n_list("fr", top, wordlist="best")
names = sorted(
    set(Provider.first_names_male) | set(Provider.first_names_female) | set(Provider.last_names)
)
ranked_names = [(n, wordfreq.zipf_frequency(n, "fr")) for n in names]
word_freqs = [(w, wordfreq.zipf_frequency(w, "fr")) for w in words]
json.dump({"words": word_freqs, "names": ranked_names}, sys.stdout, ensure_ascii=False)
"""


def fetch_sources(top: int) -> dict[str, list[tuple[str, float]]]:
    """Run the extraction inside a throw-away venv holding the pinned sources."""
    with tempfile.TemporaryDirectory(prefix="wordlist-") as tmp:
        env_dir = Path(tmp) / "venv"
        venv.create(env_dir, with_pip=True)
        python = env_dir / "bin" / "python"
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                f"wordfreq=={WORDFREQ_VERSION}",
                f"faker=={FAKER_VERSION}",
            ],
            check=True,
        )
        out = subprocess.run(
            [str(python), "-c", SCRIPT_IN_VENV, str(top)],
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(out.stdout)


def fold(word: str) -> str:
    """`word` without accents (é → e, œ → oe): how it is typed in a password."""
    import unicodedata

    word = word.replace("œ", "oe").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def merge(sources: dict[str, list[tuple[str, float]]]) -> list[str]:
    """Habits and keyboard walks first, then words and names by decreasing frequency."""
    ranked = [(w.lower(), f) for w, f in sources["words"]]
    ranked += [(n.lower(), f) for n, f in sources["names"]]
    # Stable sort: wordfreq's own order breaks ties between equally frequent words.
    ranked.sort(key=lambda item: -item[1])
    result: list[str] = []
    seen: set[str] = set()

    def add(word: str) -> None:
        if len(word) >= MIN_LENGTH and word not in seen and "\n" not in word:
            seen.add(word)
            result.append(word)

    for word in [*HABITS, *keyboard_walks()]:
        add(word)
    for word, _ in ranked:
        if not word.replace("-", "").replace("'", "").isalpha():
            continue
        add(word)
        add(fold(word))
        add(fold(word).replace("-", "").replace("'", ""))
    return result


def header(count: int, date: str, top: int) -> str:
    """Provenance and licence lines, each starting with `#`."""
    return "\n".join(
        [
            "# Liste française pour l'estimation de la robustesse des mots de passe (zxcvbn).",
            f"# Générée le {date} par scripts/build_french_wordlist.py ; {count} entrées,",
            "# de la plus devinable à la moins devinable. Ne pas modifier à la main.",
            "# Sources :",
            "# - habitudes françaises et suites de touches AZERTY : liste du script ;",
            f"# - wordfreq {WORDFREQ_VERSION} (Robyn Speer et al.), {top} mots français"
            " les plus fréquents,",
            "#   https://github.com/rspeer/wordfreq — données sous licence CC BY-SA 4.0",
            "#   (https://creativecommons.org/licenses/by-sa/4.0/) : ce fichier, qui en est",
            "#   dérivé, est diffusé sous la même licence ;",
            f"# - Faker {FAKER_VERSION}, prénoms et noms de famille du fournisseur fr_FR,"
            " licence MIT,",
            "#   https://github.com/joke2k/faker .",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Build the list and write it to --output."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", default=dt.date.today().isoformat())
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--top", type=int, default=TOP_WORDS)
    args = parser.parse_args(argv)
    words = merge(fetch_sources(args.top))
    text = header(len(words), args.date, args.top) + "\n".join(words) + "\n"
    args.output.write_text(text, encoding="utf-8")
    print(f"{args.output} : {len(words)} entrées, {len(text.encode()) // 1024} Kio")
    return 0


if __name__ == "__main__":
    sys.exit(main())
