"""The lessons: eight short steps through recurrent networks, in the order they are taught.

Each lesson is text (what you will see, one thing to try, a question to answer before you press,
what it means) plus a *try* in ``tries.py`` that runs the real rnnlib machinery, and the page
that goes further, opened with its widgets set through the same URL binding a shared link uses.
No Streamlit here: ``rnnlib/ui/lessons_view.py`` draws them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rnnlib.errors import RnnlibError


class LessonError(RnnlibError):
    """A lesson that does not exist, or try-it settings it cannot run."""


@dataclass(frozen=True)
class Lesson:
    number: int
    slug: str
    title: str
    see: str  # what you will see
    try_it: str  # the one thing to try
    question: str  # to answer before pressing the button
    choices: tuple[str, ...]
    answer: int  # index into choices
    meaning: str  # what the result means, shown once it is there
    page: str  # where to go further ("pages/....py")
    page_label: str
    query: dict[str, str] = field(default_factory=dict)  # that page's widgets, by URL binding


LESSONS = (
    Lesson(
        1, "shapes", "Shapes in, shapes out",
        "What `nn.LSTM` takes and returns: the input `(B, T, I)`, the output at every step, and "
        "the final states `h_n` and `c_n`, predicted from the settings and measured on a real "
        "forward pass.",
        "Switch `bidirectional` on, or stack two layers, and watch which shapes change.",
        "With 2 layers and both directions, what is the first dimension of h_n?",
        ("1", "2", "4", "the batch size"), 2,
        "`h_n` holds one final state per layer **and** direction, `num_layers × D` rows, so 4 here. "
        "The output only has the last layer, but both directions side by side: `D × H` features "
        "per step. `batch_first` moves B to the front of input and output, never of `h_n`.",
        "pages/1_Build.py", "Build this model", {"num_layers": "2", "bidirectional": "true"},
    ),
    Lesson(
        2, "classifier", "A sequence classifier",
        "An LSTM reads 20 random numbers and says whether their sum is positive. It is trained "
        "with binary cross-entropy on one logit from its last state; the curve is the BCE per "
        "epoch, and the score is the accuracy on sequences it never saw.",
        "Train it, then try fewer epochs.",
        "Half the sequences sum above zero. Will the trained LSTM beat always answering the "
        "majority class (about 50%)?",
        ("no, it stays near 50%", "a little, around 60%", "by far, above 80%"), 2,
        "The LSTM learns to keep a running sum in its state, so it beats the majority class by "
        "far. The BCE falls from ln 2 ≈ 0.69, the loss of guessing 50/50.",
        "pages/3_Compare.py", "Race the three cells on it",
        {"c_kind": "classification", "c_task": "sum_sign"},
    ),
    Lesson(
        3, "gates", "The LSTM's gates",
        "An LSTM step is five equations. Here they are with the real numbers of one unit at one "
        "step of a sine window, beside heatmaps of every gate over the whole window.",
        "Move the step t and read how the forget gate f and the input gate i set the cell state c.",
        "Where the forget gate f is near 1, what does the cell state c do from step to step?",
        ("it keeps its value", "it resets to 0", "it copies the input"), 0,
        "c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t: with f near 1 and i near 0, c carries its value on "
        "unchanged. That additive path is what lets an LSTM remember.",
        "pages/4_Inside.py", "Look inside on your own model", {"cell": "lstm"},
    ),
    Lesson(
        4, "reach", "Why plain RNNs forget",
        "How strongly the last output depends on the input 0, 1, 2, … steps back, |∂y/∂x|, "
        "measured by backpropagation for an RNN, an LSTM and a GRU on a memory task.",
        "Measure before training, then with a few seconds of training.",
        "Will the RNN or the GRU still feel the input 20 steps back?",
        ("the RNN", "the GRU", "both the same"), 1,
        "The RNN's gradient is a product of one Jacobian per step, so it shrinks geometrically: "
        "the vanishing gradient. The gates give LSTM and GRU an additive path through time, "
        "and their curves fall far more slowly.",
        "pages/4_Inside.py", "Measure it on Inside", {"i_r_task": "memory"},
    ),
    Lesson(
        5, "bidirectional", "Bidirectional networks",
        "The task: report the sign of a value marked near the **start** of a 30-step noisy "
        "sequence. A one-way RNN must carry it through everything after it; a bidirectional one "
        "also reads the sequence backwards, and that direction ends on the marked value.",
        "Train both, then pick the GRU and compare.",
        "Which RNN scores higher on the start-of-sequence task?",
        ("one direction", "both directions", "the same"), 1,
        "The backward direction's final state has just seen the marked value, so the "
        "bidirectional model barely needs memory. Bidirectional models suit classification of "
        "whole sequences; they cannot forecast, since they would read the future.",
        "pages/1_Build.py", "Build a bidirectional model", {"bidirectional": "true"},
    ),
    Lesson(
        6, "seq2seq", "Sequence to sequence",
        "Forecasting 12 steps at once: *direct* reads the window and outputs all 12 from one "
        "head; *seq2seq* has an encoder read the window and a decoder unroll 12 steps, feeding "
        "its own previous output back in.",
        "Train both strategies on the same seasonal series and compare the test MAE.",
        "Which one is trained to predict the 12th step from its own 11th guess?",
        ("direct", "seq2seq", "both"), 1,
        "The decoder of seq2seq conditions each step on its previous output, which keeps the "
        "forecast's steps consistent with each other; direct forecasts each step independently. "
        "On short series neither wins always: compare them on the test part, as here.",
        "pages/2_Train.py", "Train seq2seq on Train",
        {"t_strategy": "seq2seq", "t_horizon": "12", "t_gen": "seasonal"},
    ),
    Lesson(
        7, "stock", "Forecasting a stock price honestly",
        "A price that moves like a random walk, and an LSTM trained to forecast it, scored on "
        "the test part beside the naive forecast (tomorrow = today).",
        "Train it, then change the seed and train again.",
        "Will the LSTM beat the naive forecast on a random walk?",
        ("yes, clearly", "no: at best about as good as naive"), 1,
        "The best forecast of a random walk *is* the last value: its changes are unpredictable "
        "noise. A model that looks good on a chart of a price usually just lags it by a step. "
        "Always score against naive before believing a forecast.",
        "pages/2_Train.py", "Try it on Train", {"t_source": "synthetic", "t_gen": "random_walk"},
    ),
    Lesson(
        8, "scratch", "An LSTM from scratch",
        "rnnlib's own LSTM, each gate written as its equation in Python, next to `nn.LSTM` with "
        "the same weights: every output compared, and the parameters listed tensor by tensor.",
        "Compare them, then switch LayerNorm on and compare again.",
        "With the same weights, how far apart are the scratch LSTM's outputs and torch's?",
        ("exactly 0", "about 1e-7, float32 rounding", "about 0.01"), 1,
        "The same arithmetic in a different order rounds differently, so float32 results differ "
        "by about 1e-7 and no more. LayerNorm (on the gate pre-activations and on c) adds 6 "
        "tensors of parameters and changes the function: then the outputs differ on purpose.",
        "pages/1_Build.py", "Build the scratch LayerNorm LSTM",
        {"impl": "scratch", "layer_norm": "true"},
    ),
)  # fmt: skip


def lesson(number: int) -> Lesson:
    """The lesson with this number (1..8); LessonError otherwise."""
    for item in LESSONS:
        if item.number == number:
            return item
    raise LessonError(f"There is no lesson {number!r}: choose 1 to {len(LESSONS)}.")
