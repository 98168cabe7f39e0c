"""What an HTML fragment holds, as the browser's tokenizer sees it (for assertions)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]

    handle_startendtag = handle_starttag


def _collect(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


def tags_in(html: str) -> list[str]:
    """Every start tag, in order."""
    return _collect(html).tags


def attributes_in(html: str) -> list[tuple[str, str, str]]:
    """(tag, attribute, value) of every attribute, in order."""
    return _collect(html).attributes
