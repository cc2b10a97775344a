"""require(Modules.ASR) defines ASRModelList next to ASRProfileList (public Yandex/Google scenarios pass a model)."""

from __future__ import annotations

from voxsim.runtime.session import run_scenario

import voxsim.engine.script  # noqa: F401 - these tests run JS


def test_model_list_members_name_their_provider_and_model() -> None:
    source = """
require(Modules.ASR);
var m = ASRModelList.Yandex.general;
Logger.write(m.provider + ' ' + m.model + ' ' + ASRModelList.Google.phone_call.model + ' ' +
             typeof ASRModelList.Deepgram.nova2_phonecall);
var asr = VoxEngine.createASR({profile: ASRProfileList.Yandex.ru_RU, model: ASRModelList.Yandex.general});
Logger.write(asr.language());
VoxEngine.terminate();
"""
    session = run_scenario([(source, "models.js")])
    assert session.errors == []
    assert [r["text"] for r in session.trace.find("log")] == ["Yandex general phone_call object", "ru-RU"]
