"""Labs: exercises that check themselves, in the notebook, offline.

- `check`: `check.<exercise>()` runs the learner's answer (read where the check
  is called) on cases of its own and returns a `Verdict`: passed, not answered
  (the cell above not run, or still `...`), or failed with a hint that never
  gives the solution away; it never raises. `check.summary()` ends each lab.
- `Verdict`, `Summary`: shown as one plain line in a terminal, as HTML in
  Jupyter, and as JSON under `MIME_TYPE` for programs and tests.
- `Checks`, `EXERCISES`, `Exercise`: the checks and what each reads.
- `REGIMES` (lab 4's choices), `movie_vectors()` (lab 3's movies, from what users chose).
"""

import lazy_loader

# Each lab's module registers its exercises in EXERCISES, in the labs' order.
import keras_workshop.labs._lab1_symbols  # noqa: E402,F401
import keras_workshop.labs._lab2_embedding  # noqa: E402,F401
import keras_workshop.labs._lab3_similarity  # noqa: E402,F401
import keras_workshop.labs._lab4_dropout  # noqa: E402,F401
import keras_workshop.labs._lab5_rating_model  # noqa: E402,F401
import keras_workshop.labs._lab6_recommend  # noqa: E402,F401


__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "_checks": ["Checks", "EXERCISES", "Exercise", "check"],
        "_lab3_similarity": ["movie_vectors"],
        "_lab4_dropout": ["REGIMES"],
        "_verdict": ["MIME_TYPE", "Summary", "Verdict"],
    },
)
