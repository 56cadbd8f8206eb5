"""Daemon worker threads, and imports made while they run.

`concurrent.futures` pools use non-daemon threads that the interpreter joins at exit: a
server trickling bytes would then keep the process alive after the audit's deadline or a
Ctrl-C. Checks only wait on sockets, so abandoning their threads at exit loses nothing.
"""

from __future__ import annotations

import functools
import importlib
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import ParamSpec, TypeVar

T = TypeVar("T")
Item = TypeVar("Item")
P = ParamSpec("P")

#: Held by whoever imports modules while other threads may be running: see `import_modules`.
import_lock = threading.RLock()


def import_modules(*names: str) -> None:
    """Import the modules `names`, one thread of the process at a time.

    Python 3.11 (3.11.7 here; not 3.10, 3.12 or 3.13) counts the depth of the AST it builds in
    one counter per interpreter: two threads inside `ast.parse` at once can corrupt it, and
    one of them fails with « SystemError: AST constructor recursion depth mismatch » (CPython
    issue gh-106905). Importing a module that defines a pydantic model with a builtin default
    factory (`default_factory=list`) runs `ast.parse`: pydantic reads the factory's signature,
    which `inspect` parses from the builtin's text signature. The tool imports lazily (a fast
    `--help`), so the first audits of a fresh process, on a batch's threads or a Dask worker's,
    imported the checks and the rest together, and one failed as a whole. Such imports go
    through this lock; once a module is loaded, importing it again is a dictionary lookup.
    """
    with import_lock:
        for name in names:
            importlib.import_module(name)


def cached_once(func: Callable[P, T]) -> Callable[P, T]:
    """`functools.cache` whose value is computed once even when threads ask for it together.

    `functools.cache` does not lock: the 32 audits a batch starts at once all missed the
    cache of the shipped data files (mail providers, DKIM selectors, receivers…) and each
    parsed and validated the YAML again, a tenth of a 300-practice batch's CPU. Loaders of
    such data take this instead. The lock is held while computing; later calls only wait
    for the dictionary lookup. A failure is not cached (raised again at the next call), as
    with `functools.cache`.
    """
    # Seen as a plain callable: functools.cache's own type wants hashable arguments, which
    # every loader given here has (none, or a path).
    cached: Callable[..., T] = functools.cache(func)
    lock = threading.RLock()

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with lock:
            return cached(*args, **kwargs)

    return wrapper


#: Longest a wait of the main thread lasts at once (seconds): see `get_interruptibly`.
SIGNAL_CHECK_INTERVAL = 0.2


def get_interruptibly(items: queue.SimpleQueue[T], timeout: float | None = None) -> T:
    """`items.get(timeout=timeout)` for the main thread, which sees Ctrl-C at once.

    The kernel may deliver Ctrl-C to any thread of the process: Python then raises
    KeyboardInterrupt only when its main thread next runs Python code, and a main thread
    blocked in one long `get` would notice it when the whole batch had ended. Waiting in
    short slices, it notices within `SIGNAL_CHECK_INTERVAL`. `queue.Empty` at the timeout.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        wait = SIGNAL_CHECK_INTERVAL
        if deadline is not None:
            wait = max(0.0, min(wait, deadline - time.monotonic()))
        try:
            return items.get(timeout=wait)
        except queue.Empty:
            if deadline is not None and time.monotonic() >= deadline:
                raise


def start_workers(count: int, work: Callable[[], None], name: str) -> None:
    """Start `count` daemon threads running `work`."""
    for index in range(count):
        threading.Thread(target=work, name=f"{name}-{index}", daemon=True).start()


def parallel_map(func: Callable[[Item], T], items: Sequence[Item], max_workers: int = 8) -> list[T]:
    """`func` over `items` on daemon threads; results in order; the first error is raised."""
    if len(items) <= 1:
        return [func(item) for item in items]
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(items)):
        todo.put(index)
    results: list[T | None] = [None] * len(items)
    errors: list[BaseException | None] = [None] * len(items)
    finished = threading.Semaphore(0)

    def work() -> None:
        while True:
            try:
                index = todo.get_nowait()
            except queue.Empty:
                return
            try:
                results[index] = func(items[index])
            except BaseException as exc:  # handed over to the caller below
                errors[index] = exc
            finished.release()

    start_workers(min(max_workers, len(items)), work, "net")
    for _ in items:
        finished.acquire()
    for error in errors:
        if error is not None:
            raise error
    return results  # type: ignore[return-value]
