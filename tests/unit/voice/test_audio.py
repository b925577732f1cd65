"""μ-law codec (bit-exact with the removed audioop) and 8→16 kHz upsampling."""

from __future__ import annotations

import hashlib

import numpy as np

from voice.audio.mulaw import pcm16_to_ulaw, ulaw_to_pcm16
from voice.audio.resample import Upsampler2x

# SHA-256 of audioop.ulaw2lin(bytes(range(256)), 2) and of audioop.lin2ulaw(every int16, 2),
# computed with CPython 3.11's audioop, so the check survives its removal in 3.13.
AUDIOOP_DECODE_SHA256 = "3dab54339e520bb2c924826e3b72a917a2b612e9fd12fc867500f1d983a75827"
AUDIOOP_ENCODE_SHA256 = "81d633c9e6972a18c74a58720b96cb8ca0bdd096d4060b646dd708c3b846019a"


def test_decode_table_is_byte_for_byte_audioop() -> None:
    decoded = ulaw_to_pcm16(bytes(range(256)))
    assert len(decoded) == 512
    assert hashlib.sha256(decoded).hexdigest() == AUDIOOP_DECODE_SHA256


def test_encode_every_sample_is_byte_for_byte_audioop() -> None:
    every = np.arange(-32768, 32768, dtype="<i2").tobytes()
    assert hashlib.sha256(pcm16_to_ulaw(every)).hexdigest() == AUDIOOP_ENCODE_SHA256


def test_known_g711_values() -> None:
    samples = np.frombuffer(ulaw_to_pcm16(bytes([0x00, 0x80, 0xFF, 0x7F, 0x0F])), dtype="<i2")
    assert samples.tolist() == [-32124, 32124, 0, 0, -16764]
    assert pcm16_to_ulaw(np.array([0, 32767, -32768], dtype="<i2").tobytes()) == bytes([0xFF, 0x80, 0x00])


def test_round_trip_error_is_within_one_quantisation_step() -> None:
    ramp = np.linspace(-30000, 30000, 4001).astype("<i2")
    back = np.frombuffer(ulaw_to_pcm16(pcm16_to_ulaw(ramp.tobytes())), dtype="<i2")
    assert np.all(np.abs(back.astype(int) - ramp.astype(int)) <= np.abs(ramp.astype(int)) / 16 + 8)


def test_odd_trailing_byte_is_dropped() -> None:
    assert pcm16_to_ulaw(b"\x00\x00\x01") == b"\xff"


def _tone(freq: float, rate: int, seconds: float) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (8000 * np.sin(2 * np.pi * freq * t)).astype("<i2")


def test_upsampler_doubles_rate_and_keeps_the_tone() -> None:
    out = np.frombuffer(Upsampler2x().process(_tone(1000, 8000, 0.5).tobytes()), dtype="<i2")
    assert out.size == 8000
    spectrum = np.abs(np.fft.rfft(out[1000:].astype(float)))
    freqs = np.fft.rfftfreq(out[1000:].size, 1 / 16000)
    assert abs(freqs[spectrum.argmax()] - 1000) < 20
    image = spectrum[(freqs > 6800) & (freqs < 7200)].max()
    assert image < spectrum.max() / 100  # the 7 kHz mirror image is filtered out (> 40 dB)


def test_upsampler_streaming_equals_one_shot() -> None:
    tone = _tone(440, 8000, 0.2).tobytes()
    whole = Upsampler2x().process(tone)
    chunked = Upsampler2x()
    pieces = b"".join(chunked.process(tone[i : i + 320]) for i in range(0, len(tone), 320))
    assert pieces == whole
    assert Upsampler2x().process(b"") == b""
