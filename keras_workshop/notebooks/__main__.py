"""`python -m keras_workshop.notebooks [--check]`: writes `notebooks/` from `recipes/` and `labs/` from
`labs/sources/`, or checks that both are up to date."""

import argparse
import sys

from keras_workshop.notebooks import write_labs, write_notebooks


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m keras_workshop.notebooks", description=__doc__)
    parser.add_argument("--recipes", default="recipes", help="the recipes' folder (default recipes)")
    parser.add_argument("--notebooks", default="notebooks", help="the notebooks' folder (default notebooks)")
    parser.add_argument("--labs", default="labs", help="the labs' folder, sources in <labs>/sources (default labs)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a notebook is not up to date")
    args = parser.parse_args(argv)
    try:
        paths = write_notebooks(args.recipes, args.notebooks, check=args.check)
        paths += write_labs(f"{args.labs}/sources", args.labs, check=args.check)
    except (ValueError, OSError) as error:
        print(error, file=sys.stderr)
        return 2
    if args.check and paths:
        print("Not what the converter writes (run `make notebooks`): " + ", ".join(paths), file=sys.stderr)
        return 1
    print(f"{args.notebooks}, {args.labs}: every notebook is up to date" if args.check
          else f"wrote {len(paths)} notebooks to {args.notebooks} and {args.labs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
