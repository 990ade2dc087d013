"""Build the Teams app package (manifest.json + icons in one zip) from the template in ``manifest/``.

Pure functions, no botbuilder: ``vsbot manifest build --out FILE.zip`` calls :func:`build_app_package`.

The template ``manifest/manifest.json`` holds placeholders that are replaced *as data* (the JSON is loaded,
fields are set, and it is dumped again), never by substituting text:

* ``id`` and ``bots[0].botId`` -- ``{{BOT_ID}}``: the bot's Microsoft App ID (a GUID). The app id and the bot
  id are the same GUID, as in Microsoft's single-bot samples.
* ``validDomains`` -- ``["{{BOT_HOST}}"]``: replaced by the given host names (may be empty).
* ``version`` -- the app package version (``MAJOR.MINOR.PATCH``); bump it for every upload to Teams.
"""

from __future__ import annotations

import copy
import json
import os
import re
import struct
import tempfile
import zipfile
from pathlib import Path
from typing import Any

__all__ = [
    "MANIFEST_DIR",
    "ICON_SIZES",
    "BOT_ID_PLACEHOLDER",
    "BOT_HOST_PLACEHOLDER",
    "render_manifest",
    "build_app_package",
    "png_size",
]

MANIFEST_DIR = Path(__file__).resolve().parent.parent / "manifest"
TEMPLATE_NAME = "manifest.json"
# file name in the package -> required (width, height)
ICON_SIZES: dict[str, tuple[int, int]] = {"color.png": (192, 192), "outline.png": (32, 32)}

BOT_ID_PLACEHOLDER = "{{BOT_ID}}"
BOT_HOST_PLACEHOLDER = "{{BOT_HOST}}"

_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_NIL_GUID = "00000000-0000-0000-0000-000000000000"
_SEMVER = re.compile(r"^(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)$")
# A host name, optionally with a leading "*." wildcard and a ":port"; no scheme, path or query.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"^(?:\*\.)?(?:{_LABEL}\.)*{_LABEL}(?::\d{{1,5}})?$")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Fixed timestamp for zip entries so the same inputs give byte-identical packages.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _check_bot_id(bot_id: str) -> str:
    if not isinstance(bot_id, str) or not _GUID.match(bot_id.strip()):
        raise ValueError(
            f"bot id must be the bot's Microsoft App ID, a GUID "
            f"(8-4-4-4-12 hex digits, e.g. 3f2504e0-4f89-41d3-9a0c-0305e82c3301); got {bot_id!r}"
        )
    normalised = bot_id.strip().lower()
    if normalised == _NIL_GUID:
        raise ValueError("bot id is the all-zero GUID; use the bot's real Microsoft App ID (MicrosoftAppId)")
    return normalised


def _check_version(version: str) -> str:
    if not isinstance(version, str) or not _SEMVER.match(version):
        raise ValueError(f"app version must look like MAJOR.MINOR.PATCH (e.g. 1.0.0); got {version!r}")
    return version


def _check_domains(valid_domains: list[str]) -> list[str]:
    if isinstance(valid_domains, str) or not isinstance(valid_domains, (list, tuple)):
        raise ValueError(f"valid_domains must be a list of host names, not {type(valid_domains).__name__}")
    domains: list[str] = []
    for raw in valid_domains:
        domain = raw.strip().lower() if isinstance(raw, str) else raw
        if not isinstance(domain, str) or len(domain) > 2048 or not _DOMAIN.match(domain):
            raise ValueError(
                f"valid domain must be a host name such as bot.example.org or *.example.org "
                f"(no https://, path or spaces); got {raw!r}"
            )
        if domain not in domains:
            domains.append(domain)
    if len(domains) > 100:
        raise ValueError(f"a Teams manifest allows at most 100 valid domains; got {len(domains)}")
    return domains


def _load_template(manifest_dir: Path) -> dict[str, Any]:
    path = manifest_dir / TEMPLATE_NAME
    try:
        with path.open(encoding="utf-8") as fh:
            template = json.load(fh)
    except FileNotFoundError:
        raise FileNotFoundError(f"manifest template not found: {path}") from None
    if not isinstance(template, dict):
        raise ValueError(f"{path}: the manifest template must be a JSON object")
    return template


