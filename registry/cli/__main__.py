"""``python -m registry.cli``: the same as ``pcfreg``."""

from registry.cli import main

main()
