"""Writes the bundled alert sounds: short, soft sine chimes (16-bit mono 44.1 kHz WAV).

Run `python resources/sounds/generate.py` to regenerate; the WAV files are committed.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 44_100
HERE = Path(__file__).resolve().parent


def tone(freq: float, seconds: float, volume: float = 0.35) -> list[float]:
    count = int(RATE * seconds)
    samples = []
    for n in range(count):
        t = n / RATE
        attack = min(1.0, t / 0.008)
        decay = math.exp(-4.5 * t / seconds)
        value = math.sin(2 * math.pi * freq * t) + 0.25 * math.sin(4 * math.pi * freq * t)
        samples.append(volume * attack * decay * value / 1.25)
    return samples


def silence(seconds: float) -> list[float]:
    return [0.0] * int(RATE * seconds)


def write(name: str, samples: list[float]) -> None:
    with wave.open(str(HERE / name), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", int(max(-1.0, min(1.0, s)) * 32767)) for s in samples))


def main() -> None:
    # A new buyer message: two rising notes, calm.
    write("new_message.wav", tone(880, 0.12) + tone(1174.7, 0.22))
    # A buyer waits past the amber threshold: three even notes, a little firmer.
    write("overdue.wav", tone(987.8, 0.14, 0.45) + silence(0.06) + tone(987.8, 0.14, 0.45)
          + silence(0.06) + tone(783.99, 0.3, 0.45))


if __name__ == "__main__":
    main()
