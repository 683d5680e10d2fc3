"""apart.call: a build step in a forked child, with its result or its error back in the parent."""
import os
import signal

import psutil
import pytest

from analysis.contract.errors import InputError, Problem
from analysis.report import apart


def _pid_and_sum(values):
    return os.getpid(), sum(values)


def test_the_result_comes_back_from_another_process():
    pid, total = apart.call(_pid_and_sum, [1, 2, 3])
    assert total == 6
    assert pid != os.getpid()


def _bad_input():
    raise InputError([Problem("data/x.csv", "value breaks the contract", 7, "amount", "a number", "zwölf"),
                      Problem("data/y.csv", "required column is missing", None, "year", "columns year", None)])


def test_an_input_error_keeps_its_problems_and_its_message():
    with pytest.raises(InputError) as got:
        apart.call(_bad_input)
    with pytest.raises(InputError) as here:
        _bad_input()
    assert got.value.problems == here.value.problems
    assert str(got.value) == str(here.value)
    assert "data/x.csv" in str(got.value) and "zwölf" in str(got.value)


def _fails():
    raise KeyError("budget")


def test_another_error_is_raised_as_it_was():
    with pytest.raises(KeyError, match="budget"):
        apart.call(_fails)


def _dies():
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_killed_child_is_an_error_that_says_so():
    with pytest.raises(RuntimeError, match=r"_dies process ended with exit code -9"):
        apart.call(_dies)


_kept = []  # what a step leaves behind (caches, pandas' pools): in the child, it goes with it


def _allocate(mb):
    block = bytearray(mb * 2**20)
    block[::4096] = b"x" * len(block[::4096])  # touch every page
    _kept.append(block)
    return len(block)


def test_the_childs_memory_is_not_kept_by_the_parent():
    me = psutil.Process()
    before = me.memory_info().rss
    assert apart.call(_allocate, 400) == 400 * 2**20
    assert me.memory_info().rss - before < 100 * 2**20
    assert not _kept
