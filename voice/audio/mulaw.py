"""G.711 μ-law codec with lookup tables (``audioop`` is gone in Python 3.13).

Bit-exact with CPython's ``audioop.ulaw2lin``/``lin2ulaw`` for 16-bit samples.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

_BIAS = 0x84
_CLIP_14BIT = 8159
_SEG_END = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF], dtype=np.int32)


@cache
def _decode_table() -> npt.NDArray[np.int16]:
    u = ~np.arange(256, dtype=np.int32) & 0xFF
    magnitude = (((u & 0x0F) << 3) + _BIAS) << ((u & 0x70) >> 4)
    return np.where(u & 0x80, _BIAS - magnitude, magnitude - _BIAS).astype(np.int16)


@cache
def _encode_table() -> npt.NDArray[np.uint8]:
    """μ-law byte for every 16-bit sample value, indexed by ``sample + 32768``."""
    pcm = np.arange(-32768, 32768, dtype=np.int32) >> 2
    mask = np.where(pcm < 0, 0x7F, 0xFF)
    value = np.minimum(np.abs(pcm), _CLIP_14BIT) + (_BIAS >> 2)
    segment = np.searchsorted(_SEG_END, value, side="left")
    byte = np.where(
        segment >= 8,
        0x7F ^ mask,
        ((segment << 4) | ((value >> (np.minimum(segment, 7) + 1)) & 0x0F)) ^ mask,
    )
    return byte.astype(np.uint8)


def ulaw_to_pcm16(data: bytes) -> bytes:
    """Decode μ-law bytes to little-endian signed 16-bit PCM (two bytes per input byte)."""
    codes = np.frombuffer(data, dtype=np.uint8)
    return _decode_table()[codes].astype("<i2").tobytes()


def pcm16_to_ulaw(data: bytes) -> bytes:
    """Encode little-endian signed 16-bit PCM to μ-law (an odd trailing byte is dropped)."""
    samples = np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.int32)
    return _encode_table()[samples + 32768].tobytes()
