"""TF Serving's `models.config`, written with TF Serving's own protos."""

from __future__ import annotations

import os
import re
import tempfile
import warnings

_MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def check_model_name(name) -> str:
    """Returns `name` if TF Serving and the file system both take it as a model name.

    A served model's name is a folder name under the base directory, a
    `name:` in `models.config` and the `<name>` of REST paths such as
    `/v1/models/<name>:predict`, where `/` and `:` end the name. So a name is
    1 to 128 characters among letters, digits, `.`, `_` and `-`, starting with
    a letter or digit (no `.`, `..` or hidden folders).

    Raises:
        ValueError: naming the rejected value and what is allowed.

    Example:

    >>> check_model_name("dropout_mlp_p0.2")
    'dropout_mlp_p0.2'
    """
    if not isinstance(name, str) or not _MODEL_NAME.fullmatch(name):
        raise ValueError(
            f"model name {name!r} is not allowed: expected 1 to 128 characters among letters, "
            "digits, '.', '_' and '-', starting with a letter or digit (it is a folder name and "
            "part of TF Serving's REST paths)."
        )
    return name


def write_model_config(base_dir: str = "saved_models") -> str:
    """Writes `<base_dir>/models.config`, TF Serving's model config listing every model.

    A model is a folder of `base_dir` holding at least one numeric version
    folder. Base paths are absolute, as TF Serving needs them. The file is a
    `tensorflow.serving.ModelServerConfig` in protobuf text format, written
    with TF Serving's own `model_server_config_pb2` and replaced atomically.
    Folders whose names `check_model_name` rejects are left out, with a warning.

    Example:

    >>> import tempfile
    >>> base_dir = tempfile.mkdtemp()
    >>> os.makedirs(os.path.join(base_dir, "my_model", "1"))
    >>> print(open(write_model_config(base_dir)).read().replace(base_dir, "BASE"))
    model_config_list {
      config {
        name: "my_model"
        base_path: "BASE/my_model"
        model_platform: "tensorflow"
      }
    }
    <BLANKLINE>
    """
    from google.protobuf import text_format
    from tensorflow_serving.config import model_server_config_pb2

    config = model_server_config_pb2.ModelServerConfig()
    entries = config.model_config_list.config
    for entry in sorted(os.listdir(base_dir)):
        if entry.startswith(".") or not versions(os.path.join(base_dir, entry)):
            continue  # hidden (staging folders) or no version: not a served model
        if not _MODEL_NAME.fullmatch(entry):
            warnings.warn(f"write_model_config: left out {entry!r}, which is not a valid model name.")
            continue
        path = os.path.abspath(os.path.join(base_dir, entry))
        entries.add(name=entry, base_path=path, model_platform="tensorflow")
    path = os.path.join(base_dir, "models.config")
    descriptor, temporary = tempfile.mkstemp(prefix=".models.config.", dir=base_dir)
    with os.fdopen(descriptor, "w") as file:
        file.write(text_format.MessageToString(config))
    os.chmod(temporary, 0o644)  # mkstemp makes it private; a server running as another user reads it
    os.replace(temporary, path)
    return path


def versions(model_dir: str) -> list[int]:
    """The numeric version folders of `model_dir` (what TF Serving would serve), as integers."""
    if not os.path.isdir(model_dir):
        return []
    return [int(entry) for entry in os.listdir(model_dir) if entry.isdigit()]
