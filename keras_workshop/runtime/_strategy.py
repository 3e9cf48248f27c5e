"""TensorFlow's distribution strategies by name: none, mirrored (one machine), multiworker (several)."""

from __future__ import annotations

import json
import os

import tensorflow as tf

STRATEGIES = ("none", "mirrored", "multiworker")


def make_strategy(name: str = "none", device: str = "cpu") -> tf.distribute.Strategy:
    """The `tf.distribute` strategy called `name`, on `device` (`"cpu"` or `"gpu"`, as `select_device` returns).

    - `"none"`: one device. On the GPU, `OneDeviceStrategy`, so that input
      batches are prefetched to it; on the CPU, TensorFlow's default strategy.
    - `"mirrored"`: `MirroredStrategy` over every GPU, or over the logical CPU
      devices `select_device(cpu_replicas=...)` made.
    - `"multiworker"`: `MultiWorkerMirroredStrategy`, the cluster read from the
      standard `TF_CONFIG` variable (checked first: a clear `ValueError` when it
      is missing or malformed). Its constructor waits until every worker has
      started.

    Example:

    >>> make_strategy("mirrored", "cpu").num_replicas_in_sync >= 1
    True
    """
    if name not in STRATEGIES:
        raise ValueError(f"make_strategy: strategy must be one of {STRATEGIES}, got {name!r}.")
    if device not in ("cpu", "gpu"):
        raise ValueError(f"make_strategy: device must be 'cpu' or 'gpu', got {device!r}.")
    kind = device.upper()
    if name == "none":
        return tf.distribute.OneDeviceStrategy("/gpu:0") if device == "gpu" else tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy([d.name for d in tf.config.list_logical_devices(kind)])
    cluster_spec()
    implementation = (tf.distribute.experimental.CommunicationImplementation.NCCL if device == "gpu"
                      else tf.distribute.experimental.CommunicationImplementation.RING)
    return tf.distribute.MultiWorkerMirroredStrategy(
        communication_options=tf.distribute.experimental.CommunicationOptions(implementation=implementation)
    )


def cluster_spec() -> dict:
    """`TF_CONFIG`, read and checked: `{"cluster": {"worker": [...]}, "task": {"type": ..., "index": ...}}`.

    Example:

    >>> os.environ["TF_CONFIG"] = '{"cluster": {"worker": ["localhost:12345"]}, "task": {"type": "worker", "index": 0}}'
    >>> cluster_spec()["task"]
    {'type': 'worker', 'index': 0}
    >>> del os.environ["TF_CONFIG"]
    """
    text = os.environ.get("TF_CONFIG")
    example = ('TF_CONFIG=\'{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
               '"task": {"type": "worker", "index": 0}}\' (index 1 on host2)')
    if not text:
        raise ValueError(f"--strategy multiworker needs the cluster in the TF_CONFIG environment variable, e.g. {example}.")
    try:
        config = json.loads(text)
        cluster, task = config["cluster"], config["task"]
        workers = list(cluster.get("chief", [])) + list(cluster["worker"])
        members = cluster.get(task["type"], None)
        index = task["index"]
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"TF_CONFIG is not a cluster description ({error!r}): got {text!r}; expected e.g. {example}.") from None
    if not workers or not all(isinstance(address, str) and ":" in address for address in workers):
        raise ValueError(f"TF_CONFIG: the cluster's workers must be 'host:port' strings, got {cluster!r}.")
    if task["type"] not in ("chief", "worker") or not isinstance(index, int) or not 0 <= index < len(members or []):
        raise ValueError(
            f"TF_CONFIG: task {task!r} is not one of the cluster's: expected type 'worker' (or 'chief') and an "
            f"index below the number of addresses of that type."
        )
    return config


def is_chief(strategy: tf.distribute.Strategy) -> bool:
    """Whether this process writes results: always, except on non-chief workers of a multi-worker cluster."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) or resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    return resolver.task_type == "worker" and resolver.task_id == 0 and "chief" not in resolver.cluster_spec().as_dict()
