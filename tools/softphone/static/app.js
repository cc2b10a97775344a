// voxsim softphone page: one WebRTC call at a time to the scenario served by `voxsim serve` (no build step).
"use strict";

const $ = (id) => document.getElementById(id);
const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];
const DETAIL_KEYS = ["tone", "callerid", "destination", "code", "internalCode", "reason", "duration", "newState", "text", "error"];

// What tests (and curious users in the console) can read.
const state = { phase: "idle", callId: null, codec: null, remotePeak: 0, micPeak: 0, records: [], timeline: null };
window.voxsim = state;

let pc = null, mic = null, dtmf = null, events = null, meters = null, audioCtx = null;

async function loadConfig() {
  const config = await (await fetch("config")).json();
  $("scenario").textContent = config.scenarios.join(", ");
  $("callerid").value = config.callerid;
  $("destination").value = config.destination;
  $("hearing").textContent = config.hearing;
  for (const codec of config.codecs) {
    const option = document.createElement("option");
    option.value = codec;
    option.textContent = codec === "pcmu" ? "PCMU (G.711 µ-law)" : "Opus";
    $("codec").appendChild(option);
  }
}

function buildKeypad() {
  for (const key of KEYS) {
    const button = document.createElement("button");
    button.textContent = key;
    button.dataset.key = key;
    button.disabled = true;
    button.addEventListener("click", () => press(key));
    $("keypad").appendChild(button);
  }
  document.addEventListener("keydown", (e) => {
    if (state.phase === "connected" && KEYS.includes(e.key) && e.target.tagName !== "INPUT") press(e.key);
  });
}

function setPhase(phase, text) {
  state.phase = phase;
  $("status").textContent = text;
  const live = phase === "calling" || phase === "connected";
  $("call").disabled = live || phase === "disconnected" || phase === "ending";
  $("hangup").disabled = !live && phase !== "disconnected";
  $("mute").disabled = !live;
  for (const b of $("keypad").querySelectorAll("button")) b.disabled = phase !== "connected";
}

// ---- the event log -------------------------------------------------------------------------------------------

function details(data) {
  if (!data) return "";
  return DETAIL_KEYS.filter((k) => data[k] !== undefined && data[k] !== "").map((k) => ` ${k}=${data[k]}`).join("");
}

function describe(r) {
  switch (r.type) {
    case "event":
      if (r.name === "Cartesia.Agents.Clear") return ["barge", `BARGE-IN ${r.name} (${r.target})`];
      return ["event", `${r.name} (${r.target})${details(r.data)}`];
    case "log": return ["log", r.text];
    case "warning": return ["warning", `warning: ${r.message}`];
    case "error": return ["error", `error: ${r.message}`];
    case "http": return ["log", `http ${r.direction} ${r.method || ""} ${r.url || r.path || ""}${r.status ? " -> " + r.status : ""}`];
    case "agent": {
      const extra = Object.entries(r).filter(([k]) => !["seq", "t", "type", "direction", "event", "target"].includes(k))
        .map(([k, v]) => ` ${k}=${typeof v === "object" ? JSON.stringify(v) : v}`).join("").slice(0, 240);
      return ["agent", `${r.direction === "sent" ? "→" : "←"} agent ${r.event} (${r.target})${extra}`];
    }
    case "media":
      if (r.action === "start") return ["media", `▶ ${r.source} → ${r.target || "nowhere"} ${r.kind || ""}${r.text ? ` "${r.text}"` : ""}`];
      if (r.reason === "clear") return ["barge", `BARGE-IN: ${r.source} cut off${r.text ? ` after "${r.text}"` : ""}`];
      return ["media", `■ ${r.source} → ${r.target || "nowhere"} (${r.reason || "end"})`];
    case "softphone":
      if (r.dtmf) return ["softphone", `keypad ${r.dtmf}`];
      if (r.connection) return ["softphone", `WebRTC ${r.connection}`];
      if (r.timeline) return ["softphone", "timeline picture ready"];
      if (r.state === "disconnected") return ["softphone", `line closed after ${r.event}${r.code ? " " + r.code : ""}`];
      if (r.state === "answered") return ["softphone", `answered: codec ${r.codec}, ${r.callerid} → ${r.destination}`];
      return ["softphone", `call ${r.state}${r.reason ? ": " + r.reason : ""}`];
    default: return null;
  }
}

function addLine(cls, t, text) {
  const li = document.createElement("li");
  li.className = cls;
  const stamp = document.createElement("span");
  stamp.className = "t";
  stamp.textContent = typeof t === "number" ? t.toFixed(3) : "     ";
  li.append(stamp, document.createTextNode(text));
  const log = $("log");
  const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
  log.appendChild(li);
  if (atBottom) log.scrollTop = log.scrollHeight;
}

function onRecord(r) {
  state.records.push(r);
  const line = describe(r);
  if (line) addLine(line[0], r.t, line[1]);
  if (r.type === "event" && r.name === "Call.Connected") setPhase("connected", `Connected (${state.codec}).`);
  if (r.type === "softphone" && (r.state === "ended" || r.state === "failed" || r.state === "error")) finish(r);
  if (r.type === "softphone" && r.timeline) showTimeline(r.timeline);
  if (r.type === "softphone" && r.state === "disconnected" && state.phase !== "ending") {
    teardown();
    setPhase("disconnected", "The scenario ended the call; its session goes on. Hang up ends it.");
  }
}

