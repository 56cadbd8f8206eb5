"""Start and stop of the local lab (keys, certificates, signed zones, servers on loopback).

Prints the median over --runs of: the wall and CPU time of a start, and the wall time of a
stop with an idle DNS client and a mute SMTP connection left open (the exit must not wait
for them). The test suite starts a lab per worker and the demo one per command: a slow start
is paid that often.

    python benchmarks/lab_start.py [--runs N]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import time

from rgpd_audit.cli_common import hide_third_party_warnings


def _one_cycle() -> tuple[float, float, float]:
    from rgpd_audit.lab import start_lab

    started, cpu_started = time.monotonic(), time.process_time()
    with start_lab() as lab:
        wall, cpu = time.monotonic() - started, time.process_time() - cpu_started
        idle = socket.create_connection(("127.0.0.1", lab.dns_port), timeout=5)
        mute = socket.create_connection(("127.0.0.19", lab.smtp_port), timeout=5)
        stopping = time.monotonic()
    stop = time.monotonic() - stopping
    idle.close()
    mute.close()
    return wall, cpu, stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    hide_third_party_warnings()  # before the lab's imports (dnspython's DSA warnings)
    cycles = [_one_cycle() for _ in range(args.runs)]
    walls, cpus, stops = zip(*cycles, strict=True)
    print(
        f"démarrage du laboratoire : médiane {statistics.median(walls):.2f} s "
        f"(CPU {statistics.median(cpus):.2f} s), arrêt : médiane "
        f"{statistics.median(stops):.2f} s (max {max(stops):.2f}), {args.runs} cycles"
    )


if __name__ == "__main__":
    main()
