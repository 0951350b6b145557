"""What search engines read: `robots.txt` (the public pages are theirs to read, the staff's are
not) and the sitemap of the public pages and every released dataset's page, split into files
of 50,000 addresses (the sitemap protocol's limit) when a city has more."""

from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort, stream_with_context
from sqlalchemy import func, select

from registry.datasets.models import Dataset
from registry.datasets.visibility import VISITOR, readable_by
from registry.extensions import db
from registry.web.links import absolute_url

crawlers = Blueprint("crawlers", __name__)

PER_FILE = 50_000
KEPT_AN_HOUR = {"Cache-Control": "public, max-age=3600"}  # streamed: no ETag of the whole
# Staff pages (and the API, which answers the same records as the pages): not for crawlers.
STAFF = (
    "/account",
    "/admin/",
    "/api/v1/",
    "/audit",
    "/committee/",
    "/datasets",
    "/exports",
    "/imports",
    "/inbox",
    "/sign-in",
    "/work",
)
PUBLIC_PAGES = (
    "catalog.home",
    "public.catalog",
    "public.inventory",
    "dashboard.page",
    "dashboard.report_page",
    "priorities.request_list",
    "priorities.queue_page",
)


@crawlers.get("/robots.txt")
def robots():
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in STAFF), "Allow: /"]
    lines.append(f"Sitemap: {absolute_url('crawlers.sitemap')}")
    return Response("\n".join(lines) + "\n", mimetype="text/plain")


def _released_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Dataset).where(readable_by(VISITOR)))


@crawlers.get("/sitemap.xml")
def sitemap():
    """The sitemap itself, or an index of its files when there are more addresses than one
    file holds."""
    files = -(-(_released_count() + len(PUBLIC_PAGES)) // PER_FILE)
    if files <= 1:
        return _urlset(0)
    entries = "".join(
        f"<sitemap><loc>{escape(absolute_url('crawlers.sitemap_file', number=number))}</loc>"
        "</sitemap>"
        for number in range(1, files + 1)
    )
    return Response(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
        "</sitemapindex>\n",
        mimetype="application/xml",
        headers=KEPT_AN_HOUR,
    )


@crawlers.get("/sitemaps/<int:number>.xml")
def sitemap_file(number: int):
    files = -(-(_released_count() + len(PUBLIC_PAGES)) // PER_FILE)
    if not 1 <= number <= files:
        abort(404)
    return _urlset(number - 1)


def _urlset(part: int) -> Response:
    """One file: its share of the addresses, the public pages first, then released datasets'
    pages in the order they were registered, each with the day it last changed."""
    start, end = part * PER_FILE, (part + 1) * PER_FILE
    pages = PUBLIC_PAGES[start:end]
    first = max(start, len(PUBLIC_PAGES))  # the file's first record's place among addresses
    records = (
        select(Dataset.identifier, Dataset.updated_at)
        .where(readable_by(VISITOR))
        .order_by(Dataset.id)
        .offset(first - len(PUBLIC_PAGES))
        .limit(max(0, end - first))
    )

    def lines():
        yield '<?xml version="1.0" encoding="UTF-8"?>\n'
        yield '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        for endpoint in pages:
            yield f"<url><loc>{escape(absolute_url(endpoint))}</loc></url>\n"
        for identifier, updated_at in db.session.execute(records.execution_options(yield_per=1000)):
            address = escape(absolute_url("public.dataset_page", identifier=identifier))
            changed = updated_at.date().isoformat()
            yield f"<url><loc>{address}</loc><lastmod>{changed}</lastmod></url>\n"
        yield "</urlset>\n"

    return Response(stream_with_context(lines()), mimetype="application/xml", headers=KEPT_AN_HOUR)
