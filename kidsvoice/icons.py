"""The icon sprite: every icon of the child's screens in one SVG file of ``<symbol>``s.

``python -m kidsvoice.icons`` (run by ``make static``) writes ``static/img/icons.svg`` from the
drawn icons in ``static/img/{faces,cards}/`` and the guide and speaker.  Pages then draw an
icon with ``<svg><use href="…/icons.svg#card-book"></use></svg>``: the sprite is fetched once
per visit, so each later question costs one request whatever pictures it shows.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

IMG = Path(__file__).resolve().parent / "static" / "img"
SPRITE = IMG / "icons.svg"
GROUPS = {"faces": "", "cards": "card-"}
SINGLES = ("guide", "speaker")

_VIEWBOX = re.compile(r'viewBox="([^"]+)"')
_OUTER = re.compile(r"^\s*<svg\b[^>]*>|</svg>\s*$", re.S)


def _symbol(symbol_id: str, path: Path) -> str:
    source = path.read_text(encoding="utf-8")
    match = _VIEWBOX.search(source)
    if match is None:
        raise ValueError(f"{path} has no viewBox")
    inner = _OUTER.sub("", source).strip()
    return f'<symbol id="{symbol_id}" viewBox="{match.group(1)}">{inner}</symbol>'


def build_sprite(img: Path = IMG) -> str:
    symbols = []
    for folder, prefix in GROUPS.items():
        for path in sorted((img / folder).glob("*.svg")):
            symbols.append(_symbol(prefix + path.stem, path))
    for name in SINGLES:
        symbols.append(_symbol(name, img / f"{name}.svg"))
    body = "".join(symbols)
    return f'<svg xmlns="http://www.w3.org/2000/svg">{body}</svg>\n'


def main() -> int:
    SPRITE.write_text(build_sprite(), encoding="utf-8")
    print(f"wrote {SPRITE} ({SPRITE.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
