// The classic VoxEngine bridged call (Voximplant's call-forwarding example): answer an inbound call by dialling a
// PSTN number, answer the caller once the callee picks up, bridge the two legs' audio, and end the session when
// either side hangs up or the outbound leg fails.
// Run: voxsim run scenarios/bridged_call.js --caller-script scenarios/callers/bridged_call.yaml
// Load: voxsim load scenarios/bridged_call.js --caller-script scenarios/callers/bridged_call.yaml --call-seconds 30
const FORWARD_TO = "+15550100200";

VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
  const inbound = e.call;
  const outbound = VoxEngine.callPSTN(FORWARD_TO, e.callerid);
  let ended = false;
  const end = (who) => {
    if (ended) return;
    ended = true;
    Logger.write(`bridge: ${who} ended the call`);
    inbound.hangup();
    outbound.hangup();
    VoxEngine.terminate();
  };

  outbound.addEventListener(CallEvents.Ringing, () => inbound.ring());
  outbound.addEventListener(CallEvents.Connected, () => inbound.answer());
  outbound.addEventListener(CallEvents.Failed, (ev) => {
    Logger.write(`bridge: ${FORWARD_TO} failed: ${ev.code} ${ev.reason}`);
    inbound.hangup();
    VoxEngine.terminate();
  });
  outbound.addEventListener(CallEvents.Disconnected, () => end("the callee"));
  inbound.addEventListener(CallEvents.Connected, () => {
    VoxEngine.sendMediaBetween(inbound, outbound);
    Logger.write(`bridge: ${e.callerid} <-> ${FORWARD_TO}`);
  });
  inbound.addEventListener(CallEvents.Disconnected, () => end("the caller"));
});
