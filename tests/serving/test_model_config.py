"""TF Serving's models.config: written with its protos, names checked before anything is written."""

import os

import pytest
from google.protobuf import text_format
from hypothesis import given, settings
from hypothesis import strategies as st
from tensorflow_serving.config import model_server_config_pb2

from keras_workshop.serving import check_model_name, write_model_config


def parse(path):
    """Parses the file as TF Serving does: a ModelServerConfig in protobuf text format."""
    return text_format.Parse(open(path).read(), model_server_config_pb2.ModelServerConfig())


def test_config_lists_every_model_with_versions_and_parses_as_tf_serving_reads_it(tmp_path):
    for name in ("b_model", "a.model-2"):
        os.makedirs(tmp_path / name / "3")
    os.makedirs(tmp_path / "no_versions" / "draft")
    os.makedirs(tmp_path / ".tmp-staging" / "1")
    config = parse(write_model_config(str(tmp_path)))
    entries = [(c.name, c.base_path, c.model_platform) for c in config.model_config_list.config]
    assert entries == [
        ("a.model-2", str(tmp_path / "a.model-2"), "tensorflow"),
        ("b_model", str(tmp_path / "b_model"), "tensorflow"),
    ]
    assert oct(os.stat(tmp_path / "models.config").st_mode & 0o777) == "0o644"
    assert sorted(os.listdir(tmp_path)) == [".tmp-staging", "a.model-2", "b_model", "models.config", "no_versions"]


def test_a_folder_with_a_bad_name_is_left_out_with_a_warning(tmp_path):
    os.makedirs(tmp_path / "good" / "1")
    os.makedirs(tmp_path / 'x"y' / "1")
    with pytest.warns(UserWarning, match="left out 'x\"y'"):
        config = parse(write_model_config(str(tmp_path)))
    assert [c.name for c in config.model_config_list.config] == ["good"]


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=0, max_size=140))
def test_names_are_accepted_exactly_when_folders_config_and_rest_paths_take_them(name):
    plain = (
        0 < len(name) <= 128
        and name[0].isascii() and name[0].isalnum()
        and all(c.isascii() and (c.isalnum() or c in "._-") for c in name)
    )
    if plain:
        assert check_model_name(name) == name
        config = model_server_config_pb2.ModelServerConfig()
        config.model_config_list.config.add(name=name, base_path="/m", model_platform="tensorflow")
        assert text_format.Parse(text_format.MessageToString(config), model_server_config_pb2.ModelServerConfig()) == config
    else:
        with pytest.raises(ValueError, match="is not allowed"):
            check_model_name(name)


@pytest.mark.parametrize("name", [None, 3, b"model", ["a"]])
def test_names_that_are_not_strings_are_refused(name):
    with pytest.raises(ValueError, match="is not allowed"):
        check_model_name(name)
