"""A Dask worker preload (`dask worker --preload`) that makes workers die mid-task.

A task of a repository named `dies-once-*` kills its worker the first time
it runs anywhere (a file under $RULEPACK_TEST_DEATHS remembers it), so Dask
must give it to another worker; `dies-always-*` kills every worker that runs
it, so Dask gives up and the fleet must report it as not evaluated. The
worker process ends at once (os._exit), as one killed by the kernel would.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def dask_setup(worker: Any) -> None:
    import engine.fleet.task as task_module

    evaluate = task_module.evaluate_repository

    def dying(task: Any) -> Any:
        name = task.entry.name
        marker = Path(os.environ["RULEPACK_TEST_DEATHS"]) / name
        if name.startswith("dies-always-") or (
            name.startswith("dies-once-") and not marker.exists()
        ):
            marker.touch()
            os._exit(1)
        return evaluate(task)

    task_module.evaluate_repository = dying
