// Answer an inbound call, greet the caller, hang up after the greeting.
VoxEngine.addEventListener(AppEvents.CallAlerting, (e) => {
  const call = e.call;
  call.addEventListener(CallEvents.Connected, () => {
    call.say(`Hello ${e.callerid}, you have reached voxsim.`, VoiceList.Default);
    call.addEventListener(CallEvents.PlaybackFinished, () => call.hangup());
  });
  call.addEventListener(CallEvents.Disconnected, () => VoxEngine.terminate());
  call.answer();
});
