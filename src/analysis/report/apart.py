"""Run a step of the build in a forked child, so that its memory is returned when it ends.

The extract at 500 municipalities peaks near 1 GB; run in the build's own process, that memory
stayed with the build for all the hours its notebooks ran. The child shares the parent's state
at the fork (imports, monkeypatches, the workspace lock it holds) and sends back only a small
result; an `InputError` comes back with its problems, so its message is the same.
"""
from __future__ import annotations

import multiprocessing
import traceback
from typing import Callable

from analysis.contract.errors import InputError


def _child(conn, fn, args) -> None:
    try:
        conn.send(("ok", fn(*args)))
    except InputError as exc:
        conn.send(("input", exc.problems))
    except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
        try:
            conn.send(("raise", exc))
        except Exception:  # an exception that does not pickle
            conn.send(("text", "".join(traceback.format_exception(exc))))
    finally:
        conn.close()


def call(fn: Callable, *args):
    """`fn(*args)` in a forked child; its return value (which must pickle) or its exception.

    Without fork (not on Linux/macOS), `fn` runs in this process."""
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:
        return fn(*args)
    here, there = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(there, fn, args), name=f"analysis-{getattr(fn, '__name__', 'step')}")
    proc.start()
    there.close()
    try:
        try:
            kind, value = here.recv()
        except EOFError:
            proc.join()
            raise RuntimeError(f"the {getattr(fn, '__name__', 'step')} process ended with exit code "
                               f"{proc.exitcode} before it finished (out of memory?)") from None
        proc.join()
    except BaseException:
        if proc.is_alive():
            proc.terminate()
            proc.join()
        raise
    finally:
        here.close()
    if kind == "ok":
        return value
    if kind == "input":
        raise InputError(value)
    if kind == "raise":
        raise value
    raise RuntimeError(value)
