"""The lab's servers, exercised with real clients only (dnspython, smtplib, ssl)."""

from __future__ import annotations

import contextlib
import datetime as dt
import imaplib
import ipaddress
import poplib
import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import dns.resolver
import pytest
from cryptography import x509

from rgpd_audit import registry
from rgpd_audit.lab import Lab, Scenario, start_lab
from rgpd_audit.lab.dns_server import load_zones
from rgpd_audit.lab.misbehaving_smtp import (
    BUSY_GREETING,
    DRIP_INTERVAL,
    FLOOD_BYTES,
    STARTTLS_REFUSAL,
    UNRECOGNIZED,
    Misbehaviour,
)
from rgpd_audit.lab.pki import WRONG_HOST_NAME
from rgpd_audit.lab.scenarios import (
    HOSTS,
    INJECTION_BANNER,
    INJECTION_TXT,
    SANS_MX_ADDRESS,
    SCENARIOS,
)
from rgpd_audit.lab.scenarios_tls import CLIENT_HOSTS

CHECK_IDS = {spec.meta.id for spec in registry.discover()}
STATUSES = {"pass", "fail", "not_applicable", "indeterminate"}
TIMEOUT = 5.0

# OpenSSL verification codes (X509_V_ERR_*), stable across OpenSSL versions unlike messages.
CERT_HAS_EXPIRED = 10
DEPTH_ZERO_SELF_SIGNED_CERT = 18
HOSTNAME_MISMATCH = 62


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    with start_lab() as running:
        yield running


def query(
    lab: Lab,
    name: str,
    rdtype: str,
    *,
    tcp: bool = False,
    payload: int | None = None,
) -> dns.message.Message:
    request = dns.message.make_query(name, rdtype, use_edns=payload is not None, payload=payload)
    if tcp:
        return dns.query.tcp(request, "127.0.0.1", timeout=TIMEOUT, port=lab.dns_port)
    return dns.query.udp(request, "127.0.0.1", timeout=TIMEOUT, port=lab.dns_port)


def resolver(lab: Lab) -> dns.resolver.Resolver:
    res = dns.resolver.Resolver(configure=False)
    res.nameservers = ["127.0.0.1"]
    res.port = lab.dns_port
    res.lifetime = TIMEOUT
    return res


def address_of(lab: Lab, hostname: str) -> str:
    return resolver(lab).resolve(hostname, "A")[0].address


def mx_hosts(lab: Lab, domain: str) -> list[str]:
    answer = resolver(lab).resolve(domain, "MX")
    return [str(r.exchange).rstrip(".") for r in sorted(answer, key=lambda r: r.preference)]


def soa_owner(response: dns.message.Message) -> str:
    (rrset,) = response.authority
    assert rrset.rdtype == dns.rdatatype.SOA
    return str(rrset.name)


def starttls(lab: Lab, hostname: str, context: ssl.SSLContext) -> bytes:
    """Open SMTP to `hostname`'s lab address, STARTTLS, and return the server's DER cert."""
    client = smtplib.SMTP(address_of(lab, hostname), lab.smtp_port, timeout=TIMEOUT)
    try:
        client.ehlo("auditeur.example")
        assert client.has_extn("starttls")
        code, _ = client.docmd("STARTTLS")
        assert code == 220
        # smtplib.starttls() would check the certificate against the address it dialled;
        # a real MX is checked against its MX host name, so wrap the socket by hand.
        client.sock = context.wrap_socket(client.sock, server_hostname=hostname)
        der = client.sock.getpeercert(binary_form=True)
        assert der is not None
        return der
    finally:
        client.close()


def reading_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def verifying_context(lab: Lab) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(lab.ca_file))


# --- DNS ---------------------------------------------------------------------------------


