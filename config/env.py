"""The environment every settings module reads, and where the embedded defaults keep their files."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

DATA_DIR = Path(env.str("STYLEMATCH_DATA_DIR", default=str(BASE_DIR / "data")))
