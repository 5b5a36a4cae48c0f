"""The live fleet channel (MQTT): presence, reported state, telemetry, events and signed commands.

The forms on the wire are /work/shared/reference/fleet-channel.md's; docs/fleet.md tells how to run it.
"""
