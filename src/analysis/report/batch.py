"""A batch of pages of one notebook executed in one kernel (the profiles: `reads: municipality`).

    python -m analysis.report.batch SPEC.json      (started by `runner.run_batch`, one per batch)

The child starts one kernel and runs every page of SPEC through Papermill's Python API with that
kernel (``km=``: nbclient then leaves it running after each page), so the kernel start, the
imports and the processed tables (`analysis.load` keeps them in memory, keyed by the files of
data/processed/) are paid once per batch, not once per page. Each page still gets its own output
notebook with Papermill's metadata (parameters, exception), its downloads folder and its own
environment ($ANALYSIS_PAGE, $ANALYSIS_DOWNLOADS_DIR).

Between two pages the kernel is reset (`NEW_PAGE`): the user namespace, the output cache and the
execution count (IPython's ``reset(new_session=True)``), the per-page chart ids of
`analysis.report.offline` and the warnings already shown; imported modules stay loaded.

Events go to SPEC's ``events`` file, one JSON line each: ``{"start": name}`` before a page,
``{"done": name, "seconds": s, "error": text or null}`` after it. A page that fails (an error
in a cell, a dead kernel, a timeout) ends the batch: the build stops at the first failure anyway,
so the remaining pages of the batch are not run.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

# Run in the kernel before every page: a page sees nothing of the previous one.
NEW_PAGE = """
def _analysis_new_page(env):
    import gc, os, sys, warnings
    os.environ.update(env)
    offline = sys.modules.get("analysis.report.offline")
    if offline is not None:
        offline.new_page()
    mutated = getattr(warnings, "_filters_mutated", None) or getattr(warnings, "_filters_mutated_lock_held", None)
    if mutated is not None:  # warnings shown once per location are shown again
        mutated()
    get_ipython().reset(new_session=True)  # user namespace, Out cache, execution count 1
    gc.collect()
_analysis_new_page(%s)
"""
HISTORY = "--HistoryManager.hist_file=:memory:"   # as nbclient starts its kernels


def _event(path: Path, **data) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(data) + "\n")


def _kernel_manager(kernel: str):
    from jupyter_client.manager import AsyncKernelManager

    class KeptKernel(AsyncKernelManager):
        """Remembers the clients nbclient makes, so each page's can be closed after it."""

        def client(self, **kwargs):
            kc = super().client(**kwargs)
            kc.wait_for_ready = lambda timeout=None: _quick_ready(kc, timeout)  # what nbclient calls per page
            self.__dict__.setdefault("_made", []).append(kc)
            return kc

        def close_clients(self) -> None:
            for kc in self.__dict__.pop("_made", []):
                try:
                    kc.stop_channels()
                except Exception:
                    pass

    return KeptKernel(kernel_name=kernel)


async def _quick_ready(kc, timeout: float | None = None) -> None:
    """jupyter_client's ``wait_for_ready`` for the client nbclient makes for each page, without its
    last 0.2 s: it sends kernel_info, takes the reply, checks that IOPub is connected (a message
    within 0.2 s, else it starts over) and then waits until IOPub has been quiet for 0.2 s. Here the
    wait ends as soon as IOPub brings the kernel's ``idle`` status of the replied kernel_info request
    (the kernel's last message for it: nothing else runs in the kernel between two pages); what is
    queued then is dropped as the original flush drops it. Without that idle within 0.2 s of the
    last message it ends as the original does."""
    from queue import Empty

    from jupyter_core.utils import ensure_async
    abs_timeout = time.monotonic() + (float("inf") if timeout is None else timeout)
    while True:
        kc.kernel_info()
        try:
            msg = await ensure_async(kc.shell_channel.get_msg(timeout=1))
        except Empty:
            msg = None
        if msg is not None and msg["msg_type"] == "kernel_info_reply":
            request = msg["parent_header"].get("msg_id")
            try:  # IOPub connected? (as jupyter_client checks it)
                first = await ensure_async(kc.iopub_channel.get_msg(timeout=0.2))
            except Empty:
                first = None
            if first is not None:
                kc._handle_kernel_info_reply(msg)
                break
        if not await ensure_async(kc.is_alive()):
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > abs_timeout:
            raise RuntimeError("Kernel didn't respond in %d seconds" % timeout)
    iopub = first
    while iopub is not None and not _idle_of(iopub, request):
        try:
            iopub = await ensure_async(kc.iopub_channel.get_msg(timeout=0.2))
        except Empty:
            return                    # quiet for 0.2 s: where the original flush ends too
    while True:                       # what else is queued (nothing, as a rule)
        try:
            await ensure_async(kc.iopub_channel.get_msg(timeout=0))
        except Empty:
            return


