"""The JavaScript engine that runs VoxEngine scenarios: lark parser, closure compiler, built-ins.

It knows nothing of telephony; the runtime installs host objects into a realm.
"""
