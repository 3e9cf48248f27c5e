"""Runtime: how recipes run (reproducibility now; devices and distribution build on it).

`set_deterministic(seed)`: the same seed on CPU gives the same numbers.
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={"_determinism": ["set_deterministic"]},
)