def _idle_of(msg: dict, request: str | None) -> bool:
    return (msg.get("msg_type") == "status" and msg.get("content", {}).get("execution_state") == "idle"
            and request is not None and msg.get("parent_header", {}).get("msg_id") == request)


ENGINE = "analysis-batch"


def _register_engine() -> str:
    """Papermill's nbclient engine without its save of the output notebook at every cell's start
    and end (two writes and validations of the growing notebook per cell: ~40 per profile page).
    The notebook is still written when the page starts and when it ends (also after an error,
    a timeout or a dead kernel: Papermill saves in a ``finally``), which is all the build reads."""
    from papermill.engines import NBClientEngine, papermill_engines

    class FewSaves(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            nb_man.save = lambda **kw: None
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            finally:
                del nb_man.save  # notebook_complete saves again

    papermill_engines.register(ENGINE, FewSaves)
    return ENGINE


class _Resetter:
    """Runs NEW_PAGE in the kernel through one client kept for the batch: a new client per page
    paid jupyter_client's wait_for_ready each time (a kernel_info round trip and 0.2 s of waiting
    for IOPub to fall quiet). A new client is made after a failure or a kernel restart (`close`).
    The client stays subscribed to IOPub while the pages run: `_drain` empties it before each reset."""

    def __init__(self, km):
        self.km, self.kc = km, None

    def __call__(self, env: dict, timeout: float = 120) -> None:
        """Run NEW_PAGE in the kernel; raise RuntimeError when it fails."""
        from jupyter_client import BlockingKernelClient
        if self.kc is None:
            kc = BlockingKernelClient()
            kc.load_connection_info(self.km.get_connection_info())
            kc.start_channels(hb=False)  # without its manager a client judges the kernel by the heartbeat, which a
            #                              kernel still starting does not answer yet ("Kernel died before replying")
            try:
                kc.wait_for_ready(timeout=timeout)
            except BaseException:
                kc.stop_channels()
                raise
            self.kc = kc
        self._drain()
        try:
            reply = self.kc.execute_interactive(NEW_PAGE % json.dumps(env), store_history=False, allow_stdin=False,
                                                timeout=timeout, output_hook=lambda msg: None)
        except BaseException:
            self.close()
            raise
        if reply["content"].get("status") != "ok":
            raise RuntimeError(f"resetting the kernel failed: {reply['content'].get('ename')}: "
                               f"{reply['content'].get('evalue')}")

    def _drain(self) -> None:
        """Read what IOPub queued since the last page (the previous page's outputs, which every
        client of the kernel receives): a full queue (ZMQ's high-water mark) would drop the reset's
        own messages, and execute_interactive would wait for them until its timeout."""
        from queue import Empty
        while True:
            try:
                self.kc.iopub_channel.get_msg(timeout=0)
            except Empty:
                return

    def close(self) -> None:
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            finally:
                self.kc = None


def run(spec: dict) -> int:
    """Execute the pages of `spec` in one kernel; 0 when all ran, 1 when one failed."""
    import papermill as pm
    import yaml
    from jupyter_core.utils import run_sync

    events = Path(spec["events"])
    engine = _register_engine()
    km = _kernel_manager(spec["kernel"])
    run_sync(km.start_kernel)(cwd=spec["cwd"], extra_arguments=[HISTORY])
    new_page = _Resetter(km)
    try:
        for page in spec["pages"]:
            _event(events, start=page["name"])
            t0 = time.perf_counter()
            error = None
            try:
                new_page(page["env"])
                pm.execute_notebook(page["input"], page["output"],
                                    parameters=yaml.safe_load(Path(page["params"]).read_text(encoding="utf-8")) or {},
                                    kernel_name=spec["kernel"], km=km, cwd=spec["cwd"], progress_bar=False,
                                    engine_name=engine,
                                    request_save_on_cell_execute=True, execution_timeout=spec.get("timeout"))
            except pm.PapermillExecutionError:
                error = "cell"           # the output notebook holds it (runner.failure_of)
            except Exception as exc:     # a dead kernel, a timeout, an unreadable notebook
                error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            finally:
                km.close_clients()
            _event(events, done=page["name"], seconds=round(time.perf_counter() - t0, 3), error=error)
            if error is not None:
                return 1
            if not run_sync(km.is_alive)():  # died after its page was written: the next one gets a new kernel
                new_page.close()
                run_sync(km.restart_kernel)(now=True)
        return 0
    finally:
        new_page.close()
        try:
            run_sync(km.shutdown_kernel)(now=True)
        except Exception:
            pass


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    sys.exit(run(spec))


if __name__ == "__main__":
    main()
