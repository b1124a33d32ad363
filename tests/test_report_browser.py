"""The HTML report in a real browser: headless Chromium renders it offline.

Checks that every figure loaded and shows something (non-blank pixels in the
screenshot), and that the page logs no console error and requests nothing but itself
and its embedded ``data:`` images. Chromium is driven through the DevTools Protocol over
``--remote-debugging-pipe`` (JSON messages ending in NUL on file descriptors 3 and 4),
so neither a port, a websocket library nor a browser download is needed.
"""

from __future__ import annotations

import base64
import fcntl
import io
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = os.environ.get("TSFORECAST_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")

NO_CHROMIUM = ("no Chromium installed (looked for 'chromium' on PATH and $TSFORECAST_CHROMIUM); install "
               "Debian's package: apt-get install chromium (.ci/run does)")


def in_ci() -> bool:
    """CI sets CI=true (GitHub Actions, GitLab, .ci/run): there a missing browser is a failure."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


@pytest.fixture(autouse=True, scope="module")
def require_chromium():
    """Skip without Chromium on a developer's machine; fail in CI, which must open the report."""
    if CHROMIUM is None:
        if in_ci():
            pytest.fail(f"CI=true but {NO_CHROMIUM}")
        pytest.skip(NO_CHROMIUM)


#: Headless, no sandbox (containers), nothing that talks to the network on its own.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--window-size=1280,900",
)


class CdpError(RuntimeError):
    """Chromium answered a command with an error, or not in time."""


class Browser:
    """Headless Chromium driven through the DevTools pipe; a context manager."""

    def __init__(self, executable: str, user_data_dir: Path, timeout: float = 60.0):
        self.timeout = timeout
        self.events: list[dict] = []
        self._next_id = 0
        self._buffer = b""
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire_fds():  # in the child: our pipe ends become its fds 3 (commands) and 4 (replies)
            # Move both ends above 4 first: a pipe end may already be fd 3 or 4, and dup2 onto
            # itself would neither copy it nor clear its close-on-exec flag.
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_child_r, from_child_w)]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)
            for fd in high:
                os.close(fd)

        self.process = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={user_data_dir}", "--remote-debugging-pipe",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            # close_fds=False: Popen would otherwise close fds 3 and 4 after preexec_fn ran;
            # only inheritable fds (stdio and the two dup2 copies) reach the child anyway.
            preexec_fn=wire_fds, close_fds=False,
        )
        os.close(to_child_r)
        os.close(from_child_w)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            try:
                self.send("Browser.close", timeout=10)
            except (CdpError, OSError):
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CdpError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_child], [], [], left)
            if ready:
                chunk = os.read(self._from_child, 1 << 20)
                if not chunk:
                    raise CdpError(f"Chromium closed the pipe (exit code {self.process.poll()})")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float | None = None) -> dict:
        """Send a command and return its result, keeping the events that arrive meanwhile."""
        self._next_id += 1
        command = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            command["sessionId"] = session
        os.write(self._to_child, json.dumps(command).encode() + b"\0")
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            message = self._read_message(deadline)
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise CdpError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for(self, method: str) -> dict:
        """Wait for the event ``method`` (or return it if it already came)."""
        for event in self.events:
            if event["method"] == method:
                return event
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._read_message(deadline)
            if "method" in message:
                self.events.append(message)
                if message["method"] == method:
                    return message

    def open_page(self) -> str:
        """Attach to the first page and return its session id."""
        page = next(t for t in self.send("Target.getTargets")["targetInfos"] if t["type"] == "page")
        return self.send("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True})["sessionId"]

    def evaluate(self, session: str, expression: str):
        reply = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)
        if "exceptionDetails" in reply:
            raise CdpError(f"page script failed: {reply['exceptionDetails']}")
        return reply["result"].get("value")


