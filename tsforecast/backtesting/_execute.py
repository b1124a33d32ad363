"""Running backtest tasks: in this process, with joblib, or on a Dask cluster.

Tasks run in any order; the caller assembles results by task index, so every way of
running gives the same result. A task run in another process runs under the caller's
warning filters and hands its warnings back, raised again here
(:mod:`tsforecast.core.warning_relay`): the caller sees the same warnings, and a filter of
"error" fails the same folds, whatever the backend.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext

from ..core.validation import check_int
from ..core.warning_relay import portable_filters, process_token, relaying, rewarn
from ..exceptions import InputTypeError, InvalidParameterError
from ._tasks import Task, run_task

__all__ = ["check_backend", "execute", "worker_count"]


def _is_client(backend) -> bool:
    return hasattr(backend, "submit") and hasattr(backend, "gather")


def check_backend(backend, n_jobs):
    """Validate ``n_jobs`` and ``backend`` (None, a joblib backend name, ``"dask"`` or
    a ``dask.distributed.Client``)."""
    n_jobs = check_int(n_jobs, "n_jobs")
    if n_jobs == 0 or n_jobs < -1:
        raise InvalidParameterError(f"n_jobs must be a positive number of workers or -1 (all cores); got {n_jobs}.")
    if backend is None or _is_client(backend):
        return backend, n_jobs
    if not isinstance(backend, str):
        raise InputTypeError(
            "backend must be None, a joblib backend name, 'dask' or a dask.distributed.Client; "
            f"got {type(backend).__name__}."
        )
    from joblib.parallel import BACKENDS  # the registered names, those a user registered too

    if backend != "dask" and backend not in BACKENDS:  # joblib said so only after the data was prepared
        raise InvalidParameterError(f"backend must be None, 'dask', a dask.distributed.Client or one of joblib's "
                                    f"backends {sorted(BACKENDS)!r}; got {backend!r}.")
    return backend, n_jobs


def _dask_client(backend):
    if _is_client(backend):
        return backend
    try:
        from distributed import get_client
    except ImportError:  # pragma: no cover - dask is an optional extra
        raise InvalidParameterError(
            "backend='dask' needs dask.distributed (pip install 'tsforecast[dask]'); it is not installed."
        ) from None
    try:
        return get_client()
    except ValueError:
        raise InvalidParameterError(
            "backend='dask' needs a running dask.distributed Client (create one with "
            "distributed.Client(...) first), or pass the Client itself as backend; none was found."
        ) from None


def _indexed(task: Task, caller: tuple[str, list]) -> tuple[int, dict, list]:
    """Run ``task``; where this is not the caller's process (``caller``: its
    :func:`process_token` and filters), under the caller's filters, with the warnings
    that pass them handed back."""
    token, filters = caller
    if process_token() == token:  # threads of the caller: its filters and showwarning already decide
        return task.index, run_task(task), []
    with relaying(filters) as records:
        payload = run_task(task)
    return task.index, payload, records


def worker_count(n_jobs: int, backend) -> int:
    """How many tasks can run at once: the chunks a panel model's series are cut into."""
    if backend == "dask" or _is_client(backend):
        return max(1, sum(_dask_client(backend).nthreads().values()))
    from joblib import effective_n_jobs

    return max(1, effective_n_jobs(n_jobs))


def execute(tasks: Sequence[Task], on_result: Callable[[int, dict], None], *, n_jobs: int = 1, backend=None) -> None:
    """Run ``tasks`` and call ``on_result(task.index, payload)`` in this process as
    each one finishes (so a checkpoint is written as soon as a task is done)."""
    if not tasks:
        return
    caller, registry = (process_token(), portable_filters()), {}

    def finished(index: int, payload: dict, records: list) -> None:
        rewarn(records, registry)
        on_result(index, payload)

    if backend == "dask" or _is_client(backend):
        from distributed import as_completed

        client = _dask_client(backend)
        futures = [client.submit(_indexed, task.detached(), caller, pure=False) for task in tasks]
        for future in as_completed(futures):
            finished(*future.result())
            future.release()
        return
    if n_jobs == 1 and backend is None:
        for task in tasks:
            on_result(task.index, run_task(task))
        return
    from joblib import Parallel, delayed, parallel_config
    from joblib.parallel import get_active_backend

    with parallel_config(backend=backend) if backend is not None else nullcontext():
        # results as they finish where the backend can hand them over so (loky, threading);
        # "multiprocessing" and "sequential" hand over a list at the end
        streams = getattr(get_active_backend()[0], "supports_return_generator", False)
        results = Parallel(n_jobs=n_jobs, return_as="generator_unordered" if streams else "list")(
            delayed(_indexed)(t.detached(), caller) for t in tasks)
        for index, payload, records in results:
            finished(index, payload, records)

