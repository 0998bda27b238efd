"""The app compresses what it serves, since gunicorn alone serves it to phones on slow connections."""
import brotli
import pytest


@pytest.mark.parametrize("encoding, decompress", [("br", brotli.decompress), ("gzip", None)])
def test_the_qr_decoder_is_served_compressed(app, client, encoding, decompress):
    import gzip
    import zlib

    plain = client.get("/static/vendor/jsqr/jsQR.js", headers={"Accept-Encoding": ""}, buffered=True)
    if plain.status_code == 404:
        pytest.skip("static/vendor/ is empty: run `make venv` (npm ci) first")
    packed = client.get("/static/vendor/jsqr/jsQR.js", headers={"Accept-Encoding": encoding}, buffered=True)
    chosen = packed.headers["Content-Encoding"]
    body = packed.get_data()
    unpacked = {"br": brotli.decompress, "gzip": gzip.decompress,
                "deflate": zlib.decompress}[chosen](body) if decompress is None else decompress(body)
    assert unpacked == plain.get_data()
    assert len(body) < len(plain.get_data()) / 2.5  # minified code (terser) packs less than source: br 3.5x, gzip 2.8x
    assert "Accept-Encoding" in packed.headers["Vary"]


def test_stylesheets_and_scripts_are_compressed(app, client):
    for path in ("/static/css/site.css", "/static/css/partner.css", "/static/js/scan.js"):
        response = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br, zstd"}, buffered=True)
        assert response.headers.get("Content-Encoding") == "br", path


def test_pages_carrying_the_csrf_token_are_not_compressed(app, factory, login):
    """BREACH: compressing a secret beside text a user can influence leaks it through the sizes."""
    page = login(factory.user("trainer")).get("/workshops/", headers={"Accept-Encoding": "gzip, br"})
    assert 'name="csrf-token"' in page.get_data(as_text=True)
    assert "Content-Encoding" not in page.headers
