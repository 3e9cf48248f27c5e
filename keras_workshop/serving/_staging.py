"""Versions that appear whole: staging folders guarded by file locks, published by one rename.

An export is written into a hidden staging folder `.tmp-<id>` beside the versions, and
renamed to `<version>` only when complete, so a TF Serving poller (which reads numeric
folders only) never sees a partial version. The writer holds an exclusive `flock` on
`.tmp-<id>.lock` for as long as the folder is its own; the kernel drops the lock when the
process ends, however it ends. Another export cleaning up therefore removes exactly the
staging folders whose lock it can take: their writer is gone. No process ids (they get
reused), no clocks.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import uuid

from keras_workshop.serving._model_config import versions

_PREFIX = ".tmp-"
_LOCK = ".lock"


@contextlib.contextmanager
def staging_folder(model_dir: str):
    """Yields a new staging folder's path, locked for this process; removes what is left of it after."""
    while True:
        path = os.path.join(model_dir, f"{_PREFIX}{uuid.uuid4().hex}")
        descriptor = os.open(path + _LOCK, os.O_CREAT | os.O_RDWR, 0o644)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:  # a cleaner may have removed the lock file between our open and flock: then start again
            if os.path.samestat(os.fstat(descriptor), os.stat(path + _LOCK)):
                break
        except FileNotFoundError:
            pass
        os.close(descriptor)
    try:
        os.mkdir(path)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path + _LOCK)
        os.close(descriptor)


def remove_abandoned(model_dir: str) -> None:
    """Removes the staging folders (and lock files) of exports whose process has ended."""
    for entry in os.listdir(model_dir):
        if not entry.startswith(_PREFIX):
            continue
        path = os.path.join(model_dir, entry.removesuffix(_LOCK))
        try:
            descriptor = os.open(path + _LOCK, os.O_RDWR)
        except FileNotFoundError:  # the lock is made before the folder and removed after it
            shutil.rmtree(path, ignore_errors=True)
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # its writer is alive
            os.close(descriptor)
            continue
        shutil.rmtree(path, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path + _LOCK)
        os.close(descriptor)


def publish(staged: str, model_dir: str, version: int | None, overwrite: bool) -> str:
    """Renames `staged` to `<model_dir>/<version>` and returns that path.

    With `version=None`, the next free version: the rename fails if another
    process published that number first, and the next number is tried, so
    concurrent exports each get their own version. A given version that exists
    is replaced only with `overwrite` (the old one is moved aside first, then
    removed), and is an error otherwise.
    """
    while True:
        number = max(versions(model_dir), default=0) + 1 if version is None else version
        target = os.path.join(model_dir, str(number))
        if os.path.exists(target):
            if version is None:
                continue
            if not overwrite:
                raise ValueError(f"export_for_serving: {target} exists; pass overwrite=True to replace it.")
            retired = f"{staged}-replaced"
            os.rename(target, retired)
            os.rename(staged, target)
            shutil.rmtree(retired)
            return target
        try:
            os.rename(staged, target)
            return target
        except OSError:
            if not os.path.exists(target):  # not a race: a real failure
                raise
            if version is not None and not overwrite:  # published by another process since we looked
                raise ValueError(f"export_for_serving: {target} exists; pass overwrite=True to replace it.")
