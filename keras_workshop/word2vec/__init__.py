"""Word vectors: corpora shipped in the gensim wheel, skip-gram pairs in tf.data, the skip-gram model.

Corpora and human judgements: `wikipedia_excerpt`, `lee_corpus`, `read_text` (words: `text_words`),
`similarity_judgements`, `similarity_spearman`. Pairs: `skipgram_dataset` (and its parts
`keep_probabilities`, `noise_table`, `epoch_pairs`, `window_pairs`). The model around the
slide's Embedding: `skipgram_model`, `SkipGram`, `compile_skipgram` (then `model.fit`).
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "_corpora": [
            "lee_corpus", "read_text", "similarity_judgements", "similarity_spearman", "text_words", "wikipedia_excerpt",
        ],
        "_pairs": ["epoch_pairs", "keep_probabilities", "noise_table", "skipgram_dataset", "window_pairs"],
        "_model": ["SkipGram", "compile_skipgram", "skipgram_model"],
    },
)
