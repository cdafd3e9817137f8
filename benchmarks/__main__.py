"""python -m benchmarks [sync|pages|all] [--notes N] [...]: see benchmarks/sync.py for options."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from benchmarks import sync

WHICH = ("sync", "pages", "all")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    which = args.pop(0) if args and args[0] in WHICH else "all"
    if which in ("pages", "all"):
        try:
            pages = importlib.import_module("benchmarks.pages")
        except ModuleNotFoundError as exc:
            if exc.name != "benchmarks.pages":
                raise
            print("pages: benchmarks/pages.py is not there yet; skipped", flush=True)
        else:
            status = pages.main(args)
            if status:
                return status
    if which in ("sync", "all"):
        return sync.main(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
