"""The front-end files committed under static/vendor/ are npm's files at the versions package-lock.json pins."""
import json
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
# Committed file: (npm package, its file in node_modules/), as `make vendor` copies them.
VENDORED = {
    "jsqr/jsQR.js": ("jsqr", "dist/jsQR.js"),  # minified by terser: see MINIFIED
    "jsqr/LICENSE": ("jsqr", "LICENSE"),
    "noble-ed25519/index.js": ("@noble/ed25519", "index.js"),
    "noble-ed25519/LICENSE": ("@noble/ed25519", "LICENSE"),
}


# Committed files that `make vendor` minifies: the terser command of the Makefile (same options).
MINIFIED = {"jsqr/jsQR.js": ["--compress", "--mangle", "--comments", "false"]}


def _built(committed: str, source: Path) -> bytes:
    """Return what `make vendor` writes for a committed file: npm's file, minified where the Makefile does."""
    if committed not in MINIFIED:
        return source.read_bytes()
    terser = ROOT / "node_modules" / ".bin" / "terser"
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "out.js"
        subprocess.run([str(terser), str(source), *MINIFIED[committed], "--output", str(out)], check=True)
        return out.read_bytes()


def _locked_version(package: str) -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"][f"node_modules/{package}"]["version"]


def test_every_vendored_file_and_its_licence_is_in_the_repository():
    listed = subprocess.run(["git", "ls-files", "static/vendor"], cwd=ROOT, capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout: cannot tell committed files from built ones")
    assert set(VENDORED) | {"README.md"} <= {Path(p).relative_to("static/vendor").as_posix()
                                             for p in listed.stdout.split()}


def test_the_vendor_readme_names_the_locked_versions():
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    for package in {package for package, _file in VENDORED.values()}:
        assert f"| {package} | {_locked_version(package)} |" in readme


def test_vendored_files_are_those_npm_installs():
    if not (ROOT / "node_modules").is_dir():
        pytest.skip("node_modules/ is absent (npm not installed): run `npm ci` to compare static/vendor/ with it")
    for committed, (package, file) in VENDORED.items():
        installed = ROOT / "node_modules" / package
        assert json.loads((installed / "package.json").read_text())["version"] == _locked_version(package)
        assert (VENDOR / committed).read_bytes() == _built(committed, installed / file), f"run `make vendor`: {committed}"
