"""An asyncio event loop in its own thread, serving client sessions until the lab stops.

The lab's hand-written servers (client protocols, misbehaving SMTP) share this: sessions are
tasks recorded at accept time and cancelled on stop, so that no client, however slow or
silent, can hold up the lab's exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Coroutine, Sequence
from typing import Any


class SessionLoop:
    """Runs `main` on a private event loop in a daemon thread, from `start()` to `stop()`.

    `main` opens its servers, hands each connection to `spawn()`, awaits `wait_stopped()`
    and ends with `shut_down()`.
    """

    def __init__(self, main: Callable[[], Coroutine[Any, Any, None]], thread_name: str) -> None:
        self._main = main
        self._loop = asyncio.new_event_loop()
        self._stopping = asyncio.Event()
        self._sessions: set[asyncio.Task[None]] = set()
        self._thread = threading.Thread(target=self._run, name=thread_name, daemon=True)

    def start(self) -> None:
        """Start running `main` in the background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Ask `main` to end, wait for the thread, then close the loop."""
        if self._thread.is_alive():
            # The thread may end on its own between the check and the call.
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stopping.set)
            self._thread.join()
        self._loop.close()

    def spawn(
        self, session: Callable[[], Coroutine[Any, Any, None]], writer: asyncio.StreamWriter
    ) -> None:
        """Run `session()`, the conversation on `writer`'s connection, as a task ended on stop."""
        # The task is created and recorded here, at accept time, so that a session that has
        # not run yet is still cancelled on stop (asyncio would otherwise warn on exit).
        task = asyncio.get_running_loop().create_task(_guarded(session, writer))
        self._sessions.add(task)
        task.add_done_callback(self._sessions.discard)

    async def wait_stopped(self) -> None:
        """Return once `stop()` has been called."""
        await self._stopping.wait()

    async def shut_down(self, servers: Sequence[asyncio.AbstractServer]) -> None:
        """Close `servers` and end every session, then wait for the servers to be closed."""
        for server in servers:
            server.close()
        # Cancelling, rather than waiting, is what keeps shutdown fast during a long
        # greeting delay or with a client that never hangs up.
        sessions = list(self._sessions)
        for task in sessions:
            task.cancel()
        await asyncio.gather(*sessions, return_exceptions=True)
        for server in servers:
            await server.wait_closed()

    def _run(self) -> None:
        self._loop.run_until_complete(self._main())


async def _guarded(
    session: Callable[[], Coroutine[Any, Any, None]], writer: asyncio.StreamWriter
) -> None:
    # `session` is only called here: a coroutine made at accept time would never be awaited,
    # and warn, if stop() cancelled the task before it started.
    try:
        await session()
    except asyncio.CancelledError:
        # A client that stopped reading must not hold the lab's exit on a flush.
        writer.transport.abort()
        raise
    except (OSError, ValueError):
        # Client gone, failed TLS handshake (ssl.SSLError is an OSError), or a line beyond
        # the reader's limit (ValueError): the session simply ends.
        pass
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
