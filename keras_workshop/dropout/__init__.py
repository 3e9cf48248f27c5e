"""Dropout: the slides' formulation, Keras' inverted form, the ensemble reading, the lecture's figures.

`SlideDropout` (no scaling while training, as the paper and the slides state it) and
`to_inverted_dropout`; `mc_dropout_predict` (Monte-Carlo averages over masks);
`dropout_mlp` (the slide's `Sequential` block); `noisy_digits` (the lecture's data, fed
to `fit` by `runtime.array_batches`); `side_by_side_model`, `SideBySideCrossEntropy`, `member_cross_entropies`
(several small models trained on the same batches by one `fit`).
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "_slide_dropout": ["SlideDropout", "to_inverted_dropout"],
        "_monte_carlo": ["DROPOUT_LAYERS", "mc_dropout_predict", "sampling_view"],
        "_models": ["dropout_mlp"],
        "_digits": ["Examples", "Split", "noisy_digits"],
        "_side_by_side_model": ["SideBySideCrossEntropy", "member_cross_entropies", "side_by_side_model"],
    },
)
