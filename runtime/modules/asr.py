"""``Modules.ASR``: the ``ASRProfileList`` and ``ASRModelList`` constants (``VoxEngine.createASR`` itself is always there, from media).

A profile is ``{provider, language}``; the emulated recogniser only uses the language (for ``languageCode`` and
``asr.language()``): transcripts come from simulated speech, not from a cloud service.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PROFILES", "MODELS", "profile_list", "model_list", "install"]

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


#: ``ASRModelList`` provider → model names (voximplant/voxengine-ci typings); a member is ``{provider, model}``
#: [inferred: the typings give no values]. Only the name is kept: the emulated recogniser has no models.
MODELS: dict[str, str] = {
    "Amazon": "default",
    "Deepgram": "default general general_enhanced meeting meeting_enhanced phonecall phonecall_enhanced voicemail "
                "finance finance_enhanced conversational video nova_general nova_phonecall nova2_general nova2_meeting "
                "nova2_phonecall nova2_voicemail nova2_finance nova2_conversationalai nova2_video nova2_medical "
                "nova2_drivethru nova2_automotive nova2_atc nova3_general nova3_medical",
    "Google": "default default_enhanced command_and_search command_and_search_enhanced phone_call phone_call_enhanced "
              "video video_enhanced",
    "Microsoft": "default",
    "SaluteSpeech": "default general media callcenter",
    "TBank": "default",
    "Yandex": "default general generalrc dates names maps numbers",
    "YandexV3": "default general generalrc dates names",
}


def model_list() -> dict[str, dict[str, dict[str, str]]]:
    """``{"Yandex": {"general": {"provider": "Yandex", "model": "general"}, …}, …}``."""
    return {provider: {name: {"provider": provider, "model": name} for name in names.split()}
            for provider, names in MODELS.items()}


def install(session: Any) -> None:
    """``require(Modules.ASR)``: define ``ASRProfileList`` and ``ASRModelList``."""
    session.define_global("ASRProfileList", profile_list())
    session.define_global("ASRModelList", model_list())
