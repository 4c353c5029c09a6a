"""Entry point of `python -m seal_adapters` and the `seal-adapters` console script."""
import sys

from seal_adapters.cli import main

if __name__ == "__main__":
    sys.exit(main())
