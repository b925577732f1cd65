"""解纷助手 voice gateway: Twilio Media Streams and kiosk microphone → Vosk ASR → Rasa → spoken replies."""