def test_demo_domain_has_two_mx_answered_authoritatively(lab: Lab) -> None:
    response = query(lab, "cabinet-exemple.fr", "MX")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.flags & dns.flags.AA
    (rrset,) = response.answer
    assert sorted((r.preference, str(r.exchange)) for r in rrset) == [
        (10, "mx1.cabinet-exemple.fr."),
        (20, "mx2.cabinet-exemple.fr."),
    ]
    assert mx_hosts(lab, "cabinet-exemple.fr") == [
        "mx1.cabinet-exemple.fr",
        "mx2.cabinet-exemple.fr",
    ]
    assert address_of(lab, "mx1.cabinet-exemple.fr") == "127.0.0.10"


def test_nxdomain_and_nodata_both_carry_the_soa_and_differ_by_rcode(lab: Lab) -> None:
    missing = query(lab, "inexistant.cabinet-exemple.fr", "A")
    assert missing.rcode() == dns.rcode.NXDOMAIN
    assert missing.flags & dns.flags.AA
    assert missing.answer == []
    assert soa_owner(missing) == "cabinet-exemple.fr."
    # RFC 2308: negative TTL is min(SOA TTL, SOA MINIMUM) = 300 in the lab zones.
    assert missing.authority[0].ttl == 300

    nodata = query(lab, "cabinet-exemple.fr", "AAAA")
    assert nodata.rcode() == dns.rcode.NOERROR
    assert nodata.flags & dns.flags.AA
    assert nodata.answer == []
    assert soa_owner(nodata) == "cabinet-exemple.fr."

    res = resolver(lab)
    with pytest.raises(dns.resolver.NXDOMAIN):
        res.resolve("inexistant.cabinet-exemple.fr", "A")
    with pytest.raises(dns.resolver.NoAnswer):
        res.resolve("cabinet-exemple.fr", "AAAA")


def test_empty_non_terminal_is_nodata_not_nxdomain(lab: Lab) -> None:
    response = query(lab, "_tcp.cabinet-exemple.fr", "SRV")
    assert response.rcode() == dns.rcode.NOERROR
    assert response.answer == []
    assert soa_owner(response) == "cabinet-exemple.fr."


def test_names_outside_the_lab_zones_are_refused(lab: Lab) -> None:
    for name in ("example.com", "fr", "cabinet-exemple.com"):
        response = query(lab, name, "A")
        assert response.rcode() == dns.rcode.REFUSED
        assert not response.flags & dns.flags.AA
        assert response.answer == []


def test_cname_is_followed_within_the_lab_zones(lab: Lab) -> None:
    response = query(lab, "smtp.cabinet-exemple.fr", "A")
    assert response.rcode() == dns.rcode.NOERROR
    cname, a = response.answer
    assert cname.rdtype == dns.rdatatype.CNAME
    assert str(cname[0].target) == "mx1.cabinet-exemple.fr."
    assert (str(a.name), a.rdtype, a[0].address) == (
        "mx1.cabinet-exemple.fr.",
        dns.rdatatype.A,
        "127.0.0.10",
    )
    only_cname = query(lab, "smtp.cabinet-exemple.fr", "CNAME")
    assert [rrset.rdtype for rrset in only_cname.answer] == [dns.rdatatype.CNAME]
    assert address_of(lab, "smtp.cabinet-exemple.fr") == "127.0.0.10"


def test_edns_is_echoed_only_when_the_client_uses_it(lab: Lab) -> None:
    assert query(lab, "cabinet-exemple.fr", "MX", payload=1232).edns == 0
    assert query(lab, "cabinet-exemple.fr", "MX").edns == -1


def test_large_answer_is_truncated_over_udp_and_complete_over_tcp(lab: Lab) -> None:
    name = "gros.cabinet-conforme.fr"
    for payload in (None, 1232):
        truncated = query(lab, name, "TXT", payload=payload)
        assert truncated.flags & dns.flags.TC
        assert truncated.answer == []
    with pytest.raises(dns.message.Truncated):
        dns.query.udp(
            dns.message.make_query(name, "TXT"),
            "127.0.0.1",
            timeout=TIMEOUT,
            port=lab.dns_port,
            raise_on_truncation=True,
        )

    full = query(lab, name, "TXT", tcp=True)
    assert not full.flags & dns.flags.TC
    assert len(full.answer[0]) == 60

    response, used_tcp = dns.query.udp_with_fallback(
        dns.message.make_query(name, "TXT"), "127.0.0.1", timeout=TIMEOUT, port=lab.dns_port
    )
    assert used_tcp
    assert len(response.answer[0]) == 60
    assert len(resolver(lab).resolve(name, "TXT")) == 60


