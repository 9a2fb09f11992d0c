"""Is a photo unlike the photos a model was trained on? The energy score of its logits.

energy(x) = -logsumexp(logits) (Liu et al. 2020, "Energy-based Out-of-distribution Detection"):
low for inputs like the training data, higher for others. The threshold is set at training time
on the validation split (the energy below which IN_DISTRIBUTION_SHARE of validation images fall)
and stored in the checkpoint; a checkpoint without one skips the check.
"""

import numpy as np

# The share of the validation images (photos like the training ones) that pass the check.
IN_DISTRIBUTION_SHARE = 0.95


def energy_scores(logits) -> np.ndarray:
    """-logsumexp over each row of logits (raw, before any temperature), as float64."""
    values = np.asarray(logits, dtype=np.float64)
    values = values.reshape(-1, values.shape[-1])
    top = values.max(axis=1, keepdims=True)
    return -(top[:, 0] + np.log(np.exp(values - top).sum(axis=1)))


def energy_threshold(val_logits, *, share: float = IN_DISTRIBUTION_SHARE) -> float:
    """The energy at or below which `share` of the validation images fall."""
    energies = energy_scores(val_logits)
    if not len(energies):
        raise ValueError("no validation logits: no threshold to set")
    return float(np.quantile(energies, share))


def is_unlike_training(energy: float | None, threshold: float | None) -> bool | None:
    """True when the energy is above the threshold; None when either is unknown."""
    if energy is None or threshold is None:
        return None
    return bool(energy > threshold)


def auroc(in_scores, out_scores) -> float:
    """The area under the ROC curve of telling out- from in-distribution by a higher score: the
    chance that a random out-of-distribution image scores above a random in-distribution one
    (ties count half)."""
    inside = np.asarray(in_scores, dtype=np.float64)
    outside = np.asarray(out_scores, dtype=np.float64)
    if not len(inside) or not len(outside):
        raise ValueError("both sets need at least one score")
    scores = np.concatenate([inside, outside])
    order = scores.argsort(kind="stable")
    ranks = np.empty(len(scores))
    ranks[order] = np.arange(1, len(scores) + 1)
    for value in np.unique(scores):  # average ranks of ties
        tied = scores == value
        ranks[tied] = ranks[tied].mean()
    rank_sum = ranks[len(inside) :].sum()
    return float((rank_sum - len(outside) * (len(outside) + 1) / 2) / (len(inside) * len(outside)))
