"""Where `make setup` spends its time on a fresh clone (issue 22).

    .venv/bin/python bench/setup_time.py [--ref COMMIT] [--clone /tmp/setup-bench]

Clones this repository (at --ref, default HEAD) into a new folder, runs `make setup` there with its
own virtual environment, and times each step from the lines make prints: installing the
requirements (until "[1/3]"), the database ("[1/3]" to "[2/3]"), the demo style model ("[2/3]" to
"[3/3]") and the demo catalogue (the rest). pip's cache (~/.cache/pip) is what the machine has, as
it is for a newcomer who ran pip before; the torch pair comes from the machine's local wheels.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The line make prints as each step starts, and that step's name.
MARKS = {"[1/3]": "migrate", "[2/3]": "demo model", "[3/3]": "demo catalogue"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="HEAD")
    parser.add_argument("--clone", default="/tmp/stylematch-setup-bench")
    parser.add_argument("--keep", action="store_true", help="leave the clone in place")
    args = parser.parse_args()
    clone = Path(args.clone)
    shutil.rmtree(clone, ignore_errors=True)
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", args.ref], check=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE")
    }
    load_before = os.getloadavg()
    started = last = time.perf_counter()
    steps: dict[str, float] = {}
    step = "pip install"
    proc = subprocess.Popen(
        ["make", "setup"],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    for line in proc.stdout:
        now = time.perf_counter()
        sys.stdout.write(f"{now - started:7.1f}s  {line}")
        for mark, name in MARKS.items():
            if line.startswith(mark):
                steps[step], step, last = now - last, name, now
    if proc.wait():
        raise SystemExit(f"make setup failed ({proc.returncode})")
    end = time.perf_counter()
    steps[step] = end - last
    print(f"\nmake setup at {args.ref}: {end - started:.0f} s in all")
    for name, seconds in steps.items():
        print(f"  {name:15} {seconds:6.1f} s")
    print(f"load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}")
    if not args.keep:
        shutil.rmtree(clone, ignore_errors=True)


if __name__ == "__main__":
    main()