def test_unparsable_query_gets_formerr(lab: Lab) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(TIMEOUT)
        # Valid header announcing one question, followed by a truncated question.
        sock.sendto(
            b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07exem",
            (
                "127.0.0.1",
                lab.dns_port,
            ),
        )
        reply = sock.recv(512)
    assert reply[:2] == b"\x12\x34"
    assert reply[2] & 0x80
    assert reply[3] & 0x0F == dns.rcode.FORMERR


def test_zone_data_never_points_outside_loopback() -> None:
    for zone in load_zones():
        for name, _, rdata in zone.iterate_rdatas():
            if rdata.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
                assert ipaddress.ip_address(rdata.address).is_loopback, (name, rdata)


# --- scenarios ---------------------------------------------------------------------------


def test_scenarios_are_complete_and_served(lab: Lab) -> None:
    assert set(lab.scenarios) == {s.name for s in SCENARIOS}
    assert set(lab.scenarios) >= {
        "demo",
        "conforme",
        "sans-starttls",
        "cert-expire",
        "cert-autre-nom",
        "cert-autosigne",
        "cert-autosigne-expire",
        "mx-grand-public",
        "sans-mx",
        "mx-nul",
        "mx-sans-adresse",
        "mx-muet",
        "injection",
        "mx-421",
        "starttls-refuse",
        "tls-casse",
        "ehlo-refuse",
        "mx-filtre",
        "mx-secours",
        "tls-obsolete",
    }
    for name, scenario in lab.scenarios.items():
        assert isinstance(scenario, Scenario)
        assert scenario.name == name
        assert scenario.description and "\n" not in scenario.description
        assert set(scenario.expected) <= CHECK_IDS
        assert set(scenario.expected.values()) <= STATUSES
        soa = query(lab, scenario.domain, "SOA")
        assert soa.rcode() == dns.rcode.NOERROR and soa.flags & dns.flags.AA
    assert lab.scenarios["demo"].domain == "cabinet-exemple.fr"
    assert lab.scenarios["demo"].expected["mail.tls.certificate"] == "fail"


def test_every_lab_host_is_an_mx_of_its_scenario_at_its_address(lab: Lab) -> None:
    for host in HOSTS:
        domain = lab.scenarios[host.scenario].domain
        assert host.hostname in mx_hosts(lab, domain)
        assert address_of(lab, host.hostname) == host.address


def test_special_mx_setups(lab: Lab) -> None:
    res = resolver(lab)
    with pytest.raises(dns.resolver.NoAnswer):
        res.resolve("sans-mx.fr", "MX")
    assert address_of(lab, "sans-mx.fr") == SANS_MX_ADDRESS

    (null_mx,) = res.resolve("mx-nul.fr", "MX")
    assert (null_mx.preference, str(null_mx.exchange)) == (0, ".")

    (target,) = mx_hosts(lab, "mx-sans-adresse.fr")
    for rdtype in ("A", "AAAA"):
        with pytest.raises(dns.resolver.NXDOMAIN):
            res.resolve(target, rdtype)

    assert mx_hosts(lab, "mx-grand-public.fr") == ["smtp-in.orange.fr"]


def test_injection_payloads_are_served_verbatim(lab: Lab) -> None:
    (txt,) = resolver(lab).resolve("injection.fr", "TXT")
    assert b"".join(txt.strings).decode() == INJECTION_TXT
    (mx,) = mx_hosts(lab, "injection.fr")
    client = smtplib.SMTP(timeout=TIMEOUT)
    try:
        code, banner = client.connect(address_of(lab, mx), lab.smtp_port)
    finally:
        client.close()
    assert code == 220
    assert banner.decode() == f"{mx} ESMTP {INJECTION_BANNER}"


