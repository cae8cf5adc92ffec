"""One colour per cell, shared by every figure that puts RNN, LSTM and GRU side by side."""

CELL_COLOURS = {"rnn": "#4C78A8", "lstm": "#F58518", "gru": "#54A24B"}
