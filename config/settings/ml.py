"""The style model, classification, ranking and keyword settings."""

from pathlib import Path

from config.env import DATA_DIR, env
from config.settings.celery import CELERY_TASK_ALWAYS_EAGER

# Style model: checkpoints live in media storage (ModelVersion); the worker caches them here.
MODEL_CACHE_DIR = Path(env.str("MODEL_CACHE_DIR", default=str(DATA_DIR / "models")))
TORCH_THREADS = env.int("TORCH_THREADS", default=2)
# A web process that classifies itself (in-process mode: no broker) loads the active style model as
# it starts (config/wsgi.py), so the first upload after a start does not wait ~10 s for it. With a
# broker the workers classify, and load it as they start (recommender.tasks).
STYLE_MODEL_PRELOAD = env.bool("STYLE_MODEL_PRELOAD", default=CELERY_TASK_ALWAYS_EAGER)
# Posts per classification task message (new images); the forward batch is per device, below.
CLASSIFY_BATCH_SIZE = env.int("CLASSIFY_BATCH_SIZE", default=32)
# Where this process runs the style model: cpu, cuda, or auto (cuda when torch sees one). A CPU
# process serves int8 when the model allows it; a cuda process (a GPU bulk worker) serves
# CLASSIFY_CUDA_PRECISION with a larger batch. docs/architecture.md shows a mixed deployment.
CLASSIFY_DEVICE = env.str("CLASSIFY_DEVICE", default="cpu")
CLASSIFY_CUDA_PRECISION = env.str("CLASSIFY_CUDA_PRECISION", default="fp32")
CLASSIFY_DEVICE_BATCH_SIZE = {
    "cpu": env.int("CLASSIFY_CPU_BATCH_SIZE", default=32),
    "cuda": env.int("CLASSIFY_CUDA_BATCH_SIZE", default=256),
}
# One re-classification task works this long, then queues its continuation: other bulk work (an
# import, word clouds) is never stuck behind a whole catalogue, and no task nears its time limit.
RECLASSIFY_SLICE_SECONDS = env.int("RECLASSIFY_SLICE_SECONDS", default=120)
LOW_CONFIDENCE_THRESHOLD = env.float("LOW_CONFIDENCE_THRESHOLD", default=0.4)
RECOMMENDATION_TOP_K = env.int("RECOMMENDATION_TOP_K", default=3)
# Korean tokenizer for keywords: "mecab" (pip-installed, no Java) or a konlpy tagger ("okt").
KEYWORD_TAGGER = env.str("KEYWORD_TAGGER", default="mecab")
WORDCLOUD_DEBOUNCE_SECONDS = env.int("WORDCLOUD_DEBOUNCE_SECONDS", default=30)

# The catalogue's word counts (the background of every influencer's keywords) are summed once
# per this many seconds, not once per summary rebuild (0: every time).
KEYWORD_CATALOGUE_CACHE_SECONDS = env.int("KEYWORD_CATALOGUE_CACHE_SECONDS", default=600)