# Every <img>: did it load, how big is it, and where is it on the page (CSS pixels).
_IMAGES_JS = """JSON.stringify(Array.from(document.images).map(img => {
  const r = img.getBoundingClientRect();
  return {src: img.src.slice(0, 21), alt: img.alt, complete: img.complete, naturalWidth: img.naturalWidth,
          naturalHeight: img.naturalHeight, x: r.left + window.scrollX, y: r.top + window.scrollY,
          width: r.width, height: r.height};
}))"""


def render(html: Path, workdir: Path) -> tuple[list[dict], "np.ndarray", list[dict]]:
    """Load ``html`` in headless Chromium: its images, a full-page screenshot, the events."""
    from PIL import Image

    with Browser(CHROMIUM, workdir / "profile") as browser:
        session = browser.open_page()
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.send(f"{domain}.enable", session=session)
        browser.send("Page.navigate", {"url": html.resolve().as_uri()}, session=session)
        browser.wait_for("Page.loadEventFired")
        images = json.loads(browser.evaluate(session, _IMAGES_JS))
        size = browser.send("Page.getLayoutMetrics", session=session)["cssContentSize"]
        shot = browser.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        }, session=session)
        events = list(browser.events)
    png = base64.b64decode(shot["data"])
    (workdir / "screenshot.png").write_bytes(png)
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    return images, pixels, events


def _problems(events: list[dict], page_url: str) -> tuple[list, list]:
    errors, requests = [], []
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            errors.append(params.get("args"))
        elif method == "Runtime.exceptionThrown":
            errors.append(params.get("exceptionDetails"))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            errors.append(params["entry"].get("text"))
        elif method == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url", "")
            if url != page_url and not url.startswith("data:"):
                requests.append(url)
    return errors, requests


@pytest.mark.slow
def test_report_renders_offline_with_every_figure(browser_report, tmp_path):
    html, markdown = browser_report
    images, pixels, events = render(html, tmp_path)
    expected = markdown.read_text(encoding="utf-8").count("![")
    assert expected >= 3  # error by step, forecasts, training curves
    assert len(images) == expected
    for image in images:
        assert image["src"] == "data:image/png;base64", image
        assert image["complete"] and image["naturalWidth"] > 0 and image["naturalHeight"] > 0, image
        assert image["width"] > 100 and image["height"] > 100, image
        top, left = int(image["y"]), int(image["x"])
        area = pixels[top: top + int(image["height"]), left: left + int(image["width"])]
        assert area.size > 0, image
        # A drawn chart: many pixels differ from the background, not a blank or broken box.
        assert area.std() > 10, (image, area.std())
        assert (area < 200).mean() > 0.01, image
    errors, requests = _problems(events, html.resolve().as_uri())
    assert errors == []
    assert requests == []
    assert (tmp_path / "screenshot.png").stat().st_size > 10_000


def _drawn(pixels: "np.ndarray", image: dict) -> "np.ndarray":
    """The screenshot's pixels under ``image``, checked to be a drawn chart, not a blank box."""
    top, left = int(image["y"]), int(image["x"])
    area = pixels[top: top + int(image["height"]), left: left + int(image["width"])]
    assert area.size > 0, image
    assert area.std() > 10, (image, area.std())
    assert (area < 200).mean() > 0.01, image
    return area


@pytest.mark.slow
def test_panel_report_shows_the_per_series_figures(panel_report, tmp_path):
    """A report over a panel: the per-series skill figure and the worst-series figure render
    with content, beside the forecasts of the chosen series."""
    html, markdown = panel_report
    images, pixels, events = render(html, tmp_path)
    by_alt = {image["alt"]: image for image in images}
    assert len(images) == markdown.read_text(encoding="utf-8").count("![")
    skill = next(image for alt, image in by_alt.items() if alt.startswith("Per-series skill against snaive"))
    worst = next(image for alt, image in by_alt.items() if "series where" in alt and "skill is lowest" in alt)
    for image in (skill, worst, by_alt[next(a for a in by_alt if a.startswith("Forecasts against actuals"))]):
        assert image["complete"] and image["naturalWidth"] > 0 and image["width"] > 300, image
        area = _drawn(pixels, image)
        # Boxes and lines in colour: the Okabe-Ito fills are mid-grey in luminance, not only black on white.
        assert ((area > 60) & (area < 230)).mean() > 0.005, image
    assert skill["y"] < worst["y"]  # the section's order: spread of skill, then the worst series
    errors, requests = _problems(events, html.resolve().as_uri())
    assert errors == [] and requests == []


