"""stacking.stack: many folders' frames as one, as pd.concat of each frame reindexed gives them."""
import numpy as np
import pandas as pd
import pytest

from analysis.sources import stacking


def _frames():
    a = pd.DataFrame({"x": ["a", None], "n": [1.0, 2.5], "_row": [2, 3]})
    b = pd.DataFrame({"x": ["b"], "n": [3.0], "_row": [2]})           # like a: one run with it
    c = pd.DataFrame({"n": np.array([4], dtype=np.int64), "x": ["c"], "_row": [5]})  # other order and dtype
    d = pd.DataFrame({"x": ["d", "e"], "_row": [2, 3], "extra": ["y", None]})        # a column lacking, one more
    e = pd.DataFrame({"x": ["f"], "n": [5.0], "_row": [9]})
    return [a, b, c, d, e]


@pytest.mark.parametrize("as_object", [False, True])
def test_stack_equals_concat_of_each_frame_reindexed(as_object):
    frames = _frames()
    columns = ["x", "n", "_row", "extra"]
    expected = pd.concat([f.reindex(columns=columns).astype({c: object for c in columns if c not in f.columns})
                          if as_object else f.reindex(columns=columns) for f in frames], ignore_index=True)
    got = stacking.stack(frames, columns, missing_as_object=as_object)
    pd.testing.assert_frame_equal(got, expected)
    assert list(got.dtypes) == list(expected.dtypes)


def test_stack_of_one_frame_selects_its_columns():
    f = _frames()[0]
    pd.testing.assert_frame_equal(stacking.stack([f], ["n", "x"]), f[["n", "x"]])
