"""HTML to PDF with WeasyPrint, fetching nothing but the portal's own static files."""

import logging
import mimetypes
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# Relative URLs in PDF templates ("/static/css/pdf.css") resolve against this origin; it is
# not a real host, so nothing can reach the network by accident.
BASE_URL = "https://portal.invalid/"


class FetchRefused(ValueError):
    pass


class StaticOnlyFetcher(URLFetcher):
    """Serves ``/static/...`` from the project's static files and refuses everything else:
    no file system paths, no network, no data URLs smuggled in through text."""

    def __init__(self):
        super().__init__(allowed_protocols=("https",), allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        prefix = "/" + settings.STATIC_URL.lstrip("/")
        if (
            f"{parts.scheme}://{parts.netloc}/" == BASE_URL
            and parts.path.startswith(prefix)
            and ".." not in parts.path
        ):
            path = finders.find(unquote(parts.path.removeprefix(prefix)))
            if path:
                with open(path, "rb") as handle:
                    body = handle.read()
                content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body, {"Content-Type": content_type})
        self.refused.append(url)
        logger.warning("PDF rendering refused to fetch %s", url)
        raise FetchRefused(f"not fetched: {url}")


@dataclass
class Rendered:
    content: bytes
    pages: int


# The fonts shipped with the project, for every PDF: the same bytes on every machine, and no
# dependence on the system's fonts (Pango has none to fall back on in a bare container).
FONTS_STYLESHEET = "static/css/pdf-fonts.css"


def render_pdf(html: str, *, on_laid_out=None) -> Rendered:
    """Lays out and writes the PDF. ``on_laid_out(pages)`` is called between the two steps
    (layout is most of the time), so that a job can report how far it got."""
    fetcher = StaticOnlyFetcher()
    # The @font-face rules of a stylesheet given here only count with a font configuration.
    font_config = FontConfiguration()
    fonts = CSS(url=BASE_URL + FONTS_STYLESHEET, url_fetcher=fetcher, font_config=font_config)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
        stylesheets=[fonts], font_config=font_config
    )
    pages = len(document.pages)
    if on_laid_out:
        on_laid_out(pages)
    # WeasyPrint writes no creation date: the same HTML gives the same bytes.
    # Tagged (PDF/UA-1): a screen reader follows its structure, in the document's language.
    content = document.write_pdf(pdf_variant="pdf/ua-1")
    return Rendered(content=content, pages=pages)
