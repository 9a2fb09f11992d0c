"""The one rule for forgetting a post's style result (staff edits, imports and classification)."""

from common.styles import NO_IMAGE
from influencers.models import ClassificationStatus, Post

NO_IMAGE_REASON = "no image"
# The fields post_classification_reset() writes: the ones a bulk_update of reset posts must name.
CLASSIFICATION_RESULT_FIELDS = [
    "classification_status",
    "predicted_style",
    "style_confidence",
    "style_probabilities",
    "embedding",
    "model_version",
    "classified_at",
    "unclassifiable_reason",
    "classification_claimed_at",
]


def post_classification_reset(post: Post, *, unclassifiable_reason: str = "") -> None:
    """Clear the post's style result in memory (the caller saves the row).

    A post without an image is 'no image' (never waiting for a model); one given a reason cannot
    be classified and keeps it; any other waits to be classified again.
    """
    post.predicted_style = ""
    post.style_confidence = None
    post.style_probabilities = None
    post.embedding = None
    post.model_version = None
    post.classified_at = None
    post.classification_claimed_at = None
    if not post.image:
        post.classification_status = ClassificationStatus.UNCLASSIFIABLE
        post.predicted_style = NO_IMAGE
        post.unclassifiable_reason = NO_IMAGE_REASON
    elif unclassifiable_reason:
        post.classification_status = ClassificationStatus.UNCLASSIFIABLE
        post.unclassifiable_reason = unclassifiable_reason[:255]
    else:
        post.classification_status = ClassificationStatus.PENDING
        post.unclassifiable_reason = ""
