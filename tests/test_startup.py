"""Starting Django never imports torch (issue 22).

torch and torchvision take seconds to import; only a process that classifies or trains pays for
them (mlcore.inference, mlcore.network, mlcore.transforms, mlcore.train, imported inside the
functions that load or train a model). Every command, web process and test process starts without
them: each case runs in a fresh interpreter, since this test process has long imported torch.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "torchvision")

# Set Django up, import what a web process imports, run `manage.py check`, then (when asked) do
# what a classifying process does; print which heavy modules were loaded after each step.
PROBE = """
import io, json, sys
import django
from django.core.management import call_command

HEAVY = {heavy!r}
loaded = {{}}
def note(step):
    loaded[step] = sorted(name for name in HEAVY if name in sys.modules)

django.setup()
note("django.setup()")
import config.urls
note("config.urls")
import config.wsgi
note("config.wsgi")
call_command("check", stdout=io.StringIO())
note("manage.py check")
if {classify!r}:
    from recommender.services.classifiers import classifier_device
    classifier_device()
    note("classifier_device()")
print(json.dumps(loaded))
"""

SETTINGS_ENV = {
    "config.settings.test": {},
    "config.settings.local": {},
    "config.settings.production": {
        "DJANGO_SECRET_KEY": "a" * 20 + "-very-long-random-production-secret-9f8e7d6c5b4a",
        "DJANGO_ALLOWED_HOSTS": "stylematch.example.com",
        "REDIS_URL": "redis://127.0.0.1:6379/9",
    },
}


def heavy_modules_after_each_step(settings_module, tmp_path, *, classify=False):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "CACHE_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        STYLEMATCH_DATA_DIR=str(tmp_path),
        STYLE_MODEL_PRELOAD="false",
        **SETTINGS_ENV[settings_module],
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY, classify=classify)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("settings_module", sorted(SETTINGS_ENV))
def test_django_setup_the_urlconf_the_wsgi_app_and_check_import_no_torch(settings_module, tmp_path):
    loaded = heavy_modules_after_each_step(settings_module, tmp_path)

    assert loaded == {
        "django.setup()": [],
        "config.urls": [],
        "config.wsgi": [],
        "manage.py check": [],
    }


def test_the_probe_sees_torch_once_a_process_places_a_model(tmp_path):
    """The same probe reports torch as soon as the classifying path runs: the empty lists above
    are a finding, not a probe that cannot see."""
    loaded = heavy_modules_after_each_step("config.settings.test", tmp_path, classify=True)

    assert loaded["config.wsgi"] == []
    assert loaded["classifier_device()"] == ["torch", "torchvision"]
