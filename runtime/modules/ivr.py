"""``require(Modules.IVR)``: ``IVRState`` menus (select, inputfixed, inputunknown, noinput) and ``IVR.reset``.

The module is written in JavaScript on the public call API (``say``/``startPlayback``, ``handleTones``,
``ToneReceived``, ``PlaybackFinished``, timers), like VoxEngine's own, and evaluated in the session's realm.
Behaviour [inferred where the typings are silent]: the prompt plays on ``enter(call)``; a digit during the prompt
stops it (barge-in); the input timeout (``timeout`` ms, default 5000) starts when the prompt ends, and restarts after
each digit; ``input`` holds what was entered when the state is left.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..session import Session

__all__ = ["install", "IVR_SOURCE"]

IVR_SOURCE = r"""
(function (global) {
  'use strict';
  var states = [];
  var active = null;

  function IVRState(name, settings, onInputComplete, onInputTimeout) {
    if (!(this instanceof IVRState)) throw new TypeError("IVRState must be called with new");
    this.name = String(name);
    this.settings = settings || {};
    this.input = '';
    this.onInputComplete = onInputComplete;
    this.onInputTimeout = onInputTimeout;
    states.push(this);
  }

  function stop(run) {
    if (run.timer !== null) { clearTimeout(run.timer); run.timer = null; }
    run.call.removeEventListener(CallEvents.ToneReceived, run.onTone);
    run.call.removeEventListener(CallEvents.PlaybackFinished, run.onPlayed);
    run.done = true;
    if (active === run) active = null;
  }

  function leave(run, next, callback, value) {
    run.state.input = value;
    stop(run);
    if (next) { next.enter(run.call); return; }
    if (typeof callback === 'function') callback(value);
  }

  function armTimeout(run) {
    if (run.timer !== null) clearTimeout(run.timer);
    var ms = Number(run.state.settings.timeout);
    run.timer = setTimeout(function () {
      run.timer = null;
      if (!run.done) leave(run, null, run.state.onInputTimeout, run.input);
    }, isFinite(ms) && ms > 0 ? ms : 5000);
  }

  function digit(run, tone) {
    var s = run.state.settings;
    if (run.playing) { run.playing = false; run.call.stopPlayback(); }
    if (s.type === 'select') {
      var next = s.nextStates && Object.prototype.hasOwnProperty.call(s.nextStates, tone) ? s.nextStates[tone] : null;
      leave(run, next, run.state.onInputComplete, tone);
      return;
    }
    if (s.type === 'inputunknown' && s.terminateOn && tone === String(s.terminateOn)) {
      leave(run, null, run.state.onInputComplete, run.input);
      return;
    }
    run.input += tone;
    if (s.type === 'inputfixed' && run.input.length >= Number(s.inputLength)) {
      leave(run, null, run.state.onInputComplete, run.input);
    } else if (s.type === 'inputunknown' && typeof s.inputValidator === 'function' && s.inputValidator(run.input)) {
      leave(run, null, run.state.onInputComplete, run.input);
    } else {
      armTimeout(run);
    }
  }

  IVRState.prototype.enter = function (call) {
    if (active) stop(active);
    var s = this.settings;
    var run = {state: this, call: call, input: '', timer: null, done: false, playing: false};
    run.onTone = function (e) { if (!run.done) digit(run, String(e.tone)); };
    run.onPlayed = function () {
      if (run.done || !run.playing) return;
      run.playing = false;
      if (s.type === 'noinput') leave(run, s.nextState || null, run.state.onInputComplete, '');
      else armTimeout(run);
    };
    active = run;
    this.input = '';
    if (s.type !== 'noinput') {
      call.handleTones(true);
      call.addEventListener(CallEvents.ToneReceived, run.onTone);
    }
    call.addEventListener(CallEvents.PlaybackFinished, run.onPlayed);
    var prompt = s.prompt || {};
    if (prompt.play) { run.playing = true; call.startPlayback(prompt.play); }
    else if (prompt.say) { run.playing = true; call.say(prompt.say, prompt.lang); }
    else { run.playing = true; run.onPlayed(); }
  };

  global.IVRState = IVRState;
  global.IVR = {
    reset: function () { if (active) stop(active); states.length = 0; },
    ttsOptions: {}
  };
})(globalThis);
"""


def install(session: Session) -> None:
    """Evaluate the IVR module in the session's realm (once, on the first ``require(Modules.IVR)``)."""
    script = session.realm.compile_script(IVR_SOURCE, filename="<voxsim:ivr>")
    session.run_js(script.run, where="require(Modules.IVR)")
