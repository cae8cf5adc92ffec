"""The typed errors rnnlib raises at its boundaries, each carrying a message a person can act on."""

from __future__ import annotations


class DataError(ValueError):
    """Anything wrong with the data handed to rnnlib: a CSV upload, a dataset name, a generator setting.

    The message is one line meant for a person: what is wrong, then what to do about it.
    """

    def __init__(self, message: str) -> None:
        # A page shows the message verbatim, so a stray newline from a wrapped library error
        # must not break it into a traceback-looking block.
        super().__init__(" ".join(str(message).split()))
