"""What the site's hooks share: the languages and whether this is the offline build."""

from __future__ import annotations


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
