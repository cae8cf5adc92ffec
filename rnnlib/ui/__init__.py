"""Streamlit helpers shared by the pages. The only part of rnnlib that imports streamlit.

Importing it changes nothing; every page calls ``frame.frame()`` first, which calls ``pin_threads()``.
"""

import os


def pin_threads() -> None:
    """Pin torch to one intra-op thread (override with RNNLIB_THREADS); cheap, safe to repeat.

    The playground's models are tiny, and on a 2-core or shared host two threads fighting over
    cores made training 15x slower (2.4 s vs 37 s for the Train page's default run, measured on
    this project's CI machine while it was busy). Each visitor's run then uses one core, which is
    also the fair share when several people train at once.
    """
    import torch  # here, not at the top: importing rnnlib.ui must stay free of side effects

    torch.set_num_threads(int(os.environ.get("RNNLIB_THREADS", "1")))
