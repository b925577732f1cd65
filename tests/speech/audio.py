"""Sample-rate and codec conversions between synthesised speech and what callers send.

Kokoro speaks at 24 kHz; the kiosk sends 16 kHz PCM and a phone line 8 kHz μ-law. The filters
are windowed-sinc low-passes applied once per clip (tests and bench only; the gateway has its own
streaming upsampler).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt

from voice.audio.mulaw import pcm16_to_ulaw, ulaw_to_pcm16

Float = npt.NDArray[np.float32]
_TAPS = 63


@cache
def _lowpass(cutoff: float) -> npt.NDArray[np.float64]:
    """Low-pass at ``cutoff`` (fraction of the sample rate)."""
    n = np.arange(_TAPS) - (_TAPS - 1) / 2
    h = np.sinc(2 * cutoff * n) * np.hamming(_TAPS)
    return h / h.sum()


def resample(audio: Float, rate_in: int, rate_out: int) -> Float:
    """Band-limit to the lower Nyquist, then interpolate linearly to the new rate."""
    if rate_in == rate_out or audio.size == 0:
        return audio.astype(np.float32)
    x = audio.astype(np.float64)
    if rate_out < rate_in:
        x = np.convolve(x, _lowpass(0.5 * rate_out / rate_in * 0.9), mode="same")
    positions = np.arange(0, x.size, rate_in / rate_out)
    return np.interp(positions, np.arange(x.size), x).astype(np.float32)


def to_pcm16(audio: Float) -> bytes:
    """Float [-1, 1] → little-endian 16-bit PCM."""
    return (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()


def from_pcm16(pcm: bytes) -> Float:
    return (np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0).astype(np.float32)


def phone_ulaw(pcm16k: bytes) -> bytes:
    """16 kHz PCM → 8 kHz μ-law, what Twilio Media Streams carries."""
    return pcm16_to_ulaw(to_pcm16(resample(from_pcm16(pcm16k), 16_000, 8_000)))


def phone_roundtrip(pcm16k: bytes) -> bytes:
    """What a recogniser hears of a phone call: 8 kHz μ-law decoded and brought back to 16 kHz."""
    pcm8k = ulaw_to_pcm16(phone_ulaw(pcm16k))
    return to_pcm16(resample(from_pcm16(pcm8k), 8_000, 16_000))


def silence16k(ms: int) -> bytes:
    return b"\x00\x00" * (16 * ms)
