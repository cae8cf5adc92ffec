"""ModelSpec: everything needed to build a recurrent model, validated in one place.

Field names mirror the constructor arguments of ``torch.nn.RNN/LSTM/GRU`` so that a person who
knows PyTorch recognises every knob; ``impl``, ``layer_norm`` and ``output_size`` are ours.
"""

from __future__ import annotations

import dataclasses
import json
import numbers
from dataclasses import dataclass
from typing import Any

from rnnlib.errors import RnnlibError, check_choice

CELLS = ("rnn", "lstm", "gru")
# Gate blocks stacked in each weight matrix: PyTorch's layout (RNN 1, LSTM i|f|g|o, GRU r|z|n).
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
NONLINEARITIES = ("tanh", "relu")
IMPLS = ("torch", "scratch")

# Upper bounds keep a shared, hosted playground responsive; they are far above what trains in seconds.
MAX_HIDDEN = 1024
MAX_LAYERS = 8
MAX_INPUT = 256
MAX_OUTPUT = 512


class SpecError(RnnlibError):
    """A model specification that cannot be built; the message says what to change."""


@dataclass(frozen=True)
class ModelSpec:
    cell: str = "lstm"  # the recurrent cell: "rnn", "lstm" or "gru"
    input_size: int = 1  # features per time step (1 = a univariate series)
    # units per layer: big enough to fit a seasonal series, small enough for CPU
    hidden_size: int = 32
    num_layers: int = 1  # stacked layers; depth rarely helps on short series
    nonlinearity: str = "tanh"  # RNN only; relu can explode without clipping
    bias: bool = True  # PyTorch keeps two biases per gate block (b_ih and b_hh)
    # (B, T, F) input like most data code; False is PyTorch's default (T, B, F)
    batch_first: bool = True
    dropout: float = 0.0  # between stacked layers only, so it needs num_layers > 1
    bidirectional: bool = False  # reads the window both ways; fine for classification, not causal
    proj_size: int = 0  # LSTM only: project h to this size (0 = off), must be < hidden_size
    impl: str = "torch"  # "torch" = fused nn.RNN/LSTM/GRU, "scratch" = rnnlib's readable cells
    layer_norm: bool = False  # scratch LSTM only: LayerNorm on gate pre-activations and on c_t
    output_size: int = 1  # width of the Linear head (1 = one-step forecast or one logit)

    def __post_init__(self) -> None:
        _validate(self)
        # Store plain ints so the spec round-trips through JSON whatever integer type it was given.
        for f in ("input_size", "hidden_size", "num_layers", "proj_size", "output_size"):
            object.__setattr__(self, f, int(getattr(self, f)))

    @property
    def gates(self) -> int:
        return GATES[self.cell]

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def state_size(self) -> int:
        """Width of h_t: proj_size when projecting, else hidden_size."""
        return self.proj_size if self.proj_size > 0 else self.hidden_size

    @property
    def readout_size(self) -> int:
        """Width of the vector the head reads: h_n of the last layer, both directions."""
        return self.state_size * self.num_directions

    def warnings(self) -> tuple[str, ...]:
        """Combinations PyTorch accepts with a warning; we show them but still build."""
        out = []
        if self.dropout > 0 and self.num_layers == 1:
            out.append(
                "dropout only acts between stacked layers, so with num_layers=1 it does nothing "
                "(PyTorch warns about this too)."
            )
        if self.cell == "rnn" and self.nonlinearity == "relu" and self.num_layers > 2:
            out.append("A deep ReLU RNN can blow up: keep gradient clipping on when training it.")
        return tuple(out)

    def replace(self, **changes: Any) -> ModelSpec:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: Any) -> ModelSpec:
        """Build from a plain dict (e.g. JSON or query params); unknown keys are an error."""
        if not isinstance(data, dict):
            raise SpecError(
                f"A model spec must be a mapping of field names to values, not {type(data).__name__}."
            )
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            raise SpecError(
                f"Unknown spec field(s) {', '.join(map(str, unknown))}; known fields: {', '.join(sorted(names))}."
            )
        return cls(**data)

    @classmethod
    def from_json(cls, text: str) -> ModelSpec:
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, TypeError) as e:
            raise SpecError(
                f"The model spec is not valid JSON ({e.msg if hasattr(e, 'msg') else e})."
            ) from None
        return cls.from_dict(data)


def _check_int(name: str, value: Any, low: int, high: int) -> None:
    # bool is an int subclass in Python; True as a hidden size is a bug, not a 1.
    # numpy integers (from pandas or sliders) are whole numbers too.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise SpecError(f"{name} must be a whole number, got {value!r}.")
    if not low <= value <= high:
        raise SpecError(f"{name} must be between {low} and {high}, got {value}.")


def _check_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise SpecError(f"{name} must be true or false, got {value!r}.")


def _validate(s: ModelSpec) -> None:
    check_choice("cell", s.cell, CELLS, error=SpecError)
    check_choice("impl", s.impl, IMPLS, error=SpecError)
    check_choice("nonlinearity", s.nonlinearity, NONLINEARITIES, error=SpecError)
    _check_int("input_size", s.input_size, 1, MAX_INPUT)
    _check_int("hidden_size", s.hidden_size, 1, MAX_HIDDEN)
    _check_int("num_layers", s.num_layers, 1, MAX_LAYERS)
    _check_int("proj_size", s.proj_size, 0, MAX_HIDDEN)
    _check_int("output_size", s.output_size, 1, MAX_OUTPUT)
    for name in ("bias", "batch_first", "bidirectional", "layer_norm"):
        _check_bool(name, getattr(s, name))
    if isinstance(s.dropout, bool) or not isinstance(s.dropout, int | float):
        raise SpecError(f"dropout must be a number between 0 and 1, got {s.dropout!r}.")
    if not 0.0 <= s.dropout < 1.0:
        raise SpecError(
            f"dropout is a probability of zeroing a unit and must be in [0, 1), got {s.dropout}."
        )
    # The rules below are PyTorch's own, phrased for a person.
    if s.nonlinearity != "tanh" and s.cell != "rnn":
        raise SpecError(
            f"nonlinearity applies to the plain RNN only; {s.cell.upper()} gates fix their own "
            "(sigmoid and tanh). Set nonlinearity='tanh' or choose cell='rnn'."
        )
    if s.proj_size > 0 and s.cell != "lstm":
        raise SpecError(f"proj_size is an LSTM option; set it to 0 for {s.cell.upper()}.")
    if s.proj_size >= s.hidden_size:
        raise SpecError(
            f"proj_size ({s.proj_size}) must be smaller than hidden_size ({s.hidden_size}): "
            "a projection that does not shrink h only adds parameters."
        )
    if s.layer_norm and not (s.cell == "lstm" and s.impl == "scratch"):
        raise SpecError(
            "layer_norm is available for the scratch LSTM only (nn.LSTM has no such option): "
            "choose cell='lstm' and impl='scratch', or turn layer_norm off."
        )
    if s.layer_norm and s.proj_size > 0:
        raise SpecError("layer_norm and proj_size cannot be combined; turn one of them off.")
