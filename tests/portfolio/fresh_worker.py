"""A fresh process auditing practices on four threads at once, as a new Dask worker does.

Run by test_thread_imports.py: `python fresh_worker.py JOBS REPORT`. JOBS holds pickled
`PracticeJob`s (unpickling them imports what a worker imports to run its first task); each
thread audits one through `audit_on_worker`, the Dask task itself. Every `ast.parse` made on
one of these threads without the tool's import lock is written to REPORT (JSON), with the
outcomes: on Python 3.11, two such calls at once can fail an audit (see import_modules).
"""

import ast
import json
import pickle
import sys
import threading
import traceback
from pathlib import Path

jobs = pickle.loads(Path(sys.argv[1]).read_bytes())

from rgpd_audit.concurrency import import_lock  # noqa: E402
from rgpd_audit.portfolio.executor import Politeness, audit_on_worker  # noqa: E402

unguarded: list[dict[str, object]] = []
parsed = {"guarded": 0}
original_parse = ast.parse


def watched_parse(*args, **kwargs):  # type: ignore[no-untyped-def]
    if threading.current_thread() is not threading.main_thread():
        if import_lock._is_owned():  # type: ignore[attr-defined]
            parsed["guarded"] += 1
        else:
            where = [
                f"{frame.filename.rsplit('/', 2)[-1]}:{frame.lineno}"
                for frame in traceback.extract_stack()[:-1]
                if "rgpd_audit" in frame.filename
                or "/audit/" in frame.filename
                or "/checks/" in frame.filename
            ]
            unguarded.append({"thread": threading.current_thread().name, "where": where[-4:]})
    return original_parse(*args, **kwargs)


ast.parse = watched_parse
outcomes: list[object] = [None] * len(jobs)


def audit(index: int) -> None:
    outcomes[index] = audit_on_worker(jobs[index], Politeness(None, None))


threads = [threading.Thread(target=audit, args=(i,)) for i in range(len(jobs))]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
report = {
    "unguarded": unguarded,
    "guarded": parsed["guarded"],
    "outcomes": [
        {"domain": o.domain, "ok": o.ok, "failure": o.failure}
        for o in outcomes  # type: ignore[attr-defined]
    ],
}
Path(sys.argv[2]).write_text(json.dumps(report), encoding="utf-8")
