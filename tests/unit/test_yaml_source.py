"""Safe YAML reading: every hostile or broken file is one French `ContentError` naming it."""

import os
import time
import zipfile
from importlib.resources import files
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from rgpd_audit import yaml_source
from rgpd_audit.errors import ContentError
from rgpd_audit.yaml_source import (
    YamlDocument,
    field_path,
    french_error,
    read_text,
    validation_message,
)


def _reject(text: str, *fragments: str) -> str:
    with pytest.raises(ContentError) as info:
        YamlDocument.parse(text, "f.yaml")
    message = str(info.value)
    assert message.startswith("f.yaml"), message
    assert "\n" not in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


def _reject_file(path: Path, *fragments: str) -> str:
    with pytest.raises(ContentError) as info:
        YamlDocument.read(path, str(path), kind="fichier de réponses")
    message = str(info.value)
    assert message.startswith(str(path)), message
    for fragment in fragments:
        assert fragment in message, message
    return message


# --- Parsing -------------------------------------------------------------------------------


def test_parse_keeps_data_and_lines() -> None:
    doc = YamlDocument.parse("a: 1\nb:\n  - x\n  - {c: 2026-01-31}\n", "f.yaml")
    assert doc.data["b"][1]["c"].isoformat() == "2026-01-31"
    assert doc.line(("b", 1, "c")) == 4
    assert doc.line(("b",), key=True) == 2
    # A missing field points at its nearest parent.
    assert doc.line(("b", 1, "absent")) == 4
    assert doc.line(("b", 0)) == 3


def test_empty_document() -> None:
    doc = YamlDocument.parse("# rien\n", "f.yaml")
    assert doc.data is None and doc.root is None and doc.line(("a",)) is None


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo pwned']\n",
        "a: !!python/name:os.system\n",
        "a: !!python/object/new:type [x, [], {}]\n",
        "a: !custom x\n",
        "a: !!binary aGVsbG8=\n",
        "a: !!set {x, y}\n",
    ],
)
def test_foreign_tags_are_rejected(text: str) -> None:
    _reject(text, "ligne 1", "étiquette YAML", "interdite")


def test_python_tag_deep_in_the_file_names_its_line() -> None:
    _reject("a: 1\nb:\n  - !!python/object/apply:os.system [ls]\n", "ligne 3", "python/object")


@pytest.mark.parametrize(
    "text",
    [
        "? [a, b]\n: c\n",
        "? {a: 1}\n: c\n",
        "base: &b {x: 1}\n*b : 2\n",
    ],
)
def test_complex_keys_are_rejected(text: str) -> None:
    _reject(text, "clé complexe")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("&a [*a]\n", 1),
        # The line is that of the anchor, where the block starts.
        ("x: 1\nm: &m\n  self: *m\n", 2),
        ("x: 1\nl: &l\n  - ok\n  - [*l]\n", 2),
    ],
)
def test_self_referencing_alias_is_rejected(text: str, line: int) -> None:
    _reject(text, f"ligne {line}", "référence circulaire")


def test_aliases_and_merge_keys_still_work() -> None:
    text = (
        "base: &base {severity: high, title: Titre}\n"
        "texte: &t Un texte partagé\n"
        "a: *t\n"
        "b: [*t, *t]\n"
        "c:\n"
        "  <<: *base\n"
        "  title: Autre titre\n"
    )
    doc = YamlDocument.parse(text, "f.yaml")
    assert doc.data["a"] == "Un texte partagé" and doc.data["b"] == [doc.data["a"]] * 2
    assert doc.data["c"] == {"severity": "high", "title": "Autre titre"}
    # The overriding key, not the merged one, is located.
    assert doc.line(("c", "title")) == 7


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 10):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 10)}]")
    started = time.monotonic()
    _reject("\n".join(lines) + "\n", "trop grand", "alias")
    assert time.monotonic() - started < 5


def test_undefined_alias_is_explained() -> None:
    _reject("a: *nulle_part\n", "ligne 1", "alias « *nulle_part »")


def test_deep_nesting_is_refused() -> None:
    _reject("a: " + "[" * 5000 + "\n", "imbrication trop profonde")


def test_control_character_is_refused() -> None:
    _reject("a: 1\nb: \x00\n", "ligne 2", "caractère de contrôle U+0000")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a: 1\nb: !!int douze\n", "nombre entier"),
        ("a: 1\nb: !!float x\n", "nombre attendu"),
        ("a: 1\nb: !!bool peut-être\n", "true ou false"),
        ("a: 1\nb: !!timestamp hier\n", "AAAA-MM-JJ"),
        ("a: 1\nb: 2026-13-45\n", "date « 2026-13-45 » invalide"),
    ],
)
def test_unreadable_scalar_names_its_line(text: str, fragment: str) -> None:
    _reject(text, "ligne 2", fragment)


def test_repeated_key_and_tab() -> None:
    _reject("a: 1\nb:\n  c: 1\n  c: 2\n", "ligne 4, champ c : clé répétée (déjà présente ligne 3)")
    _reject("a:\t1\n", "ligne 1", "tabulation")


# --- Reading files -------------------------------------------------------------------------


def test_read_regular_file_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: \xc3\xa9t\xc3\xa9\n")
    assert YamlDocument.read(path, "a.yaml").data == {"a": "été"}


