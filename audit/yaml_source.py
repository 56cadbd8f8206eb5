"""YAML content files read safely, with their line numbers, and French validation messages.

Questionnaires, answers files, catalogs and check metadata are edited by hand by
non-programmers: an error message is only useful if it names the file and the line to open,
in French, on one line. PyYAML's `safe_load` forgets positions, so the file is composed into a
node tree that keeps them, checked, then constructed from that same tree.

Every problem becomes a `ContentError` naming the file; nothing escapes as a traceback:

- the file must be a regular file of at most `MAX_BYTES`, in UTF-8 (`--answers /dev/zero`
  or a FIFO would otherwise block forever);
- only plain YAML is accepted: no `!!python/…` or custom tags, no complex keys
  (`? [a, b]`), no repeated keys;
- anchors and aliases are allowed (the shipped questionnaire shares remediation texts with
  them), but an alias may not contain itself, and the document once aliases are expanded is
  capped at `MAX_NODES` nodes, so that a « billion laughs » file cannot exhaust the memory of
  whoever walks the data (pydantic, the report).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from rgpd_audit.errors import ContentError
from rgpd_audit.paths import os_error_text

PathPart = str | int

MAX_BYTES = 2 * 1024 * 1024
"""Largest accepted file: the biggest shipped content file is a few dozen kilobytes."""

MAX_NODES = 200_000
"""Largest accepted document, counted in nodes once every alias is expanded."""

_YAML_TAG = "tag:yaml.org,2002:"
# Deliberately narrower than SafeLoader: `!!binary`, `!!set`, `!!omap` and `!!pairs` build
# objects that no content file needs and that pydantic would coerce in surprising ways.
_ALLOWED_TAGS = frozenset(
    _YAML_TAG + name
    for name in ("null", "bool", "int", "float", "str", "timestamp", "seq", "map", "merge")
)
_SCALAR_MESSAGES = {
    _YAML_TAG + "timestamp": "date « {} » invalide (attendu : AAAA-MM-JJ)",
    _YAML_TAG + "int": "valeur « {} » invalide (nombre entier attendu)",
    _YAML_TAG + "float": "valeur « {} » invalide (nombre attendu)",
    _YAML_TAG + "bool": "valeur « {} » invalide (attendu : true ou false)",
}


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: its data, its node tree (for line numbers) and its display name."""

    data: Any
    root: Node | None
    source: str

    @classmethod
    def read(cls, path: Path | Traversable, source: str, *, kind: str = "fichier") -> YamlDocument:
        """Read and parse the file at `path`; `source` names it in messages.

        `kind` names what is expected (« fichier de réponses ») in the messages for a missing
        or unusable file. A real path must be a regular file of at most `MAX_BYTES` bytes; a
        resource inside a zip archive is trusted to be one, as it ships with the tool.
        """
        return cls.parse(read_text(path, source, kind=kind), source)

    @classmethod
    def parse(cls, text: str, source: str) -> YamlDocument:
        """Parse `text`; every problem becomes a `ContentError` naming `source` and the line."""
        root = _compose(text, source)
        if root is not None:
            _check_nodes(root, source)
            _check_expansion(root, source)
        return cls(data=_construct(root, source), root=root, source=source)

    def line(self, path: Sequence[PathPart], *, key: bool = False) -> int | None:
        """1-based line of the value at `path`, or of its key when `key` is true.

        When `path` goes further than the file (a missing field), the line of the deepest
        existing parent.
        """
        node = self.root
        key_node: Node | None = None
        for part in path:
            child = _child(node, part)
            if child is None:
                break
            key_node, node = child
        target = key_node if key and key_node is not None else node
        return _line(target) if target is not None else None


def read_text(
    path: Path | Traversable, source: str, *, kind: str = "fichier", max_bytes: int = MAX_BYTES
) -> str:
    """The text of `path`, checked to be a regular UTF-8 file of at most `max_bytes` bytes."""
    if isinstance(path, str | os.PathLike):
        raw = _read_regular_file(Path(path), source, kind, max_bytes)
    else:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise ContentError(f"{source} : {kind} introuvable") from None
        except OSError as exc:
            raise ContentError(f"{source} : {kind} illisible ({os_error_text(exc)})") from None
    try:
        # utf-8-sig: Windows editors may prepend a byte order mark.
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ContentError(
            f"{source}, ligne {line} : {kind} illisible, ce n'est pas du texte UTF-8 (octet "
            f"0x{raw[exc.start]:02x} invalide) ; enregistrez-le en UTF-8 depuis votre éditeur"
        ) from None


def read_bytes(
    path: Path, source: str, *, kind: str = "fichier", max_bytes: int = MAX_BYTES
) -> bytes:
    """The bytes of `path`, checked to be a regular file of at most `max_bytes` bytes."""
    return _read_regular_file(path, source, kind, max_bytes)


