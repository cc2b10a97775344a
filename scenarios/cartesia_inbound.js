// Cartesia Line agent on an inbound call (the flow of Voximplant's "Answering an incoming call" example).
// Run: voxsim run scenarios/cartesia_inbound.js --call +15551234567 --say "I want to book a table"
// The agent is the local emulator scripted by scenarios/agents/cartesia_inbound.yaml (or the real one: --cartesia live).
require(Modules.Cartesia);
require(Modules.ApplicationStorage);

const CARTESIA_VERSION = "2025-04-16";

async function storageValue(key, fallback) {
  const item = await ApplicationStorage.get(key);
  if (item && item.value) return item.value;
  Logger.write(`${key} is not in ApplicationStorage; using "${fallback}" (fine for the local agent emulator)`);
  return fallback;
}

VoxEngine.addEventListener(AppEvents.CallAlerting, async (e) => {
  const call = e.call;
  let agentsClient;

  const finish = () => {
    if (agentsClient) agentsClient.close();
    VoxEngine.terminate();
  };
  call.addEventListener(CallEvents.Disconnected, finish);
  call.addEventListener(CallEvents.Failed, finish);
  call.answer();
  call.record({ stereo: true }); // caller left, agent right

  try {
    const apiKey = await storageValue("CARTESIA_API_KEY", "sk_car_local");
    const agentId = await storageValue("CARTESIA_AGENT_ID", "agent_local");
    agentsClient = await Cartesia.createAgentsClient({
      apiKey,
      agentId,
      cartesiaVersion: CARTESIA_VERSION,
      onWebSocketClose: (event) => {
        Logger.write(`===ON_WEB_SOCKET_CLOSE=== ${event.code} ${event.reason}`);
        VoxEngine.terminate();
      },
    });

    VoxEngine.sendMediaBetween(call, agentsClient);

    // Barge-in: Cartesia says the caller interrupted; drop the agent audio not yet played.
    agentsClient.addEventListener(Cartesia.AgentsEvents.Clear, () => agentsClient.clearMediaBuffer());

    // Keypad both ways: caller digits go to the agent, agent digits are played to the caller.
    call.handleTones(true);
    call.addEventListener(CallEvents.ToneReceived, (ev) => agentsClient.dtmf({ dtmf: String(ev.tone) }));
    agentsClient.addEventListener(Cartesia.AgentsEvents.DTMF, (ev) => call.sendDigits(ev.data.payload.dtmf));

    // Side data to the agent once the stream is acknowledged.
    agentsClient.addEventListener(Cartesia.AgentsEvents.ACK, () =>
      agentsClient.custom({ metadata: { event: "call_answered", callerid: e.callerid } }));

    Object.keys(Cartesia.AgentsEvents).forEach((name) => {
      agentsClient.addEventListener(Cartesia.AgentsEvents[name], (ev) =>
        Logger.write(`===${name}=== ${JSON.stringify(ev.data)}`));
    });
    agentsClient.addEventListener(Cartesia.Events.WebSocketMediaStarted, () => Logger.write("===AGENT_SPEAKING==="));
    agentsClient.addEventListener(Cartesia.Events.WebSocketMediaEnded, () => Logger.write("===AGENT_SILENT==="));

    agentsClient.start({ metadata: { to: e.destination, from: e.callerid } });
  } catch (error) {
    Logger.write(`===ERROR=== ${error}`);
    finish();
  }
});
