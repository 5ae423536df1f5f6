"""HTML in, PDF bytes out, with WeasyPrint, reaching only the app's own static files.

The default fetcher would read any file:// path or URL that reaches the HTML
(user text included); ours serves `data:` URLs and files under the static
folders, and refuses everything else.
"""

from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

STATIC_PREFIX = "static:/"


class StaticOnlyURLFetcher(URLFetcher):
    """Fetches `data:` URLs and our static files; nothing else, ever."""

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, **kwargs)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self._static_path(url)
        if path is None:
            raise ValueError(f"PDF は外部の資源を読み込みません: {url[:80]}")
        from weasyprint.urls import URLFetcherResponse

        return URLFetcherResponse(path.as_uri(), path.read_bytes(), status=200)

    @staticmethod
    def _static_path(url):
        parsed = urlparse(url)
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            return None
        wanted = Path(unquote(parsed.path)).resolve()
        for root in static_roots():
            if wanted.is_relative_to(root) and wanted.is_file():
                return wanted
        return None


def static_roots():
    roots = [Path(d).resolve() for d in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


def static_path(name):
    """The file of a static asset, as found by Django's finders."""
    found = finders.find(name)
    if not found:
        raise FileNotFoundError(name)
    return Path(found)


def render_pdf(template_name, context, *, stylesheets=("pdf/base.css",)) -> bytes:
    """Render a template to PDF. Stylesheets are static files; fonts are the system's
    BIZ UD Gothic (Debian fonts-morisawa-bizud-gothic), named in the CSS."""
    html = render_to_string(template_name, context)
    fetcher = StaticOnlyURLFetcher(timeout=5)
    fonts = FontConfiguration()
    base_url = static_path(stylesheets[0]).parent.as_uri() + "/"
    css = [
        CSS(filename=str(static_path(name)), url_fetcher=fetcher, font_config=fonts)
        for name in stylesheets
    ]
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=css, font_config=fonts, pdf_tags=True)
