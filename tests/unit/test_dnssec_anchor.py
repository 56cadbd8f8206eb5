"""Trust anchors: the shipped IANA root anchors and files given with --trust-anchor."""

import contextlib
from pathlib import Path

import dns.name
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rgpd_audit.errors import InputError
from rgpd_audit.net.trust_anchor import (
    TrustAnchorError,
    check_trust_anchor,
    parse_trust_anchors,
    read_trust_anchor_file,
    root_trust_anchors,
)

KSK_2017 = "20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"
KSK_2024 = "38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16"


def test_shipped_root_anchors_are_the_two_iana_ksks() -> None:
    anchors = root_trust_anchors()
    assert anchors.owner == dns.name.root and not anchors.dnskeys
    assert sorted(ds.to_text().upper() for ds in anchors.ds) == sorted([KSK_2017, KSK_2024])


def test_unbound_style_file_with_comments_ttl_and_class() -> None:
    text = f"; root.key\n.\t172800\tIN\tDS\t{KSK_2017}\n\n. IN DS {KSK_2024} ; next key\n"
    anchors = parse_trust_anchors(text, "root.key")
    assert [ds.key_tag for ds in anchors.ds] == [20326, 38696]


def test_dnskey_anchor_is_accepted() -> None:
    key = (
        "257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+"
        "KkxLbxILfDLUT0rAK9iUzy1L53eKGQ=="
    )
    anchors = parse_trust_anchors(f"lab. DNSKEY {key}", "ancre")
    assert anchors.owner == dns.name.from_text("lab.") and len(anchors.dnskeys) == 1


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "aucun enregistrement"),
        ("; rien\n", "aucun enregistrement"),
        (". IN A 127.0.0.1", "ligne 1 : enregistrement DS ou DNSKEY attendu"),
        (f". IN DS {KSK_2017}\nfr. IN DS {KSK_2024}", "ligne 2 : toutes les ancres"),
        (". IN DS 20326 8 2 pas-de-l-hexa", "ligne 1 : enregistrement illisible"),
    ],
)
def test_bad_anchor_text_says_which_line(text: str, problem: str) -> None:
    with pytest.raises(TrustAnchorError, match=problem):
        parse_trust_anchors(text, "ancre.txt")


def test_cli_check_reads_the_records(tmp_path: Path) -> None:
    good = tmp_path / "root.key"
    good.write_text(f". IN DS {KSK_2017}\n", encoding="utf-8")
    assert check_trust_anchor(good) == good
    assert read_trust_anchor_file(good).ds[0].key_tag == 20326
    bad = tmp_path / "bad.key"
    bad.write_text("ceci n'est pas une ancre\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"--trust-anchor : .*bad\.key, ligne 1"):
        check_trust_anchor(bad)
    with pytest.raises(InputError, match="introuvable"):
        check_trust_anchor(tmp_path / "absent.key")
    binary = tmp_path / "binary.key"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InputError, match="UTF-8"):
        check_trust_anchor(binary)


@given(st.text(max_size=300))
def test_random_anchor_text_only_raises_the_parsers_error(text: str) -> None:
    with contextlib.suppress(TrustAnchorError):
        parse_trust_anchors(text, "ancre.txt")


@given(st.lists(st.sampled_from([".", "IN", "DS", "DNSKEY", "3600", "257", "8", "2", "zz", ";"])))
def test_anchor_like_tokens_only_raise_the_parsers_error(tokens: list[str]) -> None:
    with contextlib.suppress(TrustAnchorError):
        parse_trust_anchors(" ".join(tokens), "ancre.txt")
