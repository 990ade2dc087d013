"""The Teams app package: manifest template, icons, the zip builder and validation against the official schema.

The schema check runs ``node manifest/validate.mjs``, which uses the schema shipped in the pinned npm package
``@microsoft/app-manifest``. Those tests skip only when ``node`` is missing; if ``manifest/node_modules`` is
missing (fresh clone) the session fixture runs ``npm ci --prefix manifest`` once.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest

from bot.app_package import build_app_package, render_manifest

ROOT = Path(__file__).resolve().parent.parent
MANIFEST_DIR = ROOT / "manifest"
SCHEMA_PACKAGE = "@microsoft/app-manifest"
BOT_ID = "6a1c2f3e-8b4d-4e5f-9a0b-1c2d3e4f5a6b"
HOST = "vsbot.example.org"
COMMANDS = ["refer", "book", "ask", "my referrals", "help"]


# --- helpers -------------------------------------------------------------------------------------------------


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    chunks, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, f"bad CRC in {kind!r} chunk"
        chunks.append((kind, body))
        pos += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    return chunks


def png_ihdr(data: bytes) -> dict[str, int]:
    width, height, depth, color_type, compression, filter_method, interlace = struct.unpack(
        ">IIBBBBB", png_chunks(data)[0][1]
    )
    return {
        "width": width,
        "height": height,
        "depth": depth,
        "color_type": color_type,
        "compression": compression,
        "filter": filter_method,
        "interlace": interlace,
    }


def png_pixels(data: bytes) -> list[tuple[int, ...]]:
    """Decode a non-interlaced 8-bit PNG (grey, RGB, grey+alpha or RGBA) into pixel tuples."""
    header = png_ihdr(data)
    assert header["depth"] == 8 and header["interlace"] == 0, header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[header["color_type"]]
    width, height = header["width"], header["height"]
    raw = zlib.decompress(b"".join(body for kind, body in png_chunks(data) if kind == b"IDAT"))
    stride = width * channels
    assert len(raw) == height * (stride + 1)
    previous = bytearray(stride)
    pixels: list[tuple[int, ...]] = []
    for y in range(height):
        filter_type = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if filter_type == 1:
                line[i] = (line[i] + a) & 0xFF
            elif filter_type == 2:
                line[i] = (line[i] + b) & 0xFF
            elif filter_type == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif filter_type == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + predictor) & 0xFF
            else:
                assert filter_type == 0, f"unknown PNG filter {filter_type}"
        pixels.extend(tuple(line[x : x + channels]) for x in range(0, stride, channels))
        previous = line
    return pixels


def run_validator(node: str, target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [node, str(MANIFEST_DIR / "validate.mjs"), str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- fixtures ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def node() -> str:
    """Path to node with manifest/node_modules installed (``npm ci`` once if missing or not the pinned version)."""
    node_path = shutil.which("node")
    if node_path is None:
        pytest.skip("node is not installed: cannot validate the manifest against the official Teams schema")
    pinned = json.loads((MANIFEST_DIR / "package.json").read_text(encoding="utf-8"))["dependencies"]
    installed = True
    for name, version in pinned.items():
        pkg_json = MANIFEST_DIR / "node_modules" / name / "package.json"
        if not pkg_json.is_file() or json.loads(pkg_json.read_text(encoding="utf-8")).get("version") != version:
            installed = False
    if not installed:
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("node is installed but npm is not: install npm, then run npm ci --prefix manifest")
        result = subprocess.run(
            [npm, "ci", "--prefix", str(MANIFEST_DIR), "--no-audit", "--no-fund"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"npm ci --prefix manifest failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return node_path


@pytest.fixture()
def package(tmp_path: Path) -> Path:
    return build_app_package(bot_id=BOT_ID, out=tmp_path / "out" / "app.zip", valid_domains=[HOST], version="1.2.3")


@pytest.fixture()
def package_manifest(package: Path) -> dict:
    with zipfile.ZipFile(package) as zf:
        return json.loads(zf.read("manifest.json").decode("utf-8"))


def load_make_icons():
    spec = importlib.util.spec_from_file_location("make_icons", MANIFEST_DIR / "make_icons.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the package -------------------------------------------------------------------------------------------


def test_package_holds_manifest_and_icons_at_zip_root(package: Path) -> None:
    assert package.is_file()
    with zipfile.ZipFile(package) as zf:
        assert zf.testzip() is None
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert zf.read("color.png") == (MANIFEST_DIR / "color.png").read_bytes()
        assert zf.read("outline.png") == (MANIFEST_DIR / "outline.png").read_bytes()
        assert not zf.read("manifest.json").startswith(b"\xef\xbb\xbf"), "manifest.json must not have a BOM"
    assert not list(package.parent.glob("*.tmp")), "temporary file left behind"


def test_icon_sizes(package: Path) -> None:
    with zipfile.ZipFile(package) as zf:
        color, outline = png_ihdr(zf.read("color.png")), png_ihdr(zf.read("outline.png"))
    assert (color["width"], color["height"]) == (192, 192)
    assert (outline["width"], outline["height"]) == (32, 32)


def test_outline_icon_is_white_on_transparent(package: Path) -> None:
    with zipfile.ZipFile(package) as zf:
        data = zf.read("outline.png")
    assert png_ihdr(data)["color_type"] in (4, 6), "outline icon needs an alpha channel"
    pixels = png_pixels(data)
    assert len(pixels) == 32 * 32
    colours = {px[:-1] for px in pixels if px[-1] > 0}
    assert colours <= {(255,), (255, 255, 255)}, f"non-white visible pixels: {sorted(colours)[:5]}"
    alphas = [px[-1] for px in pixels]
    assert min(alphas) == 0, "outline icon needs a transparent background"
    assert sum(a == 255 for a in alphas) >= 100, "outline icon glyph is (almost) empty"


def test_color_icon_is_full_colour(package: Path) -> None:
    with zipfile.ZipFile(package) as zf:
        data = zf.read("color.png")
    assert png_ihdr(data)["color_type"] in (2, 6)
    pixels = png_pixels(data)
    assert len({px[:3] for px in pixels}) > 2
    assert any(len(set(px[:3])) > 1 for px in pixels), "colour icon is greyscale only"


def test_committed_icons_match_generator() -> None:
    make_icons = load_make_icons()
    assert (MANIFEST_DIR / "color.png").read_bytes() == make_icons.color_png(), "run python manifest/make_icons.py"
    assert (MANIFEST_DIR / "outline.png").read_bytes() == make_icons.outline_png(), "run python manifest/make_icons.py"


def test_bot_id_version_and_domains_filled_in(package_manifest: dict) -> None:
    assert package_manifest["id"] == BOT_ID
    assert [bot["botId"] for bot in package_manifest["bots"]] == [BOT_ID]
    assert package_manifest["version"] == "1.2.3"
    assert package_manifest["validDomains"] == [HOST]
    assert "{{" not in json.dumps(package_manifest)


def test_bot_in_personal_and_team_scopes_with_commands(package_manifest: dict) -> None:
    (bot,) = package_manifest["bots"]
    assert sorted(bot["scopes"]) == ["personal", "team"]
    assert bot["supportsFiles"] is False
    lists = {scope: [c["title"] for c in lst["commands"]] for lst in bot["commandLists"] for scope in lst["scopes"]}
    assert lists == {"personal": COMMANDS, "team": COMMANDS}
    assert package_manifest["name"] == {"short": "Virtual School", "full": "Virtual School Assistant"}


def test_render_normalises_guid_and_domains() -> None:
    manifest = render_manifest(
        bot_id=f"  {BOT_ID.upper()} ", valid_domains=["VSBOT.example.org", HOST, "*.example.net"]
    )
    assert manifest["id"] == manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["validDomains"] == [HOST, "*.example.net"]
    assert manifest["version"] == "1.0.0"
    assert render_manifest(bot_id=BOT_ID, valid_domains=[])["validDomains"] == []


def test_render_does_not_mutate_template() -> None:
    before = (MANIFEST_DIR / "manifest.json").read_bytes()
    render_manifest(bot_id=BOT_ID, valid_domains=[HOST])
    assert (MANIFEST_DIR / "manifest.json").read_bytes() == before


@pytest.mark.parametrize(
    "bad_id",
    [
        "",
        "not-a-guid",
        "{{BOT_ID}}",
        "6a1c2f3e8b4d4e5f9a0b1c2d3e4f5a6b",
        "{6a1c2f3e-8b4d-4e5f-9a0b-1c2d3e4f5a6b}",
        "6a1c2f3e-8b4d-4e5f-9a0b-1c2d3e4f5a6g",
        '6a1c2f3e-8b4d-4e5f-9a0b-1c2d3e4f5a6b", "x": "',
    ],
)
def test_invalid_bot_id_rejected(bad_id: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="GUID"):
        render_manifest(bot_id=bad_id, valid_domains=[HOST])
    with pytest.raises(ValueError, match="GUID"):
        build_app_package(bot_id=bad_id, out=tmp_path / "app.zip", valid_domains=[HOST])
    assert not (tmp_path / "app.zip").exists()


def test_nil_guid_rejected() -> None:
    with pytest.raises(ValueError, match="all-zero"):
        render_manifest(bot_id="00000000-0000-0000-0000-000000000000", valid_domains=[HOST])


@pytest.mark.parametrize("bad_domain", ["https://vsbot.example.org", "vsbot.example.org/api", "bad host", "", "a..b"])
def test_invalid_domain_rejected(bad_domain: str) -> None:
    with pytest.raises(ValueError, match="host name"):
        render_manifest(bot_id=BOT_ID, valid_domains=[bad_domain])


@pytest.mark.parametrize("bad_version", ["1.0", "v1.0.0", "01.0.0", "1.0.0-beta"])
def test_invalid_version_rejected(bad_version: str) -> None:
    with pytest.raises(ValueError, match="MAJOR.MINOR.PATCH"):
        render_manifest(bot_id=BOT_ID, valid_domains=[HOST], version=bad_version)


def test_wrong_icon_size_rejected_before_packaging(tmp_path: Path) -> None:
    make_icons = load_make_icons()
    custom = tmp_path / "manifest"
    custom.mkdir()
    for name in ("manifest.json", "color.png"):
        shutil.copy(MANIFEST_DIR / name, custom / name)
    row = b"\xff\xff\xff\x00" * 64
    (custom / "outline.png").write_bytes(make_icons.png_bytes(64, 64, [row] * 64, color_type=6))
    with pytest.raises(ValueError, match=r"outline\.png must be 32x32 pixels; it is 64x64"):
        build_app_package(bot_id=BOT_ID, out=tmp_path / "app.zip", valid_domains=[HOST], manifest_dir=custom)
    assert not (tmp_path / "app.zip").exists()


def test_build_is_reproducible(tmp_path: Path) -> None:
    first = build_app_package(bot_id=BOT_ID, out=tmp_path / "a.zip", valid_domains=[HOST])
    second = build_app_package(bot_id=BOT_ID, out=tmp_path / "b.zip", valid_domains=[HOST])
    assert first.read_bytes() == second.read_bytes()


# --- the official schema -----------------------------------------------------------------------------------


def test_template_uses_newest_schema_in_pinned_package(node: str) -> None:
    schemas = MANIFEST_DIR / "node_modules" / SCHEMA_PACKAGE / "build" / "json-schemas" / "teams"
    versions = [
        tuple(int(part) for part in m.groups())
        for d in schemas.iterdir()
        if (m := re.fullmatch(r"v(\d+)\.(\d+)", d.name)) and (d / "MicrosoftTeams.schema.json").is_file()
    ]
    newest = "{}.{}".format(*max(versions))
    template = json.loads((MANIFEST_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert template["manifestVersion"] == newest
    url = f"https://developer.microsoft.com/json-schemas/teams/v{newest}/MicrosoftTeams.schema.json"
    assert template["$schema"] == url


def test_package_manifest_is_valid_against_official_schema(node: str, package: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(package) as zf:
        extracted = tmp_path / "manifest.json"
        extracted.write_bytes(zf.read("manifest.json"))
    result = run_validator(node, extracted)
    assert result.returncode == 0, result.stderr
    assert "valid against teams/v" in result.stdout


def test_validator_reads_the_zip_itself(node: str, package: Path) -> None:
    result = run_validator(node, package)
    assert result.returncode == 0, result.stderr


def test_validator_rejects_broken_manifest(node: str, package_manifest: dict, tmp_path: Path) -> None:
    del package_manifest["name"]
    package_manifest["bots"][0]["botId"] = "not-a-guid"
    broken = tmp_path / "manifest.json"
    broken.write_text(json.dumps(package_manifest), encoding="utf-8")
    result = run_validator(node, broken)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "INVALID" in result.stderr
    assert "required property 'name'" in result.stderr
    assert "/bots/0/botId" in result.stderr


def test_validator_rejects_unfilled_template(node: str) -> None:
    result = run_validator(node, MANIFEST_DIR / "manifest.json")
    assert result.returncode == 1
    assert "/id must match pattern" in result.stderr
