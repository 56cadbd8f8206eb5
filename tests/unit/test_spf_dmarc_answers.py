"""Random DNS answers fed to the SPF and DMARC walkers: they end, and raise nothing.

The answers come from an in-memory lookup callable (the walkers' own interface), so that
hypothesis can try thousands of hostile shapes without a server.
"""

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from rgpd_audit.records.dmarc_discovery import discover
from rgpd_audit.records.dmarc_receivers import receivers
from rgpd_audit.records.spf_tree import MAX_RECORDS, evaluate_spf, spf_records
from rgpd_audit.records.spf_txt import TxtFormatError, txt_strings, txt_text

NAMES = ["a.test", "b.test", "c.test", "_dmarc.cabinet.a.test", "_dmarc.a.test", "_dmarc.test"]
FRAGMENTS = st.sampled_from(
    [
        *("v=spf1 ", "v=DMARC1; ", "include:", "redirect=", "a:", "mx:", "exists:", "ptr "),
        *NAMES,
        *(" -all", " ~all", "p=reject;", "psd=y;", "psd=n;", "sp=none;", "np=", "t=y;"),
        *("%{i}", "\\\\", '\\"', "\\255", "\\999", '"', " ", "é"),
    ]
)
TEXT = st.lists(FRAGMENTS, max_size=12).map("".join)
# Presentation format as CheckContext.lookup returns it, or deliberately broken.
RECORD = st.one_of(TEXT.map(lambda t: '"' + t + '"'), TEXT)
ANSWER = st.one_of(st.none(), st.lists(RECORD, max_size=3))


def _zone(answers: dict[str, list[str] | None]) -> Callable[[str, str], list[str] | None]:
    def lookup(name: str, rdtype: str) -> list[str] | None:
        return answers.get(name.rstrip(".").lower())

    return lookup


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(NAMES), ANSWER))
def test_spf_walk_ends_on_any_answers(answers: dict[str, list[str] | None]) -> None:
    calls: list[str] = []
    lookup = _zone(answers)

    def counted(name: str, rdtype: str) -> list[str] | None:
        calls.append(name)
        return lookup(name, rdtype)

    evaluation = evaluate_spf("a.test", counted)
    assert evaluation.lookups >= 0
    # Each record fetched costs one TXT query, plus at most two address queries per term.
    assert len(calls) <= (MAX_RECORDS + 1) * 40


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(NAMES), ANSWER))
def test_dmarc_walk_ends_on_any_answers(answers: dict[str, list[str] | None]) -> None:
    found = discover("cabinet.a.test", _zone(answers), domain_exists=False)
    assert len(found.steps) <= 4
    assert found.effective_policy in {None, "none", "quarantine", "reject"}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_txt_decoding_only_raises_its_own_error(text: str) -> None:
    try:
        txt_text(text)
        txt_strings(text)
    except TxtFormatError:
        pass
    assert isinstance(spf_records([text]), list)


def test_txt_strings_are_joined_and_unescaped() -> None:
    assert txt_text('"v=spf1 " "include:x.test" "\\032-all"') == "v=spf1 include:x.test -all"
    assert txt_strings('"a\\"b" "\\195\\169"') == [b'a"b', "é".encode()]


def test_receiver_catalog_matches_sub_domains_only_on_label_boundaries() -> None:
    catalog = receivers()
    assert catalog.snapshot.retrieved
    found = catalog.by_domain("AG.dmarcian.com.")
    assert found is not None and found.id == "dmarcian" and not found.eu
    assert catalog.by_domain("notdmarcian.com") is None
