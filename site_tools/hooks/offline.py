"""Hook: the offline build (OFFLINE=true) and the downloads of the books.

* An offline build loads the iframe-worker shim (search under file://) from the site itself;
  Material's offline plugin would load it from unpkg.
* The online build copies the offline copies and PDFs (site_tools/books.py) into downloads/.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from site_tools import books
from site_tools.hooks.common import default_language, is_offline, languages

IFRAME_WORKER = "assets/javascripts/iframe-worker-shim.js"
DOWNLOAD_FOLDER = "downloads"


@event_priority(50)  # before Material's offline plugin, which would add the shim from unpkg
def on_config(config):
    if is_offline(config):
        config.extra["polyfills"] = [IFRAME_WORKER]
    return config


def on_post_build(config):
    site = Path(config.site_dir)
    if is_offline(config):
        shim = Path(config.config_file_path).parent / "node_modules/iframe-worker/shim/index.js"
        if not shim.is_file():
            raise PluginError(f"{shim} is missing: run 'npm ci' (offline search needs it)")
        (site / IFRAME_WORKER).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shim, site / IFRAME_WORKER)
        return
    manifest = books.BOOKS / books.MANIFEST
    others = [lang for lang in languages(config) if lang != default_language(config)]
    is_root = all((site / language).is_dir() for language in others)  # not a language's own
    if is_root and manifest.is_file():
        target = site / DOWNLOAD_FOLDER
        target.mkdir(parents=True, exist_ok=True)
        for name in json.loads(manifest.read_text(encoding="utf-8"))["files"]:
            shutil.copyfile(books.BOOKS / name, target / name)
