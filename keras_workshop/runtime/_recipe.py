"""The options every recipe shares (seed, outputs, device, strategy, precision) and what they set up."""

from __future__ import annotations

import argparse
import atexit
import dataclasses
import os
import shutil
import tempfile

import keras
import tensorflow as tf

from keras_workshop.runtime._arguments import non_negative_int, positive_int
from keras_workshop.runtime._determinism import set_deterministic
from keras_workshop.runtime._kernel import in_notebook
from keras_workshop.runtime._devices import DEVICES, select_device
from keras_workshop.runtime._resume import EpochBackup, check_backup_settings, initial_epoch
from keras_workshop.runtime._strategy import STRATEGIES, is_chief, make_strategy


_CPU_REPLICAS = 2  # logical CPU devices for --strategy mirrored when --replicas is not given


def add_runtime_arguments(
    parser: argparse.ArgumentParser, out: str, saved_models: bool = True, resume: bool = True
) -> None:
    """Adds `--seed`, `--out`, `--saved-models`, `--resume` and the device options to a recipe's parser.

    `resume=False` leaves out `--resume`, for a recipe that does not train.

    Example:

    >>> parser = argparse.ArgumentParser()
    >>> add_runtime_arguments(parser, out="runs/example")
    >>> args = parser.parse_args(["--device", "cpu"])
    >>> args.device, args.strategy, args.out
    ('cpu', 'none', 'runs/example')
    """
    parser.add_argument("--seed", type=non_negative_int, default=42, help="random seed (default 42)")
    parser.add_argument("--out", default=out, help=f"output folder (default {out})")
    if saved_models:
        parser.add_argument("--saved-models", default="saved_models", help="where exports go (TF Serving layout)")
    if resume:
        parser.add_argument("--resume", action="store_true",
                            help="back up every epoch in <out>/backup, and after an interruption continue from the "
                                 "last finished one: run the same command again (the same results, bit for bit "
                                 "on the CPU)")
    devices = parser.add_argument_group("devices and many machines")
    devices.add_argument("--device", choices=DEVICES, default="auto",
                         help="auto: the GPU when TensorFlow sees one (default); gpu where none is seen is an error")
    devices.add_argument("--strategy", choices=STRATEGIES, default="none",
                         help="tf.distribute: none (one device), mirrored (every GPU, or --replicas CPU devices), "
                              "multiworker (machines in TF_CONFIG)")
    devices.add_argument("--replicas", type=positive_int, default=None,
                         help="with --strategy mirrored on the CPU: logical CPU devices (default 2); an error "
                              "with any other strategy, or on the GPU")
    devices.add_argument("--mixed-precision", action="store_true",
                         help="compute in float16 on the GPU (bfloat16 on the CPU); losses and softmax stay float32")


@dataclasses.dataclass(frozen=True)
class Runtime:
    """Where and how a recipe runs, from `start_runtime`.

    Attributes:
        device: `"cpu"` or `"gpu"`.
        strategy: the `tf.distribute.Strategy`; build models in `strategy.scope()`.
        strategy_name: `"none"`, `"mirrored"` or `"multiworker"`.
        precision: the Keras dtype policy's name (`"float32"` unless mixed).
        is_chief: whether this process's outputs are the results.
        out: the output folder; on a non-chief worker, a temporary folder removed at exit.
        saved_models: the export folder, the same way (None when the recipe exports nothing).
        resume: whether trainings back up every epoch and resume (`--resume`).
    """

    device: str
    strategy: tf.distribute.Strategy
    strategy_name: str
    precision: str
    is_chief: bool
    out: str
    saved_models: str | None
    resume: bool = False

    def backup_dir(self, training: str) -> str | None:
        """The backup folder of the training named `training` (`<out>/backup/<training>`); None without `--resume`.

        Each training of a recipe has its own name, so its backup is found by
        name, whatever else the script trains before it.

        Example:

        >>> runtime = Runtime("cpu", tf.distribute.get_strategy(), "none", "float32", True, "runs/x", None, True)
        >>> runtime.backup_dir("skipgram")
        'runs/x/backup/skipgram'
        """
        if not training or os.sep in training or training in (".", ".."):
            raise ValueError(f"Runtime.backup_dir: expected a training's name (a folder name), got {training!r}.")
        return os.path.join(self.out, "backup", training) if self.resume else None

    def backups(self, training: str, callbacks=()) -> list:
        """`[EpochBackup(self.backup_dir(training), callbacks)]` with `--resume`, else `[]`.

        Put it last in a `fit`'s callbacks: `callbacks=[*others, *runtime.backups("name", others)]`.
        """
        folder = self.backup_dir(training)
        return [] if folder is None else [EpochBackup(folder, callbacks)]

    def first_epoch(self, training: str) -> int:
        """The epoch the training named `training` starts at: 0, or with `--resume` its backup's `initial_epoch`.

        Both the data's and the `fit`'s: `first_epoch = runtime.first_epoch("name")`, then
        `array_batches(..., first_epoch=first_epoch)` and `model.fit(..., initial_epoch=first_epoch)`.
        """
        return initial_epoch(self.backup_dir(training))

    @property
    def verbose(self) -> int:
        """`fit`'s `verbose`: 1 (Keras' progress bar) in a notebook, 2 (one line per epoch) in a script or a log."""
        return 1 if in_notebook() else 2

    @property
    def replicas(self) -> int:
        return self.strategy.num_replicas_in_sync

    def describe(self, global_batch: int | None = None) -> str:
        """One line: device, strategy, replicas, global batch (and per replica), precision."""
        batch = "-" if global_batch is None else f"{global_batch} ({global_batch / self.replicas:g} per replica)"
        worker = ""
        resolver = getattr(self.strategy, "cluster_resolver", None)
        if self.strategy_name == "multiworker" and resolver is not None:
            worker = f"; this process: {resolver.task_type} {resolver.task_id}{' (chief)' if self.is_chief else ''}"
        return (f"device: {self.device}; strategy: {self.strategy_name} ({type(self.strategy).__name__}); "
                f"replicas: {self.replicas}; global batch: {batch}; precision: {self.precision}{worker}")


