from rgpd_audit.text import printable


def test_terminal_escapes_and_nul_are_neutralised() -> None:
    banner = b"220 mx ESMTP \x1b]0;pwned\x07\x1b[2J\x00ok\xff"
    shown = printable(banner)
    assert "\x1b" not in shown and "\x07" not in shown and "\x00" not in shown
    assert shown.startswith("220 mx ESMTP") and shown.endswith("ok\ufffd")
