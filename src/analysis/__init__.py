"""Comparative analysis workspace for municipal social policy.

Analysts start with ``import analysis; ws = analysis.load()`` (see `analysis.api`).
"""
__version__ = "0.1.0"


def load(*args, **kwargs):
    """Load the processed tables (extracting first when inputs changed); see `analysis.api.load`."""
    from analysis.api import load as _load
    return _load(*args, **kwargs)
