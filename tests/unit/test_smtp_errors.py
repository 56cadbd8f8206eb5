import errno

from rgpd_audit.net.smtp import no_route


def test_no_ipv6_connectivity_is_told_apart_from_a_dead_server() -> None:
    assert no_route("2001:db8::25", OSError(errno.ENETUNREACH, "Network is unreachable"))
    assert no_route("2001:db8::25", OSError(errno.EADDRNOTAVAIL, "Cannot assign address"))
    assert not no_route("192.0.2.25", OSError(errno.ENETUNREACH, "Network is unreachable"))
    assert not no_route("2001:db8::25", ConnectionRefusedError(errno.ECONNREFUSED, "refused"))
    assert not no_route("2001:db8::25", TimeoutError())
