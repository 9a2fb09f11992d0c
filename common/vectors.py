"""float32 vectors stored as bytes: compact, and numpy reads them without parsing."""

import numpy as np


def vector_to_bytes(vector) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def vector_from_bytes(data: bytes | memoryview | None) -> np.ndarray | None:
    if data is None:
        return None
    return np.frombuffer(bytes(data), dtype=np.float32)
