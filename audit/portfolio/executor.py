"""Where the practices of a batch are audited: local threads (default) or a Dask cluster.

Both executors take the jobs as an iterator and keep a bounded number in flight, pulling
the next one only when one finishes, and hand each `PracticeOutcome` to `on_done`, one at a
time, as soon as it arrives (local: on the thread that audited it; Dask: in the calling
thread): the client list is streamed, results are written as
they come, and memory does not grow with the number of practices. The unit of work is
`process_practice`, the same function `run` calls; nothing is distributed by hand.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass

from rgpd_audit.concurrency import get_interruptibly, start_workers
from rgpd_audit.errors import NetworkUnusable
from rgpd_audit.net.sharing import SharedNetwork
from rgpd_audit.practice import PracticeJob, PracticeOutcome, failed_outcome, process_practice

OnDone = Callable[[PracticeOutcome], None]

#: Seconds the batch waits for a Dask scheduler to answer before giving up (exit 3).
DASK_CONNECT_TIMEOUT = 20


@dataclass(frozen=True)
class Politeness:
    """The batch's paces (`--max-rate`, `--max-dns-rate`), per second; None: no limit."""

    max_rate: float | None
    max_dns_rate: float | None

    def shared_network(self) -> SharedNetwork:
        """A fresh `SharedNetwork` with these paces."""
        return SharedNetwork(self.max_rate, self.max_dns_rate)


def _safely(job: PracticeJob, shared: SharedNetwork) -> PracticeOutcome:
    try:
        return process_practice(job, shared=shared)
    except Exception as exc:
        # A bug met by one practice must not stop the others: it is that practice's failure.
        return failed_outcome(job, f"erreur interne : {type(exc).__name__}: {exc}", "interne")


def run_local(
    jobs: Iterator[PracticeJob], workers: int, shared: SharedNetwork, on_done: OnDone
) -> None:
    """Audit `jobs` on `workers` threads of this process, which share `shared`.

    Each thread hands its outcome to `on_done` itself, as soon as the audit ends: the history
    records an audit before its state says it is finished, and a Ctrl-C landing between the
    two would make --resume audit and record that practice again. Daemon threads: on Ctrl-C
    (raised here, in the calling thread) the audits under way are abandoned with the process,
    once an outcome being handed over has been fully recorded, and no other is handed over
    after it. An audit whose history entry is written but whose outcome was not yet handed
    over is still audited and recorded again by --resume: the gap is a few milliseconds.
    """
    lock = threading.Lock()
    delivering = threading.Lock()
    ended: queue.SimpleQueue[BaseException | None] = queue.SimpleQueue()

    def work() -> None:
        try:
            while True:
                with lock:
                    job = next(jobs, None)
                if job is None:
                    break
                outcome = _safely(job, shared)
                with delivering:
                    on_done(outcome)
        except BaseException as exc:
            # Recording an outcome failed (a full disk…): the batch stops, as it would have
            # in the calling thread.
            ended.put(exc)
            return
        ended.put(None)

    start_workers(workers, work, "practice")
    running = workers
    try:
        while running:
            error = get_interruptibly(ended)
            running -= 1
            if error is not None:
                raise error
    except KeyboardInterrupt:
        # An outcome being recorded is recorded whole before the process leaves; the lock is
        # kept, so that no thread starts recording another while the process stops.
        delivering.acquire()
        raise


# One SharedNetwork per Dask worker process and per paces: the audits a worker runs share
# their probes and DNS answers as the local executor's threads do.
_worker_networks: dict[Politeness, SharedNetwork] = {}
_worker_lock = threading.Lock()


def audit_on_worker(job: PracticeJob, politeness: Politeness) -> PracticeOutcome:
    """The task a Dask worker runs: one practice, with the worker's shared network."""
    with _worker_lock:
        shared = _worker_networks.get(politeness)
        if shared is None:
            shared = _worker_networks[politeness] = politeness.shared_network()
    return _safely(job, shared)


def run_dask(
    jobs: Iterator[PracticeJob],
    scheduler: str,
    in_flight: int | None,
    politeness: Politeness,
    on_done: OnDone,
) -> None:
    """Audit `jobs` on the Dask cluster of `scheduler`, at most `in_flight` at a time
    (default: twice the cluster's threads); `NetworkUnusable` if it cannot be reached."""
    from distributed import Client, as_completed

    try:
        client = Client(scheduler, timeout=DASK_CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise NetworkUnusable(
            f"ordonnanceur Dask {scheduler} injoignable ({type(exc).__name__})"
        ) from None
    try:
        if in_flight is None:
            threads = sum(client.nthreads().values())
            in_flight = max(2 * threads, 1)
        pending: dict[Hashable, PracticeJob] = {}  # by the future's key
        completed = as_completed(loop=client.loop)

        def submit_next() -> None:
            job = next(jobs, None)
            if job is None:
                return
            # pure=False: auditing the same practice twice is two audits, never a cached one.
            future = client.submit(audit_on_worker, job, politeness, pure=False)
            pending[future.key] = job
            completed.add(future)

        for _ in range(in_flight):
            submit_next()
        for future in completed:
            job = pending.pop(future.key)
            try:
                outcome = future.result()
            except Exception as exc:
                # A worker lost mid-task (killed, out of memory) is that practice's failure.
                outcome = failed_outcome(
                    job, f"tâche Dask en échec : {type(exc).__name__}: {exc}", "interne"
                )
            future.release()
            on_done(outcome)
            submit_next()
    finally:
        client.close()
