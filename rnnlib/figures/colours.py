"""Colours shared by the figures, in a module that imports nothing (the landing page draws
before plotly is loaded)."""

# One colour per cell, for every figure that puts RNN, LSTM and GRU side by side.
CELL_COLOURS = {"rnn": "#4C78A8", "lstm": "#F58518", "gru": "#54A24B"}
# One colour per part of a series: what the model trains on, validates on, is tested on.
PART_COLOURS = {"train": "#4C78A8", "validation": "#F58518", "test": "#54A24B"}
FORECAST_RED = "#E45756"
HELD_OUT_GREY = "#9ca3af"
