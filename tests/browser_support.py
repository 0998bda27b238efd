"""Real-browser support: Debian's Chromium driven by Playwright, a fake camera fed by a Y4M file, a live server.

Chromium's fake capture device plays a Y4M video in a loop. The videos here show a ticket's
QR code (made by `qrcode` from the code the app signs) for a while, then a white card, so
the code leaves the camera's view and comes back, as a ticket handed over twice would.
"""
import contextlib
import os
import threading

import pytest
import qrcode
from PIL import Image

CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"]
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "test-artifacts")
FRAME_SIZE = (640, 480)
FPS = 5


def require_chromium():
    """Skip the calling test when this machine cannot run the real browser."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (.ci/run installs Debian's chromium)")
    pytest.importorskip("playwright.sync_api")


def qr_image(text: str, box_size: int = 6) -> Image.Image:
    """Draw a code as a QR image, as printed on a ticket (error correction M, quiet zone of 4)."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    return qr.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def _frame(qr: Image.Image | None) -> Image.Image:
    frame = Image.new("RGB", FRAME_SIZE, "white")
    if qr is not None:
        frame.paste(qr, ((FRAME_SIZE[0] - qr.width) // 2, (FRAME_SIZE[1] - qr.height) // 2))
    return frame


def write_y4m(path: str, frames: list[Image.Image], fps: int = FPS) -> str:
    """Write frames as a 4:2:0 Y4M video (what Chromium's fake camera reads), frame by frame."""
    width, height = frames[0].size
    assert width % 2 == 0 and height % 2 == 0, "4:2:0 needs an even width and height"
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for frame in frames:
            y, cb, cr = frame.convert("YCbCr").split()
            out.write(b"FRAME\n")
            out.write(y.tobytes())
            out.write(cb.resize((width // 2, height // 2), Image.Resampling.BILINEAR).tobytes())
            out.write(cr.resize((width // 2, height // 2), Image.Resampling.BILINEAR).tobytes())
    return path


def scenes_video(path: str, scenes: list[tuple[str | None, float]]) -> str:
    """Write a looping video of scenes: (code, seconds) shows that code's QR, (None, seconds) a white card."""
    frames = []
    for code, seconds in scenes:
        frames += [_frame(qr_image(code) if code else None)] * int(seconds * FPS)
    return write_y4m(path, frames)


def ticket_video(path: str, code: str, shown_seconds: float = 2, hidden_seconds: float = 4) -> str:
    """Write a looping video: the code's QR centred on white, then white only."""
    return scenes_video(path, [(code, shown_seconds), (None, hidden_seconds)])


def blank_video(path: str) -> str:
    return write_y4m(path, [_frame(None)] * FPS)


def launch(playwright, video: str | None = None, grant_camera: bool = True, extra_args=()):
    """Start Chromium; with a video, its fake camera plays it (and the permission prompt says yes)."""
    args = list(BROWSER_ARGS) + list(extra_args)
    if video:
        args += ["--use-fake-device-for-media-stream", f"--use-file-for-fake-video-capture={video}"]
        if grant_camera:
            args.append("--use-fake-ui-for-media-stream")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=args)


def phone_context(playwright, browser, device: str, base_url: str, grant_camera: bool = True):
    """Open a browser context shaped like a phone from Playwright's device list."""
    descriptor = {k: v for k, v in playwright.devices[device].items() if k != "default_browser_type"}
    context = browser.new_context(**descriptor, base_url=base_url, locale="fr-FR", timezone_id="Europe/Paris")
    if grant_camera:
        context.grant_permissions(["camera"], origin=base_url)
    return context


def log_in(page, email: str, password: str, base: str = ""):
    """Sign in through the login page, and for staff through the second step (a code computed by pyotp)."""
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: not url.endswith("/login"))
    if "/login/" in page.url:
        second_step(page, email)
    page.wait_for_url(lambda url: "/login" not in url)


def second_step(page, email: str):
    """Type the code of the staff member's authenticator app (enrolling first if the page asks to)."""
    from .helpers import candidate_codes, totp_secret_of

    enrolling = "/login/enrol" in page.url
    secret = page.text_content("code.secret").replace(" ", "") if enrolling else totp_secret_of(email)
    for attempt, code in enumerate(candidate_codes(secret)):
        page.fill("input[name=code]", code)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        if page.locator("ol.codes").count():
            page.click("text=continuer")
        if "/login" not in page.url:
            return
        assert attempt < 6, page.content()


def screenshot(page, name: str) -> str:
    """Save what the phone shows to test-artifacts/ (git-ignored) for a person to look at."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, f"{name}.png")
    page.screenshot(path=path, scale="css", full_page=False)
    return path


@contextlib.contextmanager
def threaded_server(app):
    """Serve the app with werkzeug in a thread on 127.0.0.1 and a free port; yield its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()