# --- SMTP and TLS ------------------------------------------------------------------------


def test_conforme_offers_starttls_with_a_certificate_trusted_by_the_lab_ca(lab: Lab) -> None:
    (mx,) = mx_hosts(lab, "cabinet-conforme.fr")
    der = starttls(lab, mx, verifying_context(lab))
    cert = x509.load_der_x509_certificate(der)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == [mx]
    # Without the lab CA, the same certificate is not trusted.
    with pytest.raises(ssl.SSLCertVerificationError):
        starttls(lab, mx, ssl.create_default_context())


def test_sans_starttls_does_not_offer_it_and_still_takes_mail(lab: Lab) -> None:
    (mx,) = mx_hosts(lab, "sans-starttls.fr")
    with smtplib.SMTP(address_of(lab, mx), lab.smtp_port, timeout=TIMEOUT) as client:
        client.ehlo("auditeur.example")
        assert not client.has_extn("starttls")
        code, _ = client.docmd("STARTTLS")
        assert code != 220
        refused = client.sendmail(
            "auditeur@example.org", [f"contact@{mx}"], b"Subject: test\r\n\r\nbonjour\r\n"
        )
        assert refused == {}


def _ca_subject(lab: Lab) -> x509.Name:
    return x509.load_pem_x509_certificate(lab.ca_file.read_bytes()).subject


@pytest.mark.parametrize(
    ("hostname", "verify_codes", "self_signed", "expired"),
    [
        ("mx.cert-expire.fr", {CERT_HAS_EXPIRED}, False, True),
        ("mx.cert-autre-nom.fr", {HOSTNAME_MISMATCH}, False, False),
        ("mx.cert-autosigne.fr", {DEPTH_ZERO_SELF_SIGNED_CERT}, True, False),
        (
            "mx.cert-autosigne-expire.fr",
            {DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED},
            True,
            True,
        ),
    ],
)
def test_bad_certificates_are_served_as_specified(
    lab: Lab, hostname: str, verify_codes: set[int], self_signed: bool, expired: bool
) -> None:
    with pytest.raises(ssl.SSLCertVerificationError) as failure:
        starttls(lab, hostname, verifying_context(lab))
    assert failure.value.verify_code in verify_codes

    cert = x509.load_der_x509_certificate(starttls(lab, hostname, reading_context()))
    now = dt.datetime.now(dt.UTC)
    if expired:
        assert cert.not_valid_after_utc < now
    else:
        assert cert.not_valid_before_utc < now < cert.not_valid_after_utc
    if self_signed:
        assert cert.issuer == cert.subject
    else:
        assert cert.issuer == _ca_subject(lab)
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    expected_name = WRONG_HOST_NAME if "autre-nom" in hostname else hostname
    assert names.get_values_for_type(x509.DNSName) == [expected_name]


def test_demo_second_mx_certificate_is_valid_but_expires_in_20_days(lab: Lab) -> None:
    mx1, mx2 = mx_hosts(lab, "cabinet-exemple.fr")
    starttls(lab, mx1, verifying_context(lab))
    cert = x509.load_der_x509_certificate(starttls(lab, mx2, verifying_context(lab)))
    left = cert.not_valid_after_utc - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=19) < left <= dt.timedelta(days=20)


def test_consumer_provider_mx_serves_a_good_certificate(lab: Lab) -> None:
    starttls(lab, "smtp-in.orange.fr", verifying_context(lab))


def test_mute_server_accepts_but_never_greets(lab: Lab) -> None:
    (mx,) = mx_hosts(lab, "mx-muet.fr")
    address = address_of(lab, mx)
    with (
        socket.create_connection((address, lab.smtp_port), timeout=0.3) as raw,
        pytest.raises(TimeoutError),
    ):
        raw.recv(1)
    # smtplib reports the banner read timing out as a disconnection.
    with pytest.raises(smtplib.SMTPServerDisconnected, match="timed out"):
        smtplib.SMTP(address, lab.smtp_port, timeout=0.3)


