"""A city's portal for the tests, on a loopback port: it answers as each kind does, after their
public documentation (a DCAT-US v1.1 data.json; CKAN's `package_search` with rows and start;
Socrata's Discovery API with limit and offset), and misbehaves on request (slow, 500, huge, a
redirect to another host). No test reaches the internet."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A reader that hangs up (on a huge or slow answer, as it should) is no error here."""


class Portal:
    def __init__(self) -> None:
        self.datasets: list[dict] = []  # data.json entries (DCAT-US v1.1)
        self.requests: list[str] = []
        # Files under /files/ for the link checks: each path's status, or where it redirects;
        # the paths that refuse HEAD (405, as many servers do); every (method, path, moment,
        # Range header) asked for.
        self.files: dict[str, int | str] = {}
        self.no_head: set[str] = set()
        self.hits: list[tuple[str, str, float, str | None]] = []
        # /held answers only once released: a test does something while the portal is read.
        self.entered, self.release = threading.Event(), threading.Event()
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # What each kind answers ----------------------------------------------------------------

    def datajson(self) -> dict:
        return {
            "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
            "dataset": self.datasets,
        }

    def ckan_page(self, rows: int, start: int) -> dict:
        packages = [
            {
                "id": entry["identifier"],
                "name": entry["identifier"].lower(),
                "title": entry["title"],
                "notes": entry.get("description"),
                "metadata_modified": entry.get("modified"),
                "license_url": entry.get("license"),
                "maintainer_email": (entry.get("contactPoint") or {})
                .get("hasEmail", "")
                .removeprefix("mailto:"),
                "organization": {"title": (entry.get("publisher") or {}).get("name")},
                "resources": [
                    {"url": item.get("downloadURL"), "last_modified": entry.get("modified")}
                    for item in entry.get("distribution", [])
                ],
            }
            for entry in self.datasets
        ]
        return {
            "success": True,
            "result": {"count": len(packages), "results": packages[start : start + rows]},
        }

    def socrata_page(self, limit: int, offset: int) -> dict:
        results = [
            {
                "resource": {
                    "id": entry["identifier"],
                    "name": entry["title"],
                    "description": entry.get("description"),
                    "data_updated_at": (entry.get("modified") or "") + "T06:00:00.000Z",
                    "attribution": (entry.get("publisher") or {}).get("name"),
                },
                "metadata": {"domain": "127.0.0.1", "license": entry.get("license")},
                "permalink": entry.get("landingPage"),
            }
            for entry in self.datasets
        ]
        return {"results": results[offset : offset + limit], "resultSetSize": len(results)}

    def _handler(self):
        portal = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _json(self, body, status=200):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _file(self, method):
                portal.hits.append((method, self.path, time.monotonic(), self.headers["Range"]))
                answer = portal.files.get(self.path, 404)
                if method == "HEAD" and self.path in portal.no_head:
                    answer = 405
                if isinstance(answer, str):  # a redirect
                    self.send_response(302)
                    self.send_header("Location", answer)
                    self.end_headers()
                    return
                body = b"id,name\n" + b"1,a\n" * 20000 if answer < 400 else b"no such file"
                self.send_response(answer)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if method == "GET":
                    self.wfile.write(body)

            def do_HEAD(self):
                if self.path.startswith("/files/"):
                    return self._file("HEAD")
                self.send_response(405)
                self.end_headers()
                return None

            def do_GET(self):
                if self.path.startswith("/files/"):
                    return self._file("GET")
                parts = urlsplit(self.path)
                query = {key: values[0] for key, values in parse_qs(parts.query).items()}
                portal.requests.append(self.path)
                if parts.path == "/data.json":
                    return self._json(portal.datajson())
                if parts.path == "/api/3/action/package_search":
                    rows, start = int(query.get("rows", 10)), int(query.get("start", 0))
                    return self._json(portal.ckan_page(rows, start))
                if parts.path == "/api/catalog/v1":
                    limit, offset = int(query.get("limit", 10)), int(query.get("offset", 0))
                    return self._json(portal.socrata_page(limit, offset))
                if parts.path == "/slow":
                    time.sleep(3)
                    return self._json(portal.datajson())
                if parts.path == "/held":
                    portal.entered.set()
                    portal.release.wait(30)
                    return self._json(portal.datajson())
                if parts.path == "/error":
                    return self._json({"error": "down"}, 500)
                if parts.path == "/huge":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    for _ in range(200):
                        self.wfile.write(b" " * 65536)
                    return None
                if parts.path == "/away":
                    self.send_response(302)
                    self.send_header(
                        "Location", f"http://localhost:{portal.server.server_port}/data.json"
                    )
                    self.end_headers()
                    return None
                if parts.path == "/moved":
                    self.send_response(301)
                    self.send_header("Location", "/data.json")
                    self.end_headers()
                    return None
                return self._json({"error": "not found"}, 404)

        return Handler
