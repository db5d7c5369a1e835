"""A small W3C WebDriver client for headless Chromium (standard library only).

The report is tested as a person sees it: Debian's ``chromium`` driven by its
``chromedriver`` over HTTP on the loopback interface. No selenium: a session, a window
size, a navigation, a script, a screenshot and the browser log are six HTTP calls.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")

#: Paper sizes (width, height) in cm, as WebDriver's print takes them.
PAPER = {"A4": (21.0, 29.7), "Letter": (21.59, 27.94)}

#: The print margins in cm (WebDriver's default, about chromium's own 0.4 inch).
MARGIN_CM = 1.0


def find_browser() -> tuple[str, str] | None:
    """(browser, chromedriver) paths, or None when either is missing."""
    browser = next((p for n in CHROMIUM_NAMES if (p := shutil.which(n))), None)
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """One headless Chromium session; use as a context manager."""

    def __init__(self, browser: str, driver: str):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.profile = tempfile.mkdtemp(prefix="forecast-chromium-")
        self.proc = subprocess.Popen([driver, f"--port={self.port}"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait_ready()
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {"binary": browser, "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                f"--user-data-dir={self.profile}"]},
        }}}
        self.session = self._call("POST", "/session", caps)["sessionId"]

    def _wait_ready(self, timeout: float = 20.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with contextlib.suppress(OSError, ValueError):
                if self._call("GET", "/status").get("ready"):
                    return
            time.sleep(0.1)
        raise RuntimeError("chromedriver did not start")

    def _call(self, method: str, path: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return json.loads(resp.read() or b"{}").get("value")
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"WebDriver {method} {path}: {exc.read()[:500]!r}") from None

    def _s(self, path: str) -> str:
        return f"/session/{self.session}{path}"

    def window(self, width: int, height: int) -> None:
        self._call("POST", self._s("/window/rect"), {"width": width, "height": height})

    def open(self, path: Path) -> None:
        self._call("POST", self._s("/url"), {"url": Path(path).resolve().as_uri()})

    def run(self, script: str, *args):
        return self._call("POST", self._s("/execute/sync"), {"script": script, "args": list(args)})

    def screenshot(self, path: Path) -> Path:
        png = base64.b64decode(self._call("GET", self._s("/screenshot")))
        Path(path).write_bytes(png)
        return Path(path)

    def measure(self, page: Path, width: int, script: str, shot: Path, height: int = 900):
        """Open `page` in a window `width` px wide, run `script` (the test's measurements)
        and save a screenshot to `shot` for a person to look at; returns the measurements."""
        self.window(width, height)
        self.open(page)
        measured = self.run(script)
        print(f"screenshot: {self.screenshot(shot)}")
        return measured

    def cdp(self, command: str, params: dict | None = None):
        """A Chrome DevTools Protocol command, through chromedriver's ``goog/cdp`` route."""
        return self._call("POST", self._s("/goog/cdp/execute"),
                          {"cmd": command, "params": params or {}})

    @contextlib.contextmanager
    def printed(self, page: str = "A4"):
        """The page laid out as printed on `page` (:data:`PAPER`): print media, and a
        viewport as wide as the paper's printable width at :meth:`print_pdf`'s margins
        (the layout chromium prints, without its page breaks). Restored afterwards."""
        width = round((PAPER[page][0] - 2 * MARGIN_CM) / 2.54 * 96)  # CSS px
        self.cdp("Emulation.setEmulatedMedia", {"media": "print"})
        self.cdp("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": 1100, "deviceScaleFactor": 1, "mobile": False})
        try:
            yield width
        finally:
            self.cdp("Emulation.clearDeviceMetricsOverride")
            self.cdp("Emulation.setEmulatedMedia", {"media": ""})

    def print_pdf(self, page: str = "A4") -> bytes:
        """The open page printed to PDF on `page` paper (:data:`PAPER`), as chromium's
        print dialog does: print media, :data:`MARGIN_CM` margins, backgrounds."""
        w, h = PAPER[page]
        data = self._call("POST", self._s("/print"), {
            "page": {"width": w, "height": h}, "background": True,
            "margin": dict.fromkeys(("top", "bottom", "left", "right"), MARGIN_CM)})
        return base64.b64decode(data)

    def console(self) -> list[dict]:
        """Browser log entries since the last call (console messages and page errors)."""
        for route in ("/goog/log", "/se/log", "/log"):
            with contextlib.suppress(RuntimeError):
                return self._call("POST", self._s(route), {"type": "browser"}) or []
        return []

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._call("DELETE", self._s(""))
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def in_ci() -> bool:
    """True in CI (``CI`` set to anything but empty/0/false): a missing browser fails there."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
