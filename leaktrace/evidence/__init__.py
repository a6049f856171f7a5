"""Tamper-evident evidence: RFC 9162 Merkle logs, RFC 8785 canonical entries, Ed25519 signed
tree heads (JSON and C2SP checkpoints), RFC 3161 time-stamps, and the offline bundle.

``standalone`` is the bundle's ``verify.py``: it uses only the standard library and
``cryptography`` and is shipped verbatim in every export; ``leaktrace verify`` runs it too.
"""
