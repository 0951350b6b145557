"""What search engines read: robots.txt keeps them to the public pages, the sitemap lists the
public pages and released datasets only (split past 50,000 addresses), and a visitor who opens
the staff's list is sent to the catalog with their search."""

import xml.etree.ElementTree as ET

from registry.catalog import crawlers
from registry.extensions import db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def addresses(body: bytes, tag: str = "url") -> list[str]:
    return [
        item.findtext("s:loc", namespaces=NS)
        for item in ET.fromstring(body).findall(f"s:{tag}", NS)  # noqa: S314 - our own sitemap
    ]


def test_robots_keeps_crawlers_to_the_public_pages(client):
    body = client.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /datasets\n" in body and "Disallow: /admin/\n" in body
    assert "Disallow: /api/v1/\n" in body and "Allow: /\n" in body
    assert "Sitemap: http://localhost/sitemap.xml" in body


def test_the_sitemap_lists_public_pages_and_released_datasets_only(make, client):
    make.department(code="PW")
    released = make.published("PW", title="Street Trees")
    make.approved("PW", title="Not yet")
    make.dataset(department="PW", title="A draft")
    held = make.published("PW", title="Held since")
    held.classification = "restricted"
    db.session.commit()
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    found = addresses(response.data)
    assert "http://localhost/" in found and "http://localhost/catalog" in found
    pages = [address for address in found if "/catalog/" in address]
    assert pages == [f"http://localhost/catalog/{released.identifier}"]
    assert f"<lastmod>{released.updated_at.date().isoformat()}</lastmod>" in response.get_data(
        as_text=True
    )


def test_a_large_sitemap_is_split_into_files_with_an_index(make, client, monkeypatch):
    make.department(code="PW")
    records = [make.published("PW", title=f"Released {number}") for number in range(5)]
    db.session.commit()
    monkeypatch.setattr(crawlers, "PER_FILE", 4)  # 7 public pages and 5 records: 3 files
    files = addresses(client.get("/sitemap.xml").data, tag="sitemap")
    assert files == [f"http://localhost/sitemaps/{number}.xml" for number in (1, 2, 3)]
    listed = [address for path in files for address in addresses(client.get(path[16:]).data)]
    assert len(listed) == len(set(listed)) == len(crawlers.PUBLIC_PAGES) + 5
    assert {f"http://localhost/catalog/{record.identifier}" for record in records} < set(listed)
    assert client.get("/sitemaps/4.xml").status_code == 404
    assert client.get("/sitemaps/0.xml").status_code == 404


def test_a_visitor_is_sent_from_the_staff_list_to_the_catalog_with_their_search(client):
    response = client.get("/datasets?q=trees&department=PW&status=draft")
    assert response.status_code == 302
    assert response.headers["Location"] == "/catalog?q=trees&department=PW"


def test_the_dataset_page_reads_as_a_catalog_page(make, client):
    make.department(code="PW", name="Public Works")
    record = make.published(
        "PW",
        title="Street Trees",
        keywords=["urban forest", "canopy"],
        license="https://creativecommons.org/licenses/by/4.0/",
    )
    db.session.commit()
    page = client.get(f"/catalog/{record.identifier}").get_data(as_text=True)
    assert ">Creative Commons Attribution 4.0</a>" in page
    assert 'href="/catalog?q=urban+forest">urban forest</a>' in page
    assert f'href="/api/v1/datasets/{record.identifier}"' in page and 'href="/data.json"' in page
    assert f"Public Works. ({record.published_on.year}). Street Trees [Data set]." in page
    assert '<meta property="og:title" content="Street Trees">' in page
