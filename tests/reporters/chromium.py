"""Headless Chromium, driven over the DevTools protocol on a pipe (no library, no port).

`--remote-debugging-pipe` makes the browser read commands from its fd 3 and
write replies and events to its fd 4, each a JSON message ending in a NUL.
A page is opened in a target of its own; what it logs (console calls,
uncaught exceptions, Content-Security-Policy violations, failed loads) is
kept as `Page.problems`.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Names Chromium is installed under (Debian's package: `chromium`).
EXECUTABLES = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT = 20.0  # seconds for one reply: a cold start on a busy machine


def find_chromium() -> str | None:
    return next((found for name in EXECUTABLES if (found := shutil.which(name))), None)


#: Puts two pipes at fd 3 and 4, where Chromium looks for them, then runs it (a shell
#: cannot: dash redirects single-digit fds only).
_AT_3_AND_4 = (
    "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
    "os.execvp(sys.argv[3], sys.argv[3:])"
)


def _high_fd(fd: int) -> int:
    """`fd` moved to 10 or above, out of the way of the child's 3 and 4."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return moved


@dataclass
class Browser:
    process: subprocess.Popen[bytes]
    commands: int  # our end of the browser's fd 3
    replies: int  # our end of the browser's fd 4
    buffer: bytes = b""
    events: list[dict[str, Any]] = field(default_factory=list)
    last_id: int = 0

    @classmethod
    def start(cls, executable: str, profile: Path, width: int, height: int) -> Browser:
        to_browser, commands = (_high_fd(fd) for fd in os.pipe())
        replies, from_browser = (_high_fd(fd) for fd in os.pipe())
        argv = [
            executable,
            "--headless",
            "--no-sandbox",  # as root (CI containers) Chromium refuses to start without it
            "--disable-gpu",
            "--no-first-run",
            "--no-default-browser-check",
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        process = subprocess.Popen(
            [sys.executable, "-c", _AT_3_AND_4, str(to_browser), str(from_browser), *argv],
            pass_fds=(to_browser, from_browser),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        return cls(process, commands, replies)

    def call(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> Any:
        """Send a command and wait for its reply; events that come first are kept."""
        self.last_id += 1
        message: dict[str, Any] = {"id": self.last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        reply = self._until(lambda m: m.get("id") == self.last_id)
        assert "error" not in reply, f"{method}: {reply['error']}"
        return reply.get("result", {})

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        """The first event `method` of `session`, kept or still to come."""
        for event in self.events:
            if event.get("method") == method and event.get("sessionId") == session:
                self.events.remove(event)
                return event
        return self._until(lambda m: m.get("method") == method and m.get("sessionId") == session)

    def _until(self, wanted: Any) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while True:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                message = json.loads(raw)
                if wanted(message):
                    return message
                self.events.append(message)
            left = deadline - time.monotonic()
            assert left > 0 and select.select([self.replies], [], [], left)[0], "no reply"
            chunk = os.read(self.replies, 1 << 16)
            assert chunk, "Chromium closed the pipe"
            self.buffer += chunk

    def open(self, url: str) -> Page:
        """A new tab showing `url`, once its load event has fired."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Runtime", "Log", "Page"):
            self.call(f"{domain}.enable", session=session)
        self.call("Page.navigate", {"url": url}, session)
        self.wait_for("Page.loadEventFired", session)
        return Page(self, session)

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except AssertionError:
            pass
        finally:
            os.close(self.commands)
            os.close(self.replies)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


#: Events that mean the page did something wrong, or tried to.
PROBLEMS = ("Runtime.exceptionThrown", "Runtime.consoleAPICalled", "Log.entryAdded")


@dataclass
class Page:
    browser: Browser
    session: str

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (a promise is awaited)."""
        done = self.browser.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            self.session,
        )
        assert "exceptionDetails" not in done, done["exceptionDetails"]
        return done["result"].get("value")

    def resize(self, width: int, height: int) -> None:
        """Lay the page out as in a window of this size (a phone's, say)."""
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        self.browser.call("Emulation.setDeviceMetricsOverride", metrics, self.session)

    def screenshot(self) -> bytes:
        """The page as it is drawn now, as PNG bytes (the whole page, not only the window)."""
        import base64

        width, height = self.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
        )
        clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
        shot = self.browser.call(
            "Page.captureScreenshot",
            {"format": "png", "clip": clip, "captureBeyondViewport": True},
            self.session,
        )
        return base64.b64decode(shot["data"])

    @property
    def problems(self) -> list[str]:
        """What the page logged: console messages, exceptions, blocked loads."""
        self.evaluate("0")  # a round trip: what the page did so far has been reported
        found = []
        for event in self.browser.events:
            if event.get("sessionId") == self.session and event.get("method") in PROBLEMS:
                params = event["params"]
                entry = params.get("entry") or params.get("exceptionDetails") or params
                found.append(json.dumps(entry)[:500])
        return found
