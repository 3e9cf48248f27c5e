"""Check exports the way TF Serving loads them: TensorFlow's C++ loader, no Python TensorFlow.

Usage: python -m keras_workshop.check_export EXPORT_DIR [EXPORT_DIR ...]

Each EXPORT_DIR is a `<name>/<version>/` export, or a `<name>/` model folder, of which the
highest numeric version is checked (the one TF Serving serves). Each is loaded with
TensorFlow's C++ `LoadSavedModel` (tag `serve`), as TF Serving does, and the samples
`export_for_serving` stored beside it are replayed and compared with Keras' outputs.
Exit status: 0 when every export loads and every sample matches, 1 otherwise, 2 for bad
usage (`--help` shows it). The code is `keras_workshop.serving.replay_samples`.
"""

import sys

from keras_workshop.serving._served_model import main

if __name__ == "__main__":
    sys.exit(main())
