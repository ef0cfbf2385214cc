"""Hook: the theme's source maps stay out of the built site.

Material ships a source map beside each of its minified files (1.3 MB in all). A reader never
loads them; they would only make every offline copy larger, and a comment quoted in one names a
loopback address, which no built file may (tests/test_site.py). The ``sourceMappingURL`` comment
left at the end of each file only matters to a browser's developer tools.
"""

from __future__ import annotations

from pathlib import Path


def on_post_build(config) -> None:
    for source_map in (Path(config.site_dir) / "assets").rglob("*.map"):
        source_map.unlink()
