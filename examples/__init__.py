"""Runnable examples of the tutorial: one module per chapter, each with ``main(argv=None)``."""
