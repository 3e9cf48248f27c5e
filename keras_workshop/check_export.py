"""Check exports the way TF Serving loads them: TensorFlow's C++ loader, no Python TensorFlow.

Usage: python -m keras_workshop.check_export EXPORT_DIR [EXPORT_DIR ...]

Each EXPORT_DIR is a `<name>/<version>/` export, or a `<name>/` model folder, of which the
highest numeric version is checked (the one TF Serving serves). Each is loaded with
TensorFlow's C++ `LoadSavedModel` (tag `serve`), as TF Serving does, and the samples
`export_for_serving` stored beside it are replayed and compared with Keras' outputs.
Exit status: 0 when every export loads and every sample matches, 1 otherwise, 2 for bad
usage (`--help` shows it). The code is `keras_workshop.serving.replay_samples`.
"""

import argparse
import sys

from keras_workshop.serving import replay_samples, served_version


def main(argv: list[str] | None = None) -> int:
    """The command line: checks each export given; exit status 0 when all load and match, 1 if not, 2 on bad usage."""
    parser = argparse.ArgumentParser(
        prog="python -m keras_workshop.check_export",
        description="Loads each export with TensorFlow's C++ loader, as TF Serving does, and replays its stored "
                    "samples. Exit status 0 when every export loads and every sample matches, 1 otherwise.",
    )
    parser.add_argument("exports", nargs="+", metavar="EXPORT_DIR",
                        help="a version folder (saved_models/NAME/VERSION), or a model folder (saved_models/NAME), "
                             "of which the highest numeric version is checked, as TF Serving serves it")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    failures = 0
    for path in args.exports:
        try:
            version_dir = served_version(path)
        except ValueError as error:
            print(f"FAIL  {error}")
            failures += 1
            continue
        for line, ok in replay_samples(version_dir):
            print(("ok    " if ok else "FAIL  ") + line)
            failures += not ok
    leaked = "tensorflow" in sys.modules
    if leaked:
        print("FAIL  TensorFlow's Python API was imported; the check is not independent of it")
    return 1 if failures or leaked else 0


if __name__ == "__main__":
    sys.exit(main())
