// Cartesia Line agent on an outbound call: the session is started with custom data naming who to call.
// Run: voxsim run scenarios/cartesia_outbound.js --custom-data '{"to": "+15557654321", "callerid": "+15550001111"}'
require(Modules.Cartesia);
require(Modules.ApplicationStorage);

const CARTESIA_VERSION = "2025-04-16";

async function storageValue(key, fallback) {
  const item = await ApplicationStorage.get(key);
  if (item && item.value) return item.value;
  Logger.write(`${key} is not in ApplicationStorage; using "${fallback}" (fine for the local agent emulator)`);
  return fallback;
}

VoxEngine.addEventListener(AppEvents.Started, () => {
  let data;
  try {
    data = JSON.parse(VoxEngine.customData() || "{}");
  } catch (error) {
    Logger.write(`===BAD_CUSTOM_DATA=== ${error}`);
    VoxEngine.terminate();
    return;
  }
  const to = data.to || "+15557654321";
  const callerid = data.callerid || "+15550001111";
  const call = VoxEngine.callPSTN(to, callerid);
  let agentsClient;

  const finish = () => {
    if (agentsClient) agentsClient.close();
    VoxEngine.terminate();
  };
  call.addEventListener(CallEvents.Failed, (ev) => {
    Logger.write(`===CALL_FAILED=== ${ev.code} ${ev.reason}`);
    finish();
  });
  call.addEventListener(CallEvents.Disconnected, finish);

  call.addEventListener(CallEvents.Connected, async () => {
    try {
      agentsClient = await Cartesia.createAgentsClient({
        apiKey: await storageValue("CARTESIA_API_KEY", "sk_car_local"),
        agentId: await storageValue("CARTESIA_AGENT_ID", "agent_local"),
        cartesiaVersion: CARTESIA_VERSION,
        onWebSocketClose: (event) => {
          Logger.write(`===ON_WEB_SOCKET_CLOSE=== ${event.code} ${event.reason}`);
          call.hangup();
          VoxEngine.terminate();
        },
      });
      VoxEngine.sendMediaBetween(call, agentsClient);
      agentsClient.addEventListener(Cartesia.AgentsEvents.Clear, () => agentsClient.clearMediaBuffer());
      Object.keys(Cartesia.AgentsEvents).forEach((name) => {
        agentsClient.addEventListener(Cartesia.AgentsEvents[name], (ev) =>
          Logger.write(`===${name}=== ${JSON.stringify(ev.data)}`));
      });
      agentsClient.start({ metadata: { to, from: callerid, direction: "outbound" } });
    } catch (error) {
      Logger.write(`===ERROR=== ${error}`);
      finish();
    }
  });
});