def start_runtime(
    args: argparse.Namespace,
    parser: argparse.ArgumentParser | None = None,
    global_batch: int | None = None,
    op_determinism: bool = True,
) -> Runtime:
    """Sets up what `add_runtime_arguments` parsed, prints it, and returns the `Runtime`.

    In order: the options are checked against each other (`--replicas` needs
    `--strategy mirrored` on the CPU); the output folders are checked (an
    existing file there, or a folder this process cannot write, is an error
    now, not after training); the device is chosen (`select_device`);
    seeds and op determinism are set (`set_deterministic`); the mixed-precision
    policy, if asked for; the strategy (`make_strategy`): build the models in
    `runtime.strategy.scope()`. Only the chief writes
    to `--out` and `--saved-models`: other workers of a cluster get temporary
    folders, removed at exit, so they leave nothing to mistake for a result.
    With `--resume`, the options are kept in `<out>/backup/settings.json`
    (`check_backup_settings`) and `runtime.backup_dir(name)` names each
    training's backup folder.
    Errors go through `parser.error` when a parser is given (exit status 2).
    """
    exports = getattr(args, "saved_models", None) or None
    folders = [args.out] + ([exports] if exports else [])
    try:
        if args.replicas is not None and args.strategy != "mirrored":
            raise ValueError(f"--replicas {args.replicas} sets the CPU devices of --strategy mirrored; with "
                             f"--strategy {args.strategy} it would be ignored. Add --strategy mirrored, or leave "
                             "out --replicas.")
        for folder in folders:
            check_output_folder(folder)
        replicas = args.replicas or _CPU_REPLICAS
        device = select_device(args.device, replicas if args.strategy == "mirrored" else 1)
        if device == "gpu" and args.replicas is not None:
            raise ValueError(f"--replicas {args.replicas} sets logical CPU devices; on the GPU, --strategy mirrored "
                             "uses every visible GPU (choose them with CUDA_VISIBLE_DEVICES), or run with --device cpu.")
        set_deterministic(args.seed, op_determinism=op_determinism)
        precision = "float32"
        if args.mixed_precision:
            precision = "mixed_float16" if device == "gpu" else "mixed_bfloat16"
        keras.mixed_precision.set_global_policy(precision)
        if args.strategy == "multiworker":
            print("Waiting for every worker in TF_CONFIG to start...", flush=True)
        strategy = make_strategy(args.strategy, device)
    except (ValueError, RuntimeError) as error:
        _fail(parser, error)
    if getattr(args, "resume", False):
        if args.strategy == "multiworker":
            _fail(parser, ValueError("--resume works on one machine (--strategy none or mirrored), not with "
                                     "--strategy multiworker."))
        try:
            check_backup_settings(os.path.join(args.out, "backup"), vars(args))
        except ValueError as error:
            _fail(parser, error)
    chief = is_chief(strategy)
    if chief:
        for folder in folders:
            os.makedirs(folder, exist_ok=True)
        out, saved_models = args.out, exports
    else:
        scratch = tempfile.mkdtemp(prefix="keras_workshop_worker_")
        atexit.register(shutil.rmtree, scratch, ignore_errors=True)
        out = os.path.join(scratch, "out")
        saved_models = os.path.join(scratch, "saved_models") if exports else None
        os.makedirs(out)
    runtime = Runtime(device, strategy, args.strategy, precision, chief, out, saved_models,
                      resume=bool(getattr(args, "resume", False)))
    print(runtime.describe(global_batch), flush=True)
    return runtime


def check_output_folder(folder: str) -> None:
    """Raises `ValueError` unless `folder` is, or can be made as, a folder this process can write.

    Nothing is left behind: a missing folder is not made, and the probe file
    written into the folder (or its nearest existing parent) is removed.

    Example:

    >>> import tempfile
    >>> check_output_folder(os.path.join(tempfile.mkdtemp(), "new", "out"))
    >>> check_output_folder("/dev/null/out")
    Traceback (most recent call last):
    ...
    ValueError: '/dev/null/out': '/dev/null' exists and is not a folder; expected a folder for the outputs.
    """
    path = os.path.abspath(folder)
    existing = path
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        shown = repr(folder) if existing == path else f"{folder!r}: {existing!r}"
        raise ValueError(f"{shown} exists and is not a folder; expected a folder for the outputs.")
    try:
        handle, probe = tempfile.mkstemp(dir=existing, prefix=".keras_workshop_probe_")
    except OSError as error:
        raise ValueError(f"{folder!r} cannot be written ({error.strerror} in {existing!r}); expected a folder "
                         "this user can write: pass another folder.") from None
    os.close(handle)
    os.remove(probe)


def _fail(parser: argparse.ArgumentParser | None, error: Exception):
    """`parser.error` (exit status 2) when there is a parser; otherwise raises `error`."""
    if parser is None:
        raise error
    parser.error(str(error))
