"""Run a command beside N busy-looping processes, as on a loaded CI machine; print its wall time.

usage: python bench/under_load.py --busy 1 -- .venv/bin/python -m pytest tests/mlcore --durations=15
The busy processes are stopped when the command ends, whatever its exit status (which is returned).
"""

import argparse
import os
import subprocess
import sys
import time

BUSY_LOOP = "while True: pass"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--busy", type=int, default=1, help="busy-looping processes beside it")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    busy = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(args.busy)]
    started = time.perf_counter()
    try:
        status = subprocess.call(command)
    finally:
        for process in busy:
            process.kill()
            process.wait()
    print(
        f"{' '.join(command)}: {time.perf_counter() - started:.1f} s beside {args.busy} busy "
        f"process(es); load average after {os.getloadavg()[0]:.1f}",
        file=sys.stderr,
    )
    return status


if __name__ == "__main__":
    raise SystemExit(main())
