"""Which torch device to compute on, and a one-line description of it for the UI and logs."""

from __future__ import annotations

import torch

from rnnlib.errors import RnnlibError

PREFERENCES = ("auto", "cpu", "cuda", "mps")


class DeviceError(RnnlibError):
    """A device was asked for that this machine cannot provide."""


def _mps_available() -> bool:
    # torch.backends.mps exists on every build, but only macOS builds can say yes.
    return bool(torch.backends.mps.is_available())


def pick_device(preference: str = "auto") -> torch.device:
    """Return the device to use: "auto" prefers cuda, then mps, then cpu.

    An explicit "cuda" or "mps" on a machine without one raises DeviceError rather than
    silently falling back, so a user who asked for a GPU learns they are not getting one.
    """
    if preference not in PREFERENCES:
        raise DeviceError(f"unknown device {preference!r}: choose one of {', '.join(PREFERENCES)}")
    if preference == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps") if _mps_available() else torch.device("cpu")
    if preference == "cuda" and not torch.cuda.is_available():
        raise DeviceError(
            f"device 'cuda' requested but torch {torch.__version__} sees no CUDA GPU: use 'cpu' or 'auto'"
        )
    if preference == "mps" and not _mps_available():
        raise DeviceError(
            "device 'mps' requested but this machine has no Apple MPS: use 'cpu' or 'auto'"
        )
    return torch.device(preference)


def available_devices() -> list[str]:
    """The preferences this machine can honour, "auto" first: what a device picker should offer."""
    gpus = [
        name for name, ok in (("cuda", torch.cuda.is_available()), ("mps", _mps_available())) if ok
    ]
    return ["auto", "cpu", *gpus]


def describe_device(device: torch.device | None = None) -> str:
    """One line naming the device (default: pick_device()) and the torch build.

    e.g. "CPU (torch 2.13.0+cpu, 2 threads)" or "CUDA: NVIDIA H100 80GB HBM3 (torch 2.13.0+cu128)".
    """
    device = pick_device() if device is None else device
    if device.type == "cuda":
        return f"CUDA: {torch.cuda.get_device_name(device)} (torch {torch.__version__})"
    if device.type == "mps":
        return f"MPS: Apple GPU (torch {torch.__version__})"
    threads = torch.get_num_threads()
    return f"CPU (torch {torch.__version__}, {threads} thread{'s' if threads != 1 else ''})"
