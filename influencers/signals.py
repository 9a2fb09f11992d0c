"""Signals other layers listen to (a lower layer never imports the one that reacts)."""

from django.dispatch import Signal

# Sent after commit with post_ids=[...] when staff replaced or removed post images: their
# classification was voided (status pending); a receiver queues them for classification. Until
# one is connected, the classification reconciler picks pending posts up within its deadline.
post_images_replaced = Signal()
