"""``Modules.ASR``: the ``ASRProfileList`` constants (``VoxEngine.createASR`` itself is always there, from media).

A profile is ``{provider, language}``; the emulated recogniser only uses the language (for ``languageCode`` and
``asr.language()``): transcripts come from simulated speech, not from a cloud service.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PROFILES", "profile_list", "install"]

#: Provider → locales (``en_US`` style, as the members are named).
PROFILES: dict[str, str] = {
    "Google": "en_US en_GB en_AU en_IN de_DE fr_FR es_ES es_US it_IT pt_BR pt_PT ru_RU ja_JP ko_KR zh_CN nl_NL pl_PL "
              "sv_SE tr_TR uk_UA",
    "Amazon": "en_US en_GB en_AU de_DE fr_FR es_ES es_US it_IT pt_BR ja_JP ko_KR",
    "Microsoft": "en_US en_GB de_DE fr_FR es_ES it_IT pt_BR ru_RU ja_JP",
    "Deepgram": "en_US en_GB de_DE fr_FR es_ES nl_NL",
    "Yandex": "ru_RU en_US tr_TR",
    "TBank": "ru_RU",
    "SaluteSpeech": "ru_RU",
}


def profile_list() -> dict[str, dict[str, dict[str, str]]]:
    """``{"Google": {"en_US": {"provider": "Google", "language": "en-US"}, …}, …}``."""
    return {
        provider: {loc: {"provider": provider, "language": loc.replace("_", "-")} for loc in locales.split()}
        for provider, locales in PROFILES.items()
    }


def install(session: Any) -> None:
    """``require(Modules.ASR)``: define ``ASRProfileList``."""
    session.define_global("ASRProfileList", profile_list())
