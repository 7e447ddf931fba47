"""The emulator's v2 face: Bytez's `/models/v2/*` routes over the one shared `World`.

`catalogue` derives v2's catalogue fields and meters, `face` answers each route as plain
logic, and `routes` serves it over HTTP with v2's auth forms, headers and envelope.
"""
