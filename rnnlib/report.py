"""describe(spec): everything the Build page shows about a model, in one call."""

from __future__ import annotations

from dataclasses import dataclass

from rnnlib.codegen import export_script
from rnnlib.equations import EXPLAIN, equations
from rnnlib.params import (
    BIAS_NOTE,
    ParamRow,
    macs_per_step,
    memory_bytes,
    param_table,
    single_bias_total,
    total_formula,
    total_formula_latex,
    total_params,
)
from rnnlib.shapes import check_shapes, shapes
from rnnlib.spec import ModelSpec


@dataclass(frozen=True)
class ModelReport:
    spec: ModelSpec
    rows: list[ParamRow]  # one per tensor, module order
    total: int  # closed form; equals sum(p.numel()) (tested)
    formula: str  # closed form with the numbers filled in
    formula_latex: str
    single_bias_total: int  # Keras/labml convention: one bias per gate block
    bias_note: str
    macs_per_step: int  # multiply-adds of the recurrent core per time step
    weight_bytes: int  # fp32
    shapes: dict[str, tuple[int, ...]]  # predicted from the spec
    measured_shapes: (
        dict[str, tuple[int, ...]] | None
    )  # from a real forward pass; None: too big to run live
    equations: list[str]  # LaTeX lines
    explanation: str
    code: str  # standalone torch-only script
    warnings: tuple[str, ...]


# A live forward pass costs about a second per 1e9 multiply-adds on one CPU core; above this the
# page would freeze for a check whose answer the closed form already gives.
LIVE_CHECK_MACS = 200_000_000


def describe(spec: ModelSpec, batch: int = 8, seq_len: int = 24) -> ModelReport:
    cheap = macs_per_step(spec) * batch * seq_len <= LIVE_CHECK_MACS
    return ModelReport(
        spec=spec,
        rows=param_table(spec),
        total=total_params(spec),
        formula=total_formula(spec),
        formula_latex=total_formula_latex(spec),
        single_bias_total=single_bias_total(spec),
        bias_note=BIAS_NOTE,
        macs_per_step=macs_per_step(spec),
        weight_bytes=memory_bytes(spec),
        shapes=shapes(spec, batch, seq_len),
        measured_shapes=check_shapes(spec, batch, seq_len) if cheap else None,
        equations=equations(spec),
        explanation=EXPLAIN[spec.cell],
        code=export_script(spec),
        warnings=spec.warnings(),
    )
