"""The supply-chain gate (scripts/audit_dependencies.py, `make audit` in CI): a known vulnerability in the
installed set fails the run unless it is recorded as an exception with a reason and a review date."""
from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
audit = importlib.util.module_from_spec(spec)
sys.modules.setdefault("audit_dependencies", audit)  # dataclasses look their module up there
spec.loader.exec_module(audit)

TODAY = date(2026, 11, 23)
PIP_AUDIT = {"dependencies": [
    {"name": "aiohttp", "version": "3.14.5", "vulns": [
        {"id": "GHSA-aaaa-bbbb-cccc", "fix_versions": ["3.14.6"], "aliases": ["CVE-2026-0001"], "description": "x"}]},
    {"name": "PyYAML", "version": "6.0.3", "vulns": []},
    {"name": "pydantic_core", "skip_reason": "Dependency not found on PyPI and could not be audited: pydantic-core"},
], "fixes": []}
EXCEPTION = """
[[exception]]
id = "CVE-2026-0001"
package = "aiohttp"
reason = "Only the client's digest auth is affected; the bot never uses it."
review_by = 2027-01-31
"""


def _report(document=PIP_AUDIT) -> "audit.Report":
    findings, audited, skipped = audit.from_pip_audit(document)
    return audit.Report(findings=findings, audited=len(audited), unaudited=skipped)


def test_a_known_vulnerability_fails_the_run():
    status, lines = audit.judge(_report(), [], TODAY, strict=False)
    assert status == 1
    assert "VULNERABLE: aiohttp 3.14.5 GHSA-aaaa-bbbb-cccc (fixed in 3.14.6)" in lines[0]
    assert lines[-1].startswith("audited 2 of 3 installed packages") and "1 could not be audited" in lines[-1]


def test_an_exception_with_a_reason_lets_it_pass_and_says_so():
    status, lines = audit.judge(_report(), audit.load_exceptions(EXCEPTION), TODAY, strict=False)
    assert status == 0
    assert any(line.startswith("excepted: aiohttp") and "digest auth" in line for line in lines)


@pytest.mark.parametrize("broken,why", [
    (EXCEPTION.replace('reason = "Only the client\'s digest auth is affected; the bot never uses it."\n', ""), "reason"),
    (EXCEPTION.replace("review_by = 2027-01-31\n", ""), "review_by"),
    (EXCEPTION.replace("2027-01-31", "2026-01-31"), "has passed"),
])
def test_an_exception_without_a_reason_or_past_its_date_fails(broken, why):
    status, lines = audit.judge(_report(), audit.load_exceptions(broken), TODAY, strict=False)
    assert status == 1 and any(why in line for line in lines)
    assert any(line.startswith("VULNERABLE: aiohttp") for line in lines)


def test_an_exception_for_another_package_does_not_cover_it():
    status, _ = audit.judge(_report(), audit.load_exceptions(EXCEPTION.replace('"aiohttp"', '"yarl"')), TODAY,
                            strict=False)
    assert status == 1


def test_packages_that_could_not_be_audited_are_listed_and_fail_only_when_strict():
    clean = {"dependencies": [d for d in PIP_AUDIT["dependencies"] if d["name"] != "aiohttp"]}
    status, lines = audit.judge(_report(clean), [], TODAY, strict=False)
    assert status == 0 and "not audited: pydantic-core" in lines[0]
    assert audit.judge(_report(clean), [], TODAY, strict=True)[0] == 1


def test_the_project_page_audits_only_its_latest_release():
    page = {"info": {"version": "2.50.4"}, "vulnerabilities": [
        {"id": "GHSA-dddd", "aliases": ["CVE-2026-0002"], "fixed_in": ["2.50.5"], "withdrawn": None},
        {"id": "GHSA-gone", "aliases": [], "fixed_in": [], "withdrawn": "2026-01-01T00:00:00Z"}]}
    [finding] = audit.from_project_page("pydantic-core", "2.50.4", page)
    assert finding.id == "GHSA-dddd" and "CVE-2026-0002" in finding.ids
    assert audit.from_project_page("pydantic-core", "2.50.3", page) is None


def test_names_are_compared_as_pypi_does():
    assert audit.canonical("pydantic_core") == audit.canonical("Pydantic.Core") == "pydantic-core"
    findings, audited, skipped = audit.from_pip_audit(PIP_AUDIT)
    assert "pyyaml" in audited and "pydantic-core" in skipped


def test_the_checked_in_exceptions_file_is_valid():
    exceptions = audit.load_exceptions(audit.EXCEPTIONS.read_text(encoding="utf-8"))
    assert audit.exception_problems(exceptions, date.today()) == []
