"""Load with a fault, short enough for CI: browsing and uploading users on loopback against
gunicorn (production settings) and a real worker on Redis, while the worker restarts.

The harness is bench/load_faults.py (its full run, 50 + 5 users for minutes, is in
docs/benchmarks.md); this runs it small and checks what must hold at any size: no read answered
5xx or left unanswered, and every accepted upload ended done. No timing is asserted.
"""

import json
import subprocess
import sys

import pytest
from django.db import connection

from tests.conftest import ROOT, database_url_for_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def catalogue(active_model):
    from influencers.services.profiles import influencer_style_profile_rebuild
    from tests.factories import InfluencerFactory, classified_post

    styles = ["romantic", "resort", "street", "modern", "feminine", "classic"]
    for n, style in enumerate(styles * 2):
        influencer = InfluencerFactory(handle=f"load_{n}")
        for likes in (10, 40, 90):
            classified_post(influencer, style, likes * (n + 1))
        influencer_style_profile_rebuild(influencer_id=influencer.pk)


def test_reads_never_fail_and_every_accepted_upload_finishes_while_the_worker_restarts(
    broker_mode, redis_url, catalogue, settings, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("the load run needs PostgreSQL: SQLite serialises the concurrent writers")
    out = tmp_path / "load.json"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DATABASE_URL": database_url_for_worker(),
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": settings.MEDIA_ROOT,
        "MODEL_CACHE_DIR": settings.MODEL_CACHE_DIR,
        "STYLEMATCH_SHARED_DATA": str(settings.SHARED_DATA_DIR),
    }
    result = subprocess.run(
        [sys.executable, "bench/load_faults.py", "--skip-setup", "--browsers", "12"]
        + ["--uploaders", "3", "--seconds", "30", "--restart-at", "12", "--web-workers", "2"]
        + ["--settle-seconds", "120", "--log-dir", str(tmp_path / "logs"), "--json", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
    )
    logs = "\n".join(p.read_text()[-2000:] for p in sorted((tmp_path / "logs").glob("*.log")))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:] + logs
    report = json.loads(out.read_text())
    assert report["worker_restarts"] == 1
    assert report["bad_reads"] == {}
    assert report["uploads_accepted"] >= 3
    assert report["uploads_done"] == report["uploads_accepted"]
    assert not report["uploads_failed"] and not report["uploads_unfinished"]
    reads = sum(r["requests"] for kind, r in report["requests"].items() if kind != "api upload")
    assert reads > 100  # the users really browsed through the restart
