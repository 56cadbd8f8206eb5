"""YAML files read with their line numbers, and French wording of validation errors.

Questionnaires and answers files are edited by hand by non-programmers: an error message is
only useful if it says which line to open. PyYAML's `safe_load` forgets positions, so the file
is also composed into a node tree that keeps them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic_core import ErrorDetails
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from rgpd_audit.errors import ContentError

PathPart = str | int
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML file: its data, its node tree (for line numbers) and its display name."""

    data: Any
    root: Node | None
    source: str

    @classmethod
    def parse(cls, text: str, source: str) -> YamlDocument:
        """Parse `text`; syntax errors and repeated keys become `ContentError`s naming the line."""
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = f"{source}, ligne {mark.line + 1}" if mark else source
            problem = str(exc.problem or exc.context)
            if "'\\t'" in problem:
                problem = "tabulation interdite, indentez avec des espaces"
            raise ContentError(f"{where} : YAML invalide ({problem})") from None
        except yaml.YAMLError as exc:
            raise ContentError(f"{source} : YAML invalide ({exc})") from None
        if root is not None:
            _reject_repeated_keys(root, source)
        try:
            data = yaml.safe_load(text)
        except ValueError as exc:
            # The scanner accepts any date-shaped scalar; only construction notices 2026-13-45.
            line = _bad_timestamp_line(root)
            where = f"{source}, ligne {line}" if line else source
            raise ContentError(f"{where} : date invalide ({exc})") from None
        return cls(data=data, root=root, source=source)

    def node(self, path: Sequence[PathPart]) -> Node | None:
        """The deepest node found along `path` (the parent when the last part is missing)."""
        node = self.root
        for part in path:
            child = _child(node, part)
            if child is None:
                return node
            node = child[1]
        return node

    def line(self, path: Sequence[PathPart], *, key: bool = False) -> int | None:
        """1-based line of the value at `path`, or of its key when `key` is true."""
        node = self.root
        key_node: Node | None = None
        for part in path:
            child = _child(node, part)
            if child is None:
                break
            key_node, node = child
        target = key_node if key and key_node is not None else node
        return target.start_mark.line + 1 if target is not None else None


def _child(node: Node | None, part: PathPart) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == str(part):
                return key_node, value_node
    elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return None, node.value[part]
    return None


def _reject_repeated_keys(node: Node, source: str) -> None:
    # YAML keeps only the last of two identical keys: an answer would vanish without a word.
    if isinstance(node, MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode):
                line = key_node.start_mark.line + 1
                if key_node.value in seen:
                    raise ContentError(
                        f"{source}, ligne {line}, champ {key_node.value} : clé répétée (déjà "
                        f"présente ligne {seen[key_node.value]}) ; gardez une seule des deux"
                    )
                seen[key_node.value] = line
            _reject_repeated_keys(value_node, source)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            _reject_repeated_keys(item, source)


def _bad_timestamp_line(node: Node | None) -> int | None:
    if isinstance(node, ScalarNode) and node.tag == _TIMESTAMP_TAG:
        try:
            yaml.SafeLoader("").construct_yaml_timestamp(node)
        except ValueError:
            return node.start_mark.line + 1
    children: list[Node] = []
    if isinstance(node, MappingNode):
        children = [part for pair in node.value for part in pair]
    elif isinstance(node, SequenceNode):
        children = list(node.value)
    for child in children:
        line = _bad_timestamp_line(child)
        if line:
            return line
    return None


def field_path(parts: Sequence[PathPart]) -> str:
    """`("scoring", 0, "when_answer", "in")` → `scoring[0].when_answer.in`.

    Question ids contain dots, so keys with a dot are bracketed to stay readable.
    """
    text = ""
    for part in parts:
        if isinstance(part, int) or "." in part:
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


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
    if kind == "too_short":
        return f"au moins {ctx.get('min_length')} élément(s) attendu(s)"
    if kind.startswith("date_"):
        return f"date « {value} » invalide (attendu : AAAA-MM-JJ)"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return error["msg"]
