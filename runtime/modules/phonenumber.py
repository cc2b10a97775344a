"""The ``PhoneNumber`` global: ``PhoneNumber.getInfo(number, country?)`` over Google's libphonenumber (``phonenumbers``).

VoxEngine declares ``PhoneNumber`` without a ``require`` (voximplant/voxengine-ci typings); public scenarios use it
to route by region (``getInfo(did).region``) and to normalise dialled numbers (``getInfo(e.destination).number``).
The answer is libphonenumber's own, which is what the platform wraps: same type names, E.164 output, ISO regions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, geocoder

from voxsim.engine.host import to_py
from voxsim.engine.operations import to_string
from voxsim.engine.values import UNDEFINED

if TYPE_CHECKING:
    from ..session import Session

__all__ = ["get_info", "install", "NUMBER_TYPES", "PARSE_ERRORS"]

#: libphonenumber's type constant → the ``numberType`` string of ``PhoneNumber.Info``.
NUMBER_TYPES: dict[int, str] = {
    getattr(PhoneNumberType, name): name
    for name in ("FIXED_LINE", "MOBILE", "FIXED_LINE_OR_MOBILE", "TOLL_FREE", "PREMIUM_RATE", "SHARED_COST", "VOIP",
                 "PERSONAL_NUMBER", "PAGER", "UAN", "VOICEMAIL", "UNKNOWN")
}

#: libphonenumber's parse failure → the ``error`` string the typings list.
PARSE_ERRORS: dict[int, str] = {
    NumberParseException.INVALID_COUNTRY_CODE: "INVALID_COUNTRY_CODE",
    NumberParseException.NOT_A_NUMBER: "NOT_A_NUMBER",
    NumberParseException.TOO_SHORT_AFTER_IDD: "TOO_SHORT_AFTER_IDD",
    NumberParseException.TOO_SHORT_NSN: "TOO_SHORT_NSN",
    NumberParseException.TOO_LONG: "TOO_LONG_NSN",
}


def _location(number: phonenumbers.PhoneNumber) -> str:
    """"City, state, country" as far as known: libphonenumber's geocoder text, then the country name."""
    country = geocoder.country_name_for_number(number, "en")
    place = geocoder.description_for_number(number, "en")
    if place and country and place != country:
        return f"{place}, {country}"
    return place or country


def get_info(number: str, country: str | None = None) -> dict[str, Any]:
    """``PhoneNumber.Info`` of ``number``: E.164 when ``country`` is absent (a missing ``+`` is added), else national.

    A number that does not parse gives ``error`` with empty/false fields and ``number`` as given [inferred: the
    typings only say ``error`` is set].
    """
    region = country.upper() if country else None
    text = number.strip()
    if region is None and not text.startswith("+"):
        text = "+" + text
    try:
        parsed = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        return {"numberType": "UNKNOWN", "region": "", "location": "", "isPossibleNumber": False,
                "isValidNumber": False, "isValidNumberForRegion": False, "number": number,
                "error": PARSE_ERRORS.get(exc.error_type, "NOT_A_NUMBER")}
    detected = phonenumbers.region_code_for_number(parsed) or ""
    return {
        "numberType": NUMBER_TYPES.get(phonenumbers.number_type(parsed), "UNKNOWN"),
        "region": detected,
        "location": _location(parsed),
        "isPossibleNumber": phonenumbers.is_possible_number(parsed),
        "isValidNumber": phonenumbers.is_valid_number(parsed),
        "isValidNumberForRegion": phonenumbers.is_valid_number_for_region(parsed, region or detected),
        "number": phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
    }


def install(session: Session) -> None:
    """Define the ``PhoneNumber`` global (no ``require`` needed, as on the platform)."""
    realm = session.realm

    def js_get_info(number: Any = UNDEFINED, country: Any = UNDEFINED) -> Any:
        text = str(to_py(to_string(number)))
        region = None if country is UNDEFINED or country is None else str(to_py(to_string(country)))
        return session.to_js(get_info(text, region or None))

    namespace = realm.new_object()
    namespace.define("getInfo", realm.new_host_function("getInfo", js_get_info, 2))
    session.define_global("PhoneNumber", namespace)
