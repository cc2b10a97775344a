"""require(Modules.Conference): many sources mixed, each receiver hears everyone but itself; endpoints and events."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from voxsim.runtime.clock import Clock, run
from voxsim.runtime.media.frames import Frame, FrameQueue
from voxsim.runtime.media.units import MediaGraph, MediaUnit, Sink
from voxsim.runtime.modules.conference import ConferenceUnit, mix
from voxsim.runtime.network import Caller
from voxsim.runtime.session import Session, run_scenario

import voxsim.engine.script  # noqa: F401 - these tests run JS


class Party(MediaUnit):
    """Sends ``count`` frames of a constant value, and keeps what it receives (a participant)."""

    kind = "party"

    def __init__(self, graph, value: int, count: int) -> None:
        super().__init__(graph, 8000)
        self.queue = FrameQueue()
        for _ in range(count):
            self.queue.put(Frame(np.full(160, value, np.int16), 8000))
        self.got: list[int] = []

    @property
    def ticking(self) -> bool:
        return len(self.queue) > 0

    def pull(self):
        return self.queue.get()

    def push(self, frame: Frame) -> None:
        self.got.append(int(frame.pcm[0]))


def vrun(fn):
    async def main():
        clock = Clock()
        graph = MediaGraph(clock)
        try:
            return await fn(clock, graph)
        finally:
            graph.stop()

    return run(main(), virtual=True)


def test_each_party_hears_the_others_mixed_not_itself() -> None:
    async def body(clock, graph):
        conf = ConferenceUnit(graph)
        a, b, c = Party(graph, 100, 3), Party(graph, 20, 3), Party(graph, 3, 3)
        listener = Sink(graph)
        for p in (a, b, c):
            p.send_media_to(conf)      # many sources: none replaces another
            conf.send_media_to(p)
        conf.send_media_to(listener)
        await asyncio.sleep(0.2)
        assert a.got == [23, 23, 23] and b.got == [103, 103, 103] and c.got == [120, 120, 120]
        assert [int(f.pcm[0]) for _, f in listener.frames] == [123, 123, 123]
        a.stop_media_to(conf)
        for p in (a, b, c):
            p.queue.put(Frame(np.full(160, 1000, np.int16), 8000))
        graph.wake()
        await asyncio.sleep(0.1)
        assert listener.frames[-1][1].pcm[0] == 2000  # a no longer feeds the mix
        return graph.ticks

    ticks = vrun(body)
    assert ticks < 20  # idle (silent) conferences do not keep the graph ticking


def test_mix_clips_and_keeps_the_speech_tag() -> None:
    loud = Frame(np.full(160, 30000, np.int16), 8000)
    assert int(mix([loud, loud], 8000).pcm[0]) == 32767
    assert mix([], 8000) is None


SCENARIO = """
require(Modules.Conference);
require(Modules.ASR);
var conf, asr;
VoxEngine.addEventListener(AppEvents.Started, function () {
  conf = VoxEngine.createConference({hd_audio: false});
  conf.addEventListener(ConferenceEvents.Started, function () { Logger.write('started'); });
  conf.addEventListener(ConferenceEvents.EndpointAdded, function (e) {
    Logger.write('added ' + e.endpointId + ' ' + e.mode + ' ' + e.direction + ' ' + conf.getList().length);
  });
  conf.addEventListener(ConferenceEvents.EndpointRemoved, function (e) {
    Logger.write('removed ' + (conf.get(e.endpointId) === undefined));
    conf.stop();
  });
  conf.addEventListener(ConferenceEvents.Stopped, function () { Logger.write('stopped'); VoxEngine.terminate(); });
  asr = VoxEngine.createASR({profile: ASRProfileList.Google.en_US});
  asr.addEventListener(ASREvents.Result, function (e) { Logger.write('heard ' + e.text); });
  conf.sendMediaTo(asr);
});
VoxEngine.addEventListener(AppEvents.CallAlerting, function (e) {
  var call = e.call;
  call.addEventListener(CallEvents.Connected, function () {
    var ep = conf.add({call: call, mode: 'MIX', direction: 'BOTH'});
    Logger.write('endpoint ' + (ep.getCall() === call) + ' ' + ep.getDirection());
    VoxEngine.createTTSPlayer('welcome to the room').sendMediaTo(conf);
  });
  call.answer();
});
"""


def logs(session: Session) -> list[str]:
    return [r["text"] for r in session.trace.find("log")]


def test_conference_endpoints_events_and_mix_reach_asr() -> None:
    caller = Caller(hangup_after=6.0, extra={"speak": [{"at": 3.0, "say": "good morning everyone"}]})
    session = run_scenario([(SCENARIO, "conf.js")], inbound=caller)
    assert session.errors == []
    assert logs(session) == ["started", "added endpoint-1 MIX BOTH 1", "endpoint true BOTH",
                             "heard welcome to the room", "heard good morning everyone", "removed true", "stopped"]


def test_require_recorder_is_quiet_and_conference_by_its_string_value() -> None:
    src = ("require(Modules.Recorder);\nrequire('conference');\n"
           "Logger.write(typeof VoxEngine.createRecorder + ' ' + typeof VoxEngine.createConference);\n"
           "VoxEngine.terminate();\n")
    session = run_scenario([(src, "r.js")])
    assert [r["text"] for r in session.trace.find("log")] == ["function function"]
    assert [r["message"] for r in session.trace.find("warning")] == []
