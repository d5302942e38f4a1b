"""Approval letters, the PDF half: letter HTML to PDF bytes through WeasyPrint.

Only the app's own static files and data: URIs may be fetched while a letter
is laid out (`asset_fetcher`). WeasyPrint takes ~0.6 s to import, so it is
imported on first use, not with this module.

Per process and thread, what does not change between letters is kept warm:
the font configuration (Pango's loaded faces) and the parsed letter
stylesheet. Names here are re-exported by approvals.letters.
"""
from __future__ import annotations

import functools
import mimetypes
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

STYLESHEET = "letters/letter.css"  # relative to the static folder


class LetterAssetRefused(ValueError):
    """A letter asked for a resource outside the app's own static files (or one that cannot be read)."""


@functools.cache
def _fetcher_class() -> type[URLFetcher]:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticAssetFetcher(URLFetcher):
        """Serves data: URIs and files under one directory; refuses everything else."""

        def __init__(self, static_dir: Path) -> None:
            # fail_on_errors: a refused asset stops the render instead of
            # producing a letter that silently lacks its stylesheet.
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False,
                             fail_on_errors=True)
            self.static_dir = Path(static_dir).resolve()

        def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file" or parts.netloc not in ("", "localhost"):
                raise LetterAssetRefused(f"letters may not fetch {url!r}")
            path = Path(url2pathname(unquote(parts.path))).resolve()
            if not path.is_relative_to(self.static_dir):
                raise LetterAssetRefused(f"letters may only use files under {self.static_dir}: {url!r}")
            if not path.is_file():
                raise LetterAssetRefused(f"no such letter asset: {url!r}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})

    return StaticAssetFetcher


def asset_fetcher(static_dir: Path) -> URLFetcher:
    """A WeasyPrint URL fetcher limited to data: URIs and files under `static_dir`.

    Its ``fetch(url)`` raises LetterAssetRefused for any other URL (http,
    https, ftp, file paths outside the directory, symlinks leading out of it).
    """
    return _fetcher_class()(static_dir)


class _Warm(threading.local):
    # Pango font maps are not thread-safe, hence one set per thread.
    font_config: FontConfiguration | None = None
    # (stylesheet path, its mtime_ns) -> parsed stylesheet
    stylesheets: dict[tuple[Path, int], CSS]

    def __init__(self) -> None:
        self.stylesheets = {}


_warm = _Warm()


def _font_config() -> FontConfiguration:
    # Reusing one font configuration keeps Pango's loaded faces warm (~30 ms a letter).
    if _warm.font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _warm.font_config = FontConfiguration()
    return _warm.font_config


def _letter_stylesheet(static_dir: Path, font_config: FontConfiguration) -> CSS:
    """letter.css parsed once per process and thread (re-read when the file changes).

    Parsing it cost about a tenth of every render. Raises LetterAssetRefused
    when the stylesheet is missing.
    """
    from weasyprint import CSS

    path = static_dir / STYLESHEET
    try:
        key = (path, path.stat().st_mtime_ns)
    except OSError as exc:
        raise LetterAssetRefused(f"the letter stylesheet is missing: {path}") from exc
    css = _warm.stylesheets.get(key)
    if css is None:
        fetcher = asset_fetcher(static_dir)
        css = CSS(string=path.read_text(encoding="utf-8"), base_url=path.as_uri(),
                  url_fetcher=fetcher, font_config=font_config)
        _warm.stylesheets = {key: css}  # drop any older version of the file
    return css


def render_letter_pdf(html: str, *, static_dir: Path) -> bytes:
    """Turn letter HTML into PDF bytes, styled by static/letters/letter.css.

    Relative URLs in the HTML resolve against `static_dir`. A letter that
    overflows one page is laid out again on the stylesheet's compact scale
    (``html[data-fit=compact]``); only if that overflows too does it run onto
    a second page.

    Raises LetterAssetRefused when the HTML refers to anything but data: URIs
    and files under `static_dir` (nothing outside is ever fetched), or when
    the letter stylesheet is missing.
    """
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    static_dir = Path(static_dir).resolve()
    source = HTML(string=html, base_url=static_dir.as_uri() + "/", url_fetcher=asset_fetcher(static_dir))
    try:
        font_config = _font_config()
        stylesheets = [_letter_stylesheet(static_dir, font_config)]
        document = source.render(font_config=font_config, stylesheets=stylesheets)
        if len(document.pages) > 1:
            # Long names or many conditions: retry on the stylesheet's compact
            # scale before letting the letter run onto a second page.
            source.etree_element.set("data-fit", "compact")
            document = source.render(font_config=font_config, stylesheets=stylesheets)
        return document.write_pdf()
    except FatalURLFetchingError as exc:  # a BaseException: hand back an ordinary error
        if isinstance(exc.__cause__, LetterAssetRefused):
            raise exc.__cause__ from None
        raise LetterAssetRefused(f"{exc}: {exc.__cause__}") from exc