def _read_regular_file(path: Path, source: str, kind: str, max_bytes: int) -> bytes:
    try:
        info = path.stat()
        _require_regular(info, source, kind, max_bytes)
        # O_NONBLOCK: were the file swapped for a FIFO after stat(), open() must not block.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as stream:
            _require_regular(os.fstat(stream.fileno()), source, kind, max_bytes)
            raw = stream.read(max_bytes + 1)
    except FileNotFoundError:
        raise ContentError(f"{source} : {kind} introuvable") from None
    except IsADirectoryError:
        raise ContentError(f"{source} : c'est un dossier, pas un {kind}") from None
    except OSError as exc:
        raise ContentError(f"{source} : {kind} illisible ({os_error_text(exc)})") from None
    if len(raw) > max_bytes:
        raise _too_big(source, kind, max_bytes)
    return raw


def _require_regular(info: os.stat_result, source: str, kind: str, max_bytes: int) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise ContentError(f"{source} : c'est un dossier, pas un {kind}")
    if not stat.S_ISREG(info.st_mode):
        raise ContentError(
            f"{source} : {kind} inutilisable, ce n'est pas un fichier ordinaire (tube, "
            "périphérique ou socket) ; indiquez le chemin d'un vrai fichier"
        )
    if info.st_size > max_bytes:
        raise _too_big(source, kind, max_bytes)


def _too_big(source: str, kind: str, max_bytes: int) -> ContentError:
    return ContentError(
        f"{source} : {kind} trop volumineux (plus de {max_bytes // (1024 * 1024)} Mio) ; "
        "vérifiez qu'il s'agit du bon fichier"
    )


def _compose(text: str, source: str) -> Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise ContentError(
            f"{source}, ligne {line} : caractère de contrôle U+{exc.character:04X} interdit "
            "(fichier binaire ?)"
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}, ligne {mark.line + 1}" if mark else source
        raise ContentError(f"{where} : YAML invalide ({_french_problem(exc)})") from None
    except yaml.YAMLError as exc:
        raise ContentError(f"{source} : YAML invalide ({exc})") from None
    except RecursionError:
        # The composer recurses once per nesting level: `[[[[…` a few hundred deep.
        raise ContentError(f"{source} : YAML invalide (imbrication trop profonde)") from None


def _french_problem(exc: yaml.MarkedYAMLError) -> str:
    problem = str(exc.problem or exc.context)
    if "'\\t'" in problem:
        return "tabulation interdite, indentez avec des espaces"
    if problem.startswith("found undefined alias"):
        name = problem.removeprefix("found undefined alias").strip(" '")
        return f"alias « *{name} » utilisé sans ancre « &{name} » définie plus haut"
    return problem


