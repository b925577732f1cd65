"""Pure text normalisation for Chinese citizen input: phones, resident IDs, amounts, names.

Shared by the bot's actions (Python 3.10) and the case service (Python 3.11), so it
uses only the standard library and cn2an, and does no work at import time.
"""
