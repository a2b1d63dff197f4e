"""Work spread over worker processes, the results in the order of the work.

Stages that convert or render page by page hand their work here in chunks:
few round trips, still an even spread over the workers. ``map`` returns the
chunks in the order they were sent, so the result does not depend on which
worker was faster.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

CHUNKS_PER_WORKER = 4
MAX_CHUNK = 32


def can_fork() -> bool:
    """Whether workers can start as copies of this process, sharing what it holds without
    pickling it: on Linux. (On macOS forking is unsafe, and Windows cannot.)"""
    import multiprocessing  # here, as below: most rebuilds need no workers

    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def in_workers(
    items: Sequence[Any],
    jobs: int,
    run_chunk: Callable[[tuple], tuple],
    start: Callable[..., None],
    start_args: tuple,
    *,
    fork: bool = False,
) -> list:
    """``run_chunk`` over ``items`` in chunks, in ``jobs`` processes that each first run
    ``start(*start_args)``; the results in the order of ``items``.

    With ``fork``, the workers are copies of this process (see ``can_fork``): ``start_args``
    may then hold what cannot be pickled, such as Jinja environments.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    workers = min(jobs, len(items))
    size = min(MAX_CHUNK, -(-len(items) // (workers * CHUNKS_PER_WORKER)))
    chunks = [tuple(items[first : first + size]) for first in range(0, len(items), size)]
    context = multiprocessing.get_context("fork" if fork else None)
    if context.get_start_method() == "fork":  # copies of this process, sharing what it holds open
        start, start_args = _begin, (os.getpid(), start, start_args)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=start, initargs=start_args) as pool:
        return [result for chunk in pool.map(run_chunk, chunks) for result in chunk]


def _begin(parent: int, start: Callable[..., None], start_args: tuple) -> None:
    _end_with(parent)
    start(*start_args)


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _end_with(parent: int) -> None:
    """Make this worker end when the build that started it ends, however it ends. A worker
    forked from the build shares its lock on the output folder (see ``write.output_lock``):
    one left waiting for work after the build was killed would keep every later build out."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build ended before that took effect
        os._exit(1)
