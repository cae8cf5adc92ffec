"""export_script: a ModelSpec as a standalone PyTorch script that needs nothing but torch.

The exported class names its submodules ``rnn`` and ``head`` like rnnlib's RecurrentModel and
reads out the same vector (the last layer's h_n, both directions), so a state_dict saved from
build_model(spec) loads into it and gives the same predictions. Two things cannot be exported:
    impl="scratch" becomes the fused nn.RNN/LSTM/GRU (same parameters, same maths; a comment says so);
    layer_norm has no nn.LSTM counterpart and is left out, so the exported model has fewer
    parameters than rnnlib's (a comment at the top of the script gives both counts).
The output is deterministic: the same spec and seed give the same text.
"""

from __future__ import annotations

from rnnlib.params import total_params
from rnnlib.shapes import shapes
from rnnlib.spec import ModelSpec

_CLASSES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
# The dummy forward's sizes: small enough to run instantly anywhere.
_BATCH, _SEQ_LEN = 4, 12


def _constructor_args(spec: ModelSpec) -> list[str]:
    """Only the arguments that apply to this cell or differ from PyTorch's defaults."""
    args = [
        f"input_size={spec.input_size}",
        f"hidden_size={spec.hidden_size}",
        f"num_layers={spec.num_layers}",
    ]
    if spec.cell == "rnn":
        args.append(f'nonlinearity="{spec.nonlinearity}"')
    if not spec.bias:
        args.append("bias=False")
    args.append(f"batch_first={spec.batch_first}")  # always written: the dummy input depends on it
    if spec.dropout > 0 and spec.num_layers > 1:
        args.append(f"dropout={spec.dropout!r}")
    if spec.bidirectional:
        args.append("bidirectional=True")
    if spec.proj_size > 0:
        args.append(f"proj_size={spec.proj_size}")
    return args


def _header_notes(spec: ModelSpec) -> list[str]:
    notes = []
    if spec.layer_norm:
        exported = total_params(spec.replace(layer_norm=False))
        notes += [
            "# NOTE: this spec has layer_norm=True, which nn.LSTM has no option for, so layer norm is",
            "# left out here: this model has "
            f"{exported} parameters where rnnlib's scratch LSTM has {total_params(spec)}.",
        ]
    if spec.impl == "scratch":
        notes += [
            f"# rnnlib built this spec with its scratch {spec.cell.upper()}; the fused nn.{_CLASSES[spec.cell]}",
            "# below has the same parameter names, shapes and maths"
            + (" (but for layer norm)" if spec.layer_norm else "")
            + ", so it stands in for it.",
        ]
    return notes + ([""] if notes else [])


def _readout_lines(spec: ModelSpec) -> list[str]:
    state = "_, (h_n, _) = self.rnn(x)" if spec.cell == "lstm" else "_, h_n = self.rnn(x)"
    P, D = spec.state_size, spec.num_directions
    lines = [f"        {state}  # h_n: ({spec.num_layers * D}, B, {P}), layer-major"]
    if spec.bidirectional:
        lines += [
            "        # h_n[-2] is the forward direction after the last step, h_n[-1] the backward",
            "        # direction after the FIRST step: each has read the whole window. output[:, -1]",
            "        # would pair the forward summary with a backward state that has read one step.",
            f"        last = torch.cat([h_n[-2], h_n[-1]], dim=1)  # (B, {D * P})",
        ]
    else:
        lines.append(f"        last = h_n[-1]  # the last layer's final state: (B, {P})")
    lines.append(f"        return self.head(last)  # (B, {spec.output_size})")
    return lines


def export_script(spec: ModelSpec, seed: int | None = 0) -> str:
    """A runnable Python script (imports only torch) that defines, builds and runs the model.

    Running it prints the prediction's shape and a line ``parameters: N``. With a seed, the
    weights are drawn after torch.manual_seed(seed); seed=None leaves the RNG alone.
    For impl="scratch" the fused torch class is used; layer_norm is left out (see module docstring).
    """
    cls = f"{_CLASSES[spec.cell]}Forecaster"
    article = "a" if spec.cell == "gru" else "an"  # spoken "an ell-ess-tee-em", "a gee-ar-you"
    torch_cls = f"nn.{_CLASSES[spec.cell]}"
    x_shape = shapes(spec, _BATCH, _SEQ_LEN)["input"]
    x_dims = "(batch, seq_len, input_size)" if spec.batch_first else "(seq_len, batch, input_size)"
    args = "".join(f"            {a},\n" for a in _constructor_args(spec))
    lines = [
        f'"""{cls}: {article} {spec.cell.upper()} with a Linear head, exported from rnnlib.',
        "",
        f"Spec: {spec.to_json()}",
        "Run it with: python this_file.py (needs only PyTorch).",
        '"""',
        "",
        *_header_notes(spec),
        "import torch",
        "from torch import nn",
        "",
        "",
        f"class {cls}(nn.Module):",
        f'    """x -> {torch_cls} -> final hidden state(s) of the last layer -> Linear head.',
        "",
        f"    x: {x_dims}; returns (batch, {spec.output_size}).",
        '    """',
        "",
        "    def __init__(self):",
        "        super().__init__()",
        f"        self.rnn = {torch_cls}(\n{args}        )",
        f"        self.head = nn.Linear({spec.readout_size}, {spec.output_size})",
        "",
        "    def forward(self, x):",
        *_readout_lines(spec),
        "",
        "",
        'if __name__ == "__main__":',
        *([f"    torch.manual_seed({seed})"] if seed is not None else []),
        f"    model = {cls}().eval()  # eval: dropout off for this check",
        f"    x = torch.zeros{x_shape}  # {x_dims}",
        "    with torch.no_grad():",
        "        y = model(x)",
        '    print("prediction:", tuple(y.shape))',
        '    print("parameters:", sum(p.numel() for p in model.parameters()))',
    ]
    return "\n".join(lines) + "\n"
