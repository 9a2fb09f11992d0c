import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", **env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_without_a_warning(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "DJANGO_SECRET_KEY": "a" * 20 + "-very-long-random-production-secret-9f8e7d6c5b4a",
            "DJANGO_ALLOWED_HOSTS": "stylematch.example.com",
            "STYLEMATCH_DATA_DIR": str(tmp_path),
            "REDIS_URL": "redis://127.0.0.1:6379/9",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_shared_cache(tmp_path):
    """Rate limits counted per process are no limits with several workers (issue 16)."""
    result = run_manage(
        "check",
        env_overrides={
            "DJANGO_SECRET_KEY": "a" * 20 + "-very-long-random-production-secret-9f8e7d6c5b4a",
            "DJANGO_ALLOWED_HOSTS": "x.example.com",
            "STYLEMATCH_DATA_DIR": str(tmp_path),
            "REDIS_URL": "",
            "CACHE_URL": "",
        },
    )
    assert result.returncode != 0
    assert "REDIS_URL (or CACHE_URL) must be set in production" in result.stderr


def test_with_redis_configured_the_cache_is_redis_without_any_other_flag(tmp_path):
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "USE_REDIS_CACHE")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        REDIS_URL="redis://127.0.0.1:6379/9",
        STYLEMATCH_DATA_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "django.core.cache.backends.redis.RedisCache", result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_manage(
        "check",
        env_overrides={
            "DJANGO_ALLOWED_HOSTS": "x.example.com",
            "STYLEMATCH_DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_healthz_is_200_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] and body["broker"]["ok"]


@pytest.mark.django_db
def test_healthz_is_503_naming_the_broker_when_it_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["down"] == ["broker"]
    assert body["database"]["ok"] is True


def test_the_celery_app_is_configured_for_reliable_delivery():
    from config.celery_app import app

    conf = app.conf
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_soft_time_limit < conf.task_time_limit


def test_rate_limits_are_read_from_rate_limits_and_drf_holds_no_throttle_setting(settings):
    """DRF throttles are not used (common/ratelimit.py is the one limiter): a rate under a DRF
    key would look like DRF's and be read by nothing DRF runs."""
    from common.errors import RateLimitedError
    from common.ratelimit import rate_limit_hit

    assert not [key for key in settings.REST_FRAMEWORK if "THROTTLE" in key]
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": "1/hour"}
    rate_limit_hit(scope="signup", ident="203.0.113.9")
    with pytest.raises(RateLimitedError):
        rate_limit_hit(scope="signup", ident="203.0.113.9")


def test_base_settings_gather_each_concerns_module():
    from config.settings import base, celery, email_sending, files_and_storages, ml, security

    for module, name in [
        (celery, "BACKGROUND_JOBS"),
        (ml, "RECOMMENDATION_TOP_K"),
        (files_and_storages, "UPLOAD_MAX_BYTES"),
        (security, "RATE_LIMITS"),
        (email_sending, "EMAIL_BACKEND"),
    ]:
        assert getattr(base, name) is getattr(module, name), name
