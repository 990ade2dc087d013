#!/usr/bin/env python3
"""Supply chain: audit the installed set of the project's virtual environment for known vulnerabilities.

    python scripts/audit_dependencies.py --python .venv/bin/python --pip-audit .venv-audit/bin/pip-audit

1. The installed set is the environment's `pip freeze` (the project itself, installed editable, excluded).
2. pip-audit checks it against the Python Packaging Advisory Database (PyPI's per-release vulnerability data).
3. A package pip-audit could not look up (PyPI's per-release data unreachable, as on a mirror that serves only
   project pages) is checked against the project page's own vulnerability list when the installed version is
   the latest release, which that list describes; anything else is reported as not audited.
4. Every vulnerability found fails the run unless `.ci/audit-exceptions.toml` records it (by its id or an
   alias) with a reason and a review date that has not passed. An exception without a reason, or past its
   date, fails the run too.

Exit status: 0 clean (or every finding excepted), 1 a finding or a bad exception, 2 the audit could not run.
With --strict, a package that could not be audited fails the run as well."""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import tomllib
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXCEPTIONS = ROOT / ".ci" / "audit-exceptions.toml"
PYPI_PROJECT = "https://pypi.org/pypi/{name}/json"


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    id: str
    aliases: tuple[str, ...] = ()
    fixed_in: tuple[str, ...] = ()

    @property
    def ids(self) -> set[str]:
        return {self.id, *self.aliases}


@dataclass(frozen=True)
class Exception_:  # noqa: N801 - not the builtin
    id: str
    package: str
    reason: str
    review_by: date | None


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    unaudited: dict[str, str] = field(default_factory=dict)  # package -> why
    audited: int = 0
    via_project_page: int = 0


# --- the pieces (pure; tests/test_supply_chain.py drives them) ------------------------------------------
def load_exceptions(text: str) -> list[Exception_]:
    data = tomllib.loads(text) if text.strip() else {}
    out = []
    for entry in data.get("exception", []):
        review_by = entry.get("review_by")
        out.append(Exception_(id=str(entry.get("id", "")).strip(), package=canonical(str(entry.get("package", "")).strip()),
                              reason=str(entry.get("reason", "")).strip(),
                              review_by=review_by if isinstance(review_by, date) else None))
    return out


def exception_problems(exceptions: list[Exception_], today: date) -> list[str]:
    problems = []
    for exc in exceptions:
        if not exc.id or not exc.package:
            problems.append(f"exception {exc.id or '(no id)'}: needs both id and package")
        if len(exc.reason) < 10:
            problems.append(f"exception {exc.id}: needs a reason (why it does not affect us, or what we do instead)")
        if exc.review_by is None:
            problems.append(f"exception {exc.id}: needs review_by = YYYY-MM-DD")
        elif exc.review_by < today:
            problems.append(f"exception {exc.id}: its review date {exc.review_by} has passed; look again")
    return problems


def from_pip_audit(document: dict) -> tuple[list[Finding], dict[str, str], dict[str, str]]:
    """(findings, audited name -> version, skipped name -> why) from `pip-audit -f json`."""
    findings, audited, skipped = [], {}, {}
    for dep in document.get("dependencies", []):
        name = canonical(str(dep.get("name", "")))
        if dep.get("skip_reason"):
            skipped[name] = str(dep["skip_reason"])
            continue
        audited[name] = str(dep.get("version", ""))
        for vuln in dep.get("vulns", []):
            findings.append(Finding(name, audited[name], str(vuln.get("id")), tuple(vuln.get("aliases") or ()),
                                    tuple(vuln.get("fix_versions") or ())))
    return findings, audited, skipped


def from_project_page(name: str, version: str, page: dict) -> list[Finding] | None:
    """PyPI's project page lists the vulnerabilities of its latest release: usable only when that is ours."""
    if str((page.get("info") or {}).get("version")) != version:
        return None
    return [Finding(name, version, str(v.get("id")), tuple(v.get("aliases") or ()), tuple(v.get("fixed_in") or ()))
            for v in page.get("vulnerabilities") or [] if not v.get("withdrawn")]


