"""Case classification, duplicate detection and hot topics (issue 4).

Nothing here loads a model at import time: call ``model.load_default()`` (or build a
``keywords.KeywordClassifier``) from the composition root.
"""

from gridgov.classify.ports import Classifier, FixedClassifier, Prediction

__all__ = ["Classifier", "FixedClassifier", "Prediction"]
