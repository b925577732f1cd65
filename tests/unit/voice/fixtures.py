"""Twilio Media Streams messages as Twilio sends them (shapes from Twilio's documentation)."""

from __future__ import annotations

ACCOUNT_SID = "AC" + "3" * 32
CALL_SID = "CA" + "a1b2c3d4" * 4
STREAM_SID = "MZ" + "18ad3ab5" * 4

CONNECTED = '{"event":"connected","protocol":"Call","version":"1.0.0"}'

START = (
    '{"event":"start","sequenceNumber":"1","start":{"accountSid":"' + ACCOUNT_SID + '",'
    '"streamSid":"' + STREAM_SID + '","callSid":"' + CALL_SID + '","tracks":["inbound"],'
    '"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1},'
    '"customParameters":{"callSid":"' + CALL_SID + '","caller":"+8613800138000","token":"t0k"}},'
    '"streamSid":"' + STREAM_SID + '"}'
)

# 20 ms of μ-law: 160 bytes -> 216 base64 characters.
MEDIA = (
    '{"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"1","timestamp":"5",'
    '"payload":"' + "/" * 216 + '"},"streamSid":"' + STREAM_SID + '"}'
)

DTMF = (
    '{"event":"dtmf","streamSid":"' + STREAM_SID + '","sequenceNumber":"5",'
    '"dtmf":{"track":"inbound_track","digit":"1"}}'
)

MARK = '{"event":"mark","sequenceNumber":"4","streamSid":"' + STREAM_SID + '","mark":{"name":"turn-3"}}'

STOP = (
    '{"event":"stop","sequenceNumber":"5","streamSid":"' + STREAM_SID + '",'
    '"stop":{"accountSid":"' + ACCOUNT_SID + '","callSid":"' + CALL_SID + '"}}'
)
