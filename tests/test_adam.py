"""rnnlib's Adam / AdamW against torch.optim's: bit-identical weights, and no torch._dynamo import."""

import subprocess
import sys

import pytest
import torch

from rnnlib.adam import Adam


def _train(make, steps=40, schedule=None):
    torch.manual_seed(0)
    lstm, head = torch.nn.LSTM(2, 8, batch_first=True), torch.nn.Linear(8, 1)
    params = list(lstm.parameters()) + list(head.parameters())
    opt = make(params)
    sched = schedule(opt) if schedule else None
    gen = torch.Generator().manual_seed(1)
    for i in range(steps):
        x, y = torch.randn(4, 5, 2, generator=gen), torch.randn(4, 1, generator=gen)
        out, _ = lstm(x)
        loss = ((head(out[:, -1]) - y) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if sched is not None:
            sched.step(float(i % 3)) if "Plateau" in type(sched).__name__ else sched.step()
    return torch.cat([p.detach().flatten() for p in params]), opt


@pytest.mark.parametrize("wd", [0.0, 1e-2])
@pytest.mark.parametrize("lr", [1e-2, 3e-4])
def test_adam_equals_torch_bit_for_bit(lr, wd):
    ours, _ = _train(lambda p: Adam(p, lr=lr, weight_decay=wd))
    theirs, _ = _train(lambda p: torch.optim.Adam(p, lr=lr, weight_decay=wd))
    assert torch.equal(ours, theirs)


@pytest.mark.parametrize("wd", [0.0, 1e-2])
def test_adamw_equals_torch_bit_for_bit(wd):
    ours, _ = _train(lambda p: Adam(p, lr=1e-2, weight_decay=wd, decoupled=True))
    theirs, _ = _train(lambda p: torch.optim.AdamW(p, lr=1e-2, weight_decay=wd))
    assert torch.equal(ours, theirs)


@pytest.mark.parametrize(
    "schedule",
    [
        lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, factor=0.5, patience=1),
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10),
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=5, gamma=0.5),
    ],
)
def test_schedulers_drive_it_like_torch(schedule):
    ours, opt = _train(lambda p: Adam(p, lr=1e-2), schedule=schedule)
    theirs, ref = _train(lambda p: torch.optim.Adam(p, lr=1e-2), schedule=schedule)
    assert opt.param_groups[0]["lr"] == ref.param_groups[0]["lr"] != 1e-2
    assert torch.equal(ours, theirs)


def test_zero_grad_keeps_or_drops_the_grad():
    w = torch.nn.Parameter(torch.ones(3))
    opt = Adam([w])
    (w * 2).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert torch.equal(w.grad, torch.zeros(3))
    opt.zero_grad()
    assert w.grad is None
    opt.step()  # no gradient: nothing moves
    assert torch.equal(w.detach(), torch.ones(3))


def test_empty_parameter_list_is_refused():
    with pytest.raises(ValueError, match="empty parameter list"):
        Adam([])


def test_training_does_not_import_dynamo():
    # The point of the class: a first fit in a fresh process never pays for torch._dynamo.
    code = (
        "import sys, torch\n"
        "from rnnlib.training import TrainSpec, fit\n"
        "from rnnlib.models import build_model\n"
        "from rnnlib.spec import ModelSpec\n"
        "m = build_model(ModelSpec(cell='lstm', input_size=1, hidden_size=4, batch_first=True))\n"
        "X, y = torch.randn(16, 5, 1), torch.randn(16, 1)\n"
        "fit(m, (X, y), (X, y), TrainSpec(epochs=2, batch_size=8, schedule='plateau'))\n"
        "print('torch._dynamo' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