def test_blank_image_would_be_caught(tmp_path):
    """The checks above can fail: a broken image has naturalWidth 0, a blank one no contrast."""
    page = tmp_path / "broken.html"
    white = base64.b64encode(_white_png()).decode()
    page.write_text(
        '<!DOCTYPE html><html><body><img src="data:image/png;base64,AAAA" width="200" height="150">'
        f'<img src="data:image/png;base64,{white}" width="200" height="150"></body></html>'
    )
    images, pixels, _ = render(page, tmp_path)
    assert images[0]["naturalWidth"] == 0
    second = images[1]
    top, left = int(second["y"]), int(second["x"])
    area = pixels[top: top + int(second["height"]), left: left + int(second["width"])]
    assert area.std() < 1


def test_network_request_would_be_caught(tmp_path):
    page = tmp_path / "fetches.html"
    page.write_text('<!DOCTYPE html><html><body><img src="http://127.0.0.1:9/x.png"></body></html>')
    _, _, events = render(page, tmp_path)
    _, requests = _problems(events, page.resolve().as_uri())
    assert requests == ["http://127.0.0.1:9/x.png"]


def _white_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (200, 150), "white").save(buffer, format="PNG")
    return buffer.getvalue()



@pytest.fixture(scope="module")
def browser_report(tmp_path_factory):
    """A report with every kind of figure: a tiny LSTM (training curves) and baselines with quantile bands."""
    import pandas as pd

    import tsforecast
    from tsforecast.baselines import Naive, SeasonalNaive
    from tsforecast.models import EncoderDecoderLSTM

    rng = np.random.default_rng(0)
    n = 160
    data = pd.DataFrame(
        {"y": 10 + 3 * np.sin(2 * np.pi * np.arange(n) / 24) + rng.normal(0, 0.3, n), "x": rng.normal(size=n)},
        index=pd.date_range("2024-01-01", periods=n, freq="h"),
    )
    lstm = tsforecast.WindowForecaster(EncoderDecoderLSTM(units=4, epochs=3, batch_size=32, random_state=0),
                                       n_steps_in=24, n_steps_out=6)
    result = tsforecast.backtest({"lstm": lstm, "naive": Naive(), "snaive": SeasonalNaive(24)}, data, target="y",
                                 covariates=["x"], horizon=6, cv=2, season_length=24, progress=False)
    paths = tsforecast.report(result, tmp_path_factory.mktemp("browser") / "report.html")
    return paths.html, paths.markdown


@pytest.fixture(scope="module")
def panel_report(tmp_path_factory):
    """A report over a panel of 12 series (baselines only), with its per-series section."""
    import pandas as pd

    import tsforecast
    from tsforecast.baselines import Drift, Naive, SeasonalNaive

    rng = np.random.default_rng(1)
    t = np.arange(120)
    frames = [pd.DataFrame({"unique_id": f"s{i}", "ds": pd.date_range("2024-01-01", periods=t.size, freq="h"),
                            "y": 20 + (i % 3 != 0) * 5 * np.sin(2 * np.pi * t / 24)
                            + np.cumsum(rng.normal(0, 0.2 + 0.3 * (i % 3 == 0), t.size))})
              for i in range(12)]
    models = {"naive": Naive(), "snaive": SeasonalNaive(24), "drift": Drift()}
    result = tsforecast.backtest(models, pd.concat(frames, ignore_index=True), horizon=24, cv=2, season_length=24,
                                 progress=False)
    paths = tsforecast.report(result, tmp_path_factory.mktemp("panel") / "panel.html")
    return paths.html, paths.markdown
