"""Services: plain values and a database session in, dataclasses out.

They know nothing of Slack payloads; the listeners in ``handlers`` call them.
"""
