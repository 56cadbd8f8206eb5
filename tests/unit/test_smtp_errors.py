import errno

from rgpd_audit.net.smtp import no_route


def test_no_ipv6_connectivity_is_told_apart_from_a_dead_server() -> None:
    assert no_route("2001:db8::25", OSError(errno.ENETUNREACH, "Network is unreachable"))
    assert no_route("2001:db8::25", OSError(errno.EADDRNOTAVAIL, "Cannot assign address"))
    assert not no_route("192.0.2.25", OSError(errno.ENETUNREACH, "Network is unreachable"))
    assert not no_route("2001:db8::25", ConnectionRefusedError(errno.ECONNREFUSED, "refused"))
    assert not no_route("2001:db8::25", TimeoutError())


def test_library_error_texts_never_reach_a_finding_in_english() -> None:
    import errno
    import smtplib

    import dns.message
    import dns.name

    from rgpd_audit.net.dns import dns_error_text
    from rgpd_audit.net.smtp import _error_info

    closed = _error_info(smtplib.SMTPServerDisconnected("Connection unexpectedly closed"))
    assert closed.message == "connexion fermée par le serveur"
    reset = _error_info(ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"))
    assert reset.message == "connexion impossible : connexion réinitialisée par le serveur"
    assert dns_error_text(dns.message.Truncated()) == "réponse tronquée"
    assert dns_error_text(dns.name.LabelTooLong()) == "élément de nom trop long"
