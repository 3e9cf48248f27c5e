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


