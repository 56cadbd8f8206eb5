"""The build script of the French list: keyboard walks, merge order, provenance header."""

import importlib.util
from pathlib import Path

from rgpd_audit.password.catalogs import wordlist_header

SCRIPT = Path(__file__).parents[2] / "scripts" / "build_french_wordlist.py"
SHIPPED = Path(__file__).parents[2] / "audit" / "password" / "data" / "french_wordlist.txt"


def load_script():
    spec = importlib.util.spec_from_file_location("build_french_wordlist", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_keyboard_walks_cover_azerty_rows_and_columns() -> None:
    walks = load_script().keyboard_walks()
    for walk in ["azerty", "ytreza", "qsdf", "wxcvbn", "aqwzsx", "1234", "&é\"'"]:
        assert walk in walks, walk
    assert all(len(w) >= 4 for w in walks)


def test_merge_ranks_by_frequency_and_adds_unaccented_spellings() -> None:
    script = load_script()
    merged = script.merge(
        {
            "words": [["été", 6.0], ["rare", 2.0], ["l'eau", 5.0], ["a1b2", 7.0], ["de", 7.5]],
            "names": [["Kévin", 4.0], ["Zoé", 1.0]],
        }
    )
    words = merged[len(script.HABITS) :]
    words = [w for w in words if w not in script.keyboard_walks()]
    assert words == ["été", "ete", "l'eau", "leau", "kévin", "kevin", "rare", "zoé", "zoe"]
    assert merged[: len(script.HABITS)] == script.HABITS


def test_shipped_list_has_its_provenance_and_a_reasonable_size() -> None:
    header = wordlist_header()
    for fact in [
        "wordfreq 3.1.1",
        "CC BY-SA 4.0",
        "Faker",
        "MIT",
        "scripts/build_french_wordlist.py",
    ]:
        assert fact in header, fact
    assert SHIPPED.stat().st_size < 1_000_000
