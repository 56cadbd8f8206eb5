"""Add a tested password's result to an existing answers file (`password --answers-out`).

It lives with the questionnaire, not with the password package: it validates and rewrites an
answers file, which is the questionnaire's business, while the password package only says how
a result is written (`password.text`). The questionnaire depends on the password package,
never the reverse.

The file is validated first; its `password_tests` block is replaced (a result with the same
label is superseded), every other line is kept as written, comments included. The write is
atomic and private (0600), as for the interview.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from rgpd_audit.password.results import PASSWORD_TESTS_KEY, Assessment
from rgpd_audit.password.text import BLOCK_HEADER, answers_block
from rgpd_audit.questionnaire.answers import load_answers
from rgpd_audit.questionnaire.draft import save
from rgpd_audit.questionnaire.loader import load_questionnaire
from rgpd_audit.yaml_source import YamlDocument, read_text


def add_result(path: Path, result: Assessment) -> list[Assessment]:
    """Write `result` into the answers file at `path`; returns the results now in it.

    Raises `InputError`/`ContentError` (file, line, field) when the file is not a valid
    answers file; nothing is written then.
    """
    answers = load_answers(path, load_questionnaire())
    tests = [t for t in answers.password_tests if t.label != result.label] + [result]
    text = read_text(path, str(path), kind="fichier de réponses")
    lines = text.splitlines(keepends=True)
    span = _block_lines(YamlDocument.parse(text, str(path)), lines)
    if span is not None:
        del lines[span[0] : span[1]]
    kept = "".join(lines)
    if kept and not kept.endswith("\n"):
        kept += "\n"
    save(path, kept + answers_block(tests))
    return tests


def _block_lines(doc: YamlDocument, lines: list[str]) -> tuple[int, int] | None:
    """0-based [start, end) lines of the `password_tests` block, with its header comment."""
    if not isinstance(doc.root, yaml.MappingNode):
        return None
    for key, value in doc.root.value:
        if isinstance(key, yaml.ScalarNode) and key.value == PASSWORD_TESTS_KEY:
            start = key.start_mark.line
            end = value.end_mark.line + (1 if value.end_mark.column > 0 else 0)
            if start > 0 and lines[start - 1].strip() == BLOCK_HEADER.strip():
                start -= 1
            return start, end
    return None