def test_read_missing_file(tmp_path: Path) -> None:
    _reject_file(tmp_path / "absent.yaml", "fichier de réponses introuvable")


def test_read_directory(tmp_path: Path) -> None:
    _reject_file(tmp_path, "c'est un dossier, pas un fichier de réponses")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="pas de tubes nommés ici")
def test_read_fifo_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "tube.yaml"
    os.mkfifo(fifo)
    _reject_file(fifo, "pas un fichier ordinaire")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="pas de /dev/zero ici")
def test_read_dev_zero_does_not_hang() -> None:
    _reject_file(Path("/dev/zero"), "pas un fichier ordinaire")


def test_read_too_big(tmp_path: Path) -> None:
    path = tmp_path / "gros.yaml"
    path.write_bytes(b"#" * (yaml_source.MAX_BYTES + 1))
    _reject_file(path, "trop volumineux", "2 Mio")


def test_read_stops_at_the_cap_even_if_the_size_lies(tmp_path: Path, monkeypatch) -> None:
    # A file growing between stat() and read() is still cut at the cap.
    path = tmp_path / "a.yaml"
    path.write_text("a: 1\n" * 10, encoding="utf-8")
    monkeypatch.setattr(yaml_source, "_require_regular", lambda *args: None)
    with pytest.raises(ContentError, match="trop volumineux"):
        yaml_source.read_text(path, str(path), max_bytes=20)


def test_read_non_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("a: 1\nb: été\n".encode("latin-1"))
    _reject_file(path, "ligne 2", "pas du texte UTF-8", "0xe9")


def test_read_binary_garbage(tmp_path: Path) -> None:
    path = tmp_path / "image.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    _reject_file(path, "pas du texte UTF-8")
    path.write_bytes(b"\x00\x01\x02\x03")
    _reject_file(path, "caractère de contrôle")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root lit tout")
def test_read_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    path.chmod(0)
    try:
        _reject_file(path, "illisible (permission refusée)")
    finally:
        path.chmod(0o600)


def test_read_packaged_resource() -> None:
    resource = files("rgpd_audit.questionnaires") / "sante.yaml"
    doc = YamlDocument.read(resource, "questionnaires/sante.yaml")
    assert doc.data["id"] and doc.source == "questionnaires/sante.yaml"


def test_read_resource_inside_a_zip(tmp_path: Path) -> None:
    archive = tmp_path / "paquet.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("data/a.yaml", "a: 1\n")
        zf.writestr("data/b.yaml", b"a: \xff\n")
    root = zipfile.Path(archive)
    assert YamlDocument.read(root / "data/a.yaml", "data/a.yaml").data == {"a": 1}
    with pytest.raises(ContentError, match=r"^data/b\.yaml, ligne 1 : .*UTF-8"):
        read_text(root / "data/b.yaml", "data/b.yaml")
    with pytest.raises(ContentError, match=r"^data/c\.yaml : fichier introuvable"):
        read_text(root / "data/c.yaml", "data/c.yaml")


# --- Validation messages -------------------------------------------------------------------


class _Step(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grade: str
    min: int


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    grades: list[_Step]


def _message(text: str, model: type[BaseModel] = _Table, prefix="") -> str:
    doc = YamlDocument.parse(text, "t.yaml")
    data = doc.data
    for part in (prefix,) if isinstance(prefix, str) and prefix else prefix or ():
        data = data[part]
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return validation_message(doc, info.value, prefix)


def test_validation_message_names_line_and_field() -> None:
    text = "title: T\ngrades:\n  - grade: A\n    min: 90\n  - grade: B\n    min: beaucoup\n"
    assert _message(text) == (
        "t.yaml, ligne 6, champ grades[1].min : valeur « beaucoup » invalide "
        "(nombre entier attendu)"
    )


def test_validation_message_missing_field_points_at_parent() -> None:
    text = "title: T\ngrades:\n  - grade: A\n  - grade: B\n    min: 3\n"
    assert _message(text) == "t.yaml, ligne 3, champ grades[0].min : champ obligatoire manquant"


def test_validation_message_suggests_the_misspelt_key() -> None:
    text = "title: T\ngrades:\n  - grade: A\n    mini: 3\n"
    assert _message(text) == (
        "t.yaml, ligne 4, champ grades[0].mini : champ inconnu (vouliez-vous écrire « min » ?)"
    )


def test_validation_message_with_prefix() -> None:
    text = "autre: 1\nmeta:\n  grade: A\n  min: x\n"
    assert _message(text, _Step, "meta") == (
        "t.yaml, ligne 4, champ meta.min : valeur « x » invalide (nombre entier attendu)"
    )
    text = "checks:\n  mail.mx.present:\n    grade: A\n"
    assert _message(text, _Step, ("checks", "mail.mx.present")) == (
        "t.yaml, ligne 3, champ checks[mail.mx.present].min : champ obligatoire manquant"
    )


def test_validation_message_for_the_whole_document() -> None:
    assert _message("- a\n- b\n") == "t.yaml, ligne 1 : bloc « clé: valeur » attendu"


def test_field_path_brackets_ids_with_dots() -> None:
    assert field_path(("sections", 0, "q.s.x", "when")) == "sections[0][q.s.x].when"
    assert field_path(()) == ""


def test_french_error_falls_back_to_pydantic_message() -> None:
    error = {"type": "something_new", "loc": (), "msg": "Some message", "input": 1}
    assert french_error(error) == "Some message"
