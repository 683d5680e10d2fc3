"""Page executions as tasks of a local Dask distributed cluster (`analysis build --executor dask`).

The build's units of work (one page, or one batch of profiles: `runner.batches`) become Dask
tasks, each keyed by the fingerprint of its pages' inputs (`task_key`), so the cluster's
dashboard and logs name what runs and a repeated key means the same inputs. The cluster is local
(one worker, `jobs` threads, in this process): each task still starts its own Papermill child
process as with the default thread pool, so a crashing kernel stays contained. ARCHITECTURE.md
("Beyond one machine") says what a shared cluster would need on top of this.

Dask is optional: `pip install "distributed>=2024.1"` (in the test extras and environment.yml).
"""
from __future__ import annotations

import hashlib
import json
import threading


class DaskPool:
    """The part of concurrent.futures.Executor that runner.execute uses, on a local Dask cluster."""

    def __init__(self, jobs: int):
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError("--executor dask needs Dask distributed: pip install 'distributed>=2024.1'") from exc
        self.cluster = LocalCluster(n_workers=1, threads_per_worker=max(1, jobs), processes=False,
                                    dashboard_address=None)
        self.client = Client(self.cluster)
        self.futures, self.tasks = [], []

    def submit(self, fn, *args, key: str):
        # Dask pickles every task, also on an in-process cluster, and the build's work closes over a
        # stop event and a queue: the task carries only its key, the callable stays in this process.
        _WORK[key] = task = _Task(fn, args)
        self.tasks.append(task)
        fut = self.client.submit(_call, key, key=key, pure=False)
        self.futures.append(fut)
        return fut

    def shutdown(self, wait: bool = True) -> None:
        """Wait for the tasks that started (a cancelled Dask future does not stop its thread: the
        build's stop event does, and its Papermill children are killed before this returns)."""
        try:
            if wait:
                for task in self.tasks:
                    if task.started:
                        task.ended.wait()
        finally:
            self.client.close()
            self.cluster.close()
            for fut in self.futures:
                _WORK.pop(fut.key, None)


class _Task:
    def __init__(self, fn, args):
        self.fn, self.args, self.started, self.ended = fn, args, False, threading.Event()


_WORK: dict[str, _Task] = {}  # task key -> the callable and args of a task of this process's cluster


def _call(key: str):
    task = _WORK[key]
    task.started = True
    try:
        return task.fn(*task.args)
    finally:
        task.ended.set()


def task_key(names: list[str], fingerprints: dict | None) -> str:
    """`page-<first page>[+n]-<digest of the pages' input fingerprints>` (unique per unit and inputs)."""
    prints = [(n, (fingerprints or {}).get(n)) for n in names]
    digest = hashlib.sha256(json.dumps(prints, sort_keys=True, default=str).encode()).hexdigest()[:16]
    more = f"+{len(names) - 1}" if len(names) > 1 else ""
    return f"page-{names[0]}{more}-{digest}"
