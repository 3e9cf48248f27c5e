"""Embeddings: symbols to ids to one-hot and dense vectors, similarity, neighbours.

The slides' "Embeddings" section: `Vocabulary` and `onehot` (symbols of any kind to
ids and one-hot vectors), the validating `Embedding` layer and `IdsModel` (a functional
model fed ids, checked as given), `euclidean_distance` and
`cosine_similarity`, `unit_rows` (the one row normalisation everything else uses),
`nearest_neighbours`, the training callback `CosineNeighbours`, and TensorBoard
projector files (`write_projector`).
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "_vocabulary": ["Vocabulary", "onehot"],
        "_embedding": ["Embedding"],
        "_ids_model": ["IdsModel"],
        "_similarity": ["cosine_similarity", "euclidean_distance"],
        "_unit_rows": ["unit_rows"],
        "_neighbours": ["nearest_neighbours"],
        "_cosine_neighbours": ["CosineNeighbours", "format_neighbours"],
        "_projector": ["write_projector"],
    },
)
