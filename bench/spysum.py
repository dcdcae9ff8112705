"""Summarise a `py-spy record --format raw` profile: inclusive and self share of samples per function.

With `--gil`, py-spy samples only the thread holding the GIL, so the shares are where the one core
of the service's event loop goes (pyinstrument's async mode counts awaited wall time instead).

    pid=$(pgrep -f 'run.py' | head -1)
    .venv/bin/py-spy record -p $pid -d 20 -r 200 --gil --nonblocking --format raw -o /tmp/spy.txt
    .venv/bin/python -m bench.spysum /tmp/spy.txt '\\((core|handlers|bots|channels|admin)/'
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_LINE_NO = re.compile(r":\d+\)$")


def summarise(path: Path) -> tuple[int, Counter[str], Counter[str]]:
    """Total samples, and samples per function: anywhere on the stack (inclusive) and on top (self)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [_LINE_NO.sub(")", frame) for frame in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    return total, inclusive, own


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("profile", type=Path)
    parser.add_argument("pattern", nargs="?", default="", help="only functions matching this regex (inclusive list)")
    parser.add_argument("--min", type=float, default=0.8, help="hide functions under this share (percent)")
    parser.add_argument("--top", type=int, default=30, help="how many self-time lines")
    args = parser.parse_args()
    total, inclusive, own = summarise(args.profile)
    print(f"{total} samples")
    print("inclusive:")
    for name, samples in inclusive.most_common():
        share = 100 * samples / max(total, 1)
        if share < args.min:
            break
        if re.search(args.pattern, name):
            print(f"  {share:5.1f}%  {name[:140]}")
    print("self:")
    for name, samples in own.most_common(args.top):
        print(f"  {100 * samples / max(total, 1):5.1f}%  {name[:140]}")


if __name__ == "__main__":
    main()
