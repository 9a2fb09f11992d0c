"""Signals the catalogue sends so that higher layers react without the catalogue importing them.

The recommender listens (recommender/apps.py): the catalogue stays below it in the app layering.
"""

from django.dispatch import Signal

# Sent inside the transaction that stored new or changed post images, with `post_ids`; the
# listener queues their style classification to run once that transaction commits.
posts_need_classification = Signal()