def _nodes(root: Node) -> Iterator[Node]:
    """Each distinct node once, in file order; aliases make the tree a graph, maybe cyclic."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(reversed(_children(node)))


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _check_nodes(root: Node, source: str) -> None:
    for node in _nodes(root):
        if node.tag not in _ALLOWED_TAGS:
            tag = node.tag.replace(_YAML_TAG, "!!")
            raise ContentError(
                f"{source}, ligne {_line(node)} : étiquette YAML « {tag} » interdite (seuls "
                "textes, nombres, dates, listes et blocs « clé: valeur » sont acceptés)"
            )
        if isinstance(node, MappingNode):
            _check_keys(node, source)


def _check_keys(node: MappingNode, source: str) -> None:
    seen: dict[str, int] = {}
    for key_node, _ in node.value:
        line = _line(key_node)
        if not isinstance(key_node, ScalarNode):
            raise ContentError(
                f"{source}, ligne {line} : clé complexe interdite (une clé est un simple texte, "
                "suivi de « : »)"
            )
        # YAML keeps only the last of two identical keys: an answer would vanish without a word.
        if key_node.value in seen:
            raise ContentError(
                f"{source}, ligne {line}, champ {key_node.value} : clé répétée (déjà "
                f"présente ligne {seen[key_node.value]}) ; gardez une seule des deux"
            )
        seen[key_node.value] = line


def _check_expansion(root: Node, source: str) -> None:
    # Sizes are memoised per node, so this costs one visit per node however aliases multiply.
    sizes: dict[int, int] = {}
    unfinished: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        if finished:
            unfinished.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[id(node)] > MAX_NODES:
                limit = f"{MAX_NODES:,}".replace(",", " ")
                raise ContentError(
                    f"{source} : document trop grand, plus de {limit} éléments une fois les "
                    "alias (*nom) développés"
                )
            continue
        if id(node) in sizes:
            continue
        if id(node) in unfinished:
            # Depth-first: the unfinished nodes are exactly the ancestors of this one.
            raise ContentError(
                f"{source}, ligne {_line(node)} : référence circulaire, le bloc ancré ici "
                "(&nom) se contient lui-même par un alias (*nom)"
            )
        unfinished.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))


def _construct(root: Node | None, source: str) -> Any:
    if root is None:
        return None
    try:
        return yaml.SafeLoader("").construct_document(root)
    # Explicitly tagged scalars (`!!int x`, `!!bool peut-être`) and impossible dates
    # (2026-13-45, which the scanner accepts) fail with assorted builtin exceptions.
    except Exception as exc:
        node = _bad_scalar(root)
        if node is None:
            reason = exc.problem if isinstance(exc, yaml.MarkedYAMLError) else exc
            raise ContentError(f"{source} : YAML invalide ({reason})") from None
        message = _SCALAR_MESSAGES[node.tag].format(node.value)
        raise ContentError(f"{source}, ligne {_line(node)} : {message}") from None


def _bad_scalar(root: Node) -> ScalarNode | None:
    for node in _nodes(root):
        if isinstance(node, ScalarNode) and node.tag in _SCALAR_MESSAGES:
            try:
                yaml.SafeLoader("").construct_document(node)
            except Exception:  # the same assorted failures as in _construct
                return node
    return None


def _child(node: Node | None, part: PathPart) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode):
        # Construction expands `<<: *base` in place, ahead of the keys that override it: the
        # last match is the one whose value was kept.
        for key_node, value_node in reversed(node.value):
            if isinstance(key_node, ScalarNode) and key_node.value == str(part):
                return key_node, value_node
    elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return None, node.value[part]
    return None


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def field_path(parts: Sequence[PathPart]) -> str:
    """`("scoring", 0, "when_answer", "in")` → `scoring[0].when_answer.in`.

    Question and check ids contain dots, so keys with a dot are bracketed to stay readable.
    """
    text = ""
    for part in parts:
        if isinstance(part, int) or "." in part:
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def first_error(exc: ValidationError) -> tuple[tuple[PathPart, ...], str]:
    """Location and French message of the error worth showing first in `exc`.

    A misspelt key shows up twice: as an unknown key and as a missing one. The unknown key is
    the one the author typed, so it is reported, with the missing name as the likely intent.
    """
    errors = exc.errors()
    unknown = [e for e in errors if e["type"] == "extra_forbidden"]
    if not unknown:
        return tuple(errors[0]["loc"]), french_error(errors[0])
    error = unknown[0]
    parent = error["loc"][:-1]
    missing = [
        str(e["loc"][-1]) for e in errors if e["type"] == "missing" and e["loc"][:-1] == parent
    ]
    message = french_error(error)
    if missing:
        message = f"champ inconnu (vouliez-vous écrire « {missing[0]} » ?)"
    return tuple(error["loc"]), message


def validation_message(
    doc: YamlDocument, exc: ValidationError, prefix: str | Sequence[PathPart] = ""
) -> str:
    """« source, ligne N, champ a.b[0].c : message » for the first error of `exc`.

    `prefix` locates the validated data inside the document: a top-level key (`"meta"`, kept
    whole even when it contains dots) or a full path (`("checks", "mail.mx.present")`); empty
    when the whole document was validated. The line is that of the failing field, or of its
    nearest parent present in the file (for a missing field).
    """
    if isinstance(prefix, str):
        prefix = (prefix,) if prefix else ()
    loc, message = first_error(exc)
    path = (*prefix, *loc)
    parts = [doc.source]
    line = doc.line(path)
    if line is not None:
        parts.append(f"ligne {line}")
    if path:
        parts.append(f"champ {field_path(path)}")
    return f"{', '.join(parts)} : {message}"


def french_error(error: ErrorDetails) -> str:
    """A French sentence for one pydantic validation error."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return "champ obligatoire manquant"
    if kind == "extra_forbidden":
        return "champ inconnu (faute de frappe ?)"
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"valeur « {value} » inconnue (attendu : {expected})"
    if kind == "string_pattern_mismatch":
        return f"format « {value} » invalide (attendu : motif {ctx.get('pattern')})"
    if kind == "string_type":
        return "texte attendu"
    if kind == "list_type":
        return "liste attendue"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "bloc « clé: valeur » attendu"
    if kind in ("bool_type", "bool_parsing"):
        return f"valeur « {value} » invalide (attendu : true ou false)"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"valeur « {value} » invalide (nombre entier attendu)"
    if kind in ("float_type", "float_parsing"):
        return f"valeur « {value} » invalide (nombre attendu)"
    if kind == "greater_than_equal":
        return f"valeur « {value} » trop petite (minimum : {ctx.get('ge')})"
    if kind == "less_than_equal":
        return f"valeur « {value} » trop grande (maximum : {ctx.get('le')})"
    if kind == "too_short":
        return f"au moins {ctx.get('min_length')} élément(s) attendu(s)"
    if kind.startswith("url_"):
        return f"adresse web « {value} » invalide"
    if kind.startswith("date_"):
        return f"date « {value} » invalide (attendu : AAAA-MM-JJ)"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return error["msg"]