# --- misbehaving servers ----------------------------------------------------------------


def misbehaving_address(lab: Lab, misbehaviour: Misbehaviour) -> str:
    (host,) = [h for h in HOSTS if h.misbehaviour is misbehaviour]
    (mx,) = mx_hosts(lab, lab.scenarios[host.scenario].domain)
    assert mx == host.hostname
    return address_of(lab, mx)


def test_busy_server_greets_421_then_hangs_up(lab: Lab) -> None:
    address = misbehaving_address(lab, Misbehaviour.BUSY)
    with socket.create_connection((address, lab.smtp_port), timeout=TIMEOUT) as raw:
        assert raw.makefile("rb").readline() == BUSY_GREETING.encode() + b"\r\n"
        assert raw.recv(1) == b""
    with pytest.raises(smtplib.SMTPConnectError) as refused:
        smtplib.SMTP(address, lab.smtp_port, timeout=TIMEOUT)
    assert refused.value.smtp_code == 421


def test_starttls_refuse_advertises_starttls_then_answers_454(lab: Lab) -> None:
    address = misbehaving_address(lab, Misbehaviour.STARTTLS_REFUSED)
    with smtplib.SMTP(address, lab.smtp_port, timeout=TIMEOUT) as client:
        client.ehlo("auditeur.example")
        assert client.has_extn("starttls")
        code, text = client.docmd("STARTTLS")
        assert f"{code} {text.decode()}" == STARTTLS_REFUSAL
        # Refusing STARTTLS does not end the session.
        assert client.noop()[0] == 250


def test_tls_casse_accepts_starttls_but_the_handshake_fails(lab: Lab) -> None:
    mx = "mx.tls-casse.fr"
    assert address_of(lab, mx) == misbehaving_address(lab, Misbehaviour.TLS_BROKEN)
    with pytest.raises(ssl.SSLError) as failure:
        starttls(lab, mx, reading_context())
    # The client did read the bogus bytes: neither a certificate problem nor a bare EOF.
    assert not isinstance(failure.value, ssl.SSLCertVerificationError | ssl.SSLEOFError)
    assert failure.value.reason == "WRONG_VERSION_NUMBER"


def test_ehlo_refuse_is_a_pre_esmtp_server(lab: Lab) -> None:
    address = misbehaving_address(lab, Misbehaviour.NO_EHLO)
    client = smtplib.SMTP(timeout=TIMEOUT)
    with client:
        code, banner = client.connect(address, lab.smtp_port)
        assert code == 220 and b"ESMTP" not in banner
        code, text = client.ehlo("auditeur.example")
        assert f"{code} {text.decode()}" == UNRECOGNIZED
        assert client.helo("auditeur.example") == (250, b"mx.ehlo-refuse.fr")
        assert not client.has_extn("starttls")
        assert client.docmd("STARTTLS")[0] == 500
        with pytest.raises(smtplib.SMTPNotSupportedError):
            client.starttls()


def test_mx_filtre_connect_times_out_and_is_not_refused(lab: Lab) -> None:
    address = misbehaving_address(lab, Misbehaviour.FILTERED)
    # Twice: a client that gave up must not free the accept queue for the next one.
    for _ in range(2):
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            socket.create_connection((address, lab.smtp_port), timeout=0.4).close()
        # A refusal (RST) or an ICMP error would come back at once.
        assert time.monotonic() - started >= 0.4


# --- delays ------------------------------------------------------------------------------


