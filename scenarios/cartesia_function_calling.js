// Cartesia Line agent with telephony tools (Voximplant's function-calling example): the agent's tools POST
// {"action": "end_call"} or {"action": "call_transfer", ...} to the session control URL passed in the start metadata.
// Run: voxsim run scenarios/cartesia_function_calling.js --call +15551234567 --say "Please transfer me to an operator"
require(Modules.Cartesia);
require(Modules.ApplicationStorage);

const CARTESIA_VERSION = "2025-04-16";
let controlUrl = "";
let caller;
let agentsClient;
let operator;

async function storageValue(key, fallback) {
  const item = await ApplicationStorage.get(key);
  if (item && item.value) return item.value;
  Logger.write(`${key} is not in ApplicationStorage; using "${fallback}"`);
  return fallback;
}

function finish() {
  if (agentsClient) agentsClient.close();
  VoxEngine.terminate();
}

VoxEngine.addEventListener(AppEvents.Started, (e) => {
  controlUrl = e.accessSecureURL;
});

VoxEngine.addEventListener(AppEvents.CallAlerting, async (e) => {
  caller = e.call;
  caller.addEventListener(CallEvents.Disconnected, finish);
  caller.addEventListener(CallEvents.Failed, finish);
  caller.answer();
  try {
    agentsClient = await Cartesia.createAgentsClient({
      apiKey: await storageValue("CARTESIA_API_KEY", "sk_car_local"),
      agentId: await storageValue("CARTESIA_AGENT_ID", "agent_local"),
      cartesiaVersion: CARTESIA_VERSION,
      onWebSocketClose: (event) => {
        Logger.write(`===ON_WEB_SOCKET_CLOSE=== ${event.code} ${event.reason}`);
        if (!operator) VoxEngine.terminate();
      },
    });
    VoxEngine.sendMediaBetween(caller, agentsClient);
    agentsClient.addEventListener(Cartesia.AgentsEvents.Clear, () => agentsClient.clearMediaBuffer());
    Object.keys(Cartesia.AgentsEvents).forEach((name) => {
      agentsClient.addEventListener(Cartesia.AgentsEvents[name], (ev) =>
        Logger.write(`===${name}=== ${JSON.stringify(ev.data)}`));
    });
    agentsClient.start({
      metadata: { to: e.destination, from: e.callerid, vox_session_control_url: controlUrl },
    });
  } catch (error) {
    Logger.write(`===ERROR=== ${error}`);
    finish();
  }
});

async function transfer(cmd) {
  const number = cmd.number || (await storageValue("OPERATOR_NUMBER", "+15550100"));
  const callerid = await storageValue("PSTN_CALLER_ID", "+15550001111");
  operator = VoxEngine.callPSTN(number, callerid);
  operator.addEventListener(CallEvents.Connected, () => {
    VoxEngine.stopMediaBetween(caller, agentsClient);
    VoxEngine.sendMediaBetween(caller, operator);
    agentsClient.close();
    Logger.write(`===TRANSFERRED=== to ${number}`);
  });
  operator.addEventListener(CallEvents.Failed, (ev) => {
    Logger.write(`===TRANSFER_FAILED=== ${ev.code} ${ev.reason}`);
    operator = undefined;
  });
  operator.addEventListener(CallEvents.Disconnected, () => {
    caller.hangup();
    VoxEngine.terminate();
  });
}

VoxEngine.addEventListener(AppEvents.HttpRequest, (e) => {
  let cmd;
  try {
    cmd = JSON.parse(e.content || "{}");
  } catch (error) {
    return { ok: false, error: "body is not JSON" };
  }
  Logger.write(`===TOOL_CALL=== ${JSON.stringify(cmd)}`);
  switch (cmd.action) {
    case "end_call":
      caller.hangup();
      finish();
      return { ok: true };
    case "call_transfer":
      transfer(cmd);
      return { ok: true };
    default:
      return { ok: false, error: `unknown action ${cmd.action}` };
  }
});
