"""Referral validation and eligibility: pure functions, no Teams, no database — easy to read and to test.

Eligibility comes from the seeds: the inclusion team works with children with a social worker (CiN, CP,
kinship, on a plan in the last six years), aged 0–18; it does not take requests from parents or carers,
does not take responsibility for SEND without a social worker; children in care and previously looked-after
children have their own Virtual School routes."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from storage.directory import normalise_postcode
from storage.vocabulary import (
    FIELD_LIMITS,
    FORM_LEGAL_STATUS_CHOICES,
    NO_SOCIAL_WORKER,
    REFERRAL_REASONS,
    REFERRER_ROLES,
    LegalStatus,
)

LEGAL_STATUS_CHOICES = FORM_LEGAL_STATUS_CHOICES
MAX = FIELD_LIMITS
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A name is letters, with single spaces, hyphens or apostrophes between them ("Mary-Jane", "O'Neil"): nothing
# that Teams could render as markdown, a link or a mention.
_NAME = re.compile(r"^[^\W\d_]+(?:[ '’-][^\W\d_]+)*$")


@dataclass(frozen=True)
class Decision:
    eligible: bool
    kind: str  # inclusion | parent | send_only | over_18 | cic | plac
    title: str = ""
    message: str = ""


def age_on(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


def _text(values: dict, key: str) -> str:
    value = values.get(key)
    return str(value).strip() if value is not None else ""


def validate(values: dict, *, today: date) -> tuple[dict, dict[str, str]]:
    """Returns (clean values, errors by input id). Never raises on user input."""
    errors: dict[str, str] = {}
    clean: dict = {}
    for key, label in (("child_first_name", "first name"), ("child_last_name", "last name")):
        value = " ".join(_text(values, key).split())
        if not value:
            errors[key] = f"Enter the child's {label}."
        elif len(value) > MAX[key]:
            errors[key] = f"Keep the {label} under {MAX[key]} characters."
        elif not _NAME.match(value):
            errors[key] = f"The {label} can have letters, spaces, hyphens and apostrophes only."
        clean[key] = value

    raw_dob = _text(values, "child_dob")
    try:
        dob = date.fromisoformat(raw_dob)
    except ValueError:
        dob = None
        errors["child_dob"] = "Enter the date of birth as a date (YYYY-MM-DD)." if raw_dob else "Enter the child's date of birth."
    if dob is not None:
        if dob > today:
            errors["child_dob"] = "The date of birth is in the future."
        elif age_on(dob, today) > 25:
            errors["child_dob"] = "That date of birth gives an age over 25: please check it."
    clean["child_dob"] = dob

    postcode = normalise_postcode(_text(values, "home_postcode"))
    if postcode is None:
        errors["home_postcode"] = ("Enter the child's home postcode, for example AB1 2CD."
                                   if not _text(values, "home_postcode") else "That is not a valid UK postcode.")
    clean["home_postcode"] = postcode

    school = _text(values, "school_name")
    if not school:
        errors["school_name"] = "Enter the school or setting (or 'none' if the child has no place)."
    elif len(school) > MAX["school_name"]:
        errors["school_name"] = f"Keep the school name under {MAX['school_name']} characters."
    clean["school_name"] = school

    status = _text(values, "legal_status")
    if status not in LEGAL_STATUS_CHOICES:
        errors["legal_status"] = "Choose the child's legal status."
    clean["legal_status"] = status

    reasons = [r.strip() for r in _text(values, "reasons").split(",") if r.strip()]
    if not reasons:
        errors["reasons"] = "Choose at least one reason."
    elif any(r not in REFERRAL_REASONS for r in reasons):
        errors["reasons"] = "Choose reasons from the list."
    clean["reasons"] = list(dict.fromkeys(reasons))

    details = _text(values, "details")
    if not details:
        errors["details"] = "Tell us briefly what is happening and what you need."
    elif len(details) > MAX["details"]:
        errors["details"] = f"Keep the details under {MAX['details']} characters (you have {len(details)})."
    clean["details"] = details

    role = _text(values, "referrer_role")
    if role not in REFERRER_ROLES:
        errors["referrer_role"] = "Tell us your role."
    clean["referrer_role"] = role

    clean["is_allocated_sw"] = _text(values, "is_allocated_sw") == "true"
    if not clean["is_allocated_sw"]:
        name, email = _text(values, "social_worker_name"), _text(values, "social_worker_email")
        if not name:
            errors["social_worker_name"] = "Enter the allocated social worker's name."
        elif len(name) > MAX["social_worker_name"]:
            errors["social_worker_name"] = "Keep the name under 200 characters."
        if not _EMAIL.match(email) or len(email) > MAX["social_worker_email"]:
            errors["social_worker_email"] = "Enter the social worker's e-mail address."
        clean["social_worker_name"], clean["social_worker_email"] = name, email.lower()
    else:
        clean["social_worker_name"] = clean["social_worker_email"] = None

    if _text(values, "consent") != "true":
        errors["consent"] = "Confirm that you may share this under the information-sharing agreement."
    return clean, errors


def assess(values: dict, *, today: date) -> tuple[dict, dict[str, str], Decision | None]:
    """The whole check: (clean values, errors, decision). A parent or carer is signposted straight away,
    without being asked to fix a form they should not have to fill in; otherwise errors come first."""
    if _text(values, "referrer_role") == "parent_carer":
        return {}, {}, eligibility({"referrer_role": "parent_carer"}, today=today)
    clean, errors = validate(values, today=today)
    if errors:
        return clean, errors, None
    return clean, {}, eligibility(clean, today=today)


def eligibility(clean: dict, *, today: date) -> Decision:
    """Called only on valid input. Parents are signposted before anything else; then cohort and age."""
    if clean["referrer_role"] == "parent_carer":
        return Decision(False, "parent", "Thank you — please talk to the child's social worker or school",
                        "The Virtual School works through professionals: it does not take requests from parents or "
                        "carers for children with a social worker. The child's social worker, or the designated "
                        "safeguarding lead at their school, can make a referral with you. For special educational "
                        "needs, the local authority's Local Offer and the SEND information, advice and support "
                        "service (SEND IASS) can help directly.")
    if age_on(clean["child_dob"], today) > 18:
        return Decision(False, "over_18", "This young person is over 18",
                        "The Virtual School's work with children with a social worker covers ages 0 to 18. For a "
                        "young person over 18, contact the leaving care (personal adviser) service if they were "
                        "in care, or the post-16 and youth service for education, employment and training advice.")
    if clean["legal_status"] == NO_SOCIAL_WORKER:
        return Decision(False, "send_only", "The inclusion team works with children who have a social worker",
                        "The Virtual School does not take responsibility for children with special educational "
                        "needs or disabilities who do not have or need a social worker. The school's SENCo, the "
                        "local authority's Local Offer and the SEND information, advice and support service "
                        "(SEND IASS) are the right places to go.")
    if clean["legal_status"] == LegalStatus.CIC:
        return Decision(False, "cic", "Children in care have their own Virtual School caseworker",
                        "For a child in care, the Virtual School already has a statutory role: it chairs the "
                        "child's Personal Education Plan (PEP) meetings. Please raise this with the child's "
                        "Virtual School caseworker or at the next PEP meeting, and bring it to a Virtual School "
                        "surgery if you want advice before then.")
    if clean["legal_status"] == LegalStatus.PLAC:
        return Decision(False, "plac", "Previously looked-after children: advice and information",
                        "For children previously in care (adopted, special guardianship or child arrangements "
                        "orders) the Virtual School gives advice and information to parents, carers and schools "
                        "rather than taking referrals. The designated teacher at the school can contact the "
                        "Virtual School for advice, or book a place at a surgery.")
    return Decision(True, "inclusion")
