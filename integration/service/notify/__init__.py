"""Text-message notifications of the case service: a provider-neutral port (``port``), its
wording (``templates``), when messages may go out (``policy``), the Twilio adapter
(``twilio_sms``) and the factory that picks the adapter from settings (``factory``).

The queue itself lives in the case database (``services/notifications.py`` enqueues in the
transaction of the event, ``services/sms_dispatch.py`` sends)."""