def test_dns_delay_slows_each_answer_without_serialising_them() -> None:
    with start_lab(dns_delay=0.3) as slow:

        def timed(name: str) -> float:
            started = time.monotonic()
            assert query(slow, name, "MX").rcode() == dns.rcode.NOERROR
            return time.monotonic() - started

        domains = [scenario.domain for scenario in slow.scenarios.values()][:5]
        started = time.monotonic()
        with ThreadPoolExecutor(len(domains)) as pool:
            durations = list(pool.map(timed, domains))
        total = time.monotonic() - started
        assert min(durations) >= 0.3
        assert total < 1.0  # serialised, the five answers would take 1.5 s

        started = time.monotonic()
        query(slow, "cabinet-exemple.fr", "MX", tcp=True)
        assert time.monotonic() - started >= 0.3


def test_smtp_greeting_delay_applies_to_each_connection_independently() -> None:
    with start_lab(smtp_greeting_delay=0.3) as slow:
        address = address_of(slow, "mx.cabinet-conforme.fr")

        def greet(_: int) -> float:
            started = time.monotonic()
            with socket.create_connection((address, slow.smtp_port), timeout=TIMEOUT) as raw:
                assert raw.recv(1024).startswith(b"220 ")
            return time.monotonic() - started

        started = time.monotonic()
        with ThreadPoolExecutor(4) as pool:
            durations = list(pool.map(greet, range(4)))
        assert min(durations) >= 0.3
        assert time.monotonic() - started < 1.0


# --- life cycle --------------------------------------------------------------------------


def _assert_released(dns_port: int, smtp_port: int, ca_file: Path) -> None:
    for host, port in [("127.0.0.1", dns_port)] + [(h.address, smtp_port) for h in HOSTS]:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((host, port), timeout=TIMEOUT).close()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", dns_port))
    for host in [h.address for h in HOSTS]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            tcp.bind((host, smtp_port))
            tcp.listen()
    assert not ca_file.exists()


# How fast the lab starts and stops is measured by benchmarks/lab_start.py. The tests below
# only bound a stop well under the delays its servers are given: no exit waits on a client.
STOP_BOUND = 10.0


def test_lab_releases_everything_on_exit() -> None:
    threads_before = set(threading.enumerate())
    with start_lab(dns_delay=0.05) as lab:
        assert lab.nameserver == f"127.0.0.1:{lab.dns_port}"
        assert lab.ca_file.is_file()
        assert lab.dns_port > 1024 and lab.smtp_port > 1024
        starttls(lab, "mx.cabinet-conforme.fr", verifying_context(lab))
        # An idle TCP client and an unanswered mute connection must not hold the exit.
        idle_dns = socket.create_connection(("127.0.0.1", lab.dns_port), timeout=TIMEOUT)
        mute = socket.create_connection(("127.0.0.19", lab.smtp_port), timeout=TIMEOUT)
        ports = (lab.dns_port, lab.smtp_port, lab.ca_file)
        stopping = time.monotonic()
    assert time.monotonic() - stopping < STOP_BOUND
    idle_dns.close()
    mute.close()
    _assert_released(*ports)
    assert set(threading.enumerate()) <= threads_before


def test_lab_stops_at_once_with_misbehaving_sessions_in_progress() -> None:
    threads_before = set(threading.enumerate())
    with start_lab(smtp_greeting_delay=30.0) as lab:
        # Sessions waiting out the greeting delay on every scripted server, and a
        # connection attempt stuck on the filtered port.
        waiting = [
            socket.create_connection((host.address, lab.smtp_port), timeout=TIMEOUT)
            for host in HOSTS
            if host.misbehaviour not in (None, Misbehaviour.FILTERED)
        ]
        # Every scripted misbehaviour has its host, and each one is waiting here.
        scripted = {h.misbehaviour for h in HOSTS if h.misbehaviour is not None}
        assert scripted == set(Misbehaviour)
        assert len(waiting) == len(scripted) - 1
        stuck = socket.socket()
        stuck.setblocking(False)
        assert stuck.connect_ex((misbehaving_address(lab, Misbehaviour.FILTERED), lab.smtp_port))
        ports = (lab.dns_port, lab.smtp_port, lab.ca_file)
        stopping = time.monotonic()
    assert time.monotonic() - stopping < STOP_BOUND
    for sock in [*waiting, stuck]:
        sock.close()
    _assert_released(*ports)
    assert set(threading.enumerate()) <= threads_before


