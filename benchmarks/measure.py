"""Run one command and print its wall time, CPU time and peak memory as one line of JSON.

    python benchmarks/measure.py [--cwd DIR] [--env NAME=VALUE ...] -- COMMAND ...

Run in a fresh process for each measurement: ``RUSAGE_CHILDREN``'s ``ru_maxrss``
is the largest resident set of any child waited for so far, so a process that
measures several commands would report the largest of them all. Here the only
child is the command (with its own children), and its peak is that of its
largest single process. The clock starts just before the command starts.
CPU time (user + system, all its processes and threads) varies less than
wall time on a machine shared with other work.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cwd")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    env = dict(os.environ)
    # Python programs run as installed ones do, keeping their compiled modules between runs;
    # where this is turned off, every run would compile every module again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(item.split("=", 1) for item in args.env)
    started = time.perf_counter()
    done = subprocess.run(
        command,
        cwd=args.cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
                "peak_mib": usage.ru_maxrss / 1024,  # ru_maxrss is in KiB on Linux
                "returncode": done.returncode,
                "stderr": done.stderr.decode("utf-8", "replace")[-2000:],
            }
        )
    )
    sys.exit(0)


if __name__ == "__main__":
    main()
