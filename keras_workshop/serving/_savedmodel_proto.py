"""Reading signatures from SavedModel protos without TensorFlow (protobuf wire format only)."""

from __future__ import annotations

import os


def signatures_of_export(export_dir: str) -> dict:
    """The `serve` MetaGraph's signatures of `<export_dir>/saved_model.pb` (SavedModel field 2)."""
    with open(os.path.join(export_dir, "saved_model.pb"), "rb") as file:
        saved_model = file.read()
    for number, meta_graph in _fields(saved_model):
        if number == 2 and b"serve" in _tags(meta_graph):
            return signature_defs(meta_graph)
    raise ValueError(f"{export_dir}: no MetaGraph with the 'serve' tag.")


def _tags(meta_graph: bytes) -> list[bytes]:
    info = dict(_fields(meta_graph)).get(1, b"")  # MetaGraphDef.meta_info_def
    return [value for number, value in _fields(info) if number == 4]  # MetaInfoDef.tags


def _fields(data: bytes):
    """Decodes one protobuf message into (field number, value) pairs (wire format only)."""
    position = 0
    while position < len(data):
        key, position = _varint(data, position)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, position = _varint(data, position)
        elif wire == 1:
            value, position = data[position : position + 8], position + 8
        elif wire == 2:
            length, position = _varint(data, position)
            value, position = data[position : position + length], position + length
        elif wire == 5:
            value, position = data[position : position + 4], position + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, value


def _varint(data: bytes, position: int):
    result = shift = 0
    while True:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, position


def _map_entries(data: bytes):
    fields = dict(_fields(data))
    return fields.get(1, b"").decode(), fields.get(2, b"")


def signature_defs(meta_graph: bytes) -> dict:
    """MetaGraphDef.signature_def (field 5) -> name: (method, {input: tensor}, {output: tensor})."""
    signatures = {}
    for number, value in _fields(meta_graph):
        if number != 5:
            continue
        name, definition = _map_entries(value)
        inputs, outputs, method = {}, {}, ""
        for field, content in _fields(definition):
            if field in (1, 2):  # inputs, outputs: map<string, TensorInfo>; TensorInfo.name is field 1
                key, info = _map_entries(content)
                tensor = dict(_fields(info)).get(1, b"").decode()
                (inputs if field == 1 else outputs)[key] = tensor
            elif field == 3:
                method = content.decode()
        signatures[name] = (method, inputs, outputs)
    return signatures




# TensorFlow's DataType enum (types.proto) for the dtypes a served input can have.
_DATA_TYPES = {1: "float32", 2: "float64", 3: "int32", 4: "uint8", 5: "int16", 6: "int8", 7: "string", 9: "int64",
               10: "bool", 14: "bfloat16", 19: "float16", 22: "uint32", 23: "uint64"}


def signature_input_specs(export_dir: str, signature_name: str) -> dict:
    """`{input name: (dtype name, shape)}` of one signature; a shape is a tuple (None for any size), or None for any rank."""
    with open(os.path.join(export_dir, "saved_model.pb"), "rb") as file:
        saved_model = file.read()
    for number, meta_graph in _fields(saved_model):
        if number != 2 or b"serve" not in _tags(meta_graph):
            continue
        for field, value in _fields(meta_graph):
            name, definition = _map_entries(value) if field == 5 else ("", b"")
            if name != signature_name:
                continue
            specs = {}
            for part, content in _fields(definition):
                if part == 1:  # inputs: TensorInfo with dtype (field 2) and tensor_shape (field 3)
                    key, info = _map_entries(content)
                    info = dict(_fields(info))
                    specs[key] = (_DATA_TYPES.get(info.get(2, 0), f"DataType {info.get(2, 0)}"), _shape(info.get(3)))
            return specs
    raise ValueError(f"{export_dir}: no signature {signature_name!r} in a MetaGraph with the 'serve' tag.")


def _shape(proto: bytes | None):
    """TensorShapeProto: `dim` (field 2, each with `size`, field 1; -1 for any) and `unknown_rank` (field 3)."""
    if proto is None:
        return None
    fields = list(_fields(proto))
    if any(number == 3 and value for number, value in fields):
        return None
    sizes = []
    for number, dim in fields:
        if number == 2:
            size = dict(_fields(dim)).get(1, 0)
            size = size - (1 << 64) if size >= 1 << 63 else size  # int64 as an unsigned varint
            sizes.append(None if size < 0 else size)
    return tuple(sizes)
