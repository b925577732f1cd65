"""Mandarin caller speech synthesised at test time (Kokoro-82M + misaki, espeak-ng fallback)."""
