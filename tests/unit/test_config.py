import pytest

from rgpd_audit.config import normalize_domain, normalize_email, parse_nameserver
from rgpd_audit.errors import InputError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Cabinet-Dupont.FR", "cabinet-dupont.fr"),
        ("cabinet.fr.", "cabinet.fr"),
        ("médecin-lyon.fr", "xn--mdecin-lyon-bbb.fr"),
        ("straße.fr", "xn--strae-oqa.fr"),
        ("  mx.cabinet.fr ", "mx.cabinet.fr"),
    ],
)
def test_domain_is_normalised(raw: str, expected: str) -> None:
    assert normalize_domain(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "https://cabinet.fr",
        "cabinet",
        "contact@cabinet.fr",
        "-bad.fr",
        "a..b.fr",
        "1.2.3.4",
        "xn--zz.fr",
        "cab inet.fr",
        "x" * 64 + ".fr",
    ],
)
def test_invalid_domains_are_refused_in_french(raw: str) -> None:
    with pytest.raises(InputError) as info:
        normalize_domain(raw)
    assert "domaine" in str(info.value) or "adresse IP" in str(info.value)


def test_email_domain_is_normalised_and_checked() -> None:
    assert normalize_email("Contact@Cabinet.FR") == "Contact@cabinet.fr"
    for bad in ("pas-une-adresse", "a@b@cabinet.fr", "@cabinet.fr"):
        with pytest.raises(InputError):
            normalize_email(bad)


@pytest.mark.parametrize(
    ("raw", "ip", "port"),
    [
        ("9.9.9.9", "9.9.9.9", 53),
        ("127.0.0.1:5353", "127.0.0.1", 5353),
        ("[::1]:5300", "::1", 5300),
        ("2001:db8::1", "2001:db8::1", 53),
    ],
)
def test_nameserver_forms(raw: str, ip: str, port: int) -> None:
    ns = parse_nameserver(raw)
    assert (ns.ip, ns.port) == (ip, port)


@pytest.mark.parametrize("raw", ["dns.google", "127.0.0.1:0", "127.0.0.1:99999", "1.2.3.4:x"])
def test_bad_nameservers_are_refused(raw: str) -> None:
    with pytest.raises(InputError):
        parse_nameserver(raw)
