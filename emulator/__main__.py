"""Entry point for `python -m emulator`."""
import sys

from .cli import main

sys.exit(main())
