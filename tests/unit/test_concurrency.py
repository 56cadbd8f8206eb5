"""The main thread's waits: an item as soon as it comes, `queue.Empty` at the timeout, and a
Ctrl-C received by another thread acted on while waiting (tests/portfolio/test_resume.py)."""

import queue
import threading

import pytest

from rgpd_audit.concurrency import SIGNAL_CHECK_INTERVAL, get_interruptibly


def test_an_item_put_after_several_slices_is_returned() -> None:
    items: queue.SimpleQueue[str] = queue.SimpleQueue()
    later = threading.Timer(3 * SIGNAL_CHECK_INTERVAL, items.put, args=("fini",))
    later.start()
    assert get_interruptibly(items) == "fini"
    later.join()


def test_nothing_before_the_timeout_is_empty() -> None:
    items: queue.SimpleQueue[str] = queue.SimpleQueue()
    with pytest.raises(queue.Empty):
        get_interruptibly(items, 1.5 * SIGNAL_CHECK_INTERVAL)
    items.put("déjà là")
    assert get_interruptibly(items, 0) == "déjà là"