def test_tls_casse_session_left_open_does_not_hold_the_exit() -> None:
    threads_before = set(threading.enumerate())
    with start_lab() as lab:
        address = misbehaving_address(lab, Misbehaviour.TLS_BROKEN)
        client = smtplib.SMTP(address, lab.smtp_port, timeout=TIMEOUT)
        client.ehlo("auditeur.example")
        assert client.docmd("STARTTLS")[0] == 220
        # The handshake fails but the client keeps its socket open: the server is left
        # waiting for it to hang up.
        tls = reading_context().wrap_socket(client.sock, do_handshake_on_connect=False)
        with pytest.raises(ssl.SSLError):
            tls.do_handshake()
        ports = (lab.dns_port, lab.smtp_port, lab.ca_file)
        stopping = time.monotonic()
    assert time.monotonic() - stopping < STOP_BOUND
    tls.close()
    client.close()
    _assert_released(*ports)
    assert set(threading.enumerate()) <= threads_before


def test_lab_is_torn_down_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError, match="boum"), start_lab() as lab:
        ports = (lab.dns_port, lab.smtp_port, lab.ca_file)
        raise RuntimeError("boum")
    _assert_released(*ports)


# --- TLS depth, client protocols and hostile servers -------------------------------------


def _host(scenario: str) -> tuple[str, str]:
    (host,) = [h for h in HOSTS if h.scenario == scenario]
    return host.hostname, host.address


def test_tls_1_3_only_server_refuses_tls_1_2(lab: Lab) -> None:
    hostname, _ = _host("tls-13")
    assert starttls(lab, hostname, verifying_context(lab))
    up_to_1_2 = verifying_context(lab)
    up_to_1_2.maximum_version = ssl.TLSVersion.TLSv1_2
    with pytest.raises(ssl.SSLError):
        starttls(lab, hostname, up_to_1_2)


def test_weak_cipher_server_accepts_an_anonymous_suite(lab: Lab) -> None:
    hostname, _ = _host("tls-suites-faibles")
    anonymous = reading_context()
    anonymous.maximum_version = ssl.TLSVersion.TLSv1_2
    anonymous.set_ciphers("aNULL:@SECLEVEL=0")
    client = smtplib.SMTP(address_of(lab, hostname), lab.smtp_port, timeout=TIMEOUT)
    try:
        client.ehlo("auditeur.example")
        assert client.docmd("STARTTLS")[0] == 220
        client.sock = anonymous.wrap_socket(client.sock, server_hostname=hostname)
        cipher = client.sock.cipher()
        assert cipher is not None and cipher[0].startswith(("ADH", "AECDH"))
    finally:
        client.close()


def _chain_length(lab: Lab, scenario: str) -> int:
    hostname, address = _host(scenario)
    client = smtplib.SMTP(address, lab.smtp_port, timeout=TIMEOUT)
    try:
        client.ehlo("auditeur.example")
        assert client.docmd("STARTTLS")[0] == 220
        tls = reading_context().wrap_socket(client.sock, server_hostname=hostname)
        client.sock = tls
        return len(tls._sslobj.get_unverified_chain())  # type: ignore[union-attr]
    finally:
        client.close()


def test_intermediate_is_sent_or_forgotten_as_the_scenario_says(lab: Lab) -> None:
    assert _chain_length(lab, "tls-intermediaire") == 2
    assert _chain_length(lab, "tls-chaine-incomplete") == 1
    with pytest.raises(ssl.SSLCertVerificationError):
        starttls(lab, _host("tls-chaine-incomplete")[0], verifying_context(lab))
    assert starttls(lab, _host("tls-intermediaire")[0], verifying_context(lab))


def _read_all(sock: socket.socket, limit: int) -> int:
    total = 0
    while total < limit and (data := sock.recv(65536)):
        total += len(data)
    return total


