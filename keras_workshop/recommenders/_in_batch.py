"""In-batch negatives for the two towers: training without a softmax over every movie."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from keras_workshop import runtime
from keras_workshop.recommenders._two_tower import CandidateScores

_ACCIDENTAL_HIT = -1e9  # the logit of a negative that is the row's own positive item


def remove_accidental_hits(logits, items):
    """Masks the negatives of each row that are the row's positive item, seen again elsewhere in the batch.

    In-batch negatives take every other row's item as a negative; when two rows
    chose the same movie, that movie would be pushed down as a negative of its
    own positive. Those logits become -1e9 (the diagonal, the positives, stays).
    keras-rs 0.4.0's `RemoveAccidentalHits` means to do this, but adds about
    1e-40 to those logits, which float32 leaves unchanged (keras-team/keras-rs#206).

    Args:
        logits: `(batch, batch)`: row i's user against column j's item.
        items: `(batch,)` the item ids of the columns.

    Example:

    >>> logits = remove_accidental_hits(np.zeros((3, 3), "float32"), np.array([4, 4, 5]))
    >>> np.asarray(logits).tolist()
    [[0.0, -1000000000.0, 0.0], [-1000000000.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    same = ops.equal(ops.expand_dims(items, 1), ops.expand_dims(items, 0))
    batch = ops.shape(logits)[0]
    off_diagonal = ops.logical_not(ops.cast(ops.eye(batch), "bool"))
    return ops.where(same & off_diagonal, ops.cast(_ACCIDENTAL_HIT, logits.dtype), logits)


@keras.saving.register_keras_serializable(package="keras_workshop")
class InBatchScores(keras.layers.Layer):
    """Each row's user against every item of the batch, corrected for how often items are sampled.

    Input: `(user_vectors, items)`. The item tower embeds the batch's items
    (their fields are a non-trainable weight); the logits `(batch, batch)` get
    keras-rs' `SamplingProbabilityCorrection` (minus the log of each column's
    sampling probability: popular items are negatives more often) and
    `remove_accidental_hits`.

    Args:
        item_tower: the two-tower model's item tower.
        item_fields: `(items, fields)` int ids of each item's fields.
        sampling_probability: `(items,)`: how likely each item is to be in a
            batch (its share of the training interactions).
    """

    def __init__(self, item_tower: keras.Model, item_fields, sampling_probability, **kwargs):
        import keras_rs  # installed with --no-deps beside Keras (see the Makefile); only this path needs it

        super().__init__(**kwargs)
        item_fields, sampling_probability = np.asarray(item_fields), np.asarray(sampling_probability, np.float64)
        if sampling_probability.shape != (len(item_fields),) or not np.all(np.isfinite(sampling_probability)) or (
                np.any(sampling_probability < 0)):
            raise ValueError(f"InBatchScores: sampling_probability must be {len(item_fields)} finite shares >= 0, "
                             f"one per item; got shape {sampling_probability.shape}.")
        self.item_tower = item_tower
        self.item_fields = self.add_weight(shape=item_fields.shape, dtype="int32", trainable=False, name="item_fields",
                                           initializer=keras.initializers.Constant(item_fields.astype(np.int32)))
        self.sampling_probability = self.add_weight(
            shape=sampling_probability.shape, trainable=False, name="sampling_probability",
            initializer=keras.initializers.Constant(sampling_probability.astype(np.float32)))
        self.correction = keras_rs.layers.SamplingProbabilityCorrection()

    def call(self, inputs, training=None):
        user_vectors, items = inputs
        item_vectors = self.item_tower(ops.take(self.item_fields, items, axis=0), training=training)
        logits = ops.matmul(user_vectors, ops.transpose(item_vectors))
        probability = ops.broadcast_to(ops.take(self.sampling_probability, items)[None, :], ops.shape(logits))
        return remove_accidental_hits(self.correction(logits, probability), items)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], input_shape[0][0])


@keras.saving.register_keras_serializable(package="keras_workshop")
class InBatchSoftmax(keras.losses.Loss):
    """Softmax cross-entropy over the batch's items: row i's positive is column i.

    `y_true` is the batch's item ids, which only say how many rows there are.

    Example:

    >>> loss = InBatchSoftmax()(np.array([3, 7]), np.array([[10.0, 0.0], [0.0, 10.0]]))
    >>> round(float(loss), 5)
    5e-05
    """

    def __init__(self, name: str = "in_batch_softmax", **kwargs):
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        labels = ops.eye(ops.shape(y_pred)[0], dtype=y_pred.dtype)
        return keras.losses.categorical_crossentropy(labels, y_pred, from_logits=True)


def in_batch_model(two_tower: keras.Model, sampling_probability) -> keras.Model:
    """A training view of `two_tower_model` with in-batch negatives: the same towers, other rows' items as negatives.

    Input: `(batch, user fields + 1)` int32 rows, the user's fields then the
    chosen item's index (one tensor, so that `array_batches` feeds it); output
    `(batch, batch)` logits for `InBatchSoftmax`. Training it trains the
    towers of `two_tower`, which then ranks every item as before (its item
    biases stay as they were: the sampling correction stands in for them).

    Example:

    >>> from keras_workshop.recommenders import two_tower_model
    >>> towers = two_tower_model(10, 2, item_fields=[[5, 7], [6, 8], [6, 9]], dim=4)
    >>> model = in_batch_model(towers, sampling_probability=[0.5, 0.25, 0.25])
    >>> model(np.array([[1, 2, 0], [3, 4, 2]], "int32")).shape
    TensorShape([2, 2])
    """
    candidates = two_tower.get_layer("candidate_scores")
    if not isinstance(candidates, CandidateScores):
        raise ValueError("in_batch_model: expected a model of two_tower_model, with its 'candidate_scores' layer.")
    user_tower = two_tower.get_layer("user_tower")
    fields = int(user_tower.input_shape[-1])
    row = keras.Input((fields + 1,), dtype="int32", name="user_fields_and_item")
    scores = InBatchScores(candidates.item_tower, np.asarray(candidates.item_fields), sampling_probability,
                           name="in_batch_scores")
    logits = scores((user_tower(row[:, :fields]), row[:, fields]))
    return runtime.Model(row, logits, name=f"{two_tower.name}_in_batch")
