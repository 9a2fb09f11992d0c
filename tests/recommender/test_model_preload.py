"""The web process loads the active style model as it starts (issue 17), so no request pays."""

import importlib
import sys

import pytest

from recommender.services.classifiers import (
    classifier_cache_clear,
    classifier_for,
    classifier_is_loaded,
)

# Transactional: the preload closes the database connection it opened outside any request.
pytestmark = pytest.mark.django_db(transaction=True)


def start_web_process():
    """What gunicorn and runserver do: import the WSGI module."""
    if "config.wsgi" in sys.modules:
        importlib.reload(sys.modules["config.wsgi"])
    else:
        importlib.import_module("config.wsgi")


def test_starting_the_web_process_loads_the_active_model_before_any_request(active_model, settings):
    settings.STYLE_MODEL_PRELOAD = True
    classifier_cache_clear()
    start_web_process()
    # the process-wide classifier is there and loaded: a request's predict() finds it ready
    assert classifier_is_loaded(active_model)
    assert classifier_for(active_model).checkpoint is not None
    classifier_cache_clear()


def test_nothing_loads_where_the_setting_is_off_as_in_tests_and_commands(active_model, settings):
    assert settings.STYLE_MODEL_PRELOAD is False  # the test settings' default
    classifier_cache_clear()
    start_web_process()
    # (classifier_for itself loads: it checks the file's SHA-256 and fetches a good copy first)
    assert not classifier_is_loaded(active_model)
    classifier_cache_clear()
