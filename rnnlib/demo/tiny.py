"""A one-layer RNN, LSTM or GRU with a linear head, in numpy, forward and backward by hand.

The landing page trains this instead of a torch model so that its first loss point does not wait
for ``import torch`` (about 1 s on a cold 2-core server, more than half of the page's budget).
It is the same network as ``rnnlib.models.build_model(ModelSpec(cell, hidden_size))``: the same
parameters in torch's layout and gate order (LSTM i, f, g, o; GRU r, z, n), the same readout
(the last h) and the same function; tests/test_demo_tiny.py checks outputs and gradients
against torch.nn to 1e-10 in float64.

Shapes: x (B, T, 1) windows, y (B, 1) next values; H hidden units, G gates (1, 3 or 4).
"""

from __future__ import annotations

import numpy as np

GATES = {"rnn": 1, "lstm": 4, "gru": 3}
NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "head_weight", "head_bias")


def sigmoid(a: np.ndarray) -> np.ndarray:
    # σ(a) = 1 / (1 + e^-a) = (1 + tanh(a/2)) / 2, which cannot overflow for large -a
    return 0.5 + 0.5 * np.tanh(0.5 * a)


def init_params(cell: str, hidden: int, seed: int) -> dict[str, np.ndarray]:
    """torch's default initialisation: every tensor ~ U(-1/√H, 1/√H) (nn.Linear's head as well)."""
    rng = np.random.default_rng(seed)
    k, gh = 1.0 / np.sqrt(hidden), GATES[cell] * hidden
    shapes = [(gh, 1), (gh, hidden), (gh,), (gh,), (1, hidden), (1,)]
    return {name: rng.uniform(-k, k, shape) for name, shape in zip(NAMES, shapes, strict=True)}


def cell_step(cell: str, p: dict, x: np.ndarray, state):
    """One step of the cell: x (B, 1) and the state (h, or (h, c) for the LSTM) -> (new state, cache).

    The cache holds what the backward step needs."""
    h = state[0] if cell == "lstm" else state
    gi = x @ p["weight_ih"].T + p["bias_ih"]  # (B, G·H)
    gh = h @ p["weight_hh"].T + p["bias_hh"]
    if cell == "rnn":
        # h' = tanh(W_ih x + b_ih + W_hh h + b_hh)
        new = np.tanh(gi + gh)
        return new, (x, h, new)
    if cell == "lstm":
        c = state[1]
        a = gi + gh
        H = h.shape[1]
        # i, f, o = σ(·) ; g = tanh(·) ; c' = f ⊙ c + i ⊙ g ; h' = o ⊙ tanh(c')
        s = sigmoid(a)  # all four blocks at once (one call, not three); g's is unused
        i, f, o = s[:, :H], s[:, H : 2 * H], s[:, 3 * H :]
        g = np.tanh(a[:, 2 * H : 3 * H])
        c_new = f * c + i * g
        tanh_c = np.tanh(c_new)
        h_new = o * tanh_c
        return (h_new, c_new), (x, h, c, i, f, g, o, tanh_c)
    # GRU: r, z = σ(gi + gh) ; n = tanh(gi_n + r ⊙ gh_n) ; h' = (1 - z) ⊙ n + z ⊙ h
    H = h.shape[1]
    r = sigmoid(gi[:, :H] + gh[:, :H])
    z = sigmoid(gi[:, H : 2 * H] + gh[:, H : 2 * H])
    gh_n = gh[:, 2 * H :]
    n = np.tanh(gi[:, 2 * H :] + r * gh_n)
    new = (1 - z) * n + z * h
    return new, (x, h, r, z, n, gh_n)


def zero_state(cell: str, batch: int, hidden: int):
    h = np.zeros((batch, hidden))
    return (h, np.zeros_like(h)) if cell == "lstm" else h


def hidden_of(cell: str, state) -> np.ndarray:
    return state[0] if cell == "lstm" else state


def run(cell: str, p: dict, x: np.ndarray, state=None):
    """The window x (B, T, 1) through the cell -> (final state, per-step caches)."""
    B, T, _ = x.shape
    state = zero_state(cell, B, p["weight_hh"].shape[1]) if state is None else state
    caches = []
    for t in range(T):
        state, cache = cell_step(cell, p, x[:, t], state)
        caches.append(cache)
    return state, caches


def predict(cell: str, p: dict, state) -> np.ndarray:
    """The head on the last h: (B, 1)."""
    return hidden_of(cell, state) @ p["head_weight"].T + p["head_bias"]


