"""Test-only fault injection for one article at one stage of the build.

The store has its own kill points (``KG_TEST_KILL_AT``, :func:`kg.store.snapshots.fault_point`):
whole-process crashes at write operations. This hook makes *one article* fail, to check
that the build isolates it (``tests/test_isolation.py``). Nothing happens unless
``KG_TEST_FAULT`` is set:

``KG_TEST_FAULT=<stage>:<article>[:<action>][,...]``
    ``stage`` is one of :data:`STAGES`; ``article`` the article's identifier (its file
    name, or a JSONL record's id; for ``read``, the file name); ``action`` is ``raise``
    (default: a :class:`InjectedFault`, as a bug would) or ``kill`` (the process sends
    itself ``SIGKILL``, as the kernel's out-of-memory killer would; meant for worker processes).
``KG_TEST_FAULT_ONCE=<path>``
    the fault fires only once across all processes: the first to fire creates ``path``,
    and no fault fires while it exists (a killed worker's articles then succeed when retried).
"""

from __future__ import annotations

import os
import signal
import sys

STAGES = ("read", "nlp", "resolve", "rdf", "write")


class InjectedFault(RuntimeError):
    """The exception ``KG_TEST_FAULT`` raises: not a :class:`kg.errors.KGError`, like a bug."""


def article_fault(stage: str, article: str) -> None:
    """Fail here if ``KG_TEST_FAULT`` asks for ``stage`` and ``article``; else do nothing."""
    wanted = os.environ.get("KG_TEST_FAULT")
    if not wanted:
        return
    for item in wanted.split(","):
        where, _, rest = item.partition(":")
        name, action = rest, "raise"
        if rest.endswith((":raise", ":kill")):
            name, _, action = rest.rpartition(":")
        if where == stage and name == article and _first_time():
            _fire(stage, article, action)


def _first_time() -> bool:
    once = os.environ.get("KG_TEST_FAULT_ONCE")
    if not once:
        return True
    try:
        os.close(os.open(once, os.O_CREAT | os.O_EXCL | os.O_WRONLY))  # atomic: one process wins
    except FileExistsError:
        return False
    return True


def _fire(stage: str, article: str, action: str) -> None:
    if action == "kill":
        print(f"kg: test fault injection: SIGKILL at {stage} for {article}", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    raise InjectedFault(f"test fault injected at {stage} for {article}")


__all__ = ["STAGES", "InjectedFault", "article_fault"]