def test_huge_banner_is_a_mebibyte(lab: Lab) -> None:
    with socket.create_connection((_host("hostile-banniere")[1], lab.smtp_port), TIMEOUT) as sock:
        assert _read_all(sock, FLOOD_BYTES) >= FLOOD_BYTES


def test_drip_server_sends_one_byte_then_waits(lab: Lab) -> None:
    with socket.create_connection((_host("hostile-goutte")[1], lab.smtp_port), TIMEOUT) as sock:
        assert sock.recv(100) == b"2"
        sock.settimeout(DRIP_INTERVAL / 2)
        with pytest.raises(TimeoutError):
            sock.recv(100)


def _after_starttls(lab: Lab, scenario: str) -> socket.socket:
    client = smtplib.SMTP(_host(scenario)[1], lab.smtp_port, timeout=TIMEOUT)
    client.ehlo("auditeur.example")
    assert client.docmd("STARTTLS")[0] == 220
    assert client.sock is not None
    return client.sock


def test_stalling_server_never_answers_the_client_hello(lab: Lab) -> None:
    sock = _after_starttls(lab, "hostile-negociation")
    try:
        sock.settimeout(0.3)
        with pytest.raises(TimeoutError):
            reading_context().wrap_socket(sock)
    finally:
        sock.close()


def test_garbage_server_floods_after_starttls(lab: Lab) -> None:
    sock = _after_starttls(lab, "hostile-dechets")
    try:
        sock.sendall(b"\x16\x03\x01\x00\x00")
        assert _read_all(sock, FLOOD_BYTES) >= FLOOD_BYTES
    finally:
        sock.close()


def test_greylisting_server_defers_ehlo_and_helo(lab: Lab) -> None:
    client = smtplib.SMTP(_host("hostile-liste-grise")[1], lab.smtp_port, timeout=TIMEOUT)
    try:
        assert client.ehlo("auditeur.example")[0] == 451
        assert client.helo("auditeur.example")[0] == 451
    finally:
        client.close()


def test_client_hosts_are_announced_by_srv_at_their_address(lab: Lab) -> None:
    for host in CLIENT_HOSTS:
        domain = lab.scenarios[host.scenario].domain
        assert address_of(lab, host.hostname) == host.address
        targets = set()
        for service in ("imaps", "imap", "pop3s", "pop3", "submissions", "submission"):
            with contextlib.suppress(dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
                answer = resolver(lab).resolve(f"_{service}._tcp.{domain}", "SRV")
                targets |= {str(r.target).rstrip(".") for r in answer if str(r.target) != "."}
        assert targets == {host.hostname}


def test_client_servers_speak_to_the_standard_library_clients(lab: Lab) -> None:
    address = "127.0.0.60"
    # These clients check the name they dialled (an address); the chain is still verified.
    context = verifying_context(lab)
    context.check_hostname = False
    imap = imaplib.IMAP4(address, lab.ports["imap"], timeout=TIMEOUT)
    assert "LOGINDISABLED" in imap.capabilities
    imap.starttls(context)
    imap.logout()
    with imaplib.IMAP4_SSL(address, lab.ports["imaps"], ssl_context=context, timeout=TIMEOUT):
        pass
    pop = poplib.POP3(address, lab.ports["pop3"], timeout=TIMEOUT)
    assert "STLS" in pop.capa() and "USER" not in pop.capa()
    pop.quit()
    with smtplib.SMTP(address, lab.ports["submission"], timeout=TIMEOUT) as submission:
        submission.ehlo("auditeur.example")
        assert submission.has_extn("starttls") and not submission.has_extn("auth")
        submission.starttls(context=context)
        submission.ehlo("auditeur.example")
        assert submission.has_extn("auth")


def test_clear_text_client_server_offers_passwords_without_tls(lab: Lab) -> None:
    address = "127.0.0.61"
    pop = poplib.POP3(address, lab.ports["pop3"], timeout=TIMEOUT)
    assert "USER" in pop.capa() and "STLS" not in pop.capa()
    pop.quit()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((address, lab.ports["imaps"]), timeout=TIMEOUT)
