"""Choosing the device TensorFlow runs on: the GPU when asked for (or seen), else the CPU."""

from __future__ import annotations

import tensorflow as tf

from keras_workshop._checks import check_positive_int

DEVICES = ("auto", "cpu", "gpu")


def select_device(device: str = "auto", cpu_replicas: int = 1) -> str:
    """Makes TensorFlow run on `device` and returns what it chose: `"cpu"` or `"gpu"`.

    `"auto"` takes the GPU when TensorFlow sees one; `"gpu"` where none is
    visible raises a `RuntimeError` rather than running on the CPU in silence;
    `"cpu"` hides every GPU. On the CPU, `cpu_replicas > 1` splits it into that
    many logical devices, for `MirroredStrategy` on one machine (tests and
    benchmarks of the multi-device path). Call it before TensorFlow runs any op:
    devices cannot be changed afterwards (a `RuntimeError` then says so).

    Example:

    >>> select_device("cpu")
    'cpu'
    """
    if device not in DEVICES:
        raise ValueError(f"select_device: device must be one of {DEVICES}, got {device!r}.")
    check_positive_int(cpu_replicas, "cpu_replicas", "select_device")
    gpus = tf.config.list_physical_devices("GPU")
    if device == "gpu" and not gpus:
        raise RuntimeError(
            "--device gpu: TensorFlow sees no GPU on this machine (no CUDA driver, no CUDA build of "
            "TensorFlow, or CUDA_VISIBLE_DEVICES hides it). Run with --device cpu, or --device auto "
            "to take the GPU only when there is one."
        )
    chosen = "gpu" if gpus and device != "cpu" else "cpu"
    try:
        if chosen == "cpu":
            if gpus:
                tf.config.set_visible_devices([], "GPU")
            _split_cpu(cpu_replicas)
    except RuntimeError as error:
        raise RuntimeError(
            f"select_device({device!r}): TensorFlow has already started on its devices; choose the device "
            f"before any TensorFlow op runs. ({error})"
        ) from error
    return chosen


def _split_cpu(count: int) -> None:
    cpu = tf.config.list_physical_devices("CPU")[0]
    current = tf.config.get_logical_device_configuration(cpu)
    if len(current or [None]) == count:
        return
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * count)