// ---- the call ------------------------------------------------------------------------------------------------

function waitForIce(peer, ms) {
  if (peer.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { if (peer.iceGatheringState === "complete") resolve(); };
    peer.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, ms);
  });
}

// The server listens on 127.0.0.1 only and never resolves mDNS names: keep loopback candidates alone.
function loopbackOnly(sdp) {
  return sdp.split("\r\n").filter((l) => !l.startsWith("a=candidate") || / 127\.0\.0\.1 /.test(l)).join("\r\n");
}

async function call() {
  $("log").innerHTML = "";
  $("timeline-link").hidden = true;
  Object.assign(state, { callId: null, codec: null, remotePeak: 0, micPeak: 0, records: [], timeline: null });
  setPhase("calling", "Calling…");
  try {
    mic = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (err) {
    setPhase("idle", `No microphone: ${err.message}`);
    return;
  }
  audioCtx = audioCtx || new AudioContext();
  if (audioCtx.state === "suspended") await audioCtx.resume();
  pc = new RTCPeerConnection({ iceServers: [] });
  mic.getTracks().forEach((t) => pc.addTrack(t, mic));
  dtmf = pc.createDataChannel("dtmf");
  const micAnalyser = analyser(mic);
  let remoteAnalyser = null;
  pc.ontrack = (e) => {
    $("remote").srcObject = e.streams[0];   // without a media element WebAudio reads silence
    remoteAnalyser = analyser(e.streams[0]);
  };
  meters = setInterval(() => {
    const m = level(micAnalyser), r = remoteAnalyser ? level(remoteAnalyser) : 0;
    state.micPeak = Math.max(state.micPeak, m);
    state.remotePeak = Math.max(state.remotePeak, r);
    $("mic-level").style.width = `${Math.min(100, m * 400)}%`;
    $("remote-level").style.width = `${Math.min(100, r * 400)}%`;
  }, 50);
  try {
    await pc.setLocalDescription(await pc.createOffer());
    await waitForIce(pc, 3000);
    const body = { sdp: loopbackOnly(pc.localDescription.sdp), type: "offer", codec: $("codec").value,
      callerid: $("callerid").value.trim(), destination: $("destination").value.trim() };
    const resp = await fetch("calls", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    if (!resp.ok) throw new Error(await resp.text());
    const answer = await resp.json();
    state.callId = answer.id;
    state.codec = answer.codec;
    events = new EventSource(`calls/${answer.id}/events`);
    events.onmessage = (e) => onRecord(JSON.parse(e.data));
    events.addEventListener("end", () => { events.close(); events = null; });
    await pc.setRemoteDescription({ type: answer.type, sdp: answer.sdp });
    setPhase("calling", `Ringing the scenario (${answer.codec})…`);
  } catch (err) {
    addLine("error", null, `call failed: ${err.message}`);
    teardown();
    setPhase("idle", "Call failed.");
  }
}

async function hangup() {
  if (!state.callId) { teardown(); setPhase("idle", "Idle."); return; }
  setPhase("ending", "Hanging up…");
  try {
    await fetch(`calls/${state.callId}/hangup`, { method: "POST" });
  } catch (err) {
    teardown();
    setPhase("idle", `Hang-up failed: ${err.message}`);
  }
}

function showTimeline(url) {
  state.timeline = url;
  $("timeline").href = url;
  $("timeline-link").hidden = false;
}

function finish(r) {
  teardown();
  setPhase("ended", r.state === "ended" ? "Session ended." : `Call ${r.state}${r.reason ? ": " + r.reason : ""}.`);
}

function teardown() {
  clearInterval(meters);
  meters = null;
  if (pc) pc.close();
  if (mic) mic.getTracks().forEach((t) => t.stop());
  pc = mic = dtmf = null;
  $("mute").setAttribute("aria-pressed", "false");
  $("mute").textContent = "Mute";
  $("mic-level").style.width = $("remote-level").style.width = "0";
}

function press(key) {
  if (!state.callId) return;
  if (dtmf && dtmf.readyState === "open") dtmf.send(key);
  else fetch(`calls/${state.callId}/dtmf`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ digits: key }) });
}

function toggleMute() {
  if (!mic) return;
  const muted = $("mute").getAttribute("aria-pressed") !== "true";
  mic.getAudioTracks().forEach((t) => { t.enabled = !muted; });
  $("mute").setAttribute("aria-pressed", String(muted));
  $("mute").textContent = muted ? "Unmute" : "Mute";
}

// ---- levels --------------------------------------------------------------------------------------------------

function analyser(stream) {
  const node = audioCtx.createAnalyser();
  node.fftSize = 2048;
  audioCtx.createMediaStreamSource(stream).connect(node);
  return node;
}

function level(node) {
  const samples = new Float32Array(node.fftSize);
  node.getFloatTimeDomainData(samples);
  let sum = 0;
  for (const v of samples) sum += v * v;
  return Math.sqrt(sum / samples.length);
}

$("call").addEventListener("click", call);
$("hangup").addEventListener("click", hangup);
$("mute").addEventListener("click", toggleMute);
window.addEventListener("beforeunload", () => { if (state.callId && state.phase !== "ended") navigator.sendBeacon(`calls/${state.callId}/hangup`); });
buildKeypad();
loadConfig().catch((err) => addLine("error", null, `config: ${err.message}`));
