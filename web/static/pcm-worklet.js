// Microphone → 16 kHz little-endian 16-bit mono PCM in 100 ms chunks, what /robot/stream expects.
// The context runs at the device rate (often 48 kHz); this resamples linearly on the audio thread.
class Pcm16Writer extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = sampleRate / 16000;
    this.pos = 0;
    this.chunk = new Int16Array(1600);
    this.fill = 0;
    this.port.onmessage = (event) => { if (event.data === "flush") this.flush(); };
  }
  flush() {
    if (this.fill > 0) {
      const out = this.chunk.slice(0, this.fill);
      this.port.postMessage(out.buffer, [out.buffer]);
      this.fill = 0;
    }
    this.port.postMessage("flushed");
  }
  process(inputs) {
    const input = inputs[0] && inputs[0][0];
    if (!input) return true;
    while (this.pos < input.length) {
      const i = Math.floor(this.pos), frac = this.pos - i;
      const next = i + 1 < input.length ? input[i + 1] : input[i];
      const sample = Math.max(-1, Math.min(1, input[i] + (next - input[i]) * frac));
      this.chunk[this.fill++] = sample < 0 ? sample * 0x8000 : sample * 0x7fff;
      if (this.fill === this.chunk.length) {
        this.port.postMessage(this.chunk.buffer, [this.chunk.buffer]);
        this.chunk = new Int16Array(1600);
        this.fill = 0;
      }
      this.pos += this.step;
    }
    this.pos -= input.length;
    return true;
  }
}
registerProcessor("pcm16-writer", Pcm16Writer);