def _placeholders(node: Any, where: str = "") -> list[str]:
    """JSON paths of every string that still contains a ``{{...}}`` placeholder."""
    if isinstance(node, dict):
        return [p for key, value in node.items() for p in _placeholders(value, f"{where}/{key}")]
    if isinstance(node, list):
        return [p for i, value in enumerate(node) for p in _placeholders(value, f"{where}/{i}")]
    if isinstance(node, str) and "{{" in node:
        return [where or "/"]
    return []


def render_manifest(
    *,
    bot_id: str,
    valid_domains: list[str],
    version: str = "1.0.0",
    manifest_dir: Path | None = None,
) -> dict[str, Any]:
    """Return the app manifest (a dict) with the bot id, valid domains and version filled in.

    Raises ValueError when ``bot_id`` is not a GUID, ``version`` is not ``MAJOR.MINOR.PATCH``, a domain is
    not a bare host name, or the template does not have its placeholders where expected.
    """
    bot_guid = _check_bot_id(bot_id)
    version = _check_version(version)
    domains = _check_domains(valid_domains)
    manifest_dir = MANIFEST_DIR if manifest_dir is None else manifest_dir
    manifest = copy.deepcopy(_load_template(manifest_dir))

    bots = manifest.get("bots")
    single_bot = isinstance(bots, list) and len(bots) == 1 and isinstance(bots[0], dict)
    if manifest.get("id") != BOT_ID_PLACEHOLDER or not single_bot or bots[0].get("botId") != BOT_ID_PLACEHOLDER:
        raise ValueError(f'manifest template must have "id" and "bots[0].botId" set to "{BOT_ID_PLACEHOLDER}"')
    if manifest.get("validDomains") != [BOT_HOST_PLACEHOLDER]:
        raise ValueError(f'manifest template must have "validDomains" set to ["{BOT_HOST_PLACEHOLDER}"]')

    manifest["id"] = bot_guid
    bots[0]["botId"] = bot_guid
    manifest["version"] = version
    manifest["validDomains"] = domains

    left = _placeholders(manifest)
    if left:
        raise ValueError(f"manifest template has unfilled placeholders at {', '.join(left)}")
    return manifest


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk; ValueError if ``data`` is not a PNG."""
    if len(data) < 24 or data[:8] != _PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _read_icons(manifest: dict[str, Any], manifest_dir: Path) -> dict[str, bytes]:
    icons = manifest.get("icons") or {}
    expected = {"color": "color.png", "outline": "outline.png"}
    if {k: icons.get(k) for k in expected} != expected:
        raise ValueError(f'manifest "icons" must name {expected}; got {icons}')
    files: dict[str, bytes] = {}
    for name, size in ICON_SIZES.items():
        path = manifest_dir / name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise FileNotFoundError(f"icon not found: {path} (run python manifest/make_icons.py)") from None
        try:
            actual = png_size(data)
        except ValueError:
            raise ValueError(f"icon {path} is not a PNG file") from None
        if actual != size:
            raise ValueError(f"icon {path} must be {size[0]}x{size[1]} pixels; it is {actual[0]}x{actual[1]}")
        files[name] = data
    return files


def build_app_package(
    *,
    bot_id: str,
    out: Path,
    valid_domains: list[str],
    version: str = "1.0.0",
    manifest_dir: Path | None = None,
) -> Path:
    """Write the Teams app package zip to ``out`` (manifest.json, color.png, outline.png at its root).

    The icons are checked for their required sizes first. The zip is written to a temporary file beside
    ``out`` and renamed into place, so a failed build never leaves a half-written package. The same inputs
    give a byte-identical zip. Returns ``out``.
    """
    manifest_dir = MANIFEST_DIR if manifest_dir is None else manifest_dir
    manifest = render_manifest(bot_id=bot_id, valid_domains=valid_domains, version=version, manifest_dir=manifest_dir)
    icons = _read_icons(manifest, manifest_dir)

    out = Path(out)
    if out.is_dir():
        raise ValueError(f"output path is a directory, expected a .zip file name: {out}")
    out.parent.mkdir(parents=True, exist_ok=True)

    entries = {"manifest.json": (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"), **icons}
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in entries.items():
                info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, data)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, out)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return out
