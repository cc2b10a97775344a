"""The browser softphone (`voxsim serve`): an aiohttp page that calls a scenario over WebRTC on real time.

Each browser call is its own VoxEngine session with an inbound call whose far end is the browser (an aiortc
``RTCPeerConnection``); the session's trace streams to the page as Server-Sent Events. See docs/softphone.md.
"""

from .phonecall import PhoneCall, PhoneCallOptions
from .server import SoftphoneConfig, create_app, serve

__all__ = ["PhoneCall", "PhoneCallOptions", "SoftphoneConfig", "create_app", "serve"]
