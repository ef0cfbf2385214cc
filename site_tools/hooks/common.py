"""What the site's hooks share: the languages, whether this is the offline build, the index script."""

from __future__ import annotations

# The offline copy's search index is a script, read under file://, that starts with this.
SEARCH_INDEX_SCRIPT = "var __index = "


def languages(config) -> list[str]:
    return [language["locale"] for language in config.plugins["i18n"].config.languages]


def default_language(config) -> str:
    return config.plugins["i18n"].default_language


def page_language(page) -> str:
    return page.file.src_uri.split("/", 1)[0]


def is_offline(config) -> bool:
    """True in the build for reading from the file system (OFFLINE=true, see site_tools/books.py)."""
    plugin = config.plugins.get("material/offline") or config.plugins.get("offline")
    return bool(plugin and plugin.config.enabled)
