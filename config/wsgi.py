import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()


def style_model_preload() -> None:
    """Load the active style model as the web process starts (each gunicorn worker, runserver's
    serving process), so no user request pays for it. STYLE_MODEL_PRELOAD is on in in-process mode
    (no broker: this very process classifies) and off with a broker (the workers classify and load
    theirs in recommender.tasks, worker_process_init) and in tests. Only web servers import this
    module, so migrate and shells never load a model."""
    from django.conf import settings
    from django.db import connection

    if not settings.STYLE_MODEL_PRELOAD:
        return
    from recommender.services.classifiers import classifier_warm_up

    log = logging.getLogger("stylematch.startup")
    try:
        log.info(classifier_warm_up())
    except Exception:  # the site still serves; the first request loads the model instead
        log.exception("style model preload failed; the first request will load it")
    finally:
        connection.close()  # opened outside any request: do not leave it to a greenlet


style_model_preload()
