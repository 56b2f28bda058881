"""The model and the data: softmax regression in numpy on synthetic Gaussian blobs.

Nothing is downloaded. Every node draws its own partition from a seed, so runs are
reproducible; the server holds a separate test set.
"""

from __future__ import annotations

import numpy as np

FEATURES = 6
CLASSES = 3
# Class centres shared by every partition (one fixed draw).
_CENTRES = np.random.default_rng(1234).normal(0.0, 1.5, size=(CLASSES, FEATURES))


def init_model() -> dict[str, np.ndarray]:
    """A zero model: weights (FEATURES × CLASSES) and bias, float32 as PyTorch would."""
    return {
        "bias": np.zeros(CLASSES, dtype=np.float32),
        "weight": np.zeros((FEATURES, CLASSES), dtype=np.float32),
    }


def load_data(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """`n` labelled points drawn around the class centres."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, CLASSES, size=n)
    x = _CENTRES[y] + rng.normal(0.0, 1.0, size=(n, FEATURES))
    return x, y


def _probs(model: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    logits = x @ model["weight"].astype(np.float64) + model["bias"].astype(np.float64)
    logits -= logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def train(model: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, epochs: int, lr: float) -> dict[str, np.ndarray]:
    """Full-batch gradient descent on the cross-entropy; returns the trained model."""
    w = model["weight"].astype(np.float64)
    b = model["bias"].astype(np.float64)
    onehot = np.eye(CLASSES)[y]
    for _ in range(epochs):
        g = _probs({"weight": w, "bias": b}, x) - onehot
        w -= lr * x.T @ g / len(x)
        b -= lr * g.mean(axis=0)
    return {"bias": b.astype(np.float32), "weight": w.astype(np.float32)}


def clip_update(
    trained: dict[str, np.ndarray], received: dict[str, np.ndarray], linf: float, l2: float
) -> dict[str, np.ndarray]:
    """What an honest client does with the bounds the server announced: clip its update
    Δ = trained − received to |Δ| ≤ linf and ‖Δ‖₂ ≤ l2 (with 1% to spare for the
    fixed-point rounding), and send received + Δ."""
    delta = {k: trained[k].astype(np.float64) - received[k].astype(np.float64) for k in received}
    delta = {k: np.clip(d, -0.99 * linf, 0.99 * linf) for k, d in delta.items()}
    norm = np.sqrt(sum(float((d * d).sum()) for d in delta.values()))
    scale = min(1.0, 0.99 * l2 / norm) if norm > 0 else 1.0
    return {k: (received[k].astype(np.float64) + scale * d).astype(received[k].dtype) for k, d in delta.items()}


def accuracy(model: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    """Fraction of points classified correctly."""
    return float((_probs(model, x).argmax(axis=1) == y).mean())
