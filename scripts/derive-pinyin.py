#!/usr/bin/env python3
"""Derives jianbao's compact pinyin tables (data/pinyin/chars.txt and
data/pinyin/phrases.txt) from data that PyPI packages ship, plus the
hand-checked readings in data/pinyin/overrides.txt.

Sources (both MIT licensed, see data/pinyin/README.md):
  pypinyin 0.55.0  per-character readings and 47k phrases (built on
                   mozillazg's pinyin-data and phrase-pinyin-data)
  cpca 0.5.5       names of China's administrative divisions (adcodes.csv)

    pip download --no-deps -d wheels pypinyin==0.55.0 cpca==0.5.5
    python3 scripts/derive-pinyin.py wheels/pypinyin-0.55.0-*.whl wheels/cpca-0.5.5-*.whl

chars.txt    one line per toneless syllable: `syllable chars…` (each
             character's first, most common reading).
phrases.txt  the words the reader needs, `word syllable…`, or the bare word
             when it reads as its characters do: such a word is kept only
             where it stops a wrongly read word from matching across its
             edge (长寿区 keeps 重庆市长寿区 from reading 市长 zhang).
             A word is dropped when the reader, given the rest, reads it
             right anyway.

The reader (src/pinyin.rs) splits a run of Chinese characters into the
fewest words (a single character counts as one), preferring the longer first
word on a tie. Readings are toneless ASCII: tone marks dropped, ü written
`v` (lv, nv, lve, nve); after j/q/x/y pinyin already writes it `u`.
"""

import csv
import io
import json
import sys
import unicodedata
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "pinyin"
# Suffixes stripped to get a division's short name (六安市 → 六安).
SUFFIXES = ["自治县", "自治州", "自治旗", "特区", "林区", "地区", "市", "县", "区", "旗", "盟", "州"]


def toneless(syllable):
    s = unicodedata.normalize("NFD", syllable).replace("u\u0308", "v").replace("U\u0308", "v")
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.replace("ê", "e").lower()
    if not s.isascii() or not s.isalpha():
        raise ValueError(f"unexpected syllable {syllable!r}")
    return s


def load_pypinyin(wheel):
    with zipfile.ZipFile(wheel) as z:
        chars = json.loads(z.read("pypinyin/pinyin_dict.json"))
        phrases = json.loads(z.read("pypinyin/phrases_dict.json"))
    default = {}
    for code, readings in chars.items():
        try:
            default[chr(int(code))] = toneless(readings.split(",")[0])
        except ValueError:
            pass
    words = {}
    for phrase, readings in phrases.items():
        if len(readings) != len(phrase) or not all(readings):
            continue
        try:
            words[phrase] = [toneless(r[0]) for r in readings]
        except ValueError:
            continue
    return default, words


def load_divisions(wheel):
    with zipfile.ZipFile(wheel) as z:
        text = z.read("cpca/resources/adcodes.csv").decode("utf-8")
    return sorted({row["name"] for row in csv.DictReader(io.StringIO(text))})


def load_overrides():
    out = {}
    for line in (DATA / "overrides.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        word, *reading = line.split()
        if len(reading) != len(word):
            raise ValueError(f"overrides.txt: {line!r}")
        out[word] = reading
    return out


class Reader:
    """The same segmentation as src/pinyin.rs."""

    def __init__(self, default):
        self.default = default
        self.words = {}  # word -> reading, or None: read as its characters
        self.max_len = 1

    def add(self, word, reading):
        self.words[word] = reading
        self.max_len = max(self.max_len, len(word))

    def read(self, text):
        n = len(text)
        best = [0] * (n + 1)
        take = [1] * (n + 1)
        for i in range(n - 1, -1, -1):
            best[i], take[i] = 1 + best[i + 1], 1
            for k in range(2, min(self.max_len, n - i) + 1):
                if text[i : i + k] in self.words and 1 + best[i + k] <= best[i]:
                    best[i], take[i] = 1 + best[i + k], k
        out, i = [], 0
        while i < n:
            k = take[i]
            r = self.words.get(text[i : i + k]) if k > 1 else None
            out.extend(r if r else [self.default.get(c, "?") for c in text[i : i + k]])
            i += k
        return out


def main():
    default, words = load_pypinyin(sys.argv[1])
    overrides = load_overrides()
    probe = Reader(default)
    for w, r in {**words, **overrides}.items():
        probe.add(w, r)
    for name in load_divisions(sys.argv[2]):
        reading = probe.read(name)
        words.setdefault(name, reading)
        for suffix in SUFFIXES:
            short = name[: -len(suffix)]
            if name.endswith(suffix) and len(short) >= 2:
                words.setdefault(short, reading[: len(short)])
                break
    words.update(overrides)
    # Pass 1: words the characters alone read wrong, shortest first.
    reader = Reader(default)
    for w in sorted(words, key=lambda w: (len(w), w)):
        if reader.read(w) != words[w]:
            reader.add(w, words[w])
    # Pass 2: words read as their characters, kept where a kept word that
    # reads the shared characters differently could match across their edge.
    edges = {}
    for w, r in reader.words.items():
        for k in range(1, len(w)):
            edges.setdefault(("head", w[:k]), set()).add(tuple(r[:k]))
            edges.setdefault(("tail", w[k:]), set()).add(tuple(r[k:]))
    for w in sorted(words, key=lambda w: (len(w), w)):
        if w in reader.words:
            continue
        r = words[w]
        if any(
            edges.get(("head", w[k:]), {tuple(r[k:])}) != {tuple(r[k:])}
            or edges.get(("tail", w[:k]), {tuple(r[:k])}) != {tuple(r[:k])}
            for k in range(1, len(w))
        ):
            reader.add(w, None)
    # Every source word must now read right.
    wrong = [w for w in words if reader.read(w) != words[w]]
    for w in wrong:
        reader.add(w, words[w])
    by_syllable = {}
    for c in sorted(default):
        by_syllable.setdefault(default[c], []).append(c)
    with open(DATA / "chars.txt", "w", encoding="utf-8", newline="\n") as f:
        for s in sorted(by_syllable):
            f.write(f"{s} {''.join(by_syllable[s])}\n")
    with open(DATA / "phrases.txt", "w", encoding="utf-8", newline="\n") as f:
        for w in sorted(reader.words):
            r = reader.words[w]
            f.write(f"{w} {' '.join(r)}\n" if r else f"{w}\n")
    kept = sum(1 for r in reader.words.values() if r)
    print(
        f"{len(default)} characters, {len(words)} words: {kept} with their reading, "
        f"{len(reader.words) - kept} as bare words, {len(wrong)} fixed in a third pass",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
