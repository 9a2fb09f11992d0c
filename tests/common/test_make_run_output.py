"""`make run` as a newcomer sees it: short steps and bars, no log line per task, our own 404."""

import logging
import shutil
import subprocess
from pathlib import Path

import pytest

from common.jobs import task_logs_quiet

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_in_process_tasks_log_no_line_each_inside_a_quiet_command(caplog):
    from influencers.tasks import influencer_summary_rebuild_task
    from tests.factories import InfluencerFactory

    influencer = InfluencerFactory()
    caplog.set_level(logging.INFO)
    influencer_summary_rebuild_task.delay(influencer.pk)
    loud = [r for r in caplog.records if r.name == "celery.app.trace"]
    caplog.clear()
    with task_logs_quiet():
        influencer_summary_rebuild_task.delay(influencer.pk)
    quiet = [r for r in caplog.records if r.name == "celery.app.trace"]
    assert loud and not quiet
    assert logging.getLogger("celery.app.trace").level != logging.WARNING  # restored


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_make_run_prints_numbered_steps_and_serves_without_the_debug_404():
    plan = subprocess.run(
        ["make", "-n", "--no-print-directory", "run"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    assert "[1/3]" in plan and "[2/3]" in plan and "[3/3]" in plan
    assert "migrate --noinput -v 0" in plan
    assert "open http://127.0.0.1:8000" in plan
    assert "DJANGO_DEBUG=false" in plan and "runserver 127.0.0.1:8000" in plan
