import pytest
import torch

from rnnlib import device as dev
from rnnlib.device import DeviceError, describe_device, pick_device


@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(dev, "_mps_available", lambda: False)


@pytest.fixture
def fake_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda _device=None: "NVIDIA H100")


def test_auto_without_gpu_is_cpu(no_gpu):
    assert pick_device() == torch.device("cpu")
    assert pick_device("auto") == torch.device("cpu")


def test_auto_prefers_cuda(fake_cuda):
    assert pick_device("auto") == torch.device("cuda")


def test_auto_falls_back_to_mps(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(dev, "_mps_available", lambda: True)
    assert pick_device("auto") == torch.device("mps")


def test_explicit_cpu_even_with_cuda(fake_cuda):
    assert pick_device("cpu") == torch.device("cpu")


def test_cuda_without_gpu_raises_one_line_value_error(no_gpu):
    with pytest.raises(ValueError, match=r"^device 'cuda' requested but .* no CUDA GPU") as info:
        pick_device("cuda")
    assert isinstance(info.value, DeviceError)
    assert "\n" not in str(info.value)


def test_mps_without_mps_raises(no_gpu):
    with pytest.raises(DeviceError, match="no Apple MPS"):
        pick_device("mps")


def test_unknown_preference_names_the_choices():
    with pytest.raises(
        DeviceError, match=r"unknown device 'gpu': choose one of auto, cpu, cuda, mps"
    ):
        pick_device("gpu")


@pytest.mark.parametrize(("threads", "suffix"), [(2, "2 threads"), (1, "1 thread")])
def test_describe_cpu(no_gpu, monkeypatch, threads, suffix):
    monkeypatch.setattr(torch, "get_num_threads", lambda: threads)
    assert describe_device() == f"CPU (torch {torch.__version__}, {suffix})"


def test_describe_cuda(fake_cuda):
    assert describe_device() == f"CUDA: NVIDIA H100 (torch {torch.__version__})"


def test_available_devices_offers_what_pick_device_accepts():
    from rnnlib.device import available_devices

    offered = available_devices()
    assert offered[:2] == ["auto", "cpu"]
    assert ("cuda" in offered) == torch.cuda.is_available()
    for name in offered:
        pick_device(name)  # none of them raises
