"""Wall time of `rgpd-audit --help` (median of 10 runs): start-up must stay light."""

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 10


def main() -> None:
    exe = shutil.which("rgpd-audit") or str(Path(sys.executable).with_name("rgpd-audit"))
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([exe, "--help"], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    print(
        f"rgpd-audit --help : médiane {statistics.median(times):.3f} s "
        f"(min {min(times):.3f}, max {max(times):.3f}, {RUNS} exécutions)"
    )


if __name__ == "__main__":
    main()