def loss_and_grads(cell: str, p: dict, x: np.ndarray, y: np.ndarray) -> tuple[float, dict]:
    """MSE of the one-step prediction, and its gradient for every parameter (BPTT by hand)."""
    state, caches = run(cell, p, x)
    h_last = hidden_of(cell, state)
    err = h_last @ p["head_weight"].T + p["head_bias"] - y  # (B, 1)
    loss = float(np.mean(err**2))
    # L = mean((ŷ - y)²) ⇒ ∂L/∂ŷ = 2 (ŷ - y) / B
    dy = 2.0 * err / err.size
    grads = {"head_weight": dy.T @ h_last, "head_bias": dy.sum(0)}
    dh = dy @ p["head_weight"]  # ∂L/∂h_T
    dc = np.zeros_like(dh)
    dgi_steps, dgh_steps = [], []  # per step ∂L/∂(W_ih x + b_ih), ∂L/∂(W_hh h + b_hh)
    for cache in reversed(caches):
        if cell == "rnn":
            _, _, new = cache
            da = dh * (1 - new**2)  # tanh' = 1 - tanh²
            dgi = dgh = da
            direct = 0.0
        elif cell == "lstm":
            _, _, c, i, f, g, o, tanh_c = cache
            # h' = o tanh(c') ⇒ ∂o = ∂h' tanh(c'), ∂c' += ∂h' o (1 - tanh²(c'))
            do = dh * tanh_c
            dc = dc + dh * o * (1 - tanh_c**2)
            # c' = f c + i g ⇒ ∂i = ∂c' g, ∂f = ∂c' c, ∂g = ∂c' i, ∂c = ∂c' f
            da = np.concatenate(
                [dc * g * i * (1 - i), dc * c * f * (1 - f), dc * i * (1 - g**2), do * o * (1 - o)],
                axis=1,
            )
            dc = dc * f
            dgi = dgh = da
            direct = 0.0
        else:
            _, h, r, z, n, gh_n = cache
            # h' = (1 - z) n + z h ⇒ ∂n = ∂h' (1 - z), ∂z = ∂h' (h - n)
            dan = dh * (1 - z) * (1 - n**2)  # through n = tanh(gi_n + r gh_n)
            daz = dh * (h - n) * z * (1 - z)
            dar = dan * gh_n * r * (1 - r)
            dgi = np.concatenate([dar, daz, dan], axis=1)
            dgh = np.concatenate([dar, daz, dan * r], axis=1)
            direct = dh * z  # h' = ... + z h reaches h_{t-1} without W_hh
        x_t, h_prev = cache[0], cache[1]
        dgi_steps.append((dgi, x_t))
        dgh_steps.append((dgh, h_prev))
        dh = dgh @ p["weight_hh"] + direct  # ∂L/∂h_{t-1}
    grads["weight_ih"] = sum(d.T @ x_t for d, x_t in dgi_steps)
    grads["weight_hh"] = sum(d.T @ h_prev for d, h_prev in dgh_steps)
    grads["bias_ih"] = sum(d.sum(0) for d, _ in dgi_steps)
    grads["bias_hh"] = sum(d.sum(0) for d, _ in dgh_steps)
    return loss, grads


def recursive_forecast(cell: str, p: dict, context: np.ndarray, horizon: int) -> np.ndarray:
    """Feed each prediction back as the next input: (T,) context -> (horizon,) forecast.

    The state is carried from step to step, so each new value costs one step of the cell."""
    state, _ = run(cell, p, context.reshape(1, -1, 1))
    out = np.empty(horizon)
    for k in range(horizon):
        nxt = predict(cell, p, state)  # (1, 1)
        out[k] = nxt[0, 0]
        state, _ = cell_step(cell, p, nxt, state)
    return out


class Adam:
    """Adam (Kingma & Ba) as torch.optim.Adam computes it with its defaults."""

    def __init__(self, params: dict, lr: float, betas=(0.9, 0.999), eps: float = 1e-8):
        self.params, self.lr, (self.b1, self.b2), self.eps, self.t = params, lr, betas, eps, 0
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, grads: dict) -> None:
        self.t += 1
        # bias corrections: m and v start at 0, so early averages are scaled back up
        c1, c2 = 1 - self.b1**self.t, 1 - self.b2**self.t
        for k, g in grads.items():
            m, v = self.m[k], self.v[k]
            # m_t = β1 m + (1 - β1) g ;  v_t = β2 v + (1 - β2) g²
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * g * g
            # p -= lr · (m_t / c1) / (sqrt(v_t / c2) + ε)
            self.params[k] -= (self.lr / c1) * m / (np.sqrt(v / c2) + self.eps)