def judge(report: Report, exceptions: list[Exception_], today: date, *, strict: bool) -> tuple[int, list[str]]:
    lines = exception_problems(exceptions, today)
    status = 1 if lines else 0
    for finding in report.findings:
        match = next((e for e in exceptions if e.package == finding.package and e.id in finding.ids), None)
        fix = f" (fixed in {', '.join(finding.fixed_in)})" if finding.fixed_in else ""
        if match is not None and match.review_by is not None and match.review_by >= today and len(match.reason) >= 10:
            lines.append(f"excepted: {finding.package} {finding.version} {finding.id}{fix} — {match.reason}")
        else:
            lines.append(f"VULNERABLE: {finding.package} {finding.version} {finding.id}{fix} — not in "
                         f"{EXCEPTIONS.relative_to(ROOT)}")
            status = 1
    for name, why in sorted(report.unaudited.items()):
        lines.append(f"not audited: {name} ({why})")
    if report.unaudited and strict:
        status = 1
    lines.append(f"audited {report.audited} of {report.audited + len(report.unaudited)} installed packages "
                 f"({report.via_project_page} from PyPI's project pages): {len(report.findings)} known "
                 f"vulnerabilit{'y' if len(report.findings) == 1 else 'ies'}, "
                 f"{sum(1 for line in lines if line.startswith('excepted:'))} excepted"
                 + (f"; {len(report.unaudited)} could not be audited" if report.unaudited else ""))
    return status, lines


# --- running it ---------------------------------------------------------------------------------------
def canonical(name: str) -> str:
    """PEP 503 names (pip freeze says pydantic_core, pip-audit and PyPI pydantic-core)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_set(python: str) -> dict[str, str]:
    out = subprocess.run([python, "-m", "pip", "freeze", "--exclude-editable", "--all"], capture_output=True,
                         text=True, check=True).stdout
    pins = {}
    for line in out.splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[canonical(name.strip())] = version.strip()
    return pins


def run_pip_audit(pip_audit: str, pins: dict[str, str], timeout: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as reqs:
        reqs.write("".join(f"{name}=={version}\n" for name, version in sorted(pins.items())))
    done = subprocess.run([pip_audit, "-r", reqs.name, "--no-deps", "--disable-pip", "-f", "json",
                           "--progress-spinner", "off", "--timeout", str(timeout)],
                          capture_output=True, text=True, check=False)
    Path(reqs.name).unlink(missing_ok=True)
    if not done.stdout.strip().startswith("{"):
        raise RuntimeError(f"pip-audit failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout)


def project_page(name: str, timeout: int) -> dict | None:
    try:
        with urllib.request.urlopen(PYPI_PROJECT.format(name=name), timeout=timeout) as resp:  # noqa: S310
            return json.load(resp)
    except (urllib.error.URLError, OSError, ValueError):
        return None


def audit(python: str, pip_audit: str, timeout: int) -> Report:
    pins = installed_set(python)
    findings, audited, skipped = from_pip_audit(run_pip_audit(pip_audit, pins, timeout))
    report = Report(findings=findings, audited=len(audited))
    with ThreadPoolExecutor(max_workers=8) as pool:
        pages = dict(zip(skipped, pool.map(lambda n: project_page(n, timeout), skipped), strict=True))
    for name, why in skipped.items():
        found = from_project_page(name, pins.get(name, ""), pages[name]) if pages[name] else None
        if found is None:
            latest = (pages[name] or {}).get("info", {}).get("version")
            report.unaudited[name] = (f"{pins.get(name)} is not the latest release ({latest})" if latest
                                      else why.split(":")[0])
            continue
        report.findings.extend(found)
        report.audited += 1
        report.via_project_page += 1
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"), help="the environment to audit")
    parser.add_argument("--pip-audit", default=str(ROOT / ".venv-audit" / "bin" / "pip-audit"))
    parser.add_argument("--timeout", type=int, default=20)
    parser.add_argument("--strict", action="store_true", help="a package that could not be audited fails the run")
    args = parser.parse_args(argv)
    try:
        exceptions = load_exceptions(EXCEPTIONS.read_text(encoding="utf-8") if EXCEPTIONS.exists() else "")
    except tomllib.TOMLDecodeError as exc:
        print(f"audit: {EXCEPTIONS.relative_to(ROOT)} is not valid TOML: {exc}", file=sys.stderr)
        return 1
    try:
        report = audit(args.python, args.pip_audit, args.timeout)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
        print(f"audit: could not run: {exc}", file=sys.stderr)
        return 2
    status, lines = judge(report, exceptions, date.today(), strict=args.strict)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
