"""Print the top of a pyinstrument pstats profile: `python -m bench.pstat FILE [N] [sort]`."""

from __future__ import annotations

import pstats
import sys


def main() -> None:
    path = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    sort = sys.argv[3] if len(sys.argv) > 3 else "tottime"
    stats = pstats.Stats(path)
    stats.strip_dirs().sort_stats(sort).print_stats(count)


if __name__ == "__main__":
    main()
