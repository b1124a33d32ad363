"""The encoder-decoder LSTM: Keras network builders (:mod:`.networks`), window scalers
(:mod:`.scaling`), the scikit-learn estimator (:mod:`.estimator`), its declared
parameters (:mod:`.parameters`) and the Keras runs it makes (:mod:`.training`).

This package is the only part of tsforecast that imports Keras and TensorFlow; it is
loaded lazily by ``tsforecast.EncoderDecoderLSTM``.
"""

from __future__ import annotations

import os

# Keras 3 must run on TensorFlow here; respect an explicit choice made before import.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from .._quiet import quiet_tensorflow_import  # noqa: E402

# TensorFlow's start-up lines (CUDA probes, oneDNN, absl) are noise to a Python user too.
quiet_tensorflow_import()

from .ensemble import MedianEnsemble  # noqa: E402
from .estimator import EncoderDecoderLSTM  # noqa: E402

__all__ = ["EncoderDecoderLSTM", "MedianEnsemble"]
